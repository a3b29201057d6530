"""Access to the project's SQL files (``sql/`` in a checkout, ``transship/sql`` in a wheel)."""

from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

_PACKAGED = Path(__file__).parent.parent / "sql"
_CHECKOUT = Path(__file__).parent.parent.parent / "sql"


def sql_root() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


@cache
def load(name: str) -> str:
    """The text of ``sql/<name>.sql``; ``name`` may include a subfolder."""
    return (sql_root() / f"{name}.sql").read_text(encoding="utf-8")


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> Any:
    """The single value a query returns (None when it returns no row)."""
    rows = con.execute(query, params).fetchall()
    return rows[0][0] if rows else None


def sql_frame(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> pl.DataFrame:
    """A query's result as a polars frame."""
    result: pl.DataFrame = con.sql(query, params=params).pl()
    return result
