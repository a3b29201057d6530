"""Ingest files into the store, one task per file."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from duckdb import DuckDBPyConnection
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from transship.errors import StoreLockedError
from transship.ingest.flows import ingest_flows
from transship.ingest.shipments import ingest_shipments
from transship.settings import Settings
from transship.storage.store import store

DEFAULT_DB = Settings().db


def flow_store(db: Path, materials: Path | None) -> AbstractContextManager[DuckDBPyConnection]:
    """The store as every flow opens it, with the materials folder given, else
    TRANSSHIP_MATERIALS: a deployment reads the setting where it runs."""
    return store(db, materials=materials if materials is not None else Settings().materials)


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
def ingest_file(db: Path, path: Path, kind: str, materials: Path | None) -> dict[str, object]:
    with flow_store(db, materials) as con:
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
    materials: Path | None = None,
) -> list[dict[str, object]]:
    """Load shipment files and canonical trade-statistics files, one task per file."""
    done = [ingest_file(db, path, "shipments", materials) for path in shipments or []]
    done += [ingest_file(db, path, "flows", materials) for path in trade_flows or []]
    return done
