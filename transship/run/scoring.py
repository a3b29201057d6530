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

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from transship.detectors.base import Detector
from transship.run.fusion import explain, fuse, with_learning

if TYPE_CHECKING:
    from transship.detectors import DetectorConfig
    from transship.learning.part import LearnedPart

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
    return fit_detectors(
        features.filter(
            pl.col("arrival_date").is_between(start - timedelta(HISTORY_DAYS), start, closed="left")
            & (pl.col("import_country") == country)
        ),
        config,
    )


def fit_columns(config: DetectorConfig) -> list[str]:
    """The columns ``fit_detectors`` reads: what the detectors fit on, and the rows' ids,
    days and importing countries."""
    return sorted(
        {"shipment_id", "arrival_date", "import_country"}
        | {column for detector in config.build() for column in detector.fits_on}
    )


def fit_detectors(history: pl.DataFrame, config: DetectorConfig) -> list[Detector]:
    """Detectors fitted on ``history``: one importing country's year of shipments before a
    quarter, as ``fitted_detectors`` selects it."""
    return [d.fit(history) for d in config.build()]


def model_reachable_floor(config: DetectorConfig) -> float:
    """The rules-only risk (0-100) below which even top model scores leave a row under
    the flag threshold: 1 - (1 - floor)(1 - model_weight) = threshold."""
    model_weight = config.fusion["model_weight"]
    if model_weight >= 1:
        return 0.0
    return float(100 * (1 - (1 - config.fusion["threshold"] / 100) / (1 - model_weight)))


LEARNED = "learned"
"""The learned part's name among a flag's contributions."""


def detector_scores(
    detectors: list[Detector],
    target: pl.DataFrame,
    config: DetectorConfig,
    every_row: bool | np.ndarray = False,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Each detector's own scores of the rows, the per-row damping, and which rows the
    models scored.

    The models, the costly part, score only the rows whose rules could lift them to the
    flag threshold with the models' full weight, and those ``every_row`` marks (all of
    them when True); elsewhere they count as 0, so those rows' scores are lower bounds but
    flags are exactly the same (every detector's score of a row depends on that row alone).
    """
    scores = {d.name: d.score(target) for d in detectors if d.kind == "rule"}
    models = [d for d in detectors if d.kind != "rule"]
    for model in models:
        scores[model.name] = np.zeros(target.height)
    damping = producer_damping(target, config)
    exact = np.ones(target.height, dtype=bool)
    if models:
        wanted = np.broadcast_to(np.asarray(every_row, dtype=bool), (target.height,))
        if wanted.all():
            reachable = np.arange(target.height)
        else:
            rules_only = fuse(detectors, scores, config, damping).risk
            # rules_only is rounded to 0.01: the margin keeps rows that rounding pulled under.
            reachable = np.flatnonzero(
                (rules_only >= model_reachable_floor(config) - 0.01) | wanted
            )
            exact[:] = False
            exact[reachable] = True
        if reachable.size:
            rows = target[reachable]
            for model in models:
                scores[model.name][reachable] = model.score(rows)
    return scores, damping, exact


def score_month(
    detectors: list[Detector],
    target: pl.DataFrame,
    config: DetectorConfig,
    learner: LearnedPart | None = None,
    quotas: dict[date, tuple[int, int]] | None = None,
) -> pl.DataFrame:
    """Scores for one month's shipments; reasons only for those that become flags or are
    chosen for learning.

    With a ``learner`` (the store holds decisions), the learned part joins the fused score
    where a model is in use for the row's day, and each day's ``quotas`` of rows are chosen
    for learning among those that are not flags; the models score every row of those days
    (the learner reads their scores).
    """
    every_row = learner.needs_every_row(target, quotas) if learner is not None else False
    scores, damping, exact = detector_scores(detectors, target, config, every_row)
    fused = fuse(detectors, scores, config, damping)
    base, risk = fused.risk, fused.risk
    contributions = dict(fused.contributions)
    supported = fused.supported
    result = target.select("shipment_id", "arrival_date").with_columns(
        base_score=pl.Series(base), exact=pl.Series(exact)
    )
    names = [d.name for d in detectors]
    picked: dict[int, str] = {}
    learned = None
    if learner is not None:
        learned = learner.apply(target, scores, base)
        risk = with_learning(base, learned.score, learned.weight)
        contributions[LEARNED] = np.nan_to_num(learned.weight * learned.score)
        supported = supported | (learned.weight > 0)
        names.append(LEARNED)
        result = result.with_columns(
            learned=pl.Series(learned.score, dtype=pl.Float64).fill_nan(None),
            learned_weight=pl.Series(learned.weight),
            learned_model=pl.Series(learned.model_id, dtype=pl.Int64),
        )
    flags = supported & (risk >= config.fusion["threshold"])
    if learner is not None and quotas:
        picked = learner.explore(target, scores, learned, flags, quotas)
    chosen = np.zeros(target.height, dtype=bool)
    chosen[list(picked)] = True
    result = result.with_columns(
        score=pl.Series(risk),
        flagged=pl.Series(flags),
        chosen_for_learning=pl.Series(
            [picked.get(i) for i in range(target.height)], dtype=pl.String
        ),
    )
    explained = np.flatnonzero(flags | chosen)
    if explained.size == 0:
        return result.with_columns(
            detectors=pl.lit(None, pl.String),
            contributions=pl.lit(None, pl.String),
            reasons=pl.lit(None, pl.String),
        )
    rows = target[explained]
    reason_lists = {d.name: _reasons(d, rows, scores[d.name][explained]) for d in detectors}
    if learned is not None:
        assert learner is not None
        reason_lists[LEARNED] = learner.reasons(learned, explained, base, risk)
    # The explained rows' values as Python floats, taken once per detector rather than one
    # numpy scalar at a time per row.
    own = {
        name: np.nan_to_num(values)[explained].tolist()
        for name, values in (
            *scores.items(),
            (LEARNED, learned.score if learned is not None else np.zeros(len(risk))),
        )
    }
    shares = {name: np.asarray(contributions[name])[explained].tolist() for name in names}
    detector_names, details, texts = [], [], []
    for i, index in enumerate(explained.tolist()):
        explained_row = explain((name, own[name][i], shares[name][i]) for name in names)
        detector_names.append(explained_row.detectors)
        details.append(explained_row.contributions)
        sentences = [
            text for name in explained_row.ranked if (text := reason_lists[name][i]) is not None
        ]
        if index in picked:
            assert learner is not None
            sentences.insert(0, learner.pick_reason(picked[index], learned, index))
        texts.append(" ".join(sentences))
    extra = pl.DataFrame(
        {
            "row_in_month": explained,
            "detectors": detector_names,
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
    learners: Mapping[str, LearnedPart] | None = None,
    quotas: Mapping[str, dict[date, tuple[int, int]]] | None = None,
) -> pl.DataFrame:
    """Every shipment arriving in [start, end] with its risk score and whether it is a
    flag; flags and shipments chosen for learning carry their detectors, contributions and
    reasons.

    ``fit_quarter`` gives a quarter's fitted detectors for an importing country (by
    default they are fitted on that country's year of ``features`` before the quarter).
    ``learners`` and ``quotas`` hold each importing country's learned part and daily picks
    (``score_month``); a country without a learner scores as it would with no decisions.
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
            parts.append(
                score_month(
                    fitted[key],
                    target,
                    config,
                    (learners or {}).get(key[1]),
                    (quotas or {}).get(key[1]),
                )
            )
        if progress is not None:
            progress(f"{month:%Y-%m}", done + 1, len(months))
    if not parts:
        return pl.DataFrame(
            schema={
                "shipment_id": pl.String,
                "arrival_date": pl.Date,
                "base_score": pl.Float64,
                "exact": pl.Boolean,
                "score": pl.Float64,
                "flagged": pl.Boolean,
                "chosen_for_learning": pl.String,
                "detectors": pl.String,
                "contributions": pl.String,
                "reasons": pl.String,
            }
        )
    return pl.concat(parts, how="diagonal_relaxed")
