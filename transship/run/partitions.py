"""A backfill as self-contained partitions of one or more consecutive calendar quarters,
computed anywhere, committed by the one process that writes the store.

The coordinator (the process holding the store's write lock) exports the stored
shipments up to the run's end as month-partitioned Parquet files once per run. The
partitions then run in two phases, each a pure function of its inputs and the run's
export folder (no store is opened):

1. ``build_partition`` builds the exact features of its own quarters' shipments from
   their lookback (``load_history``: every shipment of the three months before their
   first month, the controlled codes' of the year and 90 days before it, the rest of that
   year summed per corridor and code and day with its prices; the first-seen dates and
   the importers' purchases of anything older as SQL aggregates, never their rows) and
   writes them to the folder, one Parquet file per quarter (rewritten whole, so
   a quarter built twice is stored once). This phase also covers the year before the
   first quarter whose detectors are not stored, which its fit reads.
2. ``compute_partition`` reads its quarters' stored features, fits a quarter's
   detectors where no fit is stored from the stored features of the year before it (the
   same rows and values a whole-range build gives them, never rebuilt), scores, and
   returns flags, scores and new fits.

So a partition holds its quarter and its lookback, never its fit year's lookback too.
The coordinator commits each quarter in its own transaction (delete-then-insert over the
quarter's dates, so a recomputed quarter writes each flag once).

A quarter reads only its own fits, so results do not depend on the order in which
quarters run or on how many run at once.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol, TypeVar

import duckdb
import polars as pl

from transship.entities.resolve import resolve_for_run
from transship.features.build import (
    SWITCHES,
    Reference,
    build_features,
    load_entities,
    load_flows,
    load_history,
    spelling_counts,
)
from transship.features.corridor_month import SHIPMENT_COLUMNS
from transship.features.entities import Entities
from transship.learning.pipeline import write_scores
from transship.run.fits import FitKey, cached_fits, fit_label, history_fingerprints, save_fit
from transship.run.pipeline import (
    FLAG_COLUMNS,
    Prepared,
    RunResult,
    _flagged_earlier_in_month,
    _write,
    finish_run,
    month_flags,
    partitions,
    shipment_flags,
    start_run,
    write_corridor_flags,
    write_profiles,
)
from transship.run.scoring import (
    HISTORY_DAYS,
    Progress,
    fit_columns,
    fit_detectors,
    month_offset,
    month_starts,
    quarter_start,
    score_range,
)
from transship.storage.sql import load, scalar, sql_frame
from transship.storage.store import current_setting, setting

if TYPE_CHECKING:
    from pathlib import Path

    from transship.detectors import DetectorConfig
    from transship.detectors.base import Detector

COORDINATOR_MEMORY = "1GB"
"""DuckDB's memory limit in the coordinator during a partitioned backfill (beyond it
DuckDB spills to disk): it exports, counts and commits; the workers build features."""
SHIPMENTS_FOLDER = "shipments"
FEATURES_FOLDER = "features"
BEFORE_FILE = "before.parquet"
"""The controlled codes' shipments before the first built quarter, as corridor months
read them (``SHIPMENT_COLUMNS``)."""


class QuarterSpan:
    """A partition's consecutive calendar quarters, clipped to the run's range, and the
    days they span."""

    quarters: list[tuple[date, date]]

    @property
    def first(self) -> date:
        return self.quarters[0][0]

    @property
    def last(self) -> date:
        return self.quarters[-1][1]


@dataclass(frozen=True)
class BuildInputs(QuarterSpan):
    """What one partition's feature build reads besides the exported shipments."""

    quarters: list[tuple[date, date]]
    """The consecutive calendar quarters whose features it builds, clipped to the range."""
    exchange: Path
    """The run's export folder (``export_shipments``); every worker must be able to read
    and write it."""
    config: DetectorConfig
    reference: Reference
    flows: pl.DataFrame
    entities: Entities = field(default_factory=Entities)
    """The traders' entities (``load_entities``) but their spellings' counts, which the
    partition counts from the export (many rows: not held for every partition at once by
    the coordinator)."""
    first_built: bool = False
    """Whether it is the run's first: it also writes the controlled codes' shipments of
    its lookback (``BEFORE_FILE``)."""


@dataclass(frozen=True)
class PartitionInputs(QuarterSpan):
    """What one partition's scoring reads besides the stored features."""

    quarters: list[tuple[date, date]]
    """The consecutive calendar quarters it scores, clipped to the run's range."""
    exchange: Path
    config: DetectorConfig
    fits: dict[FitKey, list[Detector]]
    """Its quarters' stored fits, by quarter start and importing country."""
    flagged_earlier: list[str] = field(default_factory=list)
    """Shipments earlier runs flagged in the first quarter's first month before the run."""
    first_months: pl.DataFrame | None = None
    """Each importing country's first month with a controlled shipment
    (``first_controlled_months``): where its corridor months start."""


@dataclass(frozen=True)
class QuarterResult:
    """What the coordinator commits for one quarter, in one transaction."""

    first: date
    last: date
    flags: pl.DataFrame
    scored: pl.DataFrame | None
    """Every scored shipment; None when nothing arrived up to ``last``."""
    new_fits: dict[str, list[Detector]]
    """The quarter's detectors fitted here, by importing country."""


@dataclass(frozen=True)
class PartitionResult:
    quarters: list[QuarterResult]


def quarter_file(exchange: Path, first: date) -> Path:
    """Where the features of the quarter holding ``first`` are stored."""
    return exchange / FEATURES_FOLDER / f"{quarter_start(first)}.parquet"


def build_partition(inputs: BuildInputs) -> pl.DataFrame:
    """Build and store the exact features of one partition's quarters from the exported
    Parquet files alone; the origin switches among them."""
    con = duckdb.connect()
    try:
        shipments = inputs.exchange / SHIPMENTS_FOLDER / "**" / "*.parquet"
        con.read_parquet(str(shipments), hive_partitioning=False).create_view("shipments")
        con.register("ref_controlled_codes", inputs.reference.controlled)
        con.register("entity_memberships", inputs.entities.memberships)
        history = load_history(con, inputs.last, inputs.first)
        entities = replace(
            inputs.entities,
            counts=spelling_counts(con, inputs.last, inputs.first, inputs.entities.memberships),
        )
    finally:
        con.close()
    if history.frame.is_empty():
        return pl.DataFrame(schema=_switch_schema())
    features = build_features(
        history.frame,
        inputs.flows,
        inputs.reference,
        inputs.config,
        earlier_first_seen=history.earlier_first_seen,
        entities=entities,
        exact_from=inputs.first,
        earlier_origins=history.earlier_origins,
        older=history.older,
    )
    del history
    for first, last in inputs.quarters:
        _write_whole(
            features.filter(pl.col("arrival_date").is_between(first, last)),
            quarter_file(inputs.exchange, first),
        )
    if inputs.first_built:
        _write_whole(
            features.filter(pl.col("controlled") & (pl.col("arrival_date") < inputs.first)).select(
                SHIPMENT_COLUMNS
            ),
            inputs.exchange / FEATURES_FOLDER / BEFORE_FILE,
        )
    return features.filter(pl.col("switched_from").is_not_null()).select(SWITCHES)


def _write_whole(frame: pl.DataFrame, path: Path) -> None:
    """Write ``path`` so that a reader sees the whole file or none (a worker that died
    mid-write leaves only its temporary file, which the retry replaces)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    frame.write_parquet(partial)
    partial.replace(path)


def _stored(
    exchange: Path,
    first: date,
    last: date,
    columns: list[str] | None = None,
    where: pl.Expr | None = None,
) -> pl.DataFrame | None:
    """The stored features of the shipments that arrived in [first, last] (``columns``
    of those ``where`` selects), oldest first; None when no quarter there was built."""
    parts = []
    quarter = quarter_start(first)
    while quarter <= last:
        path = quarter_file(exchange, quarter)
        if path.exists():
            rows = pl.scan_parquet(path).filter(
                pl.col("arrival_date").is_between(first, last),
                pl.lit(True) if where is None else where,
            )
            parts.append((rows.select(columns) if columns else rows).collect())
        quarter = quarter_start(quarter + timedelta(days=92))
    return pl.concat(parts, how="vertical_relaxed") if parts else None


def compute_partition(inputs: PartitionInputs) -> PartitionResult:
    """Score one partition's quarters from the stored features alone."""
    return PartitionResult([_score_quarter(inputs, first, last) for first, last in inputs.quarters])


def _score_quarter(inputs: PartitionInputs, first: date, last: date) -> QuarterResult:
    """One quarter's flags and scores, as ``pipeline.score_partition`` makes them."""
    countries = _stored(inputs.exchange, first, last, ["import_country"])
    if countries is None or countries.is_empty():
        return QuarterResult(first, last, pl.DataFrame(schema=FLAG_COLUMNS), None, {})
    quarter = quarter_start(first)
    # Each fit before the quarter's features are read, one country at a time: a
    # partition holds one country's fit year or its quarter, not both.
    new_fits = {
        country: fit_detectors(_fit_history(inputs, quarter, country), inputs.config)
        for country in countries["import_country"].unique(maintain_order=True).to_list()
        if (quarter, country) not in inputs.fits
    }
    fits = {c: d for (q, c), d in inputs.fits.items() if q == quarter} | new_fits
    features = _stored(inputs.exchange, first, last)
    assert features is not None
    scored = score_range(
        features, first, last, inputs.config, fit_quarter=lambda _quarter, c: fits[c]
    )
    flagged = shipment_flags(features, scored, inputs.config)
    del features
    truly = scored.filter("flagged")["shipment_id"]
    earlier = pl.Series(
        "shipment_id", inputs.flagged_earlier if first == inputs.first else [], dtype=pl.String
    )
    flags = pl.concat(
        [
            flagged,
            month_flags(
                _controlled_until(inputs.exchange, last),
                pl.concat([earlier, truly]),
                first,
                last,
                inputs.config,
                inputs.first_months,
            ),
        ],
        how="vertical_relaxed",
    )
    return QuarterResult(first, last, flags, scored, new_fits)


def _fit_history(inputs: PartitionInputs, quarter: date, country: str) -> pl.DataFrame:
    """The stored features ``fitted_detectors`` reads for ``quarter`` and ``country``:
    the country's year before the quarter, only the columns the detectors fit on."""
    columns = fit_columns(inputs.config)
    history = _stored(
        inputs.exchange,
        quarter - timedelta(days=HISTORY_DAYS),
        quarter - timedelta(days=1),
        columns,
        pl.col("import_country") == country,
    )
    if history is not None:
        return history
    # Nothing arrived in the year before (the store's first quarter): no rows, with the
    # features' own types, as a whole-range build's year before it has.
    return pl.scan_parquet(quarter_file(inputs.exchange, quarter)).select(columns).head(0).collect()


def _controlled_until(exchange: Path, last: date) -> pl.DataFrame:
    """The controlled codes' shipments up to ``last`` as corridor months read them."""
    before = exchange / FEATURES_FOLDER / BEFORE_FILE
    parts = [pl.read_parquet(before)] if before.exists() else []
    built = sorted((exchange / FEATURES_FOLDER).glob("????-??-??.parquet"))
    parts += [
        pl.scan_parquet(path)
        .filter(pl.col("controlled") & (pl.col("arrival_date") <= last))
        .select(SHIPMENT_COLUMNS)
        .collect()
        for path in built
        if date.fromisoformat(path.stem) <= last
    ]
    known = pl.concat(parts, how="vertical_relaxed")
    return known.with_columns(controlled=pl.lit(True))


def _switch_schema() -> dict[str, pl.DataType]:
    return {
        "import_country": pl.String(),
        "importer": pl.String(),
        "material": pl.String(),
        "switched_from": pl.String(),
        "origin_country": pl.String(),
        "control_date": pl.Date(),
    }


Work = Callable[[PartitionInputs], PartitionResult]
In = TypeVar("In", BuildInputs, PartitionInputs)
Out = TypeVar("Out")


class Engine(Protocol):
    """Runs the partitions' work somewhere and yields their results in input order."""

    def run(self, work: Callable[[In], Out], inputs: list[In]) -> Iterator[Out]: ...


def export_shipments(con: duckdb.DuckDBPyConnection, folder: Path, until: date) -> None:
    """Write the shipments that arrived up to ``until`` as Parquet files, one per arrival
    month, replacing any earlier export in ``folder``. Month by month, so the export holds
    one month's rows at a time whatever the store's size."""
    target = folder / SHIPMENTS_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    first = scalar(con, load("partitions/first_arrival"))
    for month in month_starts(first, until) if first is not None else []:
        con.sql(
            load("partitions/shipments_export"),
            params={"month": month, "next_month": month_offset(month, 1), "until": until},
        ).write_parquet(str(target / f"{month:%Y-%m}.parquet"))


@contextmanager
def memory_at_most(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB's memory limit lowered to ``limit`` (never raised) while the block runs.

    The coordinator's DuckDB only exports, counts and commits; at DuckDB's default limit
    (most of the machine's memory) its buffer pool keeps the blocks of the store it read,
    memory the workers need.
    """
    if _bytes(limit) >= _bytes(current_setting(con, "memory_limit")):
        yield
        return
    with setting(con, "memory_limit", limit):
        yield


_UNITS = {"": 1, "B": 1, "BYTES": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_UNITS |= {"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def _bytes(limit: str) -> float:
    """A DuckDB memory size ('1GB', '18.8 GiB') in bytes."""
    number = limit.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ")
    return float(number) * _UNITS[limit[len(number) :].strip().upper()]


def detect_partitioned(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    config: DetectorConfig,
    engine: Engine,
    exchange: Path,
    progress: Progress | None = None,
    work: Work = compute_partition,
    quarters_per_partition: int = 1,
) -> RunResult:
    """A backfill of [start, end] whose partitions of ``quarters_per_partition``
    consecutive quarters ``engine`` computes (``work`` stands in for ``compute_partition``
    in fault tests); flags, scores and fits as ``pipeline.detect`` writes them when the
    store holds no decisions to learn from."""
    result = start_run(con, "backfill", start, end, config)
    folder = exchange / f"run-{result.run_id}"
    try:
        with memory_at_most(con, COORDINATOR_MEMORY):
            result.warnings += resolve_for_run(con)
            reference = Reference.load(con)
            flows = load_flows(con)
            parts = partitions(start, end)
            quarters = sorted({quarter_start(first) for first, _ in parts})
            countries = sql_frame(
                con, load("features/import_countries"), {"start": start, "end": end}
            )["import_country"].to_list()
            several = len(countries) > 1
            fingerprints = history_fingerprints(con, quarters, countries, config, reference)
            fits = cached_fits(con, fingerprints, config.version)
            result.fits_reused = [fit_label(key, several) for key in sorted(fits)]
            if not countries:
                result.warnings.append(f"no stored shipments arrived between {start} and {end}")
            export_shipments(con, folder, end)
            # A quarter fitted here reads the stored features of the year before it.
            refits = [
                key[0] - timedelta(days=HISTORY_DAYS) for key in fingerprints if key not in fits
            ]
            built = _grouped(partitions(min([start, *refits]), end), quarters_per_partition)
            builds = [
                BuildInputs(
                    group,
                    folder,
                    config,
                    reference,
                    flows,
                    load_entities(con, group[-1][1], group[0][0], counts=False),
                    first_built=index == 0,
                )
                for index, group in enumerate(built)
            ]
            switches = list(engine.run(build_partition, builds))
            groups = _grouped(parts, quarters_per_partition)
            first_months = sql_frame(con, load("features/first_controlled_months"), {"until": end})
            inputs = [
                PartitionInputs(
                    group,
                    folder,
                    config,
                    {
                        key: fits[key]
                        for key in fits
                        if key[0] in {quarter_start(f) for f, _ in group}
                    },
                    _flagged_earlier_in_month(con, group[0][0], config).to_list(),
                    first_months,
                )
                for group in groups
            ]
            months, done = len(month_starts(start, end)), 0
            for outcome in engine.run(work, inputs):
                for quarter in outcome.quarters:
                    _commit_quarter(
                        con, quarter, fingerprints, config, result, several, bool(countries)
                    )
                    done += len(month_starts(quarter.first, quarter.last))
                    if progress is not None:
                        progress(f"{quarter.last:%Y-%m}", done, months)
            prepared = Prepared(
                pl.concat(switches) if countries else None,
                flows,
                reference,
                end,
                several_countries=several,
                entities=load_entities(con, end, end),
                exact_from=built[0][0][0] if built else None,
            )
            write_corridor_flags(con, prepared, config, result)
            write_profiles(con, prepared)
    except Exception as exc:
        finish_run(con, result, "failed", f"{type(exc).__name__}: {exc}")
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    finish_run(con, result, "completed", None)
    return result


def _grouped(parts: list[tuple[date, date]], size: int) -> list[list[tuple[date, date]]]:
    """Consecutive quarters, ``size`` to a partition."""
    return [parts[index : index + size] for index in range(0, len(parts), size)]


def _commit_quarter(
    con: duckdb.DuckDBPyConnection,
    outcome: QuarterResult,
    fingerprints: dict[FitKey, str],
    config: DetectorConfig,
    result: RunResult,
    several: bool,
    any_shipments: bool,
) -> None:
    """Keep a quarter's new fits, then replace its flags and scores in one transaction."""
    quarter = quarter_start(outcome.first)
    for country, detectors in sorted(outcome.new_fits.items()):
        key = (quarter, country)
        save_fit(con, key, config.version, fingerprints[key], detectors)
        result.fits_made.append(fit_label(key, several))
    scored = outcome.scored

    def keep() -> None:
        assert scored is not None
        write_scores(con, scored, outcome.first, outcome.last, result.run_id, config.version)

    if scored is not None:
        result.shipments_scored += scored.height
    _write(
        con,
        outcome.flags,
        result,
        config,
        load("flags/delete_stale_flags"),
        {"start_date": outcome.first, "end_date": outcome.last},
        keep if any_shipments and scored is not None else None,
    )
    result.shipment_flags += outcome.flags.filter(pl.col("level") == "shipment").height
    result.corridor_flags += outcome.flags.filter(pl.col("level") == "corridor").height
