"""Flags from a backfill: stable ids, reruns that replace, reviews that survive, the CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.conftest import backfill_tiny, count
from transship.cli import app
from transship.detectors import DetectorConfig
from transship.entities.resolve import NOT_RESOLVED
from transship.run.flags import FlagQueryError, list_flags
from transship.run.fusion import NAMED_FROM, explain
from transship.run.pipeline import DateRangeError, detect
from transship.storage.store import open_store

if TYPE_CHECKING:
    import duckdb

runner = CliRunner()


def _flags(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("SELECT flag_id, shipment_id, score, status FROM flags ORDER BY flag_id").pl()


def test_backfill_writes_flags_with_reasons_and_a_run(tiny_store: Path) -> None:
    con = open_store(tiny_store, read_only=True)
    flags = list_flags(con)
    assert flags.height > 0
    assert set(flags["level"]) == {"shipment", "corridor"}
    assert (flags["score"] >= DetectorConfig.load().fusion["threshold"]).all()
    assert flags["reasons"].str.len_chars().min() > 30
    assert flags["severity"].is_in(["low", "medium", "high"]).all()
    run = con.execute("SELECT status, shipments_scored, flags_written FROM runs").fetchall()
    assert run == [("completed", 4452, flags.height)]
    con.close()


def test_rerun_replaces_flags_and_keeps_reviews(
    copied_tiny_store: duckdb.DuckDBPyConnection,
) -> None:
    con = copied_tiny_store
    before = _flags(con)
    reviewed = before["flag_id"][0]
    con.execute("UPDATE flags SET status = 'confirmed' WHERE flag_id = ?", [reviewed])
    backfill_tiny(con, DetectorConfig.load())
    detect(con, date(2025, 1, 1), date(2025, 3, 31), DetectorConfig.load())
    after = _flags(con)
    assert after.drop("status").equals(before.drop("status"))
    assert after.filter(pl.col("flag_id") == reviewed)["status"].item() == "confirmed"
    assert count(con, "SELECT count(*) FROM runs WHERE status = 'completed'") == 3


def test_a_decided_flag_survives_when_the_rerun_no_longer_raises_it(
    copied_tiny_store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    con = copied_tiny_store
    con.execute(
        "UPDATE flags SET status = 'dismissed' WHERE flag_id = "
        "(SELECT min(flag_id) FROM flags WHERE level = 'shipment')"
    )
    strict = tmp_path / "rules.toml"
    default = DetectorConfig.load()
    strict.write_text(
        Path(default.source).read_text().replace("threshold = 50.0", "threshold = 99.9")
    )
    default_flags = count(con, "SELECT count(*) FROM flags")
    # A stricter threshold is another detector version: its flags are new rows. They
    # supersede the old version's open flags of the range; the decided one stays.
    stricter = DetectorConfig.load(strict)
    backfill_tiny(con, stricter)
    assert count(con, "SELECT count(*) FROM flags WHERE status = 'dismissed'") == 1
    old = "SELECT count(*) FROM flags WHERE detector_version = ?"
    assert count(con, old, [default.version]) == 1
    assert count(con, old, [stricter.version]) < default_flags - 1
    twice = (
        "SELECT count(*) FROM (SELECT shipment_id FROM flags WHERE level = 'shipment' "
        "AND status = 'open' GROUP BY ALL HAVING count(*) > 1)"
    )
    assert count(con, twice) == 0
    backfill_tiny(con, default)
    assert count(con, "SELECT count(*) FROM flags WHERE status = 'dismissed'") == 1
    assert count(con, old, [stricter.version]) == 0
    assert count(con, "SELECT count(*) FROM flags") == default_flags


def test_flag_ids_are_stable_for_the_same_shipment_and_version(
    copied_tiny_store: duckdb.DuckDBPyConnection,
) -> None:
    con = copied_tiny_store
    ids = set(_flags(con)["flag_id"])
    con.execute("DELETE FROM flags")
    backfill_tiny(con, DetectorConfig.load())
    assert set(_flags(con)["flag_id"]) == ids


def test_end_before_start_is_refused(copied_tiny_store: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(DateRangeError, match="before the start"):
        detect(copied_tiny_store, date(2025, 2, 1), date(2025, 1, 1), DetectorConfig.load())


def test_a_range_without_shipments_is_a_warning(
    copied_tiny_store: duckdb.DuckDBPyConnection,
) -> None:
    result = detect(copied_tiny_store, date(2030, 1, 1), date(2030, 1, 31), DetectorConfig.load())
    assert result.shipments_scored == 0
    # The tiny store was never resolved: the run says so once, and scores by spelling.
    assert result.warnings == [
        NOT_RESOLVED,
        "no stored shipments arrived between 2030-01-01 and 2030-01-31",
    ]


def test_filters_are_bound_and_validated(tiny_store: Path) -> None:
    con = open_store(tiny_store, read_only=True)
    high = list_flags(con, min_score=80, since=date(2025, 1, 1))
    assert (high["score"] >= 80).all() and (high["arrival_date"] >= date(2025, 1, 1)).all()
    with pytest.raises(FlagQueryError, match="unknown status"):
        list_flags(con, status="open'; DROP TABLE flags; --")
    with pytest.raises(FlagQueryError, match="before"):
        list_flags(con, since=date(2025, 2, 1), until=date(2025, 1, 1))
    assert count(con, "SELECT count(*) FROM flags") > 0
    con.close()


def test_flags_command_exports_csv_and_json(tiny_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "flags.csv"
    result = runner.invoke(
        app,
        [
            "flags",
            "--db",
            str(tiny_store),
            "--level",
            "shipment",
            "--format",
            "csv",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and {
        "flag_id",
        "shipment_id",
        "arrival_date",
        "origin_country",
        "hs_code",
        "score",
        "severity",
        "detectors",
        "reasons",
    } <= set(rows[0])
    shown = runner.invoke(
        app, ["flags", "--db", str(tiny_store), "--format", "json", "--limit", "3"]
    )
    assert shown.exit_code == 0
    assert len(json.loads(shown.stdout)) == 3
    bad = runner.invoke(app, ["flags", "--db", str(tiny_store), "--since", "2025-13-01"])
    assert bad.exit_code == 2 and "not a date" in bad.output


def test_backfill_command_reports_and_validates(tiny_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "s.duckdb"
    copy.write_bytes(tiny_store.read_bytes())
    ok = runner.invoke(
        app, ["backfill", "--db", str(copy), "--start", "2025-01-01", "--end", "2025-01-31"]
    )
    assert ok.exit_code == 0, ok.output
    assert "shipments scored" in ok.output
    backwards = runner.invoke(
        app, ["backfill", "--db", str(copy), "--start", "2025-02-01", "--end", "2025-01-01"]
    )
    assert backwards.exit_code == 2 and "before the start date" in backwards.output


def test_explain_ranks_names_and_keeps_every_contributing_detector() -> None:
    explained = explain(
        [("surge", 1.0, 0.02), ("capacity", 0.5, 0.3), ("silent", 0.0, 0.0), ("routing", 0.9, 0.3)]
    )
    assert explained.ranked == ["capacity", "routing", "surge"]
    assert explained.detectors == "capacity,routing"
    assert json.loads(explained.contributions) == {
        "capacity": {"score": 0.5, "contribution": 0.3},
        "routing": {"score": 0.9, "contribution": 0.3},
        "surge": {"score": 1.0, "contribution": 0.02},
    }
    assert NAMED_FROM > 0.02


def test_every_level_states_its_detectors_the_same_way(tiny_store: Path) -> None:
    con = open_store(tiny_store, read_only=True)
    flags = con.execute("SELECT level, basis, detectors, contributions FROM flags").fetchall()
    con.close()
    kinds = {(level, basis) for level, basis, _, _ in flags}
    assert kinds == {
        ("shipment", "shipments"),
        ("corridor", "shipments"),
        ("corridor", "statistics"),
    }
    for _, _, detectors, stored in flags:
        parts = json.loads(stored)
        assert parts and all(set(part) == {"score", "contribution"} for part in parts.values())
        shares = [part["contribution"] for part in parts.values()]
        assert shares == sorted(shares, reverse=True)
        named = detectors.split(",")
        assert named == list(parts)[: len(named)]
        assert all(parts[name]["contribution"] >= NAMED_FROM for name in named)
        assert all(share <= NAMED_FROM for share in shares[len(named) :])
