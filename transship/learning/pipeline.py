"""The learner inside a run (``transship.run.pipeline``): what it needs before features are
built, its part once they are, and what a partition keeps for it.

Before the build, ``learning_needs`` finds the decided shipments whose inputs are not kept
yet (decided since the last run, decided under other code or settings, or imported
outcomes): the run builds exact features back to the earliest of them and computes their
inputs with their own quarter's detectors, as they were scored, and keeps them. Analysts
decide recent flags, so a night's new decisions reach back days, not years. The store is
read and written by the run's one connection.

Each importing country learns from its own analysts' decisions only, and picks shipments
for learning from its own arrivals within its own budget: the run has one learned part per
importing country with decisions, and its models are keyed by that country. A store
holding several importing countries so scores each as it would alone, with or without
decisions (a country's customs decide on different goods, traders and risks; pooling
them would let one service's dismissals rank down what another service confirms).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import polars as pl

from transship.learning.features import (
    inputs_version,
    learner_inputs,
    load_attributes,
    save_inputs,
    stored_inputs,
)
from transship.learning.part import LearnedPart
from transship.learning.training import Trained, load_events, save_model, stored_model
from transship.run.fusion import fuse
from transship.run.scoring import FitQuarter, detector_scores, quarter_start
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from collections.abc import Callable

    import duckdb

    from transship.detectors import DetectorConfig
    from transship.run.fits import FitKey


@dataclass(frozen=True)
class LearningNeeds:
    events: pl.DataFrame
    """Label events (``training.EVENT_SCHEMA``) with each shipment's ``import_country``."""
    version: str
    stored: pl.DataFrame
    """Kept inputs of decided shipments."""
    missing: pl.DataFrame
    """Decided shipments without kept inputs, up to the run's end: shipment_id, arrival_date,
    import_country."""

    @property
    def fit_keys(self) -> list[FitKey]:
        """The quarters and importing countries whose detectors compute the missing inputs."""
        return sorted(
            {
                (quarter_start(day), country)
                for day, country in self.missing.select("arrival_date", "import_country").rows()
            }
        )

    @property
    def earliest(self) -> list[date]:
        """The first arrival among them (none when nothing is missing)."""
        return self.missing["arrival_date"].sort().head(1).to_list()


def learning_needs(
    con: duckdb.DuckDBPyConnection, config: DetectorConfig, end: date
) -> LearningNeeds | None:
    """None when the learner is disabled or nothing was decided before the run's last day
    ends: the run then scores exactly as without learning."""
    if not config.learning_settings.enabled:
        return None
    events = load_events(con, end + timedelta(days=1))
    if events.is_empty():
        return None
    version = inputs_version(config.version)
    ids = events["shipment_id"].unique()
    stored = stored_inputs(con, ids, version)
    unkept = ids.to_frame().join(stored.select("shipment_id"), on="shipment_id", how="anti")
    con.register("wanted_ids", unkept)
    try:
        missing = sql_frame(con, load("learning/shipment_dates"), {"until": end})
    finally:
        con.unregister("wanted_ids")
    return LearningNeeds(events, version, stored, missing)


class StoredModels:
    """Learned models kept in the store (``learned_models``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, import_country: str) -> None:
        self.con = con
        self.import_country = import_country

    def get(self, key: str) -> Trained | None:
        return stored_model(self.con, key)

    def put(self, trained: Trained) -> Trained:
        return save_model(self.con, trained, self.import_country)


def learned_parts(
    con: duckdb.DuckDBPyConnection,
    needs: LearningNeeds,
    features: pl.DataFrame,
    start: date,
    end: date,
    config: DetectorConfig,
    fit: FitQuarter,
) -> dict[str, LearnedPart]:
    """The run's learned parts, one per importing country with shipments in the range and
    decisions: the missing inputs computed (each with its quarter's and country's
    detectors) and kept, the decided shipments' keys and the attributes read, and the
    learner of every day of the range trained (or its stored model read)."""
    inputs = needs.stored
    rows = features.join(needs.missing.select("shipment_id"), on="shipment_id", how="semi")
    if rows.height:
        computed = []
        for (quarter, country), chunk in rows.group_by(
            pl.col("arrival_date").dt.truncate("3mo").alias("_quarter"),
            "import_country",
            maintain_order=True,
        ):
            detectors = fit(quarter, str(country))
            scores, damping, _ = detector_scores(detectors, chunk, config, every_row=True)
            base = fuse(detectors, scores, config, damping).risk
            computed.append(learner_inputs(chunk, scores, base))
        fresh = pl.concat(computed, how="diagonal_relaxed")
        _in_transaction(con, lambda: save_inputs(con, fresh, needs.version))
        inputs = pl.concat([inputs, fresh], how="diagonal_relaxed") if inputs.height else fresh
    decided_ids = needs.events["shipment_id"].unique()
    con.register("wanted_ids", decided_ids.to_frame())
    try:
        keys = sql_frame(con, load("learning/decided_keys"))
    finally:
        con.unregister("wanted_ids")
    in_range = features.filter(pl.col("arrival_date").is_between(start, end)).select(
        "shipment_id", "import_country"
    )
    attributes = load_attributes(con, pl.concat([decided_ids, in_range["shipment_id"]]))
    parts: dict[str, LearnedPart] = {}
    for country in sorted(set(in_range["import_country"]) & set(needs.events["import_country"])):
        events = needs.events.filter(pl.col("import_country") == country).drop("import_country")
        ids = pl.concat(
            [
                events["shipment_id"],
                in_range.filter(pl.col("import_country") == country)["shipment_id"],
            ]
        )
        part = LearnedPart(
            events,
            inputs.filter(pl.col("shipment_id").is_in(events["shipment_id"].implode())),
            keys,
            attributes.filter(pl.col("shipment_id").is_in(ids.implode())),
            config.learning_settings,
            needs.version,
            StoredModels(con, country),
            country,
        )
        for day in pl.date_range(start, end, eager=True).to_list():
            part.model_for(day)
        parts[country] = part
    return parts


def _in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], None]) -> None:
    con.begin()
    try:
        work()
        con.commit()
    except Exception:
        con.rollback()
        raise


def write_scores(
    con: duckdb.DuckDBPyConnection,
    scored: pl.DataFrame,
    first: date,
    last: date,
    run_id: int,
    detector_version: str,
) -> None:
    """Replace the scores of [first, last] with this run's, every scored shipment. Run inside
    the partition's transaction."""
    frame = scored.select(
        "shipment_id",
        "arrival_date",
        "score",
        "base_score",
        "exact",
        learned=pl.col("learned") if "learned" in scored.columns else pl.lit(None, pl.Float64),
        learned_weight=(
            pl.col("learned_weight") if "learned_weight" in scored.columns else pl.lit(None)
        ).cast(pl.Float64),
        learned_model=(
            pl.col("learned_model") if "learned_model" in scored.columns else pl.lit(None)
        ).cast(pl.Int64),
        chosen_for_learning="chosen_for_learning",
    )
    con.register("new_scores", frame)
    try:
        con.execute(load("learning/delete_scores"), {"first": first, "last": last}).fetchall()
        con.execute(
            load("learning/insert_scores"),
            {"run_id": run_id, "detector_version": detector_version},
        ).fetchall()
    finally:
        con.unregister("new_scores")


def summary(parts: dict[str, LearnedPart], name_countries: bool) -> list[str]:
    """What the run's learners did, in words, per importing country (named when the run
    scores several)."""
    return [
        f"{country} {line}" if name_countries else line
        for country, part in parts.items()
        for line in _summary(part)
    ]


def _summary(part: LearnedPart) -> list[str]:
    """The first and last learner a part used and, for a range that used more, how many
    there were between (the ledger keeps their ids)."""

    def line(first: date, trained: Trained) -> str:
        model = f"learned model {trained.model_id}: " if trained.model_id is not None else ""
        return f"from {first}: {model}{trained.note}"

    used = part.trained()
    if len(used) <= 3:
        return [line(first, trained) for first, trained in used]
    between = used[1:-1]
    ids = [t.model_id for _, t in between if t.model_id is not None]
    refused = sum(1 for _, t in between if t.ranker is not None and not t.used)
    off = sum(1 for _, t in between if t.ranker is None)
    words = [f"{len(between)} more learners as decisions accrued"]
    if ids:
        words.append(f"models {min(ids)} to {max(ids)}")
    if refused:
        words.append(f"{refused} not used after the held-out check")
    if off:
        words.append(f"{off} off for too few decisions")
    return [
        line(*used[0]),
        f"from {between[0][0]} to {between[-1][0]}: " + ", ".join(words),
        line(*used[-1]),
    ]
