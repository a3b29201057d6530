"""Backfills computed as self-contained quarters: the same flags and scores on every
engine, retried quarters stored once, a killed coordinator's committed quarters kept, and
an unreachable Dask scheduler refused before anything is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import REPO, count, empty_copy
from tests.partition_faults import DiesOnce
from transship.detectors import DetectorConfig
from transship.run.backfill import EngineChoice, run_backfill
from transship.run.engines import (
    POOL_RESTARTS,
    DaskEngine,
    EngineError,
    EngineUnreachableError,
    PartitionFailedError,
    ProcessEngine,
)
from transship.run.partitions import Engine, detect_partitioned
from transship.run.pipeline import detect
from transship.storage.store import open_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import duckdb

# From mid-quarter (the first quarter is partial, as a user's range often starts) over
# three quarters.
START, END = date(2024, 11, 15), date(2025, 6, 30)
WORLD_START, WORLD_END = date(2023, 1, 1), date(2026, 10, 31)


def _flags(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every flag's content, ids and runs aside, in a set order."""
    return con.sql(
        "SELECT level, basis, import_country, shipment_id, flag_date, period, origin_country, "
        "hs_code, hs6, material, score, severity, detectors, contributions, reasons, status "
        "FROM flags ORDER BY ALL"
    ).pl()


def _profile(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    frame = con.table(table).pl()
    return frame.sort(frame.columns, nulls_last=True)


PROFILES = ("profile_corridors", "profile_codes", "profile_exporters", "profile_importers")


def _scores(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(
        "SELECT shipment_id, arrival_date, score, base_score, exact, chosen_for_learning "
        "FROM shipment_scores ORDER BY ALL"
    ).pl()


@pytest.fixture(autouse=True)
def _workers_import_the_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes start fresh: they find transship and these tests' helpers on the
    path the coordinator has."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))


@pytest.fixture(scope="module")
def local_cluster() -> Iterator[str]:
    """A Dask cluster of two single-threaded worker processes, started by this process."""
    from distributed import LocalCluster

    os.environ["PYTHONPATH"] = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield str(cluster.scheduler_address)


@pytest.fixture(scope="module")
def expected(
    tiny_store: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[pl.DataFrame, ...]:
    """Today's in-process backfill of the range, with no stored fits."""
    con = empty_copy(tiny_store, tmp_path_factory.mktemp("local"), "local.duckdb", keep_fits=False)
    detect(con, START, END, DetectorConfig.load())
    flags, scores = _flags(con), _scores(con)
    profiles = [_profile(con, table) for table in PROFILES]
    con.close()
    assert flags.height and scores.height
    assert set(flags["level"]) == {"shipment", "corridor"}
    assert profiles[3]["origin_switches"].is_not_null().any()
    return flags, scores, *profiles


@pytest.mark.parametrize(
    ("engine", "keep_fits", "quarters"),
    [
        ("processes-1", False, 1),
        ("processes-2", True, 1),
        ("processes-2", False, 2),
        ("dask", False, 1),
    ],
)
def test_every_engine_gives_the_same_flags_and_scores(
    tiny_store: Path,
    tmp_path: Path,
    expected: tuple[pl.DataFrame, ...],
    engine: str,
    keep_fits: bool,
    quarters: int,
    request: pytest.FixtureRequest,
) -> None:
    con = empty_copy(tiny_store, tmp_path, "store.duckdb", keep_fits=keep_fits)
    runner: Engine
    if engine == "dask":
        runner = DaskEngine(request.getfixturevalue("local_cluster")).connect()
    else:
        runner = ProcessEngine(int(engine.split("-")[1]))
    result = detect_partitioned(
        con,
        START,
        END,
        DetectorConfig.load(),
        runner,
        tmp_path / "x",
        None,
        quarters_per_partition=quarters,
    )
    assert_frame_equal(_flags(con), expected[0])
    assert_frame_equal(_scores(con), expected[1])
    # Profiles are summed from the store's rows in no set order: equal to the last bits.
    for profile, table in zip(expected[2:], PROFILES, strict=True):
        assert_frame_equal(_profile(con, table), profile, rel_tol=1e-12)
    assert bool(result.fits_made) != keep_fits
    # The export is the run's own: nothing is left for the next run to mistake for its own.
    assert not any((tmp_path / "x").iterdir())


def test_a_backfill_from_the_first_shipment_fits_its_first_quarter_on_nothing_as_in_process(
    tiny_store: Path, tmp_path: Path
) -> None:
    """The store's first quarter has no year before it: no stored features to fit on."""
    first, last = WORLD_START, date(2023, 6, 30)
    con = empty_copy(tiny_store, tmp_path, "local.duckdb", keep_fits=False)
    detect(con, first, last, DetectorConfig.load())
    expected = _flags(con), _scores(con)
    con.close()
    con = empty_copy(tiny_store, tmp_path, "store.duckdb", keep_fits=False)
    detect_partitioned(con, first, last, DetectorConfig.load(), ProcessEngine(1), tmp_path / "x")
    assert expected[1].height
    assert_frame_equal(_flags(con), expected[0])
    assert_frame_equal(_scores(con), expected[1])


def test_a_quarter_whose_worker_died_is_retried_and_stored_once(
    tiny_store: Path, tmp_path: Path, expected: tuple[pl.DataFrame, ...]
) -> None:
    con = empty_copy(tiny_store, tmp_path, "store.duckdb", keep_fits=True)
    dies = DiesOnce(date(2025, 1, 1), tmp_path / "died")
    detect_partitioned(
        con, START, END, DetectorConfig.load(), ProcessEngine(2), tmp_path / "x", work=dies
    )
    assert dies.deaths() == 1
    assert_frame_equal(_flags(con), expected[0])
    assert_frame_equal(_scores(con), expected[1])


def test_a_quarter_that_kills_every_worker_fails_the_run_after_the_quarters_before_it(
    tiny_store: Path, tmp_path: Path, expected: tuple[pl.DataFrame, ...]
) -> None:
    con = empty_copy(tiny_store, tmp_path, "store.duckdb", keep_fits=True)
    dies = DiesOnce(date(2025, 1, 1), tmp_path / "died", times=100)
    with pytest.raises(PartitionFailedError, match="partition from 2025-01-01"):
        detect_partitioned(
            con, START, END, DetectorConfig.load(), ProcessEngine(1), tmp_path / "x", work=dies
        )
    assert dies.deaths() == POOL_RESTARTS + 1
    before = (pl.col("flag_date") < date(2025, 1, 1)) & (pl.col("basis") == "shipments")
    assert_frame_equal(_flags(con), expected[0].filter(before))
    assert con.execute("SELECT status FROM runs").fetchall() == [("failed",)]


def test_a_dask_worker_that_died_is_replaced_and_its_quarter_stored_once(
    tiny_store: Path, tmp_path: Path, expected: tuple[pl.DataFrame, ...], local_cluster: str
) -> None:
    con = empty_copy(tiny_store, tmp_path, "store.duckdb", keep_fits=True)
    dies = DiesOnce(date(2025, 4, 1), tmp_path / "died")
    engine = DaskEngine(local_cluster).connect()
    detect_partitioned(con, START, END, DetectorConfig.load(), engine, tmp_path / "x", work=dies)
    engine.close()
    assert dies.deaths() == 1
    assert_frame_equal(_flags(con), expected[0])


KILL_AT_SECOND_COMMIT = """
import os, signal, sys
from datetime import date
from pathlib import Path
import transship.run.pipeline as pipeline
from transship.detectors import DetectorConfig
from transship.run.engines import ProcessEngine
from transship.run.partitions import detect_partitioned
from transship.storage.store import open_store

commits = []
original = pipeline._commit

def dying_commit(con):
    commits.append(1)
    if len(commits) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    original(con)

if __name__ == "__main__":
    pipeline._commit = dying_commit
    con = open_store(Path(sys.argv[1]))
    detect_partitioned(
        con, date(2024, 11, 15), date(2025, 6, 30), DetectorConfig.load(), ProcessEngine(1),
        Path(sys.argv[2]),
    )
"""


def test_a_killed_coordinator_keeps_its_committed_quarters_and_a_rerun_completes(
    tiny_store: Path, tmp_path: Path, expected: tuple[pl.DataFrame, ...]
) -> None:
    empty_copy(tiny_store, tmp_path, "killed.duckdb", keep_fits=True).close()
    path, script = tmp_path / "killed.duckdb", tmp_path / "kill.py"
    script.write_text(KILL_AT_SECOND_COMMIT)
    done = subprocess.run(
        [sys.executable, str(script), str(path), str(tmp_path / "x")], check=False, timeout=300
    )
    assert done.returncode == -9
    con = open_store(path)
    first_quarter = _flags(con).filter(pl.col("level") == "shipment")
    assert 0 < first_quarter.height < expected[0].filter(pl.col("level") == "shipment").height
    run_backfill(
        con, START, END, DetectorConfig.load(), EngineChoice("processes", 1), tmp_path / "x"
    )
    assert_frame_equal(_flags(con), expected[0])
    assert_frame_equal(_scores(con), expected[1])


def test_an_unreachable_scheduler_is_a_clear_error_and_nothing_is_written(
    tiny_store: Path, tmp_path: Path
) -> None:
    con = empty_copy(tiny_store, tmp_path, "store.duckdb", keep_fits=True)
    # A port nothing listens on: the connection is refused at once, well within 30 s.
    with pytest.raises(EngineUnreachableError, match="no Dask scheduler answered at"):
        run_backfill(
            con,
            START,
            END,
            DetectorConfig.load(),
            EngineChoice("dask", address="tcp://127.0.0.1:9"),
            tmp_path / "x",
        )
    assert count(con, "SELECT count(*) FROM runs") == 0
    assert count(con, "SELECT count(*) FROM flags") == 0
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        (EngineChoice("spark"), "is not one of local, processes, dask"),
        (EngineChoice("processes", 0), "--workers must be at least 1"),
        (EngineChoice("dask"), "needs --address"),
    ],
)
def test_unusable_engine_options_are_refused(choice: EngineChoice, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        choice.check()


def test_the_backfill_flow_runs_on_a_process_pool(
    prefect_api: None, tiny_store: Path, tmp_path: Path, expected: tuple[pl.DataFrame, ...]
) -> None:
    from transship.flows import backfill

    empty_copy(tiny_store, tmp_path, "flow.duckdb", keep_fits=True).close()
    db = tmp_path / "flow.duckdb"
    report = backfill(start=START, end=END, db=db, engine="processes", workers=1)
    assert report["shipments_scored"] == expected[1].height
    con = open_store(db, read_only=True)
    assert_frame_equal(_flags(con), expected[0])
    con.close()


def test_the_backfill_flow_runs_one_dask_task_per_quarter(
    prefect_api: None,
    tiny_store: Path,
    tmp_path: Path,
    expected: tuple[pl.DataFrame, ...],
    local_cluster: str,
) -> None:
    from transship.flows import backfill

    con = empty_copy(tiny_store, tmp_path, "flow.duckdb", keep_fits=False)
    con.close()
    db = tmp_path / "flow.duckdb"
    report = backfill(start=START, end=END, db=db, engine="dask", address=local_cluster)
    assert report["shipments_scored"] == expected[1].height
    con = open_store(db, read_only=True)
    assert_frame_equal(_flags(con), expected[0])
    assert_frame_equal(_scores(con), expected[1])
    con.close()


def test_a_store_with_decisions_is_backfilled_where_the_store_is(
    tiny_store: Path, tmp_path: Path
) -> None:
    """The learned part reads analysts' decisions and keeps its models in the store: the
    backfill runs in the coordinator, as local, and says so."""
    from transship.review.decisions import decide
    from transship.review.users import add_user

    stores = []
    for name in ("local.duckdb", "processes.duckdb"):
        path = tmp_path / name
        shutil.copy(tiny_store, path)
        con = open_store(path)
        flag = con.execute(
            "SELECT flag_id FROM flags WHERE level = 'shipment' ORDER BY score DESC, flag_id "
            "LIMIT 1"
        ).fetchall()[0][0]
        decide(
            con,
            [flag],
            "confirm",
            "invoice names a smelter",
            add_user(con, "a.b", "correct horse battery"),
        )
        # Decided within the range: the learner reads what was known on each day.
        con.execute("UPDATE decisions SET decided_at = TIMESTAMP '2025-01-15 10:00:00'")
        stores.append(con)
    local, processes = stores
    config = DetectorConfig.load()
    detect(local, START, END, config)
    result = run_backfill(
        processes, START, END, config, EngineChoice("processes", 2), tmp_path / "x"
    )
    assert any("learned part" in warning for warning in result.warnings)
    assert not (tmp_path / "x").exists()
    assert_frame_equal(_flags(processes), _flags(local))
    assert_frame_equal(_scores(processes), _scores(local))


def test_partitions_key_traders_by_the_entities_a_local_backfill_uses(
    resolved: Path, tmp_path: Path
) -> None:
    """On a store whose trader spellings are resolved into entities, a quarter computed by
    a worker keys its traders by the same entities, as they were on each day."""
    stores = []
    for name in ("local", "pool"):
        shutil.copy(resolved, tmp_path / f"{name}.duckdb")
        stores.append(open_store(tmp_path / f"{name}.duckdb"))
    local, pool = stores
    quarter = (date(2025, 1, 1), date(2025, 3, 31))
    detect(local, *quarter, DetectorConfig.load())
    detect_partitioned(pool, *quarter, DetectorConfig.load(), ProcessEngine(1), tmp_path / "x")
    assert_frame_equal(_flags(pool), _flags(local))
    assert_frame_equal(_scores(pool), _scores(local))
    for con in stores:
        con.close()
