"""Reading flags back: the listing behind `transship flags`, exports and evaluation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from transship.errors import TransshipError
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    import duckdb
    import polars as pl

EXPORT_FORMATS = ("table", "csv", "json")
STATUSES = ("open", "confirmed", "dismissed", "escalated")
LEVELS = ("shipment", "corridor")


class FlagQueryError(TransshipError):
    """A flag listing was asked for with options that cannot work."""

    exit_code = 2


def list_flags(
    con: duckdb.DuckDBPyConnection,
    since: date | None = None,
    until: date | None = None,
    status: str | None = None,
    min_score: float = 0.0,
    level: str | None = None,
    limit: int | None = None,
) -> pl.DataFrame:
    """Flags ranked by score; every filter is a bound parameter."""
    if status is not None and status not in STATUSES:
        raise FlagQueryError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    if level is not None and level not in LEVELS:
        raise FlagQueryError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    if since and until and until < since:
        raise FlagQueryError(f"--until {until} is before --since {since}")
    return sql_frame(
        con,
        load("flags/flag_listing"),
        {
            "since": since,
            "until": until,
            "status": status,
            "min_score": min_score,
            "level": level,
            "limit": limit if limit is not None else 2**62,
        },
    )


def export_flags(frame: pl.DataFrame, fmt: str, out: Path) -> None:
    if fmt == "csv":
        frame.write_csv(out)
    elif fmt == "json":
        frame.write_json(out)
    else:
        raise FlagQueryError(f"cannot write format {fmt!r} to a file; use csv or json")
