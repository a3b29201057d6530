"""A backfill as self-contained partitions of one or more consecutive calendar quarters,
computed anywhere, committed by the one process that writes the store.

The coordinator (the process holding the store's write lock) exports the stored
shipments up to the run's end as month-partitioned Parquet files once per run, then hands
each partition a ``PartitionInputs``: where those files are, the reference data, the
trade statistics, its quarters' stored fits and the ids flagged earlier in its first
month.
``compute_partition`` is pure: it opens no store, reads the Parquet files through an
in-memory DuckDB (the same SQL as a whole-range build reads the store with), builds the
features of the quarter's shipments from their own lookback (a year and 90 days of
every shipment, the controlled codes' older shipments, and the first-seen dates of
anything older as SQL aggregates, never its rows), fits the quarter's detectors where no
fit is stored (on the year before it, so its input starts a year earlier), scores and
returns flags, scores and new fits. The coordinator commits each quarter in its own
transaction (delete-then-insert over the quarter's dates, so a recomputed quarter writes
each flag once).

A quarter reads only its own fits, so results do not depend on the order in which
quarters run or on how many run at once.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

import duckdb
import polars as pl

from transship.entities.resolve import resolve_for_run
from transship.features.build import (
    Reference,
    build_features,
    load_entities,
    load_flows,
    load_history,
)
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
    fitted_detectors,
    month_starts,
    quarter_start,
    score_range,
)
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from pathlib import Path

    from transship.detectors import DetectorConfig
    from transship.detectors.base import Detector

SHIPMENTS_FOLDER = "shipments"
SWITCH_COLUMNS = [
    "import_country",
    "importer",
    "material",
    "switched_from",
    "origin_country",
    "control_date",
]
"""What the importer profiles read of the features (``profiles.origin_switches``)."""


@dataclass(frozen=True)
class PartitionInputs:
    """Everything one partition's work reads besides the exported shipments."""

    quarters: list[tuple[date, date]]
    """The consecutive calendar quarters it scores, clipped to the run's range."""
    exchange: Path
    """The run's export folder (``export_shipments``); every worker must be able to read it."""
    config: DetectorConfig
    reference: Reference
    flows: pl.DataFrame
    fits: dict[FitKey, list[Detector]]
    """Its quarters' stored fits, by quarter start and importing country."""
    flagged_earlier: list[str] = field(default_factory=list)
    """Shipments earlier runs flagged in the first quarter's first month before the run."""
    switches_from_start: bool = False
    """Whether to return the origin switches of every shipment before its first day too
    (the run's first partition does, so that the profiles see every switch to the end)."""
    entities: Entities = field(default_factory=Entities)
    """The traders' entities (``load_entities``), exact from a year before its first
    quarter, so that a quarter fitted here sees them too."""

    @property
    def first(self) -> date:
        return self.quarters[0][0]

    @property
    def last(self) -> date:
        return self.quarters[-1][1]


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
    switches: pl.DataFrame


def compute_partition(inputs: PartitionInputs) -> PartitionResult:
    """Score one partition's quarters from the exported Parquet files alone."""
    con = duckdb.connect()
    try:
        shipments = inputs.exchange / SHIPMENTS_FOLDER / "**" / "*.parquet"
        con.read_parquet(str(shipments), hive_partitioning=False).create_view("shipments")
        con.register("ref_controlled_codes", inputs.reference.controlled)
        unfitted = {
            first: [
                country
                for country in sql_frame(
                    con, load("features/import_countries"), {"start": first, "end": last}
                )["import_country"].to_list()
                if (quarter_start(first), country) not in inputs.fits
            ]
            for first, last in inputs.quarters
        }
        # A quarter fitted here needs exact features for the year before it.
        refits = [
            quarter_start(first) - timedelta(days=HISTORY_DAYS)
            for first, countries in unfitted.items()
            if countries
        ]
        history = load_history(con, inputs.last, min([inputs.first, *refits]))
    finally:
        con.close()
    if history.frame.is_empty():
        return PartitionResult(
            [
                QuarterResult(first, last, pl.DataFrame(schema=FLAG_COLUMNS), None, {})
                for first, last in inputs.quarters
            ],
            pl.DataFrame(schema=_switch_schema()),
        )
    features = build_features(
        history.frame,
        inputs.flows,
        inputs.reference,
        inputs.config,
        earlier_first_seen=history.earlier_first_seen,
        entities=inputs.entities,
    )
    quarters = [
        _score_quarter(
            features,
            inputs,
            first,
            last,
            unfitted[first],
            inputs.flagged_earlier if first == inputs.first else [],
        )
        for first, last in inputs.quarters
    ]
    since = date.min if inputs.switches_from_start else inputs.first
    switches = features.filter(
        pl.col("switched_from").is_not_null()
        & pl.col("arrival_date").is_between(since, inputs.last)
    ).select(SWITCH_COLUMNS)
    return PartitionResult(quarters, switches)


def _score_quarter(
    features: pl.DataFrame,
    inputs: PartitionInputs,
    first: date,
    last: date,
    unfitted: list[str],
    flagged_earlier: list[str],
) -> QuarterResult:
    """One quarter's flags and scores, as ``pipeline.score_partition`` makes them."""
    quarter = quarter_start(first)
    new_fits = {
        country: fitted_detectors(features, quarter, country, inputs.config) for country in unfitted
    }
    fits = {c: d for (q, c), d in inputs.fits.items() if q == quarter} | new_fits
    scored = score_range(
        features, first, last, inputs.config, fit_quarter=lambda _quarter, c: fits[c]
    )
    flagged = shipment_flags(features, scored, inputs.config)
    truly = scored.filter("flagged")["shipment_id"]
    earlier = pl.Series("shipment_id", flagged_earlier, dtype=pl.String)
    flags = pl.concat(
        [
            flagged,
            month_flags(features, pl.concat([earlier, truly]), first, last, inputs.config),
        ],
        how="vertical_relaxed",
    )
    return QuarterResult(first, last, flags, scored, new_fits)


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


class Engine(Protocol):
    """Runs the partitions' work somewhere and yields their results in input order."""

    def run(self, work: Work, inputs: list[PartitionInputs]) -> Iterator[PartitionResult]: ...


def export_shipments(con: duckdb.DuckDBPyConnection, folder: Path, until: date) -> None:
    """Write the shipments that arrived up to ``until`` as Parquet files, one folder per
    arrival month, replacing any earlier export in ``folder``."""
    target = folder / SHIPMENTS_FOLDER
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    con.sql(load("partitions/shipments_export"), params={"until": until}).write_parquet(
        str(target), partition_by=["month"], overwrite=True
    )


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
        result.warnings += resolve_for_run(con)
        reference = Reference.load(con)
        flows = load_flows(con)
        parts = partitions(start, end)
        quarters = sorted({quarter_start(first) for first, _ in parts})
        countries = sql_frame(con, load("features/import_countries"), {"start": start, "end": end})[
            "import_country"
        ].to_list()
        several = len(countries) > 1
        fingerprints = history_fingerprints(con, quarters, countries, config, reference)
        fits = cached_fits(con, fingerprints, config.version)
        result.fits_reused = [fit_label(key, several) for key in sorted(fits)]
        if not countries:
            result.warnings.append(f"no stored shipments arrived between {start} and {end}")
        export_shipments(con, folder, end)
        groups = [
            parts[index : index + quarters_per_partition]
            for index in range(0, len(parts), quarters_per_partition)
        ]
        inputs = [
            PartitionInputs(
                group,
                folder,
                config,
                reference,
                flows,
                {key: fits[key] for key in fits if key[0] in {quarter_start(f) for f, _ in group}},
                _flagged_earlier_in_month(con, group[0][0], config).to_list(),
                switches_from_start=index == 0,
                entities=load_entities(
                    con, group[-1][1], quarter_start(group[0][0]) - timedelta(days=HISTORY_DAYS)
                ),
            )
            for index, group in enumerate(groups)
        ]
        switches = []
        months, done = len(month_starts(start, end)), 0
        for outcome in engine.run(work, inputs):
            for quarter in outcome.quarters:
                _commit_quarter(
                    con, quarter, fingerprints, config, result, several, bool(countries)
                )
                done += len(month_starts(quarter.first, quarter.last))
                if progress is not None:
                    progress(f"{quarter.last:%Y-%m}", done, months)
            switches.append(outcome.switches)
        prepared = Prepared(
            pl.concat(switches) if countries else None,
            flows,
            reference,
            end,
            complete=False,
            several_countries=several,
            entities=load_entities(con, end, end),
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
