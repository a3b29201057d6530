"""Ingest files into the store, one task per file."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from transship.errors import StoreLockedError
from transship.ingest.flows import ingest_flows
from transship.ingest.shipments import ingest_shipments
from transship.settings import Settings
from transship.storage.store import store

DEFAULT_DB = Settings().db


def _store_busy(task: object, run: object, state: object) -> bool:
    """Retry only when another process holds the store; a bad file will not get better."""
    try:
        state.result()  # type: ignore[attr-defined]
    except StoreLockedError:
        return True
    except Exception:
        return False
    return False


@task(retries=3, retry_delay_seconds=30, retry_condition_fn=_store_busy, cache_policy=NO_CACHE)
def ingest_file(db: Path, path: Path, kind: str) -> dict[str, object]:
    with store(db) as con:
        loader = (
            ingest_shipments(con, [path])
            if kind == "shipments"
            else ingest_flows(con, [path], "canonical")
        )
        [result] = list(loader)
    get_run_logger().info(result.summary())
    return {
        "file": str(path),
        "rows_in": result.rows_in,
        "loaded": result.rows_loaded,
        "quarantined": result.rows_quarantined,
        "already_loaded": result.already_loaded,
    }


@flow(name="transship-ingest")
def ingest(
    shipments: list[Path] | None = None,
    trade_flows: list[Path] | None = None,
    db: Path = DEFAULT_DB,
) -> list[dict[str, object]]:
    """Load shipment files and canonical trade-statistics files, one task per file."""
    done = [ingest_file(db, path, "shipments") for path in shipments or []]
    done += [ingest_file(db, path, "flows") for path in trade_flows or []]
    return done
