"""What is in the store, in a few numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    import duckdb
    import polars as pl


@dataclass(frozen=True)
class StoreSummary:
    tables: pl.DataFrame
    batches: pl.DataFrame
    quarantine: pl.DataFrame
    top_origins: pl.DataFrame


def store_summary(con: duckdb.DuckDBPyConnection) -> StoreSummary:
    return StoreSummary(
        tables=con.sql(load("summary/table_counts")).pl(),
        batches=con.sql(load("summary/recent_batches")).pl(),
        quarantine=con.sql(load("summary/quarantine_reasons")).pl(),
        top_origins=con.sql(load("summary/top_origins")).pl(),
    )


def quarantined_rows(
    con: duckdb.DuckDBPyConnection, batch_id: int | None, reason: str | None, limit: int
) -> pl.DataFrame:
    rows: pl.DataFrame = con.sql(
        load("summary/quarantined_rows"),
        params={"batch_id": batch_id, "reason": reason, "limit": limit},
    ).pl()
    return rows


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int) -> pl.DataFrame:
    return sql_frame(con, load("summary/recent_runs"), {"limit": limit})
