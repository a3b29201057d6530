"""Backfill: score a date range quarter by quarter, each quarter one task and one commit.

The result equals running the nightly flow for every day in order (tested): features are
point in time and the detectors refit per quarter either way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from transship.detectors import DetectorConfig
from transship.flows.ingest import DEFAULT_DB, flow_store
from transship.run.pipeline import Prepared, RunResult, detect, score_partition
from transship.run.scoring import Progress


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


@flow(name="transship-backfill")
def backfill(
    start: date,
    end: date,
    db: Path = DEFAULT_DB,
    rules: Path | None = None,
    materials: Path | None = None,
) -> dict[str, object]:
    """Score every shipment that arrived in [start, end] and replace that range's flags."""
    with flow_store(db, materials) as con:
        result = detect(
            con, start, end, DetectorConfig.load(rules), "backfill", run_partition=score_quarter
        )
    logger = get_run_logger()
    for warning in result.warnings:
        logger.warning(warning)
    logger.info(result.summary())
    return result.report()
