"""Early warning of disruptions and diversions in mineral trade flows, from trade statistics.

For one importing country (any reporter of imports), each controlled code and each year
(annual statistics) or month (monthly statistics), five signals:

- ``drop``: a supplier's flow fell against its own baseline, with the loss in tonnes and
  dollars;
- ``replacement``: in the same period, a new or surging supplier with no or only minor
  capacity for the material;
- ``diversion``: China's exports of the code to a third country rising while its direct
  exports to the importer fall (the pass-through legs at the statistics level);
- ``concentration``: each supplier's share and the Herfindahl-Hirschman index, and its
  change;
- ``price``: the importer's unit value against China's export unit value for the code, and
  the change of that gap.

The baseline is a robust seasonal one (``series``): annual series against the median of
up to three earlier reported years, monthly series as three-month sums against the median
of the same months in up to three earlier years, a drop counting only when the flow is at
most half its baseline and below every baseline window. A change-point method
(``ruptures``, PELT) was measured against it on the real and synthetic series
(``benchmarks/early_warning_baselines.py``) and not adopted:

- the real annual statistics have two years (2022 and 2024): no change-point method can
  place a change in two points, while the baseline compares them directly;
- on the synthetic world's monthly series the seasonal baseline found every planted stop of
  China's direct exports to the US at the ban (see the benchmark for the counts and delays)
  with fewer false alarms on series without a planted change than PELT run online (a
  change point in the last months);
- PELT needs a penalty, a cost and a minimum segment length to be tuned per series length,
  has no notion of the seasonal dip, and gives a break date, not a baseline in tonnes and
  dollars to state in the warning; it is also slower by orders of magnitude.

The single entry point is ``warning_digest(con, import_country, since, settings)``, with
``write_digest(digest, format, out)`` for JSON and CSV.
"""

from transship.early_warning.config import WarningSettings
from transship.early_warning.digest import (
    FORMATS,
    KINDS,
    Digest,
    build_digest,
    warning_digest,
    write_digest,
)

__all__ = [
    "FORMATS",
    "KINDS",
    "Digest",
    "WarningSettings",
    "build_digest",
    "warning_digest",
    "write_digest",
]
