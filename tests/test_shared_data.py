"""The real public data sets in ../shared/data load with every row accounted for."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from tests.conftest import SHARED_DATA
from transship.ingest.shared import load_shared_data
from transship.storage.checks import run_checks
from transship.storage.store import open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import duckdb

    from transship.ingest.batch import IngestResult

pytestmark = pytest.mark.skipif(
    not SHARED_DATA.is_dir(), reason=f"shared data not found at {SHARED_DATA}"
)


def data_rows(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return sum(1 for _ in handle) - 1


@dataclass
class Loaded:
    con: duckdb.DuckDBPyConnection
    results: list[IngestResult]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    con = open_store(tmp_path_factory.mktemp("shared") / "shared.duckdb")
    yield Loaded(con, list(load_shared_data(con, SHARED_DATA)))
    con.close()


@pytest.fixture
def shared_store(loaded: Loaded) -> duckdb.DuckDBPyConnection:
    return loaded.con


def test_every_row_of_every_file_is_accounted_for(loaded: Loaded) -> None:
    results = loaded.results
    assert len(results) == 6
    for result in results:
        assert result.rows_in == data_rows(result.path), result.path
        assert result.rows_in == result.rows_loaded + result.rows_quarantined
    assert run_checks(loaded.con) == []


def test_comtrade_facts_of_the_data_readme(shared_store: duckdb.DuckDBPyConnection) -> None:
    tonnes = {
        (period, partner): round(kg / 1000)
        for period, partner, kg in shared_store.execute(
            "SELECT period, partner, weight_kg FROM trade_flows WHERE source = 'comtrade' "
            "AND reporter = 'US' AND flow = 'import' AND hs6 = '811010' "
            "AND partner IN ('TH', 'CN')"
        ).fetchall()
    }
    assert tonnes == {
        ("2022", "TH"): 805,
        ("2024", "TH"): 1782,
        ("2022", "CN"): 2356,
        ("2024", "CN"): 493,
    }
    ratios = dict(
        shared_store.execute(
            "SELECT us.period, us.value_usd / cn.value_usd FROM trade_flows us "
            "JOIN trade_flows cn ON cn.period = us.period AND cn.hs6 = us.hs6 "
            "AND cn.reporter = 'CN' AND cn.partner = 'US' AND cn.flow = 'export' "
            "WHERE us.reporter = 'US' AND us.partner = 'CN' AND us.flow = 'import' "
            "AND us.hs6 = '811292'"
        ).fetchall()
    )
    assert round(ratios["2022"], 1) == 3.4 and round(ratios["2024"], 1) == 5.5


def test_china_monthly_hub_exports(shared_store: duckdb.DuckDBPyConnection) -> None:
    millions = {
        (year, partner): round(value / 1e6, 1)
        for year, partner, value in shared_store.execute(
            "SELECT left(period, 4), partner, sum(value_usd) FROM trade_flows "
            "WHERE source = 'china-monthly' AND hs6 = '811292' GROUP BY ALL"
        ).fetchall()
    }
    assert millions[("2024", "HK")] == 242.8 and millions[("2023", "HK")] == 100.4
    assert millions[("2024", "MY")] == 15.2 and millions[("2024", "BE")] == 6.8


def test_korean_declarations_load_through_the_mapping(loaded: Loaded) -> None:
    korean = [r for r in loaded.results if r.kind == "shipments"]
    assert sum(r.rows_in for r in korean) == 54_000
    assert sum(r.rows_loaded for r in korean) > 50_000
