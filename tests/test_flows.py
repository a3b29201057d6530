"""Prefect flows on the tiny world, under one temporary Prefect API for the session."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import REPO, TINY_WORLD
from transship.detectors import DetectorConfig
from transship.run.pipeline import detect
from transship.storage.store import open_store


def _flags(path: Path) -> pl.DataFrame:
    con = open_store(path, read_only=True)
    frame = con.sql(
        "SELECT flag_id, score, reasons FROM flags WHERE level = 'shipment' ORDER BY flag_id"
    ).pl()
    con.close()
    return frame


def test_nightly_ingests_its_drop_and_scores_the_day(prefect_api: None, tmp_path: Path) -> None:
    from transship.flows import nightly

    day = date(2025, 5, 21)  # a day with flags in the tiny world
    drop = tmp_path / "drop"
    for kind, name in (("shipments", "shipments.csv"), ("flows", "flows.csv")):
        (drop / day.isoformat() / kind).mkdir(parents=True)
        shutil.copy(TINY_WORLD / name, drop / day.isoformat() / kind / name)
    db = tmp_path / "nightly.duckdb"
    summary = nightly(day=day, db=db, drop_folder=drop)
    arrived = pl.read_csv(TINY_WORLD / "shipments.csv", try_parse_dates=True).filter(
        pl.col("arrival_date") == day
    )
    assert summary["shipments_scored"] == arrived.height
    assert summary["shipment_flags"] == 3

    library = tmp_path / "library.duckdb"
    shutil.copy(db, library)
    con = open_store(library)
    con.execute("DELETE FROM flags")
    detect(con, day, day, DetectorConfig.load(), kind="nightly")
    con.close()
    assert_frame_equal(_flags(db), _flags(library))
    runs = open_store(db, read_only=True)
    assert runs.execute("SELECT kind, status FROM runs").fetchall() == [("nightly", "completed")]
    runs.close()


def test_backfill_flow_equals_the_library_backfill(
    prefect_api: None, tiny_store: Path, tmp_path: Path
) -> None:
    from transship.flows import backfill

    db = tmp_path / "flow.duckdb"
    shutil.copy(tiny_store, db)
    summary = backfill(start=date(2024, 10, 1), end=date(2025, 3, 31), db=db)
    assert summary["shipments_scored"] > 0
    # The session store was backfilled over the whole world with the same detectors;
    # this range's flags must be exactly its flags for the range.
    con = open_store(db, read_only=True)
    in_range = con.sql(
        "SELECT flag_id, score, reasons FROM flags WHERE level = 'shipment' "
        "AND run_id = (SELECT max(run_id) FROM runs) ORDER BY flag_id"
    ).pl()
    con.close()
    whole = open_store(tiny_store, read_only=True)
    expected = whole.sql(
        "SELECT flag_id, score, reasons FROM flags WHERE level = 'shipment' "
        "AND flag_date BETWEEN DATE '2024-10-01' AND DATE '2025-03-31' ORDER BY flag_id"
    ).pl()
    whole.close()
    assert in_range.height > 0
    assert_frame_equal(in_range, expected)


def test_ingest_flow_is_idempotent(prefect_api: None, tmp_path: Path) -> None:
    from transship.flows import ingest

    db = tmp_path / "ingest.duckdb"
    first = ingest(shipments=[TINY_WORLD / "shipments.csv"], db=db)
    again = ingest(shipments=[TINY_WORLD / "shipments.csv"], db=db)
    assert first[0]["loaded"] == 4452 and not first[0]["already_loaded"]
    assert again[0]["already_loaded"]


def test_the_nightly_schedule() -> None:
    from transship.flows.schedule import deployment_parameters, nightly_schedule

    schedule = nightly_schedule(timezone="Europe/Brussels")
    assert schedule.cron == "0 2 * * *" and schedule.timezone == "Europe/Brussels"
    assert nightly_schedule("30 1 * * *").cron == "30 1 * * *"
    assert deployment_parameters(Path("s.duckdb"), Path("/drop")) == {
        "db": "s.duckdb",
        "drop_folder": "/drop",
    }
    assert deployment_parameters(Path("s.duckdb"), materials=Path("/mine")) == {
        "db": "s.duckdb",
        "materials": "/mine",
    }


def test_prefect_loads_the_checkout_nightly_entrypoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """`prefect deploy flows/nightly.py:nightly` (README, `transship schedule show`) loads the
    file by path from the repository root; its imports must resolve there."""
    from prefect.flows import load_flow_from_entrypoint

    from transship.flows import nightly

    monkeypatch.chdir(REPO)
    # Without use_placeholder_flow=False a failed import falls back to a placeholder
    # parsed from the file, and the deployment would only break on the worker.
    loaded = load_flow_from_entrypoint("flows/nightly.py:nightly", use_placeholder_flow=False)
    assert Path(loaded.fn.__code__.co_filename).resolve() == REPO / "flows" / "nightly.py"
    assert loaded.name == nightly.name
    assert loaded.parameters == nightly.parameters


def test_the_warnings_task_writes_each_countrys_digest(tiny_store: Path, tmp_path: Path) -> None:
    import json

    from transship.early_warning import WarningSettings, warning_digest
    from transship.early_warning.report import headlines
    from transship.flows.early_warning import country_digest, importing_countries

    folder = tmp_path / "2025-01"
    report = country_digest(tiny_store, "us", "2024-12", WarningSettings(), folder)
    con = open_store(tiny_store, read_only=True)
    digest = warning_digest(con, "US", "2024-12")
    con.close()
    assert report.import_country == "US" and report.warnings == digest.warnings.height > 0
    assert report.top == headlines(digest, 10)
    assert sorted(p.name for p in folder.iterdir()) == [
        "warnings-US.csv",
        "warnings-US.json",
        "warnings-US.skipped.csv",
    ]
    written = json.loads((folder / "warnings-US.json").read_text())
    assert [w["message"] for w in written["warnings"]] == digest.warnings["message"].to_list()
    assert report.report()["files"] == [str(p) for p in report.files]
    assert importing_countries(tiny_store, None) == ["US"]
    assert importing_countries(tiny_store, ["us", " JP", "US"]) == ["US", "JP"]


def test_the_warnings_folder_is_named_by_month(tmp_path: Path) -> None:
    from transship.errors import EarlyWarningError
    from transship.flows.early_warning import month_folder

    assert month_folder(tmp_path, None, date(2026, 3, 20)) == tmp_path / "2026-03"
    assert month_folder(tmp_path, "2025-12") == tmp_path / "2025-12"
    for bad in ("2025-13", "../x", "2025-1"):
        with pytest.raises(EarlyWarningError, match="month must be YYYY-MM"):
            month_folder(tmp_path, bad)


def test_the_monthly_warnings_flow_writes_a_folder_for_the_month(
    prefect_api: None, tiny_store: Path, tmp_path: Path
) -> None:
    from transship.flows import monthly_warnings

    reports = monthly_warnings(
        import_countries=["US", "JP"],
        since="2024-12",
        month="2025-01",
        db=tiny_store,
        out_folder=tmp_path,
    )
    assert [r["import_country"] for r in reports] == ["US", "JP"]
    assert all(r["since"] == "2024-12" for r in reports)
    month = tmp_path / "2025-01"
    for country in ("US", "JP"):
        assert (month / f"warnings-{country}.json").exists()
        assert (month / f"warnings-{country}.csv").exists()


def test_the_warnings_schedule_and_schedule_show() -> None:
    from typer.testing import CliRunner

    from transship.cli import app
    from transship.flows.schedule import warnings_parameters, warnings_schedule

    schedule = warnings_schedule(timezone="Europe/Brussels")
    assert schedule.cron == "0 3 20 * *" and schedule.timezone == "Europe/Brussels"
    assert warnings_parameters(Path("s.duckdb"), ["us", "JP"], Path("/reports")) == {
        "db": "s.duckdb",
        "import_countries": ["US", "JP"],
        "out_folder": "/reports",
    }
    from transship.flows.schedule import deployments, nightly_schedule

    served = deployments(
        nightly_schedule(), {"db": "s.duckdb"}, schedule, {"db": "s.duckdb", "since": "2024-01"}
    )
    assert [(d.name, d.entrypoint) for d in served] == [
        ("transship-nightly", "transship/flows/nightly.py:nightly"),
        ("transship-warnings", "transship/flows/early_warning.py:monthly_warnings"),
    ]
    assert served[1].parameters == {"db": "s.duckdb", "since": "2024-01"}
    assert "'0 3 20 * *'" in str(served[1].schedules)
    shown = CliRunner().invoke(
        app, ["schedule", "show", "--timezone", "UTC", "--import-country", "KR"]
    )
    assert shown.exit_code == 0, shown.output
    assert "cron '0 2 * * *' in UTC" in shown.output
    assert "deployment: transship-warnings" in shown.output
    assert "cron '0 3 20 * *' in UTC" in shown.output
    assert "'import_countries': ['KR']" in shown.output
    assert "prefect deploy flows/early_warning.py:monthly_warnings -n transship-warnings" in (
        shown.output
    )


def test_prefect_loads_the_checkout_warnings_entrypoint(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.flows import load_flow_from_entrypoint

    from transship.flows import monthly_warnings

    monkeypatch.chdir(REPO)
    loaded = load_flow_from_entrypoint(
        "flows/early_warning.py:monthly_warnings", use_placeholder_flow=False
    )
    assert Path(loaded.fn.__code__.co_filename).resolve() == REPO / "flows" / "early_warning.py"
    assert loaded.name == monthly_warnings.name == "transship-warnings"
    assert loaded.parameters == monthly_warnings.parameters


def test_the_flows_install_the_materials_folder_given_or_set(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_materials import UNOBTAINIUM, installed, write_folder
    from transship.flows import ingest

    db = tmp_path / "materials.duckdb"
    mine = write_folder(tmp_path / "mine", {"unobtainium.toml": UNOBTAINIUM})
    ingest(shipments=[TINY_WORLD / "shipments.csv"], db=db, materials=mine)
    assert installed(db, "unobtainium") == 1
    theirs = write_folder(
        tmp_path / "theirs", {"kryptonite.toml": UNOBTAINIUM.replace("unobtainium", "kryptonite")}
    )
    monkeypatch.setenv("TRANSSHIP_MATERIALS", str(theirs))
    ingest(trade_flows=[TINY_WORLD / "flows.csv"], db=db)
    assert installed(db, "kryptonite") == 1 and installed(db, "unobtainium") == 0
