"""A mapping's [attributes]: source columns kept beside the shipment, typed, quarantined
like any other value when they do not parse."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import FIXTURES, count, write
from transship.errors import MappingError, MissingColumnsError
from transship.ingest.mapping import load_mapping
from transship.ingest.shared import korea_customs_mapping
from transship.ingest.shipments import ingest_shipments

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

HEADER = "ID,Date,Origin,HS,Kg,Value,Office,Rate,Agent"
MAPPING = """
name = "with-attributes"
[columns]
shipment_id = "ID"
arrival_date = "Date"
origin_country = "Origin"
hs_code = "HS"
weight_kg = "Kg"
value_usd = "Value"
[attributes]
customs_office = { column = "Office", kind = "category" }
tax_rate = { column = "rate", kind = "number" }
agent = { column = "Agent", kind = "identifier" }
"""


def mapping(tmp_path: Path, text: str = MAPPING) -> object:
    return load_mapping(write(tmp_path / "mapping.toml", text))


def test_attributes_are_kept_typed_beside_the_shipment(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    data = write(
        tmp_path / "in.csv",
        f"{HEADER}\nA1,2024-01-02,CN,811292,10,100, 30 ,8.5,AG1\n"
        "A2,2024-01-02,CN,811292,10,100,,0,\n",
    )
    [result] = ingest_shipments(con, [data], mapping(tmp_path))  # type: ignore[arg-type]
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    rows = con.execute(
        "SELECT shipment_id, name, kind, text_value, number_value FROM shipment_attributes "
        "ORDER BY shipment_id, name"
    ).fetchall()
    # Empty values are not stored; text is trimmed; the batch is the shipment's.
    assert rows == [
        ("A1", "agent", "identifier", "AG1", None),
        ("A1", "customs_office", "category", "30", None),
        ("A1", "tax_rate", "number", "8.5", 8.5),
        ("A2", "tax_rate", "number", "0", 0.0),
    ]
    assert count(con, "SELECT count(DISTINCT batch_id) FROM shipment_attributes") == 1


def test_a_number_attribute_that_does_not_parse_quarantines_its_row(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    data = write(
        tmp_path / "in.csv",
        f"{HEADER}\nA1,2024-01-02,CN,811292,10,100,30,8.5,AG1\n"
        "A2,2024-01-02,CN,811292,10,100,30,eight,AG2\n"
        "A3,2024-01-02,ZZ,811292,10,100,30,nan,AG3\n",
    )
    [result] = ingest_shipments(con, [data], mapping(tmp_path))  # type: ignore[arg-type]
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    quarantined = con.execute(
        "SELECT source_line, reason, message FROM quarantine ORDER BY source_line"
    ).fetchall()
    assert quarantined[0] == (3, "bad_number", "line 3: Rate 'eight' is not a number")
    # The contract's problem comes first; the attribute's is added to it.
    assert quarantined[1][1] == "unknown_country"
    assert quarantined[1][2].endswith("; Rate 'nan' is not a number")
    # Nothing of a quarantined row is loaded: its attributes stay in its raw record.
    assert con.execute("SELECT DISTINCT shipment_id FROM shipment_attributes").fetchall() == [
        ("A1",)
    ]
    assert (
        '"Agent":"AG2"'
        in con.execute("SELECT raw_record FROM quarantine WHERE source_line = 3").fetchall()[0][0]
    )


def test_a_file_without_an_attribute_column_is_refused(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    data = write(tmp_path / "in.csv", "ID,Date,Origin,HS,Kg,Value,Office\n")
    with pytest.raises(MissingColumnsError, match=r"attributes tax_rate \('rate'\), agent"):
        list(ingest_shipments(con, [data], mapping(tmp_path)))  # type: ignore[arg-type]
    assert count(con, "SELECT count(*) FROM ingest_batches") == 0


@pytest.mark.parametrize(
    ("attributes", "said"),
    [
        ('Tax = { column = "Rate", kind = "number" }', "must be lower-case letters"),
        ('hs_code = { column = "HS", kind = "category" }', "are canonical columns"),
        ('rate = { column = "Rate", kind = "money" }', "attributes.rate.kind"),
    ],
)
def test_bad_attributes_are_refused_naming_them(tmp_path: Path, attributes: str, said: str) -> None:
    text = 'name = "x"\n[columns]\nshipment_id = "ID"\n[attributes]\n' + attributes + "\n"
    with pytest.raises(MappingError, match=said):
        mapping(tmp_path, text)


def test_korean_declarations_keep_their_other_columns(con: duckdb.DuckDBPyConnection) -> None:
    sample = FIXTURES / "korea" / "korea_declarations_sample.csv"
    [result] = ingest_shipments(con, [sample], korea_customs_mapping())
    assert result.rows_loaded == 4
    kept = dict(
        con.execute(
            "SELECT name, text_value FROM shipment_attributes WHERE shipment_id = '10000002'"
        ).fetchall()
    )
    assert kept == {
        "customs_office": "40",
        "process_type": "B",
        "import_type": "11",
        "import_use": "21",
        "payment_type": "11",
        "mode_of_transport": "40",
        "declarant": "DCL0002",
        "tax_rate": "3.0",
        "tax_type": "A",
        "origin_indicator": "Y",
    }
    # The inspection outcomes are not attributes: a model must not read its own labels.
    assert count(con, "SELECT count(*) FROM shipment_attributes WHERE name LIKE '%fraud%'") == 0
