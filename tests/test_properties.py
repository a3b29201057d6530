"""Properties that must hold for any input (hypothesis): of ingest, and of the trader
features keyed by entity (point in time, whatever the spellings and the model's links)."""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pycountry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from tests.conftest import SHIPMENT_HEADER, count
from tests.test_entity_features import (
    brute_force,
    counts_of,
    features,
    membership_frame,
    shipments,
)
from transship.entities.clusters import Link, Spelling, memberships
from transship.features.entities import Entities
from transship.ingest.shipments import ingest_shipments
from transship.storage.checks import run_checks
from transship.storage.store import open_store

if TYPE_CHECKING:
    import duckdb

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


# Trader entities: a few spellings per role, shipments on random days, random links.
ROLE_SPELLINGS = {"exporter": ["E0", "E1", "E2", "E3"], "importer": ["I0", "I1", "I2"]}
traded = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=150),
        st.integers(min_value=0, max_value=3),
        st.integers(min_value=0, max_value=2),
        st.sampled_from([20.0, 80.0, 400.0, 3000.0]),
    ),
    min_size=1,
    max_size=14,
)
linked = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),
        st.integers(min_value=0, max_value=3),
        st.floats(min_value=0.95, max_value=1.0),
    ),
    max_size=6,
)


def _world(rows: list[tuple[int, int, int, float]]) -> pl.DataFrame:
    start = date(2025, 1, 1)
    return shipments(
        [
            (
                start + timedelta(days=day),
                ROLE_SPELLINGS["exporter"][e],
                ROLE_SPELLINGS["importer"][i],
                kg,
            )
            for day, e, i, kg in rows
        ]
    )


def _resolved(frame: pl.DataFrame, links: dict[str, list[tuple[int, int, float]]]) -> Entities:
    """The entities ``clusters`` makes of the frame's spellings and the links between
    those of them the frame has seen."""
    parts = []
    for role, names in ROLE_SPELLINGS.items():
        seen = dict(frame.group_by(role).agg(pl.col("arrival_date").min()).iter_rows())
        spellings = [Spelling(i, seen[n], n) for i, n in enumerate(names) if n in seen]
        periods = memberships(spellings, [Link(a, b, p) for a, b, p in links[role]])
        parts += [
            (role, names[p.key], role + names[p.founder], p.valid_from, p.valid_to) for p in periods
        ]
    return Entities(membership_frame(parts), counts_of(frame))


@settings(max_examples=60, deadline=None)
@given(rows=traded, exporter_links=linked, importer_links=linked, cut_day=st.integers(0, 150))
def test_entity_features_are_exact_and_point_in_time(
    rows: list[tuple[int, int, int, float]],
    exporter_links: list[tuple[int, int, float]],
    importer_links: list[tuple[int, int, float]],
    cut_day: int,
) -> None:
    links = {
        "exporter": exporter_links,
        "importer": [(a % 3, b % 3, p) for a, b, p in importer_links],
    }
    frame = _world(rows)
    entities = _resolved(frame, links)
    full = features(frame, entities)
    # Each shipment counts exactly the history its entity held on its own day.
    assert_frame_equal(full, brute_force(frame, entities))
    # A store that stopped before the cut, spellings first seen later and all, gives
    # the shipments before it the same features.
    cut = date(2025, 1, 1) + timedelta(days=cut_day)
    before = frame.filter(pl.col("arrival_date") < cut)
    if before.height:
        earlier = features(before, _resolved(before, links))
        assert_frame_equal(full.join(before, on="row", how="semi"), earlier)
