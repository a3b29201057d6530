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

Baseline: robust and seasonal, no change-point library (``series`` and
``signals.dropped``). Annual series compare a year with the median of up to three
earlier reported years; monthly series compare three-month sums with the median of the
same months in up to three earlier years. A drop is a window at most half its baseline,
below every baseline window, and, once the flow has six departures from its baseline to
measure its noise, three robust standard deviations (IQR / 1.349 of its log departures
over 36 months) below it; a fall to a tenth counts however noisy the flow.

Why not ``ruptures``: the issue asked to choose by measurement, and
``benchmarks/early_warning_baselines.py`` runs both online (at each month, on the data up
to it) on the same three-month sums of every series that traded in half its months. On the
synthetic demo world (seed 7; 218 series, 8 of them China's direct exports to the US that
stop at the 2024-12 ban): both found the 8 stops, with delays of 1-3 months (median 1.5
for both); false alarms, seasonal 65 on 40 of 210 series without a plant, PELT (L2 cost
on log dollars, minimum segment 3, BIC-like penalty on the robust variance) 84 on 46. On
China's real monthly exports (82 series, 2017-2024, no labels): seasonal 342 alarm-months
on 60 series, PELT 424 on 73; in the three months after the 2023 gallium/germanium
licences 3 and 4 of the 17 8112.92 series. Time: all windows and baselines 0.3-1.9 s;
PELT 11-26 s more on this shared 2-core machine. Without the noise band the seasonal rule made
235 false alarms on 86 synthetic series (more than PELT), which is why the band is
there. Beyond the counts, the real annual statistics have two years (2022 and 2024), where
no change-point method can place a change, and the warning must state its baseline in
tonnes and dollars, which a change point does not give. So no dependency was added.

The single entry point is ``warning_digest(con, import_country, since, settings)``, with
``write_digest(digest, format, out)`` for JSON and CSV; ``build_digest`` does the same on
frames. Only controlled codes (``ref_controlled_codes``) are read: a warning needs a
material. The settings are the ``[early_warning]`` section of the rules file
(``DetectorConfig.warning_settings``). ``report`` holds what the command (`transship
warn`), the monthly flow (flows/early_warning.py) and the review app's Warnings page share:
the default importing country and start, the files, one line per warning;
``history.supplier_history`` gives each supplier's share over time for the page's charts.
"""

from transship.early_warning.config import KINDS, WarningSettings
from transship.early_warning.digest import (
    FORMATS,
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
