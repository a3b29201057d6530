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

from flows.ingest import DEFAULT_DB
from transship.detectors import DetectorConfig
from transship.pipeline import (
    Prepared,
    RunResult,
    finish_run,
    partitions,
    prepare,
    score_partition,
    start_run,
    write_corridor_flags,
    write_profiles,
)
from transship.store import store


@task(cache_policy=NO_CACHE)
def score_quarter(
    con: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    first: date,
    last: date,
    config: DetectorConfig,
    result: RunResult,
) -> None:
    before = result.shipment_flags
    score_partition(con, prepared, first, last, config, result)
    get_run_logger().info(f"{first} to {last}: {result.shipment_flags - before} shipment flags")


@flow(name="transship-backfill")
def backfill(
    start: date, end: date, db: Path = DEFAULT_DB, rules: Path | None = None
) -> dict[str, object]:
    """Score every shipment that arrived in [start, end] and replace that range's flags."""
    config = DetectorConfig.load(rules)
    logger = get_run_logger()
    with store(db) as con:
        result = start_run(con, "backfill", start, end, config)
        try:
            prepared = prepare(con, result)
            for warning in result.warnings:
                logger.warning(warning)
            for first, last in partitions(start, end):
                score_quarter(con, prepared, first, last, config, result)
            write_corridor_flags(con, prepared, config, result)
            write_profiles(con, prepared)
        except Exception as exc:
            finish_run(con, result, "failed", f"{type(exc).__name__}: {exc}")
            raise
        finish_run(con, result, "completed", None)
    logger.info(result.summary())
    return {
        "run_id": result.run_id,
        "shipments_scored": result.shipments_scored,
        "flags": result.shipment_flags + result.corridor_flags,
        "by_severity": result.by_severity,
        "new_high": result.new_high,
    }
