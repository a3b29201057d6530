from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from transship.cli import EXIT_QUARANTINED, app

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


def all_commands() -> list[tuple[str, ...]]:
    root = get_command(app)
    found: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):
            # A group that also runs on its own (`evaluate`) is a command too.
            if path and command.invoke_without_command:
                found.append(path)
            for name, sub in command.commands.items():
                walk(sub, (*path, name))
        else:
            found.append(path)

    walk(root, ())
    return found


def test_the_command_list_is_complete() -> None:
    names = {" ".join(p) for p in all_commands()}
    assert {
        "init",
        "ingest shipments",
        "ingest flows",
        "ingest census",
        "ingest shared",
        "summary",
        "quarantine",
        "check",
        "demo",
        "backfill",
        "run",
        "flags",
        "evaluate",
        "evaluate feedback",
        "evaluate-real",
        "scores",
        "runs",
        "schedule show",
        "schedule serve",
        "review list",
        "review show",
        "review decide",
        "review import",
        "users add",
        "users list",
        "users deactivate",
        "users password",
        "serve",
    } <= names


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert f"transship {' '.join(path)}" in result.output
    assert "--db" in result.output
    assert "--materials" in result.output


def test_ingest_then_summary_and_quarantine(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    result = runner.invoke(
        app,
        ["ingest", "shipments", str(FIXTURES / "shipments" / "us_imports_2025q1.csv"), "--db", db],
    )
    assert result.exit_code == 0, result.output
    assert "56 rows in = 48 loaded + 8 quarantined" in result.output
    again = runner.invoke(
        app,
        [
            "ingest",
            "shipments",
            "--strict",
            str(FIXTURES / "shipments" / "us_imports_2025q1.csv"),
            "--db",
            db,
        ],
    )
    assert again.exit_code == 0 and "already ingested" in again.output
    assert runner.invoke(app, ["summary", "--db", db]).exit_code == 0
    listing = runner.invoke(
        app, ["quarantine", "--reason", "unknown_country", "--db", db], terminal_width=200
    )
    assert "Atlantis" in listing.output
    assert runner.invoke(app, ["check", "--db", db]).exit_code == 0


def test_strict_exit_code_when_rows_are_quarantined(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "ingest",
            "flows",
            "--strict",
            "--format",
            "comtrade",
            str(FIXTURES / "flows" / "comtrade" / "comtrade_extract_2024.csv"),
            "--db",
            str(tmp_path / "s.duckdb"),
        ],
    )
    assert result.exit_code == EXIT_QUARANTINED


def test_errors_have_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    missing = runner.invoke(app, ["ingest", "shipments", str(tmp_path / "nope.csv"), "--db", db])
    assert missing.exit_code == 2 and "no such file" in missing.output
    assert "Traceback" not in missing.output
    bad_format = runner.invoke(app, ["ingest", "flows", "--format", "xml", "x.csv", "--db", db])
    assert bad_format.exit_code == 2 and "unknown trade-flow format 'xml'" in bad_format.output
    no_store = runner.invoke(app, ["summary", "--db", str(tmp_path / "absent.duckdb")])
    assert no_store.exit_code == 1 and "transship init" in no_store.output


def test_init_sets_the_default_importing_country(tmp_path: Path) -> None:
    db = str(tmp_path / "s.duckdb")
    made = runner.invoke(app, ["init", "--db", db])
    assert made.exit_code == 0 and "imports into US" in made.output
    assert (
        "imports into JP"
        in runner.invoke(app, ["init", "--import-country", "JPN", "--db", db]).output
    )
    # Running init again keeps it; an unknown country changes nothing.
    assert "imports into JP" in runner.invoke(app, ["init", "--db", db]).output
    refused = runner.invoke(app, ["init", "--import-country", "Atlantis", "--db", db])
    assert refused.exit_code == 2 and "'Atlantis' is not a known" in refused.output
    assert "imports into JP" in runner.invoke(app, ["init", "--db", db]).output


def test_db_defaults_to_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSSHIP_DB", str(tmp_path / "env.duckdb"))
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert (tmp_path / "env.duckdb").exists()


def test_read_only_commands_do_not_start_prefect(tmp_path: Path) -> None:
    import subprocess
    import sys

    db = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["init", "--db", str(db)]).exit_code == 0
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from transship.cli import app\n"
        "for args in (['flags'], ['runs'], ['summary'], ['check'], ['review', 'list'],\n"
        "             ['users', 'list']):\n"
        "    result = CliRunner().invoke(app, [*args, '--db', sys.argv[1]])\n"
        "    assert result.exit_code == 0, result.output\n"
        "print('prefect' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(db)], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_ingest_imports_neither_the_feature_build_nor_the_detectors(tmp_path: Path) -> None:
    """Start-up is part of every ingest's time: the detectors (and scikit-learn) load
    only where features are built or scored."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from transship.cli import app\n"
        "result = CliRunner().invoke(app, ['ingest', 'shipments', *sys.argv[1:]])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = ('transship.features.build', 'transship.detectors', 'sklearn')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    shipments = FIXTURES / "shipments" / "us_imports_2025q1.csv"
    args = [str(shipments), "--db", str(tmp_path / "s.duckdb")]
    done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_schedule_show_prints_the_deployment() -> None:
    result = runner.invoke(app, ["schedule", "show", "--timezone", "Europe/Brussels"])
    assert result.exit_code == 0, result.output
    assert "cron '0 2 * * *' in Europe/Brussels" in result.output
    assert "prefect deploy flows/nightly.py:nightly" in result.output


def test_review_from_the_terminal_lists_shows_and_decides(tiny_store: Path, tmp_path: Path) -> None:
    import shutil

    from transship.storage.store import store

    db = tmp_path / "review.duckdb"
    shutil.copy(tiny_store, db)
    added = runner.invoke(
        app,
        ["users", "add", "a.lopez", "--password-stdin", "--db", str(db)],
        input="correct horse battery\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["review", "list", "--severity", "high", "--db", str(db)])
    assert listed.exit_code == 0, listed.output
    assert "flags match (page 1 of" in listed.output
    with store(db, read_only=True) as con:
        ((top,),) = con.execute(
            "SELECT flag_id FROM flags WHERE severity = 'high' ORDER BY score DESC, "
            "flag_date DESC, flag_id LIMIT 1"
        ).fetchall()
    ranked = tmp_path / "ranked.csv"
    runner.invoke(
        app, ["review", "list", "--severity", "high", "--out", str(ranked), "--db", str(db)]
    )
    assert ranked.read_text().splitlines()[1].startswith(top + ",")

    shown = runner.invoke(app, ["review", "show", top, "--db", str(db)])
    assert shown.exit_code == 0 and "Why" in shown.output and "No decision yet" in shown.output

    def decide(flag: str, note: str, analyst: str) -> Any:
        return runner.invoke(
            app,
            [
                "review",
                "decide",
                flag,
                "--decision",
                "confirm",
                "--note",
                note,
                "--analyst",
                analyst,
                "--db",
                str(db),
            ],
        )

    unknown_analyst = decide(top, "x", "nobody")
    assert unknown_analyst.exit_code == 2 and "transship users add nobody" in unknown_analyst.output
    decided = decide(top, "CBP seizure report", "a.lopez")
    assert decided.exit_code == 0, decided.output
    shown = runner.invoke(app, ["review", "show", top, "--db", str(db)])
    assert "a.lopez: open -> confirmed" in shown.output and "CBP seizure report" in shown.output
    out = tmp_path / "queue.csv"
    exported = runner.invoke(
        app, ["review", "list", "--status", "confirmed", "--out", str(out), "--db", str(db)]
    )
    assert exported.exit_code == 0 and "1 flags written" in exported.output
    assert top in out.read_text()
    bad = decide("Snope", "x", "a.lopez")
    assert bad.exit_code == 2 and "no flag Snope" in bad.output
