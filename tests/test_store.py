from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import duckdb
import pytest

from tests.conftest import FIXTURES, REPO, count
from transship.errors import StoreError, StoreTooNewError
from transship.storage.sql import sql_root
from transship.storage.store import (
    current_setting,
    default_import_country,
    migrate,
    migrations,
    open_store,
    schema_version,
    setting,
)

if TYPE_CHECKING:
    from pathlib import Path


def test_a_setting_holds_for_its_block_and_comes_back_after_a_failure() -> None:
    con = duckdb.connect()
    before = current_setting(con, "checkpoint_threshold")
    with setting(con, "checkpoint_threshold", "64MiB"):
        assert current_setting(con, "checkpoint_threshold") == "64.0 MiB"
    assert current_setting(con, "checkpoint_threshold") == before
    with pytest.raises(RuntimeError), setting(con, "memory_limit", "1GB"):
        assert current_setting(con, "memory_limit") == "953.6 MiB"
        raise RuntimeError
    assert current_setting(con, "memory_limit") != "953.6 MiB"


def test_init_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    open_store(path).close()
    con = open_store(path)
    assert schema_version(con) == migrations()[-1].version
    assert migrate(con) == []
    con.close()


def _store_at_first_version(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    folder = tmp_path / "migrations"
    folder.mkdir()
    shutil.copy(sql_root() / "migrations" / "001_initial.sql", folder)
    con = duckdb.connect(tmp_path / "s.duckdb")
    migrate(con, folder)
    return con, folder


def test_migrations_apply_in_order_from_any_version(tmp_path: Path) -> None:
    con, folder = _store_at_first_version(tmp_path)
    (folder / "002_add_note.sql").write_text(
        "ALTER TABLE shipments ADD COLUMN analyst_note VARCHAR;"
    )
    applied = migrate(con, folder)
    assert [m.version for m in applied] == [2]
    assert schema_version(con) == 2
    assert "analyst_note" in con.table("shipments").columns
    con.close()


def test_older_store_is_upgraded_on_open(tmp_path: Path) -> None:
    con, _ = _store_at_first_version(tmp_path)
    con.close()
    upgraded = open_store(tmp_path / "s.duckdb")
    assert schema_version(upgraded) == migrations()[-1].version
    assert count(upgraded, "SELECT count(*) FROM flags") == 0
    upgraded.close()


def test_an_older_stores_rows_become_imports_into_the_us(tmp_path: Path) -> None:
    """Before the importing country existed every store held US imports: its shipments,
    flags and profiles are filled with US, which is also its default for new files."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for migration in migrations():
        if migration.version < 10:
            shutil.copy(migration.path, folder)
    con = duckdb.connect(tmp_path / "s.duckdb")
    migrate(con, folder)
    con.execute(
        "INSERT INTO shipments (shipment_id, arrival_date, origin_country, hs_code, hs6, "
        "weight_kg, value_usd, batch_id, source_line) "
        "VALUES ('S1', DATE '2024-01-02', 'TH', '282580', '282580', 10, 100, 1, 2)"
    )
    con.execute(
        "INSERT INTO profile_importers VALUES ('Acme', DATE '2024-01-02', DATE '2024-01-02', "
        "1, 10, 1, 'TH', 0, NULL)"
    )
    con.close()
    upgraded = open_store(tmp_path / "s.duckdb")
    assert upgraded.execute("SELECT import_country FROM shipments").fetchall() == [("US",)]
    assert upgraded.execute(
        "SELECT import_country, importer FROM profile_importers"
    ).fetchall() == [("US", "Acme")]
    assert default_import_country(upgraded) == "US"
    with pytest.raises(duckdb.ConstraintException, match="import_country"):
        upgraded.execute(
            "INSERT INTO shipments (shipment_id, arrival_date, origin_country, hs_code, hs6, "
            "weight_kg, value_usd, batch_id, source_line) "
            "VALUES ('S2', DATE '2024-01-02', 'TH', '282580', '282580', 10, 100, 1, 3)"
        )
    upgraded.close()


def test_failed_migration_leaves_the_store_at_its_version(tmp_path: Path) -> None:
    con, folder = _store_at_first_version(tmp_path)
    (folder / "002_broken.sql").write_text("CREATE TABLE t (a INT); SELECT * FROM no_such_table;")
    with pytest.raises(Exception, match="no_such_table"):
        migrate(con, folder)
    assert schema_version(con) == 1
    assert count(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 't'") == 0
    con.close()


def test_store_from_a_newer_transship_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = open_store(path)
    con.execute("UPDATE store_meta SET value = '999' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreTooNewError, match="schema version 999"):
        open_store(path)


def test_second_writer_fails_fast_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    con = open_store(path)
    holder = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pathlib import Path; from transship.storage.store import open_store; "
            f"open_store(Path({str(path)!r}))",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    con.close()
    assert holder.returncode != 0
    assert (
        "StoreLockedError" in holder.stderr
        and "open for writing in another process" in holder.stderr
    )


def test_killed_ingest_leaves_the_store_as_before(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    first = FIXTURES / "shipments" / "us_parcels_hong_kong_bom.csv"
    second = FIXTURES / "shipments" / "us_imports_2025q1.csv"
    con = open_store(path)
    from transship.ingest.shipments import ingest_shipments

    list(ingest_shipments(con, [first]))
    con.close()
    # The child inserts every row of the batch, then dies by SIGKILL just before COMMIT.
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        import transship.ingest.batch as batch
        from transship.ingest.shipments import ingest_shipments
        from transship.storage.store import open_store
        batch._commit = lambda con: os.kill(os.getpid(), signal.SIGKILL)
        con = open_store(Path({str(path)!r}))
        list(ingest_shipments(con, [Path({str(second)!r})]))
    """)
    killed = subprocess.run([sys.executable, "-c", script], cwd=REPO, check=False)
    assert killed.returncode == -9
    con = open_store(path)
    assert count(con, "SELECT count(*) FROM shipments") == 2
    assert count(con, "SELECT count(*) FROM ingest_batches") == 1
    assert count(con, "SELECT count(*) FROM quarantine") == 0
    [result] = ingest_shipments(con, [second])
    assert not result.already_loaded and result.rows_loaded == 48
    con.close()


def test_two_migrations_with_one_number_are_refused(tmp_path: Path) -> None:
    for name in ("001_first.sql", "002_a.sql", "002_b.sql"):
        (tmp_path / name).write_text("SELECT 1;", encoding="utf-8")
    with pytest.raises(StoreError, match=r"002_a\.sql and 002_b\.sql share the number 2"):
        migrations(tmp_path)
