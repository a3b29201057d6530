"""The one SQL rule: statements live in sql/ files, and a name enters SQL text only quoted."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

import pytest

from tests.conftest import REPO, count
from transship.errors import IdentifierError
from transship.storage.sql import load, quoted

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

HOSTILE = [
    'shipments"; DROP TABLE shipments; --',
    "shipments; DROP TABLE shipments",
    "ref_hs --",
    "a b",
    "1table",
    "",
    "naïve",
    '"quoted"',
]


def test_plain_names_are_double_quoted() -> None:
    assert quoted("ref_hs") == '"ref_hs"'
    assert quoted("_Profile2") == '"_Profile2"'


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_name_is_refused_and_nothing_runs(
    con: duckdb.DuckDBPyConnection, name: str
) -> None:
    with pytest.raises(IdentifierError, match="not a plain table or column name"):
        quoted(name)
    with pytest.raises(IdentifierError):
        con.execute(load("checks/not_null", table=name, column="hs6"))
    with pytest.raises(IdentifierError):
        load("checks/unique", table="shipments", columns=["shipment_id", name])
    assert count(con, "SELECT count(*) FROM shipments") == 0


def test_slots_take_quoted_names_and_lists() -> None:
    text = load("checks/unique", table="trade_flows", columns=["source", "period"])
    assert 'SELECT "source", "period"' in text
    assert 'FROM "trade_flows"' in text
    assert "{{" not in text


def test_slots_must_match_the_names_given() -> None:
    with pytest.raises(IdentifierError, match="slots"):
        load("checks/not_null", table="shipments")
    with pytest.raises(IdentifierError, match="slots"):
        load("checks/not_null", table="shipments", column="hs6", extra="x")
    with pytest.raises(IdentifierError, match="slots"):
        load("store/read_meta", table="store_meta")
    with pytest.raises(IdentifierError, match="no name"):
        load("checks/unique", table="shipments", columns=[])


_STATEMENT = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+REPLACE\s+)?INTO|DELETE\s+FROM|UPDATE\s+\w+\s+SET"
    r"|CREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+)?(TABLE|VIEW|MACRO)|DROP\s+(TABLE|VIEW)"
    r"|ALTER\s+TABLE)\b",
    re.DOTALL,
)


def _sql_in_python(path: Path) -> list[str]:
    """Lines of the string literals (f-strings included, docstrings aside) that read as SQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            text = node.value
        else:
            continue
        if _STATEMENT.search(text):
            found.add(f"{path.relative_to(REPO)}:{node.lineno}")
    return sorted(found)


def test_no_sql_is_written_in_python() -> None:
    modules = [*(REPO / "transship").rglob("*.py"), *(REPO / "flows").glob("*.py")]
    found = [line for path in sorted(modules) for line in _sql_in_python(path)]
    assert found == []
