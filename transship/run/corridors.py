"""Corridor flags, at two levels, each scored by its own detectors and fused like shipments
(``transship.run.fusion``):

- corridor x year, from trade statistics alone (``transship.features.corridor_year``), for
  every importing country that reports imports: its imports of a controlled code from a
  country growing year on year, China's exports to that country growing, mirror gaps
  between the two sides of a flow, the country's capacity. Each flag states both legs
  where the statistics have them, without claiming to know the goods' true origin.
- corridor x month, from the shipments (``transship.features.corridor_month``): a surge
  against the corridor's trailing 12 months, the origin's capacity, the share of the
  month's shipments already flagged.

A corridor flag's reasons are the corridor's statement in a fixed order, the facts of the
year or month with the capacity and mirror-gap detectors' sentences in their places.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from transship.detectors.base import flagged_of
from transship.detectors.corridor_month.surge import volume
from transship.detectors.corridor_year.china_export_surge import HUB_WATCH
from transship.detectors.corridor_year.common import importer_imports, leg_sentence
from transship.features.corridor_month import corridor_months
from transship.features.corridor_year import corridor_years
from transship.importers import CONTROLLING_EXPORTER, CONTROLLING_EXPORTER_NAME, importer
from transship.run.fusion import Explained, Fused, explain, fuse

if TYPE_CHECKING:
    from datetime import date

    from transship.detectors import Detector, DetectorConfig
    from transship.features.build import Reference


def flag_schema(period: str, dtype: pl.DataType) -> dict[str, pl.DataType]:
    """The columns of a level's corridor flags; ``period`` is the year or the month."""
    return {
        "import_country": pl.String(),
        "origin_country": pl.String(),
        "hs6": pl.String(),
        period: dtype,
        "material": pl.String(),
        "score": pl.Float64(),
        "detectors": pl.String(),
        "contributions": pl.String(),
        "reasons": pl.String(),
    }


def score_level(
    frame: pl.DataFrame, level: str, config: DetectorConfig
) -> tuple[list[Detector], dict[str, np.ndarray], Fused]:
    """The level's detectors, their scores of ``frame`` and the fused risk. Corridor rules
    learn nothing from history: fitting checks the frame has their columns."""
    detectors = [d.fit(frame) for d in config.build(level)]
    scores = {d.name: d.score(frame) for d in detectors}
    return detectors, scores, fuse(detectors, scores, config)


def sentences_by_row(
    detectors: list[Detector], frame: pl.DataFrame, scores: dict[str, np.ndarray]
) -> list[dict[str, str | None]]:
    """Per row of ``frame``: each detector's sentence (None where it did not score)."""
    by_detector = {d.name: d.reasons(frame, scores[d.name]) for d in detectors}
    return [{name: texts[i] for name, texts in by_detector.items()} for i in range(frame.height)]


def explain_row(
    detectors: list[Detector],
    scores: dict[str, np.ndarray],
    row: int,
    fused: Fused,
    fused_row: int,
) -> Explained:
    """A corridor flag's detectors under the names its flags show: ``scores`` are of the
    kept rows, ``fused`` of every row the level scored."""
    return explain(
        (d.flag_name, float(scores[d.name][row]), float(fused.contributions[d.name][fused_row]))
        for d in detectors
    )


def corridor_year_flags(
    flows: pl.DataFrame, reference: Reference, config: DetectorConfig
) -> pl.DataFrame:
    """One row per (importing country, country, controlled code, year) that a detector
    other than the supporting ones scored, whatever its score (callers apply the
    threshold)."""
    frame = corridor_years(flows, reference, config.parameters["unit_value"]["max_price_ratio"])
    detectors, scores, fused = score_level(frame, "corridor_year", config)
    kept = np.flatnonzero(fused.supported)
    frame = frame[kept]
    scores = {name: values[kept] for name, values in scores.items()}
    sentences = sentences_by_row(detectors, frame, scores)
    rows = []
    for i, r in enumerate(frame.iter_rows(named=True)):
        explained = explain_row(detectors, scores, i, fused, kept[i])
        rows.append(
            {
                "import_country": r["import_country"],
                "origin_country": r["country"],
                "hs6": r["hs6"],
                "year": r["year"],
                "material": r["material"],
                "score": float(fused.risk[kept[i]]),
                "detectors": explained.detectors,
                "contributions": explained.contributions,
                "reasons": year_statement(r, sentences[i]),
            }
        )
    return pl.DataFrame(rows, schema=flag_schema("year", pl.Int32()))


def year_statement(r: dict[str, Any], said: dict[str, str | None]) -> str:
    """What the statistics show for the corridor's year: for China, the mirror gap alone;
    for another country, the importing country's imports from it, its capacity, the legs,
    the gap with its own reported exports to the importing country, and that the
    statistics cannot show the goods' origin."""
    country, china = r["country_name"], CONTROLLING_EXPORTER_NAME
    mirror = said["year_mirror_gap"]
    if r["country"] == CONTROLLING_EXPORTER and mirror:
        return mirror
    out = []
    if r.get("imp_value_usd"):
        out.append(importer_imports(r))
    if said["year_capacity"]:
        out.append(said["year_capacity"])
    legs = [
        leg
        for leg in (
            leg_sentence(
                r, "p_imp", f"{country} reported importing", f"from {china} in {r['year']}"
            ),
            leg_sentence(r, "cn_exp", f"{china} reported exporting", f"to {country}"),
            leg_sentence(r, "p_exp", f"{country} reported exporting", f"to {importer(r)}"),
        )
        if leg
    ]
    if legs:
        out.append("Legs: " + "; ".join(legs) + ".")
    # A gap against China's exports to the country (it reports none to the importing
    # country) is scored but not stated here: the statement names only the two sides of
    # the same flow.
    if mirror and r.get("p_exp_value_usd"):
        out.append(mirror)
    hub = said["year_china_export_surge"]
    if hub and hub.startswith(HUB_WATCH):
        out.append(hub)
    out.append("The statistics show the corridor, not the goods' true origin.")
    return " ".join(out)


def corridor_month_flags(
    features: pl.DataFrame,
    flagged_ids: pl.Series,
    first: date,
    last: date,
    config: DetectorConfig,
    first_months: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Corridor flags (origin x controlled code x month) from the shipments themselves,
    for the months from ``first`` to ``last``, using shipments up to ``last`` only;
    ``flagged_ids`` are the shipments flagged in those months up to ``last``
    (``first_months``: see ``corridor_month.corridor_months``)."""
    frame = corridor_months(features, flagged_ids, first, last, first_months)
    if frame.is_empty():
        return pl.DataFrame(schema=flag_schema("month", pl.Date()))
    detectors, scores, fused = score_level(frame, "corridor_month", config)
    kept = np.flatnonzero(fused.flags(config))
    frame = frame[kept]
    scores = {name: values[kept] for name, values in scores.items()}
    sentences = sentences_by_row(detectors, frame, scores)
    rows = []
    for i, r in enumerate(frame.iter_rows(named=True)):
        explained = explain_row(detectors, scores, i, fused, kept[i])
        rows.append(
            {
                "import_country": r["import_country"],
                "origin_country": r["origin_country"],
                "hs6": r["hs6"],
                "month": r["month"],
                "material": r["material"],
                "score": float(fused.risk[kept[i]]),
                "detectors": explained.detectors,
                "contributions": explained.contributions,
                "reasons": month_statement(r, sentences[i]),
            }
        )
    return pl.DataFrame(rows, schema=flag_schema("month", pl.Date()))


def month_statement(r: dict[str, Any], said: dict[str, str | None]) -> str:
    """The corridor's month: its imports against the trailing average, how many of its
    shipments are flagged, the origin's capacity and the control in force."""
    text = f"{volume(r)}; {flagged_of(r['flagged'], r['shipments'])}."
    if said["month_capacity"]:
        text += " " + said["month_capacity"]
    if r["control_date"] is not None:
        text += (
            f" {CONTROLLING_EXPORTER_NAME}'s {r['control_measure']} on {r['material']} "
            f"took effect {r['control_date']}."
        )
    return text
