"""Monthly summaries kept at ingest, and the nightly profiles built from them: equal to
profiles rebuilt from every stored shipment."""

from __future__ import annotations

import shutil
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from tests.conftest import TINY_WORLD
from transship.detectors import DetectorConfig
from transship.features.build import Reference
from transship.features.controls import code_events
from transship.features.monthly import month_runs, refresh_monthly
from transship.features.profiles import (
    code_profile,
    control_phase,
    corridor_profile,
    exporter_profile,
    importer_profile,
    new_pairs,
    trader_months,
)
from transship.ingest.shipments import ingest_shipments
from transship.run.pipeline import detect, profile_rows
from transship.storage.sql import sql_frame
from transship.storage.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

KEYS = {
    "profile_corridors": ["import_country", "origin_country", "code_level", "code", "month"],
    "profile_codes": ["import_country", "hs6", "month"],
    "profile_exporters": ["import_country", "exporter"],
    "profile_importers": ["import_country", "importer"],
}
SUMMARIES = {
    "monthly_corridors": ["import_country", "origin_country", "code_level", "code", "month"],
    "monthly_codes": ["import_country", "hs6", "month"],
    "monthly_traders": ["import_country", "exporter", "importer", "origin_country", "month"],
    "monthly_shipment_hashes": ["import_country", "month"],
}


def rebuilt(con: duckdb.DuckDBPyConnection, until: date) -> dict[str, pl.DataFrame]:
    """The profile tables rebuilt from every stored shipment up to ``until`` (what the
    runs wrote before the summaries), origin switches aside."""
    shipments = sql_frame(
        con, "SELECT * FROM shipments WHERE arrival_date <= $until", {"until": until}
    )
    reference = Reference.load(con)
    controls = code_events(reference.controlled, reference.events)
    traders = trader_months(shipments)
    return {
        "profile_corridors": pl.concat(
            [
                control_phase(corridor_profile(shipments, level), level, controls)
                .rename({level: "code"})
                .with_columns(code_level=pl.lit(level))
                for level in ("hs6", "hs4")
            ],
            how="vertical_relaxed",
        ),
        "profile_codes": code_profile(shipments),
        "profile_exporters": exporter_profile(traders, shipments)
        .join(new_pairs(traders), on=["import_country", "exporter"], how="left")
        .with_columns(pl.col("new_pairs_90d").fill_null(0)),
        "profile_importers": importer_profile(traders),
    }


def stored(con: duckdb.DuckDBPyConnection, table: str, keys: list[str]) -> pl.DataFrame:
    return con.table(table).pl().sort(keys, nulls_last=True)


def hashes_of_every_shipment(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """``monthly_shipment_hashes`` computed again from every stored shipment."""
    return sql_frame(
        con,
        "SELECT import_country, date_trunc('month', arrival_date)::DATE AS month, "
        "count(*) AS shipments, bit_xor(hash(shipment_id, arrival_date, importer, exporter, "
        "origin_country, export_country, port_of_lading, port_of_unlading, hs_code, "
        "description, weight_kg, value_usd, transport_mode)) AS row_hash "
        "FROM shipments GROUP BY ALL ORDER BY import_country, month",
    )


def assert_profiles_rebuilt(con: duckdb.DuckDBPyConnection, until: date) -> None:
    for table, frame in rebuilt(con, until).items():
        keys = KEYS[table]
        expected = frame.sort(keys, nulls_last=True)
        actual = stored(con, table, keys).select(expected.columns)
        expected = expected.cast(dict(actual.schema))
        assert actual.height > 0
        # Sums over months add in another order than sums over shipments: equal to the
        # last bits of a double.
        assert_frame_equal(actual, expected, check_dtypes=False, rel_tol=1e-12, abs_tol=1e-9)


def copy_of(store: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    shutil.copy(store, tmp_path / "store.duckdb")
    return open_store(tmp_path / "store.duckdb")


def late_filings(folder: Path) -> Path:
    """Three shipments of the tiny world filed again, late, under new ids in 2024-02."""
    rows = pl.read_csv(TINY_WORLD / "shipments.csv", infer_schema=False).head(3)
    path = folder / "late.csv"
    rows.with_columns(
        shipment_id=pl.lit("LATE") + pl.col("shipment_id"),
        arrival_date=pl.lit("2024-02-10"),
        weight_kg=pl.lit("777.5"),
    ).write_csv(path)
    return path


def test_nightly_profiles_equal_a_rebuild_from_every_shipment(
    two_country_store: Path, tmp_path: Path
) -> None:
    con = copy_of(two_country_store, tmp_path)
    config = DetectorConfig.load()
    # Nights in order, a late filing for an old month between two of them, and a rerun of
    # an earlier day (profiles as of that day: later months are not in them).
    for day in (date(2026, 10, 28), date(2026, 10, 29)):
        detect(con, day, day, config, kind="nightly")
        assert_profiles_rebuilt(con, day)
    # A night writes only the rows that changed: a stored row it would not write (a trader
    # gone, a value changed by hand) is still replaced or removed.
    con.execute("UPDATE profile_exporters SET weight_kg = -1 WHERE rowid % 3 = 0")
    con.execute(
        "INSERT INTO profile_importers SELECT * REPLACE ('NOBODY' AS importer) "
        "FROM profile_importers LIMIT 1"
    )
    con.execute("DELETE FROM profile_corridors WHERE rowid % 5 = 0")
    detect(con, date(2026, 10, 29), date(2026, 10, 29), config, kind="nightly")
    assert_profiles_rebuilt(con, date(2026, 10, 29))
    [late] = list(ingest_shipments(con, [late_filings(tmp_path)]))
    assert late.rows_loaded == 3
    # The months' row hashes (stored fits' fingerprints) hold the late rows too.
    assert_frame_equal(
        stored(con, "monthly_shipment_hashes", SUMMARIES["monthly_shipment_hashes"]),
        hashes_of_every_shipment(con),
    )
    for day in (date(2026, 10, 31), date(2025, 6, 16)):
        detect(con, day, day, config, kind="nightly")
        assert_profiles_rebuilt(con, day)
    con.close()


def test_monthly_summaries_are_idempotent_and_catch_up(
    two_country_store: Path, tmp_path: Path
) -> None:
    con = copy_of(two_country_store, tmp_path)
    before = {table: stored(con, table, keys) for table, keys in SUMMARIES.items()}
    assert all(frame.height > 0 for frame in before.values())
    # A file ingested again loads nothing and recomputes nothing.
    [again] = list(ingest_shipments(con, [TINY_WORLD / "shipments.csv"]))
    assert again.already_loaded
    assert refresh_monthly(con) == 0
    # Summaries lost (an ingest stopped after its commit, or a store older than them) are
    # recomputed, the same, by the next refresh: every month of every batch.
    con.execute("DELETE FROM aggregated_batches")
    con.execute("DELETE FROM monthly_traders WHERE month >= DATE '2025-01-01'")
    con.execute("DELETE FROM monthly_shipment_hashes WHERE month < DATE '2025-01-01'")
    assert refresh_monthly(con) == before["monthly_codes"]["month"].n_unique()
    for table, keys in SUMMARIES.items():
        assert_frame_equal(stored(con, table, keys), before[table])
    # The same rows whether months are read together or one at a time.
    con.execute("DELETE FROM aggregated_batches")
    refresh_monthly(con, rows=1)
    for table, keys in SUMMARIES.items():
        assert_frame_equal(stored(con, table, keys), before[table])
    con.close()


def test_traders_summed_in_the_store_equal_their_polars_definition(
    two_country_store: Path, tmp_path: Path
) -> None:
    con = copy_of(two_country_store, tmp_path)
    keys = SUMMARIES["monthly_traders"]
    expected = trader_months(sql_frame(con, "SELECT * FROM shipments")).sort(keys, nulls_last=True)
    actual = stored(con, "monthly_traders", keys).select(expected.columns)
    assert actual.height == expected.height > 0
    # The store sums in parallel, in another order than polars: equal to the last bits.
    assert_frame_equal(actual, expected, check_dtypes=False, rel_tol=1e-12, abs_tol=1e-9)
    con.close()


def test_month_runs_are_consecutive_months_within_the_row_bound() -> None:
    months = pl.DataFrame(
        {
            "month": [
                date(2024, 11, 1),
                date(2024, 12, 1),
                date(2025, 1, 1),
                date(2025, 2, 1),
                date(2025, 6, 1),
                date(2025, 7, 1),
            ],
            "shipments": [3, 4, 2, 9, 1, 1],
        }
    )
    assert month_runs(months, rows=9) == [
        (date(2024, 11, 1), date(2025, 1, 1)),
        # Alone above the bound; then a gap starts a new run.
        (date(2025, 2, 1), date(2025, 2, 1)),
        (date(2025, 6, 1), date(2025, 7, 1)),
    ]
    assert month_runs(months, rows=100) == [
        (date(2024, 11, 1), date(2025, 2, 1)),
        (date(2025, 6, 1), date(2025, 7, 1)),
    ]


def test_profile_numbers_that_differ_only_in_their_last_bits_are_written_alike() -> None:
    # The store sums a trader's months in parallel, in no fixed order: the same months can
    # give 978.5 or the double next to it, and the row would be rewritten every night.
    frame = pl.DataFrame(
        {
            "exporter": ["A", "B", "C"],
            "shipments": [7, 2, 1],
            "weight_kg": [978.5, 740197.1, 1 / 3],
            "growth": [2.0, 1.25, 0.1 + 0.2],
        }
    )
    noisy = frame.with_columns(
        pl.Series("weight_kg", np.nextafter(frame["weight_kg"].to_numpy(), np.inf)),
        pl.Series("growth", np.nextafter(frame["growth"].to_numpy(), 0.0)),
    )
    assert not noisy.equals(frame)
    assert_frame_equal(profile_rows(noisy), profile_rows(frame))
    assert_frame_equal(profile_rows(frame), frame, rel_tol=1e-12)
