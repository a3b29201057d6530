"""Replaying history with the analysts in the loop: `transship evaluate feedback`.

Every shipment of [start, end] is scored once as the runs score it without learning (each
month by the detectors fitted on the year before its quarter, every model on every row).
Then, period by period (day, week or month): the period's shipments get their learned part
from the decisions revealed so far, exactly as a run scoring those days would with those
decisions in the store; the top of the period's queue (the budget, less the exploration
share) and the shipments chosen for learning are "reviewed": their true labels become
decisions that count from the next period's first day; the learner retrains; the next
period is scored. The same replay with learning off (no learned part, no exploration,
reviews from the top of the queue) runs beside it, in the same pass.

A replay is of one importing country, as its customs service would run it: its shipments,
its decisions, its budget (``import_country``, needed only when the range holds several).

The budget is a share of each period's arrivals (the inspection rate of the DATE papers) or
of its flags, carried over between periods so that a small budget is spent rather than
rounded away. A period's precision and recall at n% are over the shipments that arrived in
it (unlabelled shipments count as clean); the overall figures rank every shipment of the
range by the score it got in its period, as `transship scores` would export them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from transship.errors import TransshipError
from transship.evaluation.labels import evaluate
from transship.learning.explore import NOVEL, UNCERTAIN, choose, tiebreak, unusualness
from transship.learning.features import inputs_version, learner_inputs, load_attributes
from transship.learning.labels import LabelColumns, LabelsError, known_ids, read_labels
from transship.learning.part import LearnedPart, MemoryModels
from transship.learning.training import EVENT_SCHEMA
from transship.run.fusion import fuse, with_learning
from transship.run.pipeline import prepare_range
from transship.run.scoring import detector_scores, fitted_detectors, month_starts, quarter_start
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

    from transship.detectors import DetectorConfig
    from transship.run.fits import FitKey

SHARES = (0.01, 0.05, 0.10)


class ReplayError(TransshipError):
    """A replay was asked for with options it cannot use; nothing was computed."""

    exit_code = 2


PERIODS = ("day", "week", "month")


@dataclass(frozen=True)
class Budget:
    """What the analysts review each period: a share of its arrivals or of its flags."""

    share: float
    of: Literal["arrivals", "flags"] = "arrivals"


@dataclass
class Arm:
    """One side of the replay: its scores, what it reviewed, what it found."""

    learning: bool
    score: np.ndarray
    reviewed: np.ndarray
    chosen: list[str | None]
    flagged: np.ndarray


@dataclass
class ReplayResult:
    start: date
    end: date
    import_country: str
    every: str
    budget: Budget
    explore_share: float
    summary: dict[str, dict[str, Any]]
    periods: list[dict[str, Any]]
    scores: pl.DataFrame
    """Per shipment: its period, label and, for each arm, score, review and pick."""
    skipped: list[str]
    """Label ids quarantined at ingest (no shipment to score)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": str(self.start),
            "end": str(self.end),
            "import_country": self.import_country,
            "every": self.every,
            "budget": {"share": self.budget.share, "of": self.budget.of},
            "explore_share": self.explore_share,
            "learning": self.summary["learning"],
            "no_learning": self.summary["no_learning"],
            "periods": self.periods,
            "skipped_quarantined_ids": len(self.skipped),
        }


def periods(start: date, end: date, every: str) -> list[tuple[date, date]]:
    """Days, ISO weeks (Monday to Sunday) or calendar months, clipped to [start, end]."""
    if every not in PERIODS:
        raise ReplayError(f"--every must be one of {', '.join(PERIODS)}, not {every!r}")
    out, first = [], start
    while first <= end:
        if every == "day":
            last = first
        elif every == "week":
            last = first + timedelta(days=6 - first.weekday())
        else:
            last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(1)
        out.append((first, min(last, end)))
        first = min(last, end) + timedelta(days=1)
    return out


def _at(
    y: np.ndarray, order: np.ndarray, positives: int
) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Precision and recall of the top 1%, 5% and 10% of rows in ``order``."""
    precision: dict[str, float | None] = {}
    recall: dict[str, float | None] = {}
    for share in SHARES:
        k = math.ceil(share * len(y))
        found = int(y[order[:k]].sum()) if k else 0
        key = f"{share:.0%}"
        precision[key] = round(found / k, 4) if k else None
        recall[key] = round(found / positives, 4) if positives else None
    return precision, recall


def _ranked(score: np.ndarray, ties: np.ndarray) -> np.ndarray:
    """Positions best first; equal scores in a fixed order that does not depend on the
    rows' order."""
    return np.lexsort((ties, -score))


def _carry(share: float, before: int, now: int) -> int:
    return math.floor(share * (before + now) + 1e-9) - math.floor(share * before + 1e-9)


def replay(
    con: duckdb.DuckDBPyConnection,
    labels: pl.DataFrame,
    start: date,
    end: date,
    budget: Budget,
    every: str,
    config: DetectorConfig,
    known: pl.DataFrame | None = None,
    skipped: list[str] | None = None,
    import_country: str | None = None,
) -> ReplayResult:
    """Replay [start, end] for one importing country. ``labels`` (shipment_id, positive,
    optionally label: a scheme's name) are revealed when reviewed; ``known`` (shipment_id,
    positive, counts_from) are decisions already recorded before the replay starts (those
    on other countries' shipments are left out)."""
    if end < start:
        raise ReplayError(f"--end {end} is before --start {start}")
    settings = config.learning_settings
    country = _country(con, start, end, import_country)
    known = known if known is not None else pl.DataFrame(schema=_KNOWN)
    ranges = periods(start, end, every)
    # Every shipment of the range, and the known ones, scored once without learning.
    con.register("wanted_ids", known.select("shipment_id"))
    try:
        arrivals = sql_frame(con, load("learning/shipment_dates"), {"until": end}).filter(
            pl.col("import_country") == country
        )
    finally:
        con.unregister("wanted_ids")
    known = known.join(arrivals.select("shipment_id"), on="shipment_id", how="semi")
    known_days: date | None = arrivals["arrival_date"].min() if arrivals.height else None  # type: ignore[assignment]
    prepared = prepare_range(
        con,
        start,
        end,
        config,
        also=[(quarter, country) for quarter in _quarters(known_days, start)],
        also_from=[known_days] if known_days else [],
        countries=[country],
    )
    features = prepared.features
    if features is None:
        raise ReplayError(f"no stored shipments arrived between {start} and {end}")
    in_range = pl.col("arrival_date").is_between(start, end)
    rows = features.filter(
        (in_range | pl.col("shipment_id").is_in(known["shipment_id"].implode()))
        & (pl.col("import_country") == country)
    )
    fits: dict[FitKey, Any] = dict(prepared.fits)
    scored = []
    for (quarter,), chunk in rows.group_by(
        pl.col("arrival_date").dt.truncate("3mo").alias("_quarter"), maintain_order=True
    ):
        key = (quarter, country)
        if key not in fits:
            fits[key] = fitted_detectors(features, quarter, country, config)
        detectors = fits[key]
        scores, damping, _ = detector_scores(detectors, chunk, config, every_row=True)
        fused = fuse(detectors, scores, config, damping)
        scored.append((chunk, scores, fused.risk, fused.supported))
    frame = pl.concat([p for p, *_ in scored], how="diagonal_relaxed")
    names = list(scored[0][1])
    own = {n: np.concatenate([s[n] for _, s, _, _ in scored]) for n in names}
    base = np.concatenate([b for _, _, b, _ in scored])
    supported = np.concatenate([u for *_, u in scored])
    inputs = learner_inputs(frame, own, base)
    attributes = load_attributes(con, frame["shipment_id"])
    keys = frame.select("shipment_id", "exporter", "importer", "hs6", "origin_country")

    # The range's shipments in time order, with their labels.
    target = np.flatnonzero(frame.select(in_range).to_series().to_numpy())
    order = target[np.argsort(frame["arrival_date"].to_numpy()[target], kind="stable")]
    view = frame[order]
    ids = view["shipment_id"].to_list()
    ties = tiebreak(ids)
    truth = view.select("shipment_id").join(
        labels, on="shipment_id", how="left", maintain_order="left"
    )
    y = truth["positive"].fill_null(0).to_numpy()
    has_label = truth["positive"].is_not_null().to_numpy()
    days = view["arrival_date"].to_numpy()
    threshold = config.fusion["threshold"]
    known_events = known.select(
        "shipment_id",
        pl.col("positive").cast(pl.Int32),
        effective=pl.col("counts_from").cast(pl.Datetime("us")),
        seq=pl.int_range(pl.len()).cast(pl.Int64),
        source=pl.lit("imported"),
    )
    part = LearnedPart(
        known_events,
        inputs,
        keys,
        attributes,
        settings,
        inputs_version(config.version),
        MemoryModels(),
        country,
    )
    arms = {
        name: Arm(
            learning=name == "learning",
            score=base[order].copy(),
            reviewed=np.zeros(len(order), dtype=bool),
            chosen=[None] * len(order),
            flagged=np.zeros(len(order), dtype=bool),
        )
        for name in ("learning", "no_learning")
    }
    revealed: list[pl.DataFrame] = [known_events]
    used_budget = dict.fromkeys(arms, 0)
    counted = dict.fromkeys(arms, 0)
    explored = 0
    report: list[dict[str, Any]] = []
    for first, last in ranges:
        rows_p = np.flatnonzero((days >= np.datetime64(first)) & (days <= np.datetime64(last)))
        period: dict[str, Any] = {
            "start": str(first),
            "end": str(last),
            "arrivals": len(rows_p),
            "positives": int(y[rows_p].sum()),
        }
        if len(rows_p) == 0:
            report.append(period)
            continue
        if settings.enabled:
            part.know(pl.concat(revealed, how="vertical_relaxed").cast(EVENT_SCHEMA))  # type: ignore[arg-type]
        new_events = []
        for name, arm in arms.items():
            at = order[rows_p]
            sub_scores = {n: own[n][at] for n in names}
            learned = None
            trained = None
            if arm.learning and settings.enabled:
                learned = part.apply(frame[at], sub_scores, base[at])
                arm.score[rows_p] = with_learning(base[at], learned.score, learned.weight)
                trained = part.model_for(first)
            flags = (supported[at] | (learned.weight > 0 if learned else False)) & (
                arm.score[rows_p] >= threshold
            )
            arm.flagged[rows_p] = flags
            pool = int(flags.sum()) if budget.of == "flags" else len(rows_p)
            count = _carry(budget.share, counted[name], pool)
            counted[name] += pool
            explore = 0
            if arm.learning and settings.enabled and part.has_decisions(first):
                explore = _carry(settings.explore_share, used_budget[name], count)
            used_budget[name] += count
            ranked = rows_p[_ranked(arm.score[rows_p], ties[rows_p])]
            exploit = ranked[: max(0, count - explore)]
            arm.reviewed[exploit] = True
            picks: list[tuple[int, str]] = []
            if explore:
                # As in a run: chosen among the shipments that are not flags.
                rest = np.setdiff1d(rows_p[~flags], exploit)
                local = {int(r): k for k, r in enumerate(rows_p)}
                uncertain = math.ceil((explored + explore) / 2) - math.ceil(explored / 2)
                explored += explore
                learned_score = (
                    learned.score if learned is not None else np.full(len(rows_p), np.nan)
                )
                novel = np.zeros(len(rows_p))
                candidates = np.array([local[int(r)] for r in rest], dtype=np.int64)
                if candidates.size:
                    novel[candidates] = part.novelty(frame[order[rest]], first)
                picks = choose(
                    candidates,
                    (uncertain, explore - uncertain),
                    [ids[r] for r in rows_p],
                    learned_score,
                    novel,
                    unusualness(sub_scores, len(rows_p)),
                )
                for k, why in picks:
                    arm.reviewed[rows_p[k]] = True
                    arm.chosen[rows_p[k]] = why
            reviewed = np.flatnonzero(arm.reviewed[rows_p])
            precision, recall = _at(
                y[rows_p], _ranked(arm.score[rows_p], ties[rows_p]), int(y[rows_p].sum())
            )
            picked = [rows_p[k] for k, _ in picks]
            period[name] = {
                "precision_at": precision,
                "recall_at": recall,
                "reviewed": len(reviewed),
                "found": int(y[rows_p][reviewed].sum()),
                "chosen_for_learning": len(picked),
                "found_by_choosing": int(y[picked].sum()) if picked else 0,
                "flags": int(flags.sum()),
            }
            if trained is not None:
                period[name]["learner"] = {
                    "used": trained.active,
                    "weight": trained.weight if trained.active else 0.0,
                    "decisions": trained.decisions,
                    "note": trained.note,
                }
            if arm.learning:
                labelled = [r for r in np.flatnonzero(arm.reviewed[rows_p]) if has_label[rows_p[r]]]
                new_events.append(
                    pl.DataFrame(
                        {
                            "shipment_id": [ids[rows_p[r]] for r in labelled],
                            "positive": [int(y[rows_p[r]]) for r in labelled],
                        },
                        schema={"shipment_id": pl.String, "positive": pl.Int32},
                    )
                )
        next_day = datetime.combine(last + timedelta(days=1), datetime.min.time())
        for events in new_events:
            revealed.append(
                events.with_columns(
                    effective=pl.lit(next_day, pl.Datetime("us")),
                    seq=pl.int_range(pl.len()).cast(pl.Int64) + sum(e.height for e in revealed),
                    source=pl.lit("replay"),
                )
            )
        report.append(period)

    summary = {name: _summary(arm, y, ties, view, labels, ids) for name, arm in arms.items()}
    per_shipment = view.select("shipment_id", "arrival_date").with_columns(
        positive=pl.Series(y),
        **{
            f"{name}_{column}": values
            for name, arm in arms.items()
            for column, values in (
                ("score", pl.Series(arm.score)),
                ("reviewed", pl.Series(arm.reviewed)),
                ("chosen_for_learning", pl.Series(arm.chosen, dtype=pl.String)),
            )
        },
    )
    return ReplayResult(
        start,
        end,
        country,
        every,
        budget,
        settings.explore_share,
        summary,
        report,
        per_shipment,
        skipped or [],
    )


_KNOWN = {"shipment_id": pl.String, "positive": pl.Int32, "counts_from": pl.Date}


def _country(con: duckdb.DuckDBPyConnection, start: date, end: date, wanted: str | None) -> str:
    """The importing country replayed: ``wanted``, else the range's only one."""
    countries = sql_frame(con, load("features/import_countries"), {"start": start, "end": end})[
        "import_country"
    ].to_list()
    if wanted is not None:
        if wanted not in countries:
            raise ReplayError(
                f"no stored shipments into {wanted} arrived between {start} and {end}"
                + (f"; the range holds {', '.join(countries)}" if countries else "")
            )
        return wanted
    if not countries:
        raise ReplayError(f"no stored shipments arrived between {start} and {end}")
    if len(countries) > 1:
        raise ReplayError(
            f"shipments into {', '.join(countries)} arrived between {start} and {end}; a "
            "replay is of one importing country: choose it with --import-country"
        )
    return str(countries[0])


def _quarters(known_from: date | None, start: date) -> list[date]:
    if known_from is None:
        return []
    return [quarter_start(month) for month in month_starts(known_from, start)]


def _summary(
    arm: Arm,
    y: np.ndarray,
    ties: np.ndarray,
    view: pl.DataFrame,
    labels: pl.DataFrame,
    ids: list[str],
) -> dict[str, Any]:
    precision, recall = _at(y, _ranked(arm.score, ties), int(y.sum()))
    chosen = np.array([c is not None for c in arm.chosen])
    exploit = arm.reviewed & ~chosen
    out: dict[str, Any] = {
        "precision_at": precision,
        "recall_at": recall,
        "reviewed": int(arm.reviewed.sum()),
        "found": int(y[arm.reviewed].sum()),
        "reviewed_precision": _share(y[arm.reviewed]),
        "top_of_queue": {"reviewed": int(exploit.sum()), "precision": _share(y[exploit])},
        "chosen_for_learning": {
            "reviewed": int(chosen.sum()),
            "precision": _share(y[chosen]),
            UNCERTAIN: sum(1 for c in arm.chosen if c == UNCERTAIN),
            NOVEL: sum(1 for c in arm.chosen if c == NOVEL),
        },
    }
    if "label" in labels.columns:
        # The synthetic world's schemes: the arm's flags ranked as `transship evaluate`
        # ranks a store's flags; shipments chosen for learning are counted apart, above.
        in_queue = arm.flagged & ~chosen
        ranking = pl.DataFrame(
            {"shipment_id": [ids[i] for i in np.flatnonzero(in_queue)]}
        ).with_columns(score=pl.Series(arm.score[in_queue]))
        ranking = ranking.sort("score", "shipment_id", descending=[True, False])
        in_range = labels.join(view.select("shipment_id"), on="shipment_id", how="semi")
        if ranking.height and int(in_range["positive"].sum()):
            flags = evaluate(ranking, in_range.select("shipment_id", "label", "positive"))
            out["flags"] = flags.to_dict()
    return out


def _share(values: np.ndarray) -> float | None:
    return round(float(values.mean()), 4) if len(values) else None


def parse_share(text: str, option: str) -> float:
    """'10%' or '0.1' as 0.1; anything else, or outside 0-100%, is refused naming the option."""
    value = text.strip()
    try:
        share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
    except ValueError:
        raise ReplayError(f"{option} {text!r} is not a share like 10% or 0.1") from None
    if not 0 <= share <= 1:
        raise ReplayError(f"{option} {text!r} must be between 0% and 100%")
    return share


def read_label_files(
    con: duckdb.DuckDBPyConnection, paths: list[Path], columns: LabelColumns
) -> tuple[pl.DataFrame, list[str]]:
    """Every file's labels (shipment_id, positive and, for the project's own labels, label),
    checked as an import checks them; an id in two files is refused. Ids quarantined at
    ingest come back apart."""
    frames, skipped = [], []
    for path in paths:
        labels = read_labels(path, columns)
        if columns.label_column == "positive" and "label" in _header(path):
            names = pl.read_csv(path, columns=[columns.id_column, "label"], infer_schema=False)
            labels = labels.join(
                names.rename({columns.id_column: "shipment_id"}), on="shipment_id", how="left"
            )
        known = known_ids(con, labels, path, columns.id_column)
        skipped += known.quarantined
        frames.append(known.labels.drop("line").with_columns(source=pl.lit(str(path))))
    labels = pl.concat(frames, how="diagonal_relaxed")
    repeated = labels.filter(pl.col("shipment_id").is_duplicated())
    if repeated.height:
        first = repeated.row(0, named=True)["shipment_id"]
        where = repeated.filter(pl.col("shipment_id") == first)["source"].to_list()
        raise LabelsError(
            f"{repeated['shipment_id'].n_unique():,} ids have labels in more than one file "
            f"({first} in {' and '.join(where)}); give each shipment one outcome"
        )
    return labels.drop("source"), skipped


def _header(path: Path) -> list[str]:
    return pl.read_csv(path, n_rows=0).columns


def known_decisions(
    con: duckdb.DuckDBPyConnection, labels: pl.DataFrame, lag_days: int
) -> pl.DataFrame:
    """Labels already decided before a replay: each counts from arrival plus the lag, as an
    import without dates counts."""
    con.register("wanted_ids", labels.select("shipment_id"))
    try:
        arrivals = sql_frame(con, load("learning/shipment_dates"), {"until": date.max})
    finally:
        con.unregister("wanted_ids")
    return labels.join(arrivals, on="shipment_id").select(
        "shipment_id",
        pl.col("positive").cast(pl.Int32),
        counts_from=pl.col("arrival_date") + pl.duration(days=lag_days),
    )
