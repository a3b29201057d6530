from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import FIXTURES, count, write
from transship.errors import InputFileError, MissingColumnsError, UnknownFormatError
from transship.ingest.flows import ingest_flows
from transship.storage.checks import run_checks

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb


def ingest(con: duckdb.DuckDBPyConnection, path: Path, fmt: str):  # type: ignore[no-untyped-def]
    [result] = ingest_flows(con, [path], fmt)
    return result


def test_comtrade_duplicates_breakdowns_and_m49_codes(con: duckdb.DuckDBPyConnection) -> None:
    result = ingest(con, FIXTURES / "flows" / "comtrade" / "comtrade_extract_2024.csv", "comtrade")
    assert result.rows_in == 12
    assert result.reasons == {"exact_duplicate": 1, "breakdown_row": 2, "unknown_country": 1}
    # The year comes from the file name; 842 is Comtrade's code for the US, 0 the World.
    rows = con.execute(
        "SELECT period, reporter, partner, flow, value_usd, weight_kg FROM trade_flows "
        "WHERE hs6 = '811010' AND reporter = 'US' ORDER BY partner"
    ).fetchall()
    assert rows == [
        ("2024", "US", "CN", "import", 1_040_000.0, 49_000.0),
        ("2024", "US", "TH", "import", 3_010_000.0, 178_000.0),
        ("2024", "US", "WLD", "import", 5_200_000.0, None),
    ]
    assert run_checks(con) == []


def test_comtrade_without_year_in_column_or_name_is_refused(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write(tmp_path / "extract.csv", "reporter,partner,cmd,flow,value\n842,764,811010,M,1\n")
    with pytest.raises(InputFileError, match="no year column"):
        ingest(con, path, "comtrade")


def test_comtrade_restores_leading_zero_of_hs_codes(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "c.csv",
        "year,reporter,partner,cmd,flow,value,netwgt\n2022,842,764,81110,M,10,1\n",
    )
    ingest(con, path, "comtrade")
    assert con.execute("SELECT hs6 FROM trade_flows").fetchall() == [("081110",)]


def test_china_monthly_zero_quantity_keeps_value_with_unknown_weight(
    con: duckdb.DuckDBPyConnection,
) -> None:
    result = ingest(
        con, FIXTURES / "flows" / "china-monthly" / "china_exports_sample.csv", "china-monthly"
    )
    assert result.reasons == {"unknown_country": 1}
    rows = con.execute(
        "SELECT period, reporter, partner, flow, value_usd, weight_kg FROM trade_flows "
        "WHERE partner = 'BE'"
    ).fetchall()
    assert rows == [("2024-10", "CN", "BE", "export", 610_000.0, None)]


def test_canonical_flows_validate_period_and_flow(con: duckdb.DuckDBPyConnection) -> None:
    result = ingest(
        con, FIXTURES / "flows" / "canonical" / "us_imports_by_partner_2024.csv", "canonical"
    )
    assert (result.rows_loaded, result.reasons) == (5, {"bad_period": 1, "bad_flow": 1})
    assert count(con, "SELECT count(*) FROM trade_flows WHERE partner = 'CN'") == 1
    messages = [
        m for (m,) in con.execute("SELECT message FROM quarantine ORDER BY source_line").fetchall()
    ]
    assert "line 7: period '2024-13' is not YYYY or YYYY-MM" in messages[0]
    assert "line 8: flow 'imported' is not import, export" in messages[1]


def test_same_flow_in_a_later_file_is_not_double_counted(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    header = "period,reporter,partner,flow,hs6,value_usd\n"
    ingest(con, write(tmp_path / "a.csv", header + "2024-01,US,TH,import,282580,10\n"), "canonical")
    second = ingest(
        con, write(tmp_path / "b.csv", header + "2024-01,US,TH,import,282580,12\n"), "canonical"
    )
    assert second.reasons == {"duplicate_key": 1}
    assert count(con, "SELECT sum(value_usd) FROM trade_flows") == 10


def test_unknown_format_and_missing_columns(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    with pytest.raises(UnknownFormatError, match="known formats: canonical, comtrade"):
        list(ingest_flows(con, [tmp_path / "x.csv"], "eurostat"))
    path = write(tmp_path / "x.csv", "period,reporter\n2024,US\n")
    with pytest.raises(MissingColumnsError, match="partner, flow, hs6, value_usd"):
        ingest(con, path, "canonical")
