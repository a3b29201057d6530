"""Detection over a date range: features, scores, flags and a runs-ledger entry.

``detect`` is what the nightly run (one day), a backfill (a range) and the demo call. A
run writes its flags in one transaction: a failure leaves the flags as they were and the
run marked failed with its error.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import polars.selectors as cs

from transship.detectors import DetectorConfig
from transship.entities.resolve import resolve_for_run
from transship.errors import TransshipError
from transship.features.build import (
    SWITCHES,
    Reference,
    build_features,
    load_entities,
    load_flows,
    load_history,
    switches_before,
)
from transship.features.entities import Entities, named_traders
from transship.features.monthly import PROFILE_KEYS, profile_tables
from transship.features.profiles import origin_switches
from transship.learning.explore import daily_quotas
from transship.learning.pipeline import (
    LearningNeeds,
    learned_parts,
    learning_needs,
    write_scores,
)
from transship.learning.pipeline import summary as learning_summary
from transship.run.corridors import corridor_month_flags, corridor_year_flags
from transship.run.fits import FitKey, cached_fits, fit_label, history_fingerprints, save_fit
from transship.run.fusion import severity
from transship.run.reopen import reopen_risen
from transship.run.scoring import (
    HISTORY_DAYS,
    FitQuarter,
    Progress,
    fitted_detectors,
    month_offset,
    month_starts,
    quarter_start,
    score_range,
)
from transship.storage.sql import load, sql_frame
from transship.storage.store import setting

if TYPE_CHECKING:
    from transship.detectors.base import Detector
    from transship.learning.part import LearnedPart


class DateRangeError(TransshipError):
    """A run's dates make no sense (end before start)."""

    exit_code = 2


@dataclass
class RunResult:
    run_id: int
    kind: str
    start: date
    end: date
    detector_version: str
    shipments_scored: int = 0
    shipment_flags: int = 0
    corridor_flags: int = 0
    new_high: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_detector: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    fits_reused: list[str] = field(default_factory=list)
    fits_made: list[str] = field(default_factory=list)
    learning: list[str] = field(default_factory=list)
    learning_seconds: float = 0.0
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    def summary(self) -> str:
        severities = ", ".join(f"{n} {s}" for s, n in sorted(self.by_severity.items()))
        fits = []
        if self.fits_reused:
            fits.append(f"stored fits reused for {', '.join(self.fits_reused)}")
        if self.fits_made:
            fits.append(f"detectors fitted and stored for {', '.join(self.fits_made)}")
        return (
            f"run {self.run_id} ({self.kind} {self.start} to {self.end}): "
            f"{self.shipments_scored:,} shipments scored, {self.shipment_flags:,} shipment flags "
            f"and {self.corridor_flags:,} corridor flags ({severities or 'none'}), "
            f"{self.new_high} new high-severity, in {self.seconds:.1f} s"
            + "".join(f"; {part}" for part in fits)
            + "".join(f"\nlearning {line}" for line in self.learning)
        )

    def report(self) -> dict[str, object]:
        """The run's counts, as flows return them."""
        return {
            "run_id": self.run_id,
            "shipments_scored": self.shipments_scored,
            "shipment_flags": self.shipment_flags,
            "corridor_flags": self.corridor_flags,
            "by_severity": self.by_severity,
            "by_detector": self.by_detector,
            "new_high": self.new_high,
            "fits_reused": self.fits_reused,
            "fits_made": self.fits_made,
            "learning": self.learning,
            "learning_seconds": round(self.learning_seconds, 2),
        }


FLAG_COLUMNS = {
    "level": pl.String,
    "basis": pl.String,
    "import_country": pl.String,
    "shipment_id": pl.String,
    "flag_date": pl.Date,
    "period": pl.String,
    "origin_country": pl.String,
    "hs_code": pl.String,
    "hs6": pl.String,
    "material": pl.String,
    "score": pl.Float64,
    "severity": pl.String,
    "detectors": pl.String,
    "contributions": pl.String,
    "reasons": pl.String,
}


def as_flags(
    frame: pl.DataFrame,
    config: DetectorConfig,
    level: str,
    basis: str,
    shipment_id: pl.Expr,
    flag_date: pl.Expr,
    period: pl.Expr,
) -> pl.DataFrame:
    """Rows for the flags table: what is flagged, when, its score, detectors and reasons."""
    return frame.select(
        level=pl.lit(level),
        basis=pl.lit(basis),
        import_country="import_country",
        shipment_id=shipment_id,
        flag_date=flag_date,
        period=period,
        origin_country="origin_country",
        hs_code="hs_code",
        hs6="hs6",
        material="material",
        score="score",
        severity=severity(pl.col("score"), config),
        detectors="detectors",
        contributions="contributions",
        reasons="reasons",
    )


def shipment_flags(
    features: pl.DataFrame, scored: pl.DataFrame, config: DetectorConfig
) -> pl.DataFrame:
    """Flags of the scored shipments: those at or above the threshold and those chosen for
    learning (the queue marks them so)."""
    flagged = scored.filter(pl.col("flagged") | pl.col("chosen_for_learning").is_not_null())
    return as_flags(
        flagged.drop("arrival_date").join(features, on="shipment_id"),
        config,
        level="shipment",
        basis="shipments",
        shipment_id=pl.col("shipment_id"),
        flag_date=pl.col("arrival_date"),
        period=pl.col("arrival_date").dt.strftime("%Y-%m"),
    )


def statistics_flags(
    flows: pl.DataFrame, reference: Reference, config: DetectorConfig
) -> pl.DataFrame:
    corridors = corridor_year_flags(flows, reference, config).filter(
        pl.col("score") >= config.fusion["threshold"]
    )
    return as_flags(
        corridors.with_columns(hs_code="hs6"),
        config,
        level="corridor",
        basis="statistics",
        shipment_id=pl.lit(None, pl.String),
        flag_date=pl.date(pl.col("year"), 1, 1),
        period=pl.col("year").cast(pl.String),
    )


@dataclass
class Prepared:
    """What every partition of a run reads.

    ``features`` are exact for shipments from the run's start to its end, or from a year
    before the first quarter with no stored fit (whose detectors are fitted on that
    year). Older rows are context with only some features (``build_features``), as
    ``load_history`` reads them: every shipment from three months before the first exact
    month, the controlled codes' for the year and 90 days before it. ``fits`` holds the
    fitted detectors per quarter and importing country, stored or fitted by this run;
    ``several_countries`` whether the run scores more than one importing country.
    """

    features: pl.DataFrame | None
    flows: pl.DataFrame
    reference: Reference
    until: date
    fits: dict[FitKey, list[Detector]] = field(default_factory=dict)
    fingerprints: dict[FitKey, str] = field(default_factory=dict)
    several_countries: bool = False
    entities: Entities = field(default_factory=Entities)
    learning: LearningNeeds | None = None
    """What the learner needs: None when nothing was decided (or learning is off)."""
    learners: dict[str, LearnedPart] = field(default_factory=dict)
    """Each importing country's learned part (only countries with decisions have one)."""
    exact_from: date | None = None
    """Where the features' origin switches start: the profiles read older ones from the
    store (``switches_before``); None: the features hold every one."""
    first_months: pl.DataFrame | None = None
    """Each importing country's first month with a controlled shipment
    (``first_controlled_months``): where its corridor months start."""


def start_run(
    con: duckdb.DuckDBPyConnection, kind: str, start: date, end: date, config: DetectorConfig
) -> RunResult:
    """Record a new run. A run still marked running was abandoned (killed): this process
    holds the store's only write lock, so no other run can be alive."""
    if end < start:
        raise DateRangeError(f"the end date {end} is before the start date {start}")
    con.execute(load("runs/abandon_runs")).fetchall()
    parameters = json.dumps({"start": str(start), "end": str(end), "rules": config.source})
    run_id = con.execute(
        load("runs/start_run"),
        {"kind": kind, "parameters": parameters, "detector_version": config.version},
    ).fetchall()[0][0]
    return RunResult(run_id, kind, start, end, config.version)


def prepare(con: duckdb.DuckDBPyConnection, result: RunResult, config: DetectorConfig) -> Prepared:
    """Resolve the trader spellings not resolved yet, load what the run needs and build
    features only as far back as it needs them: the run's own days, plus a year before
    any quarter whose fit is not stored, plus the decided shipments whose learner inputs
    are not kept (and their quarters' fits for their importing countries)."""
    result.warnings += resolve_for_run(con)
    needs = learning_needs(con, config, result.end)
    prepared = prepare_range(
        con,
        result.start,
        result.end,
        config,
        also=needs.fit_keys if needs else [],
        also_from=needs.earliest if needs else [],
    )
    prepared.learning = needs
    result.fits_reused = [
        fit_label(key, prepared.several_countries)
        for key in sorted(prepared.fingerprints)
        if key in prepared.fits
    ]
    if prepared.features is None:
        result.warnings.append(
            f"no stored shipments arrived between {result.start} and {result.end}"
        )
    return prepared


def prepare_range(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    config: DetectorConfig,
    also: list[FitKey],
    also_from: list[date],
    countries: list[str] | None = None,
) -> Prepared:
    """Features exact from ``start`` (and from the ``also_from`` dates) to ``end``, with the
    stored fits of the range's quarters for its importing countries (``countries``, by
    default every one with shipments in the range) and of the ``also`` quarters and
    countries (a year more of history for each one not stored); no features when nothing
    arrived in the range."""
    reference = Reference.load(con)
    flows = load_flows(con)
    quarters = sorted({quarter_start(first) for first, _ in partitions(start, end)})
    if countries is None:
        countries = sql_frame(con, load("features/import_countries"), {"start": start, "end": end})[
            "import_country"
        ].to_list()
    fingerprints = history_fingerprints(con, quarters, countries, config, reference)
    extra = sorted(set(also) - set(fingerprints))
    for country in sorted({country for _, country in extra}):
        fingerprints |= history_fingerprints(
            con, [quarter for quarter, c in extra if c == country], [country], config, reference
        )
    fits = cached_fits(con, fingerprints, config.version)
    refits = [key[0] - timedelta(days=HISTORY_DAYS) for key in fingerprints if key not in fits]
    exact_from = min([start, *refits, *also_from])
    history = load_history(con, end, exact_from)
    prepared = Prepared(
        None,
        flows,
        reference,
        end,
        fits,
        fingerprints,
        len(countries) > 1,
        exact_from=exact_from,
        first_months=sql_frame(con, load("features/first_controlled_months"), {"until": end}),
    )
    if history.frame.filter(pl.col("arrival_date") >= start).is_empty():
        return prepared
    prepared.entities = load_entities(con, end, exact_from)
    prepared.features = build_features(
        history.frame,
        flows,
        reference,
        config,
        earlier_first_seen=history.earlier_first_seen,
        entities=prepared.entities,
        exact_from=exact_from,
        earlier_origins=history.earlier_origins,
        older=history.older,
    )
    return prepared


def quarter_fits(
    con: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    config: DetectorConfig,
    result: RunResult,
) -> FitQuarter:
    """A quarter's detectors for an importing country: the stored fit, else fitted now and
    stored for later runs."""

    def fit(quarter: date, country: str) -> list[Detector]:
        key = (quarter, country)
        if key not in prepared.fits:
            assert prepared.features is not None
            detectors = fitted_detectors(prepared.features, quarter, country, config)
            save_fit(con, key, config.version, prepared.fingerprints[key], detectors)
            prepared.fits[key] = detectors
            result.fits_made.append(fit_label(key, prepared.several_countries))
        return prepared.fits[key]

    return fit


PartitionRunner = Callable[
    [
        duckdb.DuckDBPyConnection,
        Prepared,
        date,
        date,
        DetectorConfig,
        RunResult,
        Progress | None,
    ],
    None,
]


def partitions(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar quarters (the detectors' refit period) clipped to [start, end]."""
    parts, first = [], start
    while first <= end:
        quarter = quarter_start(first)
        last = min(end, month_offset(quarter, 3) - timedelta(days=1))
        parts.append((first, last))
        first = last + timedelta(days=1)
    return parts


def score_partition(
    con: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    first: date,
    last: date,
    config: DetectorConfig,
    result: RunResult,
    progress: Progress | None = None,
) -> None:
    """Score [first, last] and replace its shipment flags, in one transaction."""
    new_flags = pl.DataFrame(schema=FLAG_COLUMNS)
    keep: Callable[[], None] | None = None
    if prepared.features is not None:
        features = prepared.features
        # Each importing country's analysts have their own review budget: its picks are a
        # share of its own arrivals.
        quotas = {
            country: daily_quotas(
                features.filter(pl.col("import_country") == country)["arrival_date"],
                first,
                last,
                learner.settings.review_budget * learner.settings.explore_share,
            )
            for country, learner in prepared.learners.items()
        }
        scored = score_range(
            features,
            first,
            last,
            config,
            progress,
            quarter_fits(con, prepared, config, result),
            prepared.learners,
            quotas,
        )
        result.shipments_scored += scored.height
        flagged = shipment_flags(features, scored, config)
        # Shipments chosen for learning are in the queue but are not evidence of a
        # corridor's month: only true flags count there.
        truly = scored.filter("flagged")["shipment_id"]
        flagged_in_month = pl.concat([_flagged_earlier_in_month(con, first, config), truly])
        new_flags = pl.concat(
            [
                flagged,
                month_flags(features, flagged_in_month, first, last, config, prepared.first_months),
            ],
            how="vertical_relaxed",
        )

        def keep() -> None:
            write_scores(con, scored, first, last, result.run_id, config.version)

    _write(
        con,
        new_flags,
        result,
        config,
        load("flags/delete_stale_flags"),
        {"start_date": first, "end_date": last},
        keep,
    )
    result.shipment_flags += new_flags.filter(pl.col("level") == "shipment").height
    result.corridor_flags += new_flags.filter(pl.col("level") == "corridor").height


PROFILE_DIGITS = 13
"""Significant digits a profile's numbers are written with: sums the store adds in
parallel differ in their last bits from run to run, and a row differing only there would
be rewritten (half the traders' rows each night on a store of 10M shipments)."""


def profile_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A profile table's rows as they are written: numbers to ``PROFILE_DIGITS``."""
    return frame.with_columns(cs.float().round_sig_figs(PROFILE_DIGITS))


def write_profiles(con: duckdb.DuckDBPyConnection, prepared: Prepared) -> None:
    """Replace the profile tables with the profiles as of the run's end date, built from
    the monthly summaries (``features.monthly``), not from every stored shipment. Only the
    rows that changed are written (a night changes about half the traders' rows and a few
    corridor months; numbers to ``PROFILE_DIGITS``): rewriting the tables whole made the
    commit's checkpoint rewrite them.

    Origin switches come from the features, and those before them (``exact_from``) from
    the store's controlled shipments. Traders are the entities of the run's end date,
    named by their most used spelling.
    """
    if prepared.features is None:
        return
    switches = prepared.features.filter(pl.col("switched_from").is_not_null()).select(SWITCHES)
    if prepared.exact_from is not None:
        earlier = switches_before(con, prepared.exact_from, prepared.reference, prepared.entities)
        switches = pl.concat([earlier, switches], how="vertical_relaxed")
    tables = profile_tables(
        con,
        prepared.until,
        prepared.reference.controlled,
        prepared.reference.events,
        origin_switches(named_traders(switches, prepared.entities, prepared.until)),
        lambda frame: named_traders(frame, prepared.entities, prepared.until),
    )
    con.begin()
    try:
        for table, frame in tables.items():
            con.register("profile_frame", profile_rows(frame))
            con.execute(
                load(
                    "store/replace_changed_rows",
                    table=table,
                    keys=PROFILE_KEYS[table],
                    columns=frame.columns,
                    frame="profile_frame",
                )
            )
            con.unregister("profile_frame")
        con.commit()
    except Exception:
        con.rollback()
        raise


def _flagged_earlier_in_month(
    con: duckdb.DuckDBPyConnection, first: date, config: DetectorConfig
) -> pl.Series:
    """Ids of the shipments earlier runs flagged in ``first``'s month before ``first``."""
    return sql_frame(
        con,
        load("flags/flagged_earlier_in_month"),
        {"detector_version": config.version, "first": first},
    )["shipment_id"]


def month_flags(
    features: pl.DataFrame,
    flagged_ids: pl.Series,
    first: date,
    last: date,
    config: DetectorConfig,
    first_months: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Corridor flags by month for the months from ``first`` to ``last``
    (``first_months``: see ``corridor_month.corridor_months``)."""
    months = corridor_month_flags(features, flagged_ids, first, last, config, first_months)
    if months.is_empty():
        return pl.DataFrame(schema=FLAG_COLUMNS)
    return as_flags(
        months.with_columns(hs_code="hs6"),
        config,
        level="corridor",
        basis="shipments",
        shipment_id=pl.lit(None, pl.String),
        flag_date=pl.col("month"),
        period=pl.col("month").dt.strftime("%Y-%m"),
    )


def write_corridor_flags(
    con: duckdb.DuckDBPyConnection, prepared: Prepared, config: DetectorConfig, result: RunResult
) -> None:
    """Corridor flags from the trade statistics as they stand, replacing open ones."""
    new_flags = statistics_flags(prepared.flows, prepared.reference, config)
    _write(con, new_flags, result, config, load("flags/delete_stale_corridor_flags"), {})
    result.corridor_flags += new_flags.height


def detect(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    config: DetectorConfig,
    kind: str = "backfill",
    progress: Progress | None = None,
    run_partition: PartitionRunner | None = None,
) -> RunResult:
    """Score every shipment that arrived in [start, end] and replace that range's flags.

    Each calendar quarter commits on its own, so a killed backfill keeps the quarters it
    finished and a rerun redoes the rest (reruns replace, never duplicate).
    ``run_partition`` stands in for ``score_partition`` (the backfill flow passes it as a
    Prefect task, one per quarter).
    """
    run_partition = run_partition or score_partition
    result = start_run(con, kind, start, end, config)
    try:
        with setting(con, "checkpoint_threshold", CHECKPOINT_THRESHOLD):
            _detect(con, start, end, config, result, progress, run_partition)
    except Exception as exc:
        finish_run(con, result, "failed", f"{type(exc).__name__}: {exc}")
        raise
    finish_run(con, result, "completed", None)
    return result


CHECKPOINT_THRESHOLD = "64MiB"
"""The WAL size at which a run's commits checkpoint (DuckDB's default is 16 MiB).

At the default a 1M-shipment backfill's 16 quarterly commits (about 60 MB of WAL: scores
and flags) checkpointed five times, each rewriting the flags and scores written so far:
about half of the time spent writing. Each quarter still commits on its own, so a killed
run keeps what it committed (replayed from the WAL on the next open); the WAL, and the
committed rows DuckDB holds in memory until it checkpoints, stay bounded by the threshold.
"""


def _detect(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    config: DetectorConfig,
    result: RunResult,
    progress: Progress | None,
    run_partition: PartitionRunner,
) -> None:
    """``detect``'s work, its run started and finished by the caller."""
    prepared = prepare(con, result, config)
    if prepared.learning is not None and prepared.features is not None:
        learning_started = time.perf_counter()
        prepared.learners = learned_parts(
            con,
            prepared.learning,
            prepared.features,
            start,
            end,
            config,
            quarter_fits(con, prepared, config, result),
        )
        result.learning_seconds = time.perf_counter() - learning_started
    months = len(month_starts(start, end))
    done = 0
    for first, last in partitions(start, end):
        run_partition(con, prepared, first, last, config, result, _overall(progress, done, months))
        done += len(month_starts(first, last))
    write_corridor_flags(con, prepared, config, result)
    write_profiles(con, prepared)
    result.learning = learning_summary(prepared.learners, prepared.several_countries)


def _overall(progress: Progress | None, done: int, total: int) -> Progress | None:
    """A partition's progress as progress through the whole run."""
    if progress is None:
        return None
    report = progress
    return lambda label, step, _steps: report(label, done + step, total)


def _write(
    con: duckdb.DuckDBPyConnection,
    new_flags: pl.DataFrame,
    result: RunResult,
    config: DetectorConfig,
    delete_stale: str,
    stale_params: dict[str, object],
    also: Callable[[], None] | None = None,
) -> None:
    """Replace flags in one transaction, with ``also`` (the partition's scores and learner
    inputs) in the same one."""
    version = {"detector_version": config.version}
    con.register("new_flags", new_flags)
    con.begin()
    try:
        con.execute(delete_stale, {**version, **stale_params})
        con.execute(load("flags/upsert_flags"), {**version, "run_id": result.run_id})
        reopen_risen(con, result.run_id, config.reopen_margin)
        if also is not None:
            also()
        _commit(con)
    except Exception:
        con.rollback()
        raise
    finally:
        con.unregister("new_flags")
    result.by_severity.update(
        {k: result.by_severity.get(k, 0) + v for k, v in Counter(new_flags["severity"]).items()}
    )
    detectors = Counter(
        name for names in new_flags["detectors"].to_list() for name in names.split(",") if name
    )
    result.by_detector.update({k: result.by_detector.get(k, 0) + v for k, v in detectors.items()})


def _commit(con: duckdb.DuckDBPyConnection) -> None:
    """The one place a partition commits (tests kill the process here)."""
    con.commit()


def finish_run(
    con: duckdb.DuckDBPyConnection, result: RunResult, status: str, error: str | None
) -> None:
    result.seconds = time.perf_counter() - result.started
    result.new_high = con.execute(
        load("runs/new_high_flags"), {"run_id": result.run_id}
    ).fetchall()[0][0]
    counts = json.dumps(
        {
            "by_severity": result.by_severity,
            "by_detector": result.by_detector,
            "new_high": result.new_high,
            "warnings": result.warnings,
            "fits_reused": result.fits_reused,
            "fits_made": result.fits_made,
            "learning": result.learning,
            "learning_seconds": round(result.learning_seconds, 2),
            "seconds": round(result.seconds, 2),
        }
    )
    con.execute(
        load("runs/finish_run"),
        {
            "status": status,
            "shipments_scored": result.shipments_scored,
            "flags_written": result.shipment_flags + result.corridor_flags,
            "counts": counts,
            "error": error,
            "run_id": result.run_id,
        },
    ).fetchall()
