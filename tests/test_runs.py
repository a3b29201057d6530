"""Runs over date ranges: backfill equals nightly day by day, ranges compose, kills heal."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import TINY_WORLD, count, empty_copy
from transship.detectors import DetectorConfig
from transship.ingest.shipments import ingest_shipments
from transship.run.pipeline import detect, partitions
from transship.storage.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

START, END = date(2025, 3, 27), date(2025, 4, 5)  # crosses a quarter, so a refit


def _shipment_flags(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Flags raised from shipments: shipment flags and monthly corridor flags."""
    return con.sql(
        "SELECT flag_id, level, shipment_id, score, severity, detectors, reasons FROM flags "
        "WHERE basis = 'shipments' ORDER BY flag_id"
    ).pl()


def _assert_both_levels(flags: pl.DataFrame) -> None:
    assert set(flags["level"]) == {"shipment", "corridor"}


@pytest.mark.parametrize("stored_fits", [True, False], ids=["stored-fits", "fitted-anew"])
def test_backfill_equals_nightly_for_each_day(
    tiny_store: Path, tmp_path: Path, stored_fits: bool
) -> None:
    """Nightly runs build features over their lookback only and reuse the quarter's stored
    fit (or fit it on the year before): the flags are still the backfill's."""
    config = DetectorConfig.load()
    backfilled = empty_copy(tiny_store, tmp_path, "backfill.duckdb", keep_fits=False)
    detect(backfilled, START, END, config)
    nightly = empty_copy(tiny_store, tmp_path, "nightly.duckdb", keep_fits=stored_fits)
    day = START
    while day <= END:
        detect(nightly, day, day, config, kind="nightly")
        day += timedelta(days=1)
    _assert_both_levels(_shipment_flags(backfilled))
    # A month's corridor flag counts the month's flagged shipments from earlier nights.
    assert_frame_equal(_shipment_flags(backfilled), _shipment_flags(nightly))


def test_adjacent_ranges_equal_one_range(tiny_store: Path, tmp_path: Path) -> None:
    config = DetectorConfig.load()
    whole = empty_copy(tiny_store, tmp_path, "whole.duckdb")
    detect(whole, date(2024, 11, 1), date(2025, 2, 28), config)
    _assert_both_levels(_shipment_flags(whole))
    in_order = empty_copy(tiny_store, tmp_path, "in_order.duckdb")
    detect(in_order, date(2024, 11, 1), date(2025, 1, 9), config)
    detect(in_order, date(2025, 1, 10), date(2025, 2, 28), config)
    assert_frame_equal(_shipment_flags(whole), _shipment_flags(in_order))
    # Run the other way round, shipment flags are the same too; January's corridor flag
    # then reflects January up to the 9th, the end of the last run that scored it.
    reversed_order = empty_copy(tiny_store, tmp_path, "reversed.duckdb")
    detect(reversed_order, date(2025, 1, 10), date(2025, 2, 28), config)
    detect(reversed_order, date(2024, 11, 1), date(2025, 1, 9), config)
    shipment_level = pl.col("level") == "shipment"
    assert_frame_equal(
        _shipment_flags(whole).filter(shipment_level),
        _shipment_flags(reversed_order).filter(shipment_level),
    )


def test_a_stored_fit_is_reused_until_its_history_changes(tiny_store: Path, tmp_path: Path) -> None:
    config = DetectorConfig.load()
    con = empty_copy(tiny_store, tmp_path, "fits.duckdb", keep_fits=False)
    quarter = date(2025, 4, 1)

    def stored() -> list[tuple[object, ...]]:
        return con.execute(
            "SELECT history_fingerprint, fitted_at FROM fitted_detectors WHERE quarter = ?",
            [quarter],
        ).fetchall()

    fitted = detect(con, END, END, config, kind="nightly")
    assert (fitted.fits_made, fitted.fits_reused) == (["2025-Q2"], [])
    assert "detectors fitted and stored for 2025-Q2" in fitted.summary()
    [first] = stored()
    reused = detect(con, END, END, config, kind="nightly")
    assert (reused.fits_made, reused.fits_reused) == ([], ["2025-Q2"])
    assert stored() == [first]
    # A late filing for a day before the quarter: the year the fit learned from changed.
    late = tmp_path / "late.csv"
    pl.read_csv(TINY_WORLD / "shipments.csv", infer_schema=False).head(1).with_columns(
        shipment_id=pl.lit("LATE-1"), arrival_date=pl.lit("2025-02-10")
    ).write_csv(late)
    [filed] = list(ingest_shipments(con, [late]))
    assert filed.rows_loaded == 1
    assert detect(con, END, END, config, kind="nightly").fits_made == ["2025-Q2"]
    [refitted] = stored()
    assert refitted[0] != first[0]
    assert refitted[1] > first[1]
    # A fit that cannot be read back is fitted again, not fatal.
    con.execute("UPDATE fitted_detectors SET detectors = 'not a pickle'::BLOB")
    assert detect(con, END, END, config, kind="nightly").fits_made == ["2025-Q2"]


def test_partitions_are_calendar_quarters() -> None:
    assert partitions(date(2024, 11, 15), date(2025, 4, 2)) == [
        (date(2024, 11, 15), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 4, 2)),
    ]


KILL_AT_SECOND_COMMIT = """
import os, signal, sys
from datetime import date
from pathlib import Path
import transship.run.pipeline as pipeline
from transship.detectors import DetectorConfig
from transship.storage.store import open_store

commits = []
original = pipeline._commit

def dying_commit(con):
    commits.append(1)
    if len(commits) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    original(con)

pipeline._commit = dying_commit
con = open_store(Path(sys.argv[1]))
pipeline.detect(con, date(2024, 11, 1), date(2025, 6, 30), DetectorConfig.load())
"""


def test_a_killed_backfill_leaves_a_consistent_store_and_a_rerun_completes(
    tiny_store: Path, tmp_path: Path
) -> None:
    config = DetectorConfig.load()
    reference = empty_copy(tiny_store, tmp_path, "reference.duckdb")
    detect(reference, date(2024, 11, 1), date(2025, 6, 30), config)
    expected = _shipment_flags(reference)

    killed = empty_copy(tiny_store, tmp_path, "killed.duckdb")
    killed.close()
    path = tmp_path / "killed.duckdb"
    done = subprocess.run([sys.executable, "-c", KILL_AT_SECOND_COMMIT, str(path)], check=False)
    assert done.returncode == -9
    con = open_store(path)
    # The first quarter committed; the second died before its commit.
    first_quarter = _shipment_flags(con)
    assert 0 < first_quarter.height < expected.height
    assert count(con, "SELECT count(*) FROM runs WHERE status = 'running'") == 1
    detect(con, date(2024, 11, 1), date(2025, 6, 30), config)
    assert_frame_equal(_shipment_flags(con), expected)
    statuses = con.execute("SELECT status, error FROM runs ORDER BY run_id").fetchall()
    assert statuses[0][0] == "failed" and "abandoned" in statuses[0][1]
    assert statuses[1] == ("completed", None)


def test_a_fit_fingerprint_follows_the_code_that_fits(
    tiny_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changed feature or detector module never reuses an older fit, even when the
    release number is the same (as in development)."""
    from transship.features.build import Reference
    from transship.run import fits

    con = open_store(tiny_store, read_only=True)
    config, reference, quarters = DetectorConfig.load(), Reference.load(con), [date(2025, 4, 1)]
    before = fits.history_fingerprints(con, quarters, ["US"], config, reference)
    assert fits.history_fingerprints(con, quarters, ["US"], config, reference) == before
    monkeypatch.setattr(fits, "code_digest", lambda: "edited")
    assert fits.history_fingerprints(con, quarters, ["US"], config, reference) != before
    con.close()
