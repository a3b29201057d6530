"""Backfill: score a date range quarter by quarter, each quarter one task and one commit.

The result equals running the nightly flow for every day in order (tested): features are
point in time and the detectors refit per quarter either way. On the dask engine each
quarter's feature build (``build_partition``) and then its scoring (``compute_partition``)
are tasks on a Dask cluster (Prefect's DaskTaskRunner); this flow's process holds the
store and commits each quarter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import duckdb
from prefect import Flow, flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from transship.detectors import DetectorConfig
from transship.flows.ingest import DEFAULT_DB, flow_store
from transship.run.backfill import EngineChoice, default_exchange, run_backfill
from transship.run.engines import DaskEngine
from transship.run.partitions import In, Out, detect_partitioned
from transship.run.pipeline import Prepared, RunResult, detect, score_partition
from transship.run.scoring import Progress

if TYPE_CHECKING:
    from prefect.futures import PrefectFuture
    from prefect.task_runners import TaskRunner


@task(cache_policy=NO_CACHE)
def score_quarter(
    con: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    first: date,
    last: date,
    config: DetectorConfig,
    result: RunResult,
    progress: Progress | None,
) -> None:
    before = result.shipment_flags
    score_partition(con, prepared, first, last, config, result, progress)
    get_run_logger().info(f"{first} to {last}: {result.shipment_flags - before} shipment flags")


@task(cache_policy=NO_CACHE)
def compute_quarter(work: Callable[[In], Out], inputs: In) -> Out:
    return work(inputs)


class QuarterTasks:
    """Each quarter's feature build, then its scoring, a ``compute_quarter`` task on the
    flow's task runner, results taken in quarter order (never awaited: Prefect 3's futures
    are synchronous)."""

    def run(self, work: Callable[[In], Out], inputs: list[In]) -> Iterator[Out]:
        futures = [compute_quarter.submit(work, part) for part in inputs]
        for future in futures:
            yield future.result()


@flow(name="transship-backfill")
def backfill(
    start: date,
    end: date,
    db: Path = DEFAULT_DB,
    rules: Path | None = None,
    materials: Path | None = None,
    engine: str = "local",
    workers: int = 2,
    address: str | None = None,
    exchange: Path | None = None,
) -> dict[str, object]:
    """Score every shipment that arrived in [start, end] and replace that range's flags:
    ``local`` in this process, ``processes`` on a pool of ``workers`` here, ``dask`` on
    the cluster at ``address``, one task per quarter."""
    if engine == "dask":
        EngineChoice(engine, address=address).check()
        assert address is not None
        return dask_backfill(start, end, address, db, rules, materials, exchange)
    config = DetectorConfig.load(rules)
    with flow_store(db, materials) as con:
        if engine == "local":
            result = detect(con, start, end, config, "backfill", run_partition=score_quarter)
        else:
            choice = EngineChoice(engine, workers)
            result = run_backfill(con, start, end, config, choice, exchange or default_exchange(db))
    return _reported(result)


@flow(name="transship-backfill-dask")
def _backfill_on_cluster(
    start: date,
    end: date,
    db: Path,
    rules: Path | None,
    materials: Path | None,
    exchange: Path,
) -> dict[str, object]:
    with flow_store(db, materials) as con:
        result = detect_partitioned(
            con, start, end, DetectorConfig.load(rules), QuarterTasks(), exchange
        )
    return _reported(result)


def dask_backfill(
    start: date,
    end: date,
    address: str,
    db: Path = DEFAULT_DB,
    rules: Path | None = None,
    materials: Path | None = None,
    exchange: Path | None = None,
) -> dict[str, object]:
    """The backfill on the Dask cluster at ``address``, one Prefect task per quarter; a
    scheduler that does not answer raises EngineUnreachableError before the flow starts."""
    from prefect_dask.task_runners import DaskTaskRunner

    DaskEngine(address).connect().close()
    # prefect-dask declares its runner over PrefectDaskFuture, which Flow's signature
    # (invariant in the future type) does not accept as written.
    runner = cast("TaskRunner[PrefectFuture[Any]]", DaskTaskRunner(address=address))
    on_cluster: Flow[..., dict[str, object]] = _backfill_on_cluster.with_options(task_runner=runner)
    return on_cluster(start, end, db, rules, materials, exchange or default_exchange(db))


def _reported(result: RunResult) -> dict[str, object]:
    logger = get_run_logger()
    for warning in result.warnings:
        logger.warning(warning)
    logger.info(result.summary())
    return result.report()
