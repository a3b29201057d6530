"""The nightly run: ingest a day's drop, score that day, write its flags.

Scoring first links the trader spellings stored since the last resolution to the entities
(``transship.entities.resolve.resolve_new``, Splink's link-new-records path with the
stored model), so the day's features key its traders by entity; a full re-resolution is
`transship entities resolve`.

When analysts recorded decisions (or imported inspection outcomes) since the last model
was trained, scoring the day retrains the learned ranker on every decision recorded before
the day, stores it and uses it; otherwise it reuses the stored model. The log names the
learned model the run used, or why it went without one.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from transship.detectors import DetectorConfig
from transship.flows.ingest import DEFAULT_DB, flow_store, ingest
from transship.ingest.drop import drop_files
from transship.run.pipeline import detect


@task(cache_policy=NO_CACHE)
def score_day(db: Path, day: date, rules: Path | None, materials: Path | None) -> dict[str, object]:
    with flow_store(db, materials) as con:
        result = detect(con, day, day, DetectorConfig.load(rules), kind="nightly")
    logger = get_run_logger()
    logger.info(result.summary())
    for warning in result.warnings:
        logger.warning(warning)
    return result.report()


@flow(name="transship-nightly", retries=1, retry_delay_seconds=600)
def nightly(
    day: date | None = None,
    db: Path = DEFAULT_DB,
    drop_folder: Path | None = None,
    rules: Path | None = None,
    materials: Path | None = None,
) -> dict[str, object]:
    """Score one day (default: yesterday), after ingesting its drop folder if one is set."""
    day = day or date.today() - timedelta(days=1)
    if drop_folder is not None:
        files = drop_files(drop_folder, day)
        ingest(files.shipments, files.flows, db, materials)
    return score_day(db, day, rules, materials)
