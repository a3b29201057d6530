from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pytest

from tests.conftest import FIXTURES, SHIPMENT_HEADER, count, write
from transship.errors import (
    InputFileError,
    LostRowsError,
    MappingError,
    MissingColumnsError,
    UnknownCountryError,
)
from transship.ingest.mapping import load_mapping
from transship.ingest.shared import korea_customs_mapping
from transship.ingest.shipments import ingest_shipments
from transship.storage.checks import run_checks
from transship.storage.store import default_import_country, set_default_import_country

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

GOOD = (
    "S1,2025-01-05,Acme,Thai Oxide,TH,TH,,Long Beach,2825.80.0000,ANTIMONY OXIDE,,,1000,45000,sea"
)


def ingest(con: duckdb.DuckDBPyConnection, *paths: Path, **kwargs):  # type: ignore[no-untyped-def]
    return list(ingest_shipments(con, list(paths), **kwargs))


def reasons(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0] for r in con.execute("SELECT reason FROM quarantine ORDER BY source_line").fetchall()
    ]


def test_fixture_file_rows_are_loaded_or_quarantined_with_reasons(
    con: duckdb.DuckDBPyConnection,
) -> None:
    [result] = ingest(con, FIXTURES / "shipments" / "us_imports_2025q1.csv")
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (56, 48, 8)
    assert reasons(con) == [
        "bad_date",
        "unknown_country",
        "non_positive_weight",
        "bad_hs_code",
        "duplicate_id",
        "negative_value",
        "malformed_line",
        "missing_value",
    ]
    assert run_checks(con) == []


def test_quarantine_message_names_column_value_expectation_and_line(
    con: duckdb.DuckDBPyConnection,
) -> None:
    ingest(con, FIXTURES / "shipments" / "us_imports_2025q1.csv")
    line, column, value, message, raw = con.execute(
        "SELECT source_line, column_name, bad_value, message, raw_record FROM quarantine "
        "WHERE reason = 'unknown_country'"
    ).fetchall()[0]
    assert (line, column, value) == (51, "origin_country", "Atlantis")
    assert message.startswith("line 51: origin_country 'Atlantis' is not a known ISO 3166")
    assert '"shipment_id":"US-2025-09002"' in raw


def test_a_row_with_several_problems_lists_them_all(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    bad = "S9,2025-01-05,,,Narnia,,,,12,,,,0,-3,sea"
    ingest(con, write(tmp_path / "s.csv", f"{SHIPMENT_HEADER}\n{bad}\n"))
    [(message,)] = con.execute("SELECT message FROM quarantine").fetchall()
    assert "Narnia" in message and "hs_code '12'" in message
    assert "weight_kg 0 must be greater than 0" in message and "value_usd -3" in message


def test_same_file_twice_loads_nothing_new(con: duckdb.DuckDBPyConnection) -> None:
    path = FIXTURES / "shipments" / "us_imports_2025q1.csv"
    [first] = ingest(con, path)
    [second] = ingest(con, path)
    assert second.already_loaded and second.batch_id == first.batch_id
    assert "nothing new loaded" in second.summary()
    assert count(con, "SELECT count(*) FROM shipments") == 48
    assert count(con, "SELECT count(*) FROM ingest_batches") == 1


def test_id_already_in_store_is_quarantined_not_overwritten(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    ingest(con, write(tmp_path / "a.csv", f"{SHIPMENT_HEADER}\n{GOOD}\n"))
    changed = GOOD.replace("45000", "99999")
    [result] = ingest(con, write(tmp_path / "b.csv", f"{SHIPMENT_HEADER}\n{changed}\n"))
    assert result.reasons == {"duplicate_id": 1}
    assert count(con, "SELECT value_usd FROM shipments WHERE shipment_id = 'S1'") == 45000
    [(message,)] = con.execute("SELECT message FROM quarantine").fetchall()
    assert "already in the store from batch 1" in message


def test_repeated_and_stored_ids_keep_their_problems_once_the_batch_is_inserted(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """The rows without a problem are inserted before the others' problems are listed, so
    the store then holds the batch's own ids: a row left out still gets the problems it
    had against the store and the file as they were before the insert."""
    ingest(con, write(tmp_path / "first.csv", SHIPMENT_HEADER + "\n" + GOOD + "\n"))
    rows = [
        GOOD,  # in the store from batch 1
        GOOD,  # and repeated in this file
        GOOD.replace("S1,", "S2,").replace(",1000,", ",-5,"),
        GOOD.replace("S1,", "S2,"),  # a good row repeating a bad one
        GOOD.replace("S1,", "S3,"),
        GOOD.replace("S1,", "S3,").replace("2025-01-05", "2025-02-30"),
        GOOD.replace("S1,", "S4,"),
    ]
    [result] = ingest(con, write(tmp_path / "second.csv", "\n".join([SHIPMENT_HEADER, *rows])))
    assert (result.rows_loaded, result.rows_quarantined) == (2, 5)
    loaded = con.execute("SELECT shipment_id, source_line FROM shipments WHERE batch_id = 2")
    assert sorted(loaded.fetchall()) == [("S3", 6), ("S4", 8)]
    messages = con.execute("SELECT message FROM quarantine ORDER BY source_line").fetchall()
    again = "appears again; first on line {} of this file, which was loaded instead"
    assert [m[0] for m in messages] == [
        "line 2: shipment_id 'S1' is already in the store from batch 1; stored rows are "
        "never overwritten",
        f"line 3: shipment_id 'S1' {again.format(2)}",
        "line 4: weight_kg -5 must be greater than 0",
        f"line 5: shipment_id 'S2' {again.format(4)}",
        "line 7: arrival_date '2025-02-30' is not a date YYYY-MM-DD; shipment_id 'S3' "
        f"{again.format(6)}",
    ]


def test_missing_required_columns_refuse_the_file_and_write_nothing(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write(tmp_path / "s.csv", "shipment_id,arrival_date,hs_code\nS1,2025-01-01,282580\n")
    with pytest.raises(MissingColumnsError) as error:
        ingest(con, path)
    assert "origin_country, weight_kg, value_usd" in str(error.value)
    assert count(con, "SELECT count(*) FROM ingest_batches") == 0
    assert count(con, "SELECT count(*) FROM quarantine") == 0


def test_empty_file_is_an_empty_batch(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    [result] = ingest(con, write(tmp_path / "empty.csv", ""))
    assert (result.rows_in, result.rows_loaded) == (0, 0)
    assert result.notes == ["the file is empty"]


def test_header_only_file_loads_nothing(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    [result] = ingest(con, write(tmp_path / "h.csv", SHIPMENT_HEADER + "\n"))
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (0, 0, 0)


def test_latin1_bom_whitespace_and_quoted_newlines(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    latin = write(
        tmp_path / "latin.csv",
        " shipment_id , arrival_date , origin_country , hs_code , weight_kg , value_usd \n"
        " L1 , 2025-02-11 , México , 2825 80 , 12000 , 168000 \n",
        encoding="latin-1",
    )
    bom = write(
        tmp_path / "bom.csv",
        "\ufeffshipment_id,arrival_date,origin_country,hs_code,description,weight_kg,value_usd\n"
        'B1,2025-03-20,Hong Kong,8112.92,"GALLIUM\nIN AMPOULES",18,12600\n'
        "B2,2025-03-21,HKG,8112.92,GALLIUM,19,13300\n",
    )
    results = ingest(con, latin, bom)
    assert [r.rows_loaded for r in results] == [1, 2]
    rows = con.execute(
        "SELECT shipment_id, origin_country, hs_code, description, source_line FROM shipments "
        "ORDER BY shipment_id"
    ).fetchall()
    assert rows == [
        ("B1", "HK", "811292", "GALLIUM\nIN AMPOULES", 2),
        ("B2", "HK", "811292", "GALLIUM", 3),
        ("L1", "MX", "282580", None, 2),
    ]
    assert con.execute("SELECT encoding FROM ingest_batches ORDER BY batch_id").fetchall() == [
        ("latin-1",),
        ("utf-8",),
    ]


def test_surrounding_spaces_do_not_hide_a_repeated_id_or_fill_an_empty_value(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "spaces.csv",
        "shipment_id,arrival_date,origin_country,hs_code,weight_kg,value_usd\n"
        "S1,2025-01-05,TH,282580,1000,45000\n"
        "  S1 ,2025-01-06,TH,282580,1000,45000\n"
        "S2,2025-01-07,TH,282580,   ,45000\n",
    )
    [result] = ingest(con, path)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    assert con.execute(
        "SELECT source_line, reason, column_name FROM quarantine ORDER BY source_line"
    ).fetchall() == [(3, "duplicate_id", "shipment_id"), (4, "missing_value", "weight_kg")]


@pytest.mark.parametrize("latin_row_at", [0, 30_000], ids=["in-header", "past-first-megabyte"])
def test_a_latin1_file_is_read_as_latin1_wherever_its_first_accent_is(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, latin_row_at: int
) -> None:
    """The start of a file is checked for UTF-8 before reading; a later line that is not
    UTF-8 makes DuckDB reject it, and the whole file is then read again as Latin-1."""
    header = "shipment_id,arrival_date,origin_country,hs_code,weight_kg,value_usd"
    if latin_row_at == 0:
        header += ",remarque_émise"
    rows = [
        f"S{i},2025-01-05,TH,282580,1000,45000" + (",x" if not latin_row_at else "")
        for i in range(max(latin_row_at, 2))
    ]
    rows.append("L1,2025-01-06,México,282580,1000,45000" + (",é" if not latin_row_at else ""))
    path = write(tmp_path / "latin.csv", header + "\n" + "\n".join(rows) + "\n", "latin-1")
    assert latin_row_at == 0 or path.stat().st_size > 1 << 20
    [result] = ingest(con, path)
    assert (result.rows_in, result.rows_loaded) == (len(rows), len(rows))
    assert con.execute("SELECT encoding FROM ingest_batches").fetchall() == [("latin-1",)]
    assert con.execute(
        "SELECT origin_country FROM shipments WHERE shipment_id = 'L1'"
    ).fetchall() == [("MX",)]


def test_parquet_input(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    pl.DataFrame(
        {
            "shipment_id": ["P1", "P2"],
            "arrival_date": [date(2025, 1, 2), date(2025, 1, 3)],
            "origin_country": ["THA", "XX"],
            "hs_code": ["282580", "282580"],
            "weight_kg": [10.0, 5.0],
            "value_usd": [150.0, 90.0],
        }
    ).write_parquet(path)
    [result] = ingest(con, path)
    assert (result.rows_loaded, result.reasons) == (1, {"unknown_country": 1})
    assert con.execute("SELECT encoding FROM ingest_batches").fetchall() == [("utf-8",)]


def test_unreadable_csv_is_refused_with_a_clear_message(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    mixed = write(
        tmp_path / "mixed.csv", f"{SHIPMENT_HEADER}\r\n{GOOD}\n{GOOD.replace('S1', 'S2')}\n"
    )
    with pytest.raises(InputFileError, match=r"mixed\s+line endings"):
        ingest(con, mixed)
    assert count(con, "SELECT count(*) FROM ingest_batches") == 0


def test_korean_declarations_through_the_shipped_mapping(con: duckdb.DuckDBPyConnection) -> None:
    [result] = ingest(
        con, FIXTURES / "korea" / "korea_declarations_sample.csv", mapping=korea_customs_mapping()
    )
    assert (result.rows_loaded, result.reasons) == (4, {"non_positive_weight": 1})
    row = con.execute(
        "SELECT importer, exporter, origin_country, export_country, hs6, value_usd, "
        "port_of_unlading FROM shipments WHERE shipment_id = '10000002'"
    ).fetchall()[0]
    assert row == (
        "IMP0002",
        "SEL0002",
        "CN",
        "HK",
        "811292",
        pytest.approx(9_500_000 * 0.000862),
        "KR",
    )
    assert con.execute("SELECT mapping FROM ingest_batches").fetchall() == [("korea-customs",)]
    # The mapping's constant says they are imports into Korea.
    assert con.execute("SELECT DISTINCT import_country FROM shipments").fetchall() == [("KR",)]


def test_the_importing_country_comes_from_the_file_the_mapping_or_the_store(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    header = f"{SHIPMENT_HEADER},import_country"
    rows = [
        GOOD.replace("S1,", "J1,") + ",JPN",
        GOOD.replace("S1,", "K1,") + ", Korea ",
        GOOD.replace("S1,", "D1,") + ",",
        GOOD.replace("S1,", "N1,") + ",Narnia",
    ]
    [result] = ingest(con, write(tmp_path / "vendor.csv", "\n".join([header, *rows]) + "\n"))
    assert (result.rows_loaded, result.reasons) == (3, {"unknown_country": 1})
    [(column, value, message)] = con.execute(
        "SELECT column_name, bad_value, message FROM quarantine"
    ).fetchall()
    assert (column, value) == ("import_country", "Narnia")
    assert "import_country 'Narnia' is not a known ISO 3166" in message
    # A file without the column, or a row leaving it blank, is in the store's default.
    set_default_import_country(con, "Japan")
    ingest(con, write(tmp_path / "plain.csv", f"{SHIPMENT_HEADER}\n{GOOD}\n"))
    countries = dict(con.execute("SELECT shipment_id, import_country FROM shipments").fetchall())
    assert countries == {"J1": "JP", "K1": "KR", "D1": "US", "S1": "JP"}
    assert run_checks(con) == []


def test_the_default_importing_country_must_be_a_country(con: duckdb.DuckDBPyConnection) -> None:
    assert default_import_country(con) == "US"
    with pytest.raises(UnknownCountryError, match="'Narnia' is not a known"):
        set_default_import_country(con, "Narnia")
    assert default_import_country(con) == "US"
    assert set_default_import_country(con, "kor") == "KR"


def test_mapping_errors_are_named(tmp_path: Path) -> None:
    bad = write(tmp_path / "m.toml", 'name = "x"\n[columns]\nshipment_no = "ID"\n')
    with pytest.raises(MappingError, match="unknown canonical columns \\['shipment_no'\\]"):
        load_mapping(bad)
    with pytest.raises(MappingError, match="not valid TOML"):
        load_mapping(write(tmp_path / "n.toml", "name = \n"))
    with pytest.raises(MappingError, match="does not exist"):
        load_mapping(tmp_path / "absent.toml")


def test_a_batch_that_would_lose_rows_is_rolled_back_whole(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows in = loaded + quarantined is checked before every commit: a validation that
    flagged a row without quarantining it (a bug) loses nothing, it refuses the batch."""
    from transship.ingest import shipments

    path = write(tmp_path / "s.csv", SHIPMENT_HEADER + "\n" + GOOD + "\n")
    list_problems = shipments._list_problems

    def problems_with_a_phantom(*args, **kwargs):  # type: ignore[no-untyped-def]
        list_problems(*args, **kwargs)
        args[0].execute(
            "INSERT INTO problem_rows SELECT 1, 2, [{'reason': 'x', 'column_name': NULL, "
            "'bad_value': NULL, 'message': 'x'}] FROM range(2)"
        )

    monkeypatch.setattr(shipments, "_list_problems", problems_with_a_phantom)
    with pytest.raises(LostRowsError, match="1 rows in but 1 loaded \\+ 2 quarantined"):
        ingest(con, path)
    for table in ("shipments", "quarantine", "ingest_batches"):
        assert count(con, f"SELECT count(*) FROM {table}") == 0  # noqa: S608


def test_ingest_writes_no_view_into_the_store(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """The working views over a file are temporary: the store keeps only its own schema."""

    def stored_views() -> int:
        return count(
            con, "SELECT count(*) FROM duckdb_views() WHERE NOT internal AND NOT temporary"
        )

    before = stored_views()
    ingest(con, write(tmp_path / "s.csv", SHIPMENT_HEADER + "\n" + GOOD + "\n"))
    ingest(con, FIXTURES / "shipments" / "us_imports_2025q1.csv")
    assert stored_views() == before


def test_a_file_text_is_released_after_its_ingest(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Loaded or refused, a file's working tables are dropped: a nightly run scores in the
    same process right after ingesting its drop."""
    working = (
        "SELECT count(*) FROM duckdb_tables() WHERE table_name IN "
        "('raw_text', 'raw_rejects', 'problem_rows')"
    )
    ingest(con, FIXTURES / "shipments" / "us_imports_2025q1.csv")
    assert count(con, working) == 0
    with pytest.raises(MissingColumnsError):
        ingest(con, write(tmp_path / "bad.csv", "shipment_id,hs_code\nS1,282580\n"))
    assert count(con, working) == 0
