"""Shipment scoring: fit every shipment detector on history and score shipments month by
month, then fuse (``transship.run.fusion``).

A shipment is scored by detectors fitted on the year of shipments into its importing
country before its calendar quarter began (each importing country has its own fits, so a
store holding several scores each as it would alone; refitting every quarter rather than
every month keeps a three-year
backfill to a dozen fits), so its score depends only on data from before its arrival and
a nightly run for one day gives exactly what a backfill over its quarter gives. The
damped rules' contributions are multiplied by ``[fusion] capacity_damping`` where the
origin has major capacity for the material.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import polars as pl

from transship.detectors import DetectorConfig
from transship.detectors.base import Detector
from transship.run.fusion import explain, fuse

HISTORY_DAYS = 365
Progress = Callable[[str, int, int], None]
FitQuarter = Callable[[date, str], list[Detector]]
"""A quarter's fitted detectors for an importing country."""


def month_offset(month: date, months: int) -> date:
    """The first day of the month ``months`` after ``month``'s."""
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_starts(start: date, end: date) -> list[date]:
    months, current = [], date(start.year, start.month, 1)
    while current <= end:
        months.append(current)
        current = month_offset(current, 1)
    return months


def producer_damping(frame: pl.DataFrame, config: DetectorConfig) -> np.ndarray:
    """Per shipment: ``capacity_damping`` where the origin has major capacity, else 1."""
    return np.where(
        frame["capacity_level"].fill_null("none").to_numpy() == "major",
        config.fusion["capacity_damping"],
        1.0,
    )


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def fitted_detectors(
    features: pl.DataFrame, start: date, country: str, config: DetectorConfig
) -> list[Detector]:
    """Detectors fitted on the year of shipments into ``country`` before ``start``."""
    history = features.filter(
        pl.col("arrival_date").is_between(start - timedelta(HISTORY_DAYS), start, closed="left")
        & (pl.col("import_country") == country)
    )
    return [d.fit(history) for d in config.build()]


def model_reachable_floor(config: DetectorConfig) -> float:
    """The rules-only risk (0-100) below which even top model scores leave a row under
    the flag threshold: 1 - (1 - floor)(1 - model_weight) = threshold."""
    model_weight = config.fusion["model_weight"]
    if model_weight >= 1:
        return 0.0
    return float(100 * (1 - (1 - config.fusion["threshold"] / 100) / (1 - model_weight)))


def score_month(
    detectors: list[Detector], target: pl.DataFrame, config: DetectorConfig
) -> pl.DataFrame:
    """Scores for one month's shipments; reasons only for those that become flags.

    The models, the costly part, score only the rows whose rules could lift them to the
    flag threshold with the models' full weight; elsewhere they count as 0, so those
    rows' stored scores are lower bounds but flags are exactly the same (every detector's
    score of a row depends on that row alone).
    """
    scores = {d.name: d.score(target) for d in detectors if d.kind == "rule"}
    models = [d for d in detectors if d.kind != "rule"]
    for model in models:
        scores[model.name] = np.zeros(target.height)
    damping = producer_damping(target, config)
    if models:
        rules_only = fuse(detectors, scores, config, damping).risk
        # rules_only is rounded to 0.01: the margin keeps rows that rounding pulled under.
        reachable = np.flatnonzero(rules_only >= model_reachable_floor(config) - 0.01)
        if reachable.size:
            rows = target[reachable]
            for model in models:
                scores[model.name][reachable] = model.score(rows)
    fused = fuse(detectors, scores, config, damping)
    risk, contributions = fused.risk, fused.contributions
    flags = fused.flags(config)
    flagged = np.flatnonzero(flags)
    result = target.select("shipment_id").with_columns(
        score=pl.Series(risk), flagged=pl.Series(flags)
    )
    if flagged.size == 0:
        return result.with_columns(
            detectors=pl.lit(None, pl.String),
            contributions=pl.lit(None, pl.String),
            reasons=pl.lit(None, pl.String),
        )
    rows = target[flagged]
    reason_lists = {d.name: _reasons(d, rows, scores[d.name][flagged]) for d in detectors}
    names, details, texts = [], [], []
    for i, index in enumerate(flagged):
        explained = explain(
            (name, float(scores[name][index]), float(part[index]))
            for name, part in contributions.items()
        )
        names.append(explained.detectors)
        details.append(explained.contributions)
        texts.append(
            " ".join(
                text for name in explained.ranked if (text := reason_lists[name][i]) is not None
            )
        )
    extra = pl.DataFrame(
        {
            "row_in_month": flagged,
            "detectors": names,
            "contributions": details,
            "reasons": texts,
        },
        schema_overrides={"row_in_month": pl.UInt32},
    )
    return (
        result.with_row_index("row_in_month")
        .join(extra, on="row_in_month", how="left")
        .drop("row_in_month")
    )


def _reasons(detector: Detector, rows: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
    """The detector's sentence for each row, rendering only the rows it scored above 0
    (the others have none, by the detector contract)."""
    sentences: list[str | None] = [None] * len(scores)
    positive = np.flatnonzero(scores > 0)
    if positive.size:
        for index, text in zip(
            positive, detector.reasons(rows[positive], scores[positive]), strict=True
        ):
            sentences[index] = text
    return sentences


def score_range(
    features: pl.DataFrame,
    start: date,
    end: date,
    config: DetectorConfig,
    progress: Progress | None = None,
    fit_quarter: FitQuarter | None = None,
) -> pl.DataFrame:
    """Every shipment arriving in [start, end] with its risk score and whether it is a
    flag; flags carry their detectors, contributions and reasons.

    ``fit_quarter`` gives a quarter's fitted detectors for an importing country (by
    default they are fitted on that country's year of ``features`` before the quarter).
    """
    fit = fit_quarter or (
        lambda quarter, country: fitted_detectors(features, quarter, country, config)
    )
    parts = []
    months = month_starts(start, end)
    fitted: dict[tuple[date, str], list[Detector]] = {}
    for done, month in enumerate(months):
        month_end = month_offset(month, 1) - timedelta(1)
        arrived = features.filter(
            pl.col("arrival_date").is_between(max(month, start), min(month_end, end))
        )
        quarter = quarter_start(month)
        fitted = {key: detectors for key, detectors in fitted.items() if key[0] == quarter}
        for (country,), target in arrived.partition_by(
            "import_country", as_dict=True, maintain_order=True
        ).items():
            key = (quarter, str(country))
            if key not in fitted:
                fitted[key] = fit(*key)
            parts.append(score_month(fitted[key], target, config))
        if progress is not None:
            progress(f"{month:%Y-%m}", done + 1, len(months))
    if not parts:
        return pl.DataFrame(
            schema={
                "shipment_id": pl.String,
                "score": pl.Float64,
                "flagged": pl.Boolean,
                "detectors": pl.String,
                "contributions": pl.String,
                "reasons": pl.String,
            }
        )
    return pl.concat(parts)
