"""Access to the project's SQL files (``sql/`` in a checkout, ``transship/sql`` in a wheel).

Every statement transship runs is one of these files, loaded by name; values are bound
parameters. A table or column name cannot be a parameter: a file that needs one leaves a
slot, ``{{ table }}``, that ``load`` fills with the name quoted by ``quoted``, the one place
where a name enters SQL text.
"""

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from transship.errors import IdentifierError

_PACKAGED = Path(__file__).parent.parent / "sql"
_CHECKOUT = Path(__file__).parent.parent.parent / "sql"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SLOT = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def sql_root() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT


@cache
def _text(name: str) -> str:
    return (sql_root() / f"{name}.sql").read_text(encoding="utf-8")


def quoted(name: str) -> str:
    """``name`` as a quoted SQL identifier. Only plain names (letters, digits and
    underscores, not starting with a digit) are accepted: anything else is refused rather
    than escaped, as transship's own tables and columns never need more."""
    if not _IDENTIFIER.fullmatch(name):
        raise IdentifierError(
            f"{name!r} is not a plain table or column name (letters, digits, underscores)"
        )
    return f'"{name}"'


def load(name: str, **identifiers: str | Sequence[str]) -> str:
    """The text of ``sql/<name>.sql`` (``name`` may include a subfolder).

    Each slot ``{{ slot }}`` in the file takes the identifier given as ``slot=``, quoted; a
    sequence of names becomes a comma-separated list. Every slot must be given, and only
    slots the file has.
    """
    text = _text(name)
    slots = set(_SLOT.findall(text))
    if slots != set(identifiers):
        raise IdentifierError(
            f"sql/{name}.sql has the slots {sorted(slots)} but was given {sorted(identifiers)}"
        )
    if not slots:
        return text

    def fill(match: re.Match[str]) -> str:
        value = identifiers[match[1]]
        names = [value] if isinstance(value, str) else list(value)
        if not names:
            raise IdentifierError(f"sql/{name}.sql: no name given for {{{{ {match[1]} }}}}")
        return ", ".join(quoted(n) for n in names)

    return _SLOT.sub(fill, text)


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> Any:
    """The single value a query returns (None when it returns no row)."""
    rows = con.execute(query, params).fetchall()
    return rows[0][0] if rows else None


def sql_frame(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> pl.DataFrame:
    """A query's result as a polars frame."""
    result: pl.DataFrame = con.sql(query, params=params).pl()
    return result
