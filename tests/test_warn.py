"""`transship warn` through Typer's runner on the tiny world store: the ranked table, JSON and
CSV equal to the library's digest, the defaults (the store's importing country, the year up
to its latest statistics), the rules file, and bad options."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from tests.conftest import TINY_WORLD
from tests.test_rules import rules_with
from transship.cli import app
from transship.early_warning import warning_digest
from transship.early_warning.report import default_since, headlines
from transship.storage.store import default_import_country, open_store, store

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()
PLAIN = {"COLUMNS": "200", "NO_COLOR": "1"}


def warn(db: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["warn", *args, "--db", str(db)], env={**PLAIN, **(env or {})})
    return result.exit_code, result.stdout, result.stderr


def library_digest(db: Path, country: str, since: str) -> pl.DataFrame:
    with store(db, read_only=True) as con:
        return warning_digest(con, country, since).warnings


def latest_month(flows_csv: Path) -> date:
    months = pl.read_csv(flows_csv, schema_overrides={"period": pl.String})["period"]
    last = max(m for m in months if len(m) == 7)
    return date(int(last[:4]), int(last[5:]), 1)


def test_warn_is_a_command() -> None:
    assert "warn" in get_command(app).commands  # type: ignore[attr-defined]


def test_the_table_ranks_the_warnings_and_lists_what_was_not_computed(tiny_store: Path) -> None:
    code, out, _ = warn(tiny_store, "--import-country", "US", "--since", "2024-12")
    assert code == 0, out
    expected = library_digest(tiny_store, "US", "2024-12")
    assert f"Early warnings for US since 2024-12: {expected.height} (" in out
    # Each warning's particulars, in the library's order (highest score first).
    position = 0
    for message in expected["message"]:
        position = out.index(message[:60], position) + 1
    top = expected.row(0, named=True)
    assert f"{top['severity']} {top['score']:.0f} {top['kind']}" in out
    assert "Thailand" in out and "replacement" in out
    assert "could not compute: " in out


def test_json_and_csv_hold_the_library_digest(tiny_store: Path, tmp_path: Path) -> None:
    expected = library_digest(tiny_store, "US", "2024-12")
    code, out, _ = warn(tiny_store, "--since", "2024-12", "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["import_country"] == "US" and document["since"] == "2024-12-01"
    assert [w["message"] for w in document["warnings"]] == expected["message"].to_list()
    assert document["skipped"] and {"reason", "periods"} <= set(document["skipped"][0])

    target = tmp_path / "warnings.csv"
    code, out, _ = warn(tiny_store, "--since", "2024-12", "--format", "csv", "--out", str(target))
    assert code == 0 and f"{expected.height} warnings written to {target}" in out
    written = pl.read_csv(target, schema_overrides={"hs6": pl.String, "period": pl.String})
    assert written.columns[:9] == [
        "import_country",
        "material",
        "hs6",
        "period",
        "kind",
        "partner",
        "partner_code",
        "replaced",
        "severity",
    ]
    assert {"score", "message"} <= set(written.columns)
    assert written["message"].to_list() == expected["message"].to_list()
    assert (tmp_path / "warnings.skipped.csv").exists()

    code, out, err = warn(tiny_store, "--since", "2024-12", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("import_country,material,hs6")
    assert len(out.splitlines()) == expected.height + 1
    assert "could not compute: " in err


def test_defaults_the_stores_importing_country_and_the_year_up_to_its_statistics(
    tiny_store: Path, tmp_path: Path
) -> None:
    last = latest_month(TINY_WORLD / "flows.csv")
    first = date(last.year - 1, last.month + 1, 1) if last.month < 12 else date(last.year, 1, 1)
    code, out, _ = warn(tiny_store)
    assert code == 0
    assert f"Early warnings for US since {first:%Y-%m}:" in out

    # A store whose default importing country is Japan (`transship init --import-country`).
    japan = tmp_path / "japan.duckdb"
    shutil.copy(tiny_store, japan)
    with store(japan) as con:
        con.execute("INSERT OR REPLACE INTO store_meta VALUES ('import_country', 'JP')")
    code, out, _ = warn(japan, "--since", "2023-01", "--format", "json")
    assert code == 0 and json.loads(out)["import_country"] == "JP"


def test_default_since_reads_the_statistics_it_will_use(tmp_path: Path) -> None:
    con = open_store(tmp_path / "s.duckdb")
    assert default_import_country(con) == "US"
    assert default_since(con, "US", today=date(2026, 3, 14)) == "2025-04"
    insert = "INSERT INTO trade_flows VALUES ('test', ?, ?, ?, ?, ?, ?, '811010', 1.0, 1.0, 0, ?)"
    con.execute(insert, ["2024", date(2024, 1, 1), "annual", "US", "CN", "import", 1])
    assert default_since(con, "US") == "2024-01"  # a year reaches its December
    con.execute(insert, ["2025-02", date(2025, 2, 1), "monthly", "CN", "TH", "export", 2])
    assert default_since(con, "us") == "2024-03"
    # Statistics of another importer, or of an uncontrolled code, are not read.
    con.execute(insert, ["2026-01", date(2026, 1, 1), "monthly", "JP", "CN", "import", 3])
    assert default_since(con, "US") == "2024-03"
    con.close()


def test_the_rules_file_sets_the_thresholds(tiny_store: Path, tmp_path: Path) -> None:
    strict = rules_with(tmp_path, "high = 60.0                  # ... and high", "high = 99.0")
    _, default, _ = warn(tiny_store, "--since", "2023-01", "--format", "json")
    _, stricter, _ = warn(
        tiny_store, "--since", "2023-01", "--format", "json", "--rules", str(strict)
    )

    def high(out: str) -> int:
        return sum(w["severity"] == "high" for w in json.loads(out)["warnings"])

    assert 0 < high(stricter) < high(default)
    _, through_env, _ = warn(
        tiny_store, "--since", "2023-01", "--format", "json", env={"TRANSSHIP_RULES": str(strict)}
    )
    assert high(through_env) == high(stricter)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--import-country", "UK"], "'UK' is not an ISO alpha-2 country code"),
        (["--since", "January"], "since must be YYYY or YYYY-MM, got 'January'"),
        (["--since", "2024-13"], "since must be YYYY or YYYY-MM, got '2024-13'"),
        (["--format", "xlsx"], "--format must be one of table, json, csv, got 'xlsx'"),
        (["--out", "w.csv"], "--out needs --format json or csv"),
    ],
)
def test_bad_options_exit_2_with_the_message(tiny_store: Path, args: list[str], said: str) -> None:
    code, out, err = warn(tiny_store, *args)
    assert code == 2, out
    assert said in err and "Traceback" not in out + err


def test_a_bad_rules_section_exits_2_before_reading_the_store(tmp_path: Path) -> None:
    bad = rules_with(tmp_path, "window_months = 3 ", "window_monhts = 3 ")
    code, _, err = warn(tmp_path / "absent.duckdb", "--rules", str(bad))
    assert code == 2 and "window_monhts is not an early-warning setting" in err


def test_a_missing_store_is_said(tmp_path: Path) -> None:
    code, _, err = warn(tmp_path / "absent.duckdb")
    assert code == 1 and "transship init" in err


def test_warn_does_not_start_prefect(tiny_store: Path) -> None:
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from transship.cli import app\n"
        "result = CliRunner().invoke(app, ['warn', '--since', '2025-01', '--db', sys.argv[1]])\n"
        "assert result.exit_code == 0, result.output\n"
        "print('prefect' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(tiny_store)], capture_output=True, text=True
    )
    assert done.stdout.strip() == "False", done.stderr


def test_headlines_are_one_line_per_warning(tiny_store: Path) -> None:
    with store(tiny_store, read_only=True) as con:
        digest = warning_digest(con, "US", "2024-12")
    lines = headlines(digest, 3)
    assert len(lines) == 3 and all("\n" not in line for line in lines)
    top = digest.warnings.row(0, named=True)
    assert lines[0].startswith(f"{top['severity']} {top['score']:.1f} {top['kind']} ")
    assert lines[0].endswith(top["message"])


def test_statistics_with_gaps_missing_weights_and_conflicts_are_said(tmp_path: Path) -> None:
    db = tmp_path / "bad.duckdb"
    con = open_store(db)
    rows = [
        ("a", "2021", "US", "CN", "import", 10e6, 1e6),
        ("a", "2021", "US", "TH", "import", 2e6, 2e5),
        ("a", "2022", "US", "CN", "import", 11e6, 1.1e6),
        ("a", "2022", "US", "TH", "import", 2e6, 2e5),
        # 2023 is not published; 2024 holds two different figures for one flow.
        ("a", "2024", "US", "CN", "import", 3e6, 3e5),
        ("b", "2024", "US", "CN", "import", 4e6, 3e5),
        ("a", "2024", "US", "TH", "import", 6e6, 0.0),
        ("a", "2021", "CN", "US", "export", 9e6, 9e5),
        ("a", "2022", "CN", "US", "export", 9e6, 9e5),
        ("a", "2024", "CN", "US", "export", 2e6, None),
        ("a", "2021", "CN", "TH", "export", 1e6, 1e5),
        ("a", "2022", "CN", "TH", "export", 1e6, 1e5),
        ("a", "2024", "CN", "TH", "export", 5e6, 5e5),
    ]
    for line, (source, year, reporter, partner, flow, usd, kg) in enumerate(rows):
        con.execute(
            "INSERT INTO trade_flows VALUES (?, ?, ?, 'annual', ?, ?, ?, '811010', ?, ?, 0, ?)",
            [source, year, date(int(year), 1, 1), reporter, partner, flow, usd, kg, line],
        )
    con.close()
    code, out, _ = warn(db, "--since", "2023")
    assert code == 0, out
    said = " ".join(out.split())
    assert (
        "could not compute: antimony 8110.10, all, China, 2024: The United States imports with "
        "China: conflicting figures for the same flow, "
    ) in said
    assert "$4.0M (b)" in said and "$3.0M (a)" in said and "; not used" in said
    assert "could not compute: all, 2023: The United States published no import statistics" in said
    # China's unweighed 2024 exports to the US are a value without a weight, never 0 t.
    assert "fell to $2.0M (weight not reported)" in said
    _, document, _ = warn(db, "--since", "2023", "--format", "json")
    warnings = json.loads(document)["warnings"]
    # The conflicting flow is not guessed: no drop of China, so no replacement of it.
    assert [w["kind"] for w in warnings] == ["diversion"]
