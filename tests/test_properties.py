"""Properties of ingest that must hold for any input (hypothesis)."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb
import pycountry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SHIPMENT_HEADER, count
from transship.ingest.shipments import ingest_shipments
from transship.storage.checks import run_checks
from transship.storage.store import open_store

COLUMNS = SHIPMENT_HEADER.split(",")
COUNTRY_SPELLINGS = [
    (spelling, c.alpha_2)
    for c in list(pycountry.countries)[::7]
    for spelling in (c.alpha_2, c.alpha_3, c.name, c.alpha_3.lower(), f"  {c.name.upper()} ")
]

messy_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
maybe_good_number = st.one_of(
    st.floats(min_value=-10, max_value=1e6, allow_nan=False).map(str), messy_text
)
row = st.fixed_dictionaries(
    {
        "shipment_id": st.one_of(st.sampled_from(["A", "B", "C", ""]), messy_text),
        "arrival_date": st.one_of(st.dates().map(str), messy_text),
        "origin_country": st.one_of(st.sampled_from([s for s, _ in COUNTRY_SPELLINGS]), messy_text),
        "hs_code": st.one_of(
            st.from_regex(r"[0-9]{4}\.?[0-9]{2}( ?[0-9]{0,4})", fullmatch=True), messy_text
        ),
        "weight_kg": maybe_good_number,
        "value_usd": maybe_good_number,
        "description": messy_text,
    }
)


def write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    # CRLF records make the csv module quote any value holding a CR or LF, as RFC 4180
    # requires; a bare CR in an unquoted value is malformed and the file is refused.
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def fresh_store(folder: Path) -> duckdb.DuckDBPyConnection:
    return open_store(folder / "store.duckdb")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, max_size=15))
def test_rows_in_equal_loaded_plus_quarantined_and_twice_is_once(
    rows: list[dict[str, str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.csv"
        write_rows(path, rows)
        con = fresh_store(Path(folder))
        [first] = ingest_shipments(con, [path])
        assert first.rows_in == len(rows)
        assert first.rows_in == first.rows_loaded + first.rows_quarantined
        assert count(con, "SELECT count(*) FROM shipments") == first.rows_loaded
        assert count(con, "SELECT count(*) FROM quarantine") == first.rows_quarantined
        before = con.execute("SELECT * FROM shipments ORDER BY shipment_id").fetchall()
        [second] = ingest_shipments(con, [path])
        assert second.already_loaded
        assert con.execute("SELECT * FROM shipments ORDER BY shipment_id").fetchall() == before
        assert run_checks(con) == []
        con.close()


@settings(max_examples=30, deadline=None)
@given(
    spelling=st.sampled_from(COUNTRY_SPELLINGS),
    hs_digits=st.from_regex(r"[0-9]{6,10}", fullmatch=True),
    separators=st.lists(st.sampled_from([".", " ", ""]), min_size=10, max_size=10),
)
def test_country_and_hs_normalisation(
    spelling: tuple[str, str], hs_digits: str, separators: list[str]
) -> None:
    written = "".join(d + sep for d, sep in zip(hs_digits, separators, strict=False)).strip(" .")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.csv"
        write_rows(
            path,
            [
                {
                    "shipment_id": "X",
                    "arrival_date": "2025-01-01",
                    "origin_country": spelling[0],
                    "hs_code": written,
                    "weight_kg": "1",
                    "value_usd": "1",
                }
            ],
        )
        con = fresh_store(Path(folder))
        [result] = ingest_shipments(con, [path])
        assert result.rows_loaded == 1, result.reasons
        assert con.execute("SELECT origin_country, hs_code, hs6 FROM shipments").fetchall() == [
            (spelling[1], hs_digits, hs_digits[:6])
        ]
        con.close()
