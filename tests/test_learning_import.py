"""Past inspection outcomes: `transship review import` and the labels files it reads."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES, count, write
from transship.cli import app
from transship.learning.labels import (
    LabelColumns,
    LabelsError,
    UnknownIdsError,
    known_ids,
    read_labels,
)
from transship.learning.outcomes import import_outcomes
from transship.review.decisions import decision_log
from transship.review.users import User, add_user
from transship.storage.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

KOREAN = FIXTURES / "korea" / "korea_declarations_sample.csv"
COLUMNS = LabelColumns("Declaration ID", "Fraud")
runner = CliRunner()


@pytest.fixture
def korean(tmp_path: Path) -> tuple[Path, User]:
    """A store holding the Korean sample (its fourth row quarantined: no weight)."""
    from transship.ingest.shared import korea_customs_mapping
    from transship.ingest.shipments import ingest_shipments

    path = tmp_path / "korea.duckdb"
    con = open_store(path)
    list(ingest_shipments(con, [KOREAN], korea_customs_mapping()))
    user = add_user(con, "a.lopez", "correct horse battery")
    con.close()
    return path, user


def test_outcomes_count_from_arrival_plus_the_lag_and_change_no_flag(
    korean: tuple[Path, User],
) -> None:
    path, user = korean
    con = open_store(path)
    result = import_outcomes(con, KOREAN, user, COLUMNS, lag_days=30)
    assert (result.imported, result.positives, result.quarantined) == (4, 2, ["10000004"])
    rows = con.execute(
        "SELECT shipment_id, positive, counts_from, analyst FROM inspection_outcomes "
        "ORDER BY shipment_id"
    ).fetchall()
    assert rows == [
        ("10000001", 0, date(2020, 4, 1), "a.lopez"),
        ("10000002", 1, date(2020, 4, 1), "a.lopez"),
        ("10000003", 0, date(2020, 4, 2), "a.lopez"),
        ("10000005", 1, date(2020, 4, 3), "a.lopez"),
    ]
    assert count(con, "SELECT count(*) FROM decisions") == 0
    # The decision log lists them as imported, on their shipment.
    log = decision_log(con)
    assert log["action"].to_list() == ["import"] * 4
    assert sorted(log["new_status"].to_list()) == ["clean", "clean", "fraud found", "fraud found"]
    assert log["flag_id"].null_count() == 4
    assert log["note"].str.contains("; counts from 2020-04-01").sum() == 2
    # A flag's own log holds only the decisions on it.
    assert decision_log(con, flag_id="Sanything").height == 0
    con.close()


def test_a_repeated_import_changes_nothing(korean: tuple[Path, User]) -> None:
    path, user = korean
    con = open_store(path)
    import_outcomes(con, KOREAN, user, COLUMNS)
    again = import_outcomes(con, KOREAN, user, COLUMNS)
    assert (again.imported, again.already) == (0, 4)
    assert count(con, "SELECT count(*) FROM inspection_outcomes") == 4
    con.close()


def test_a_decided_at_column_gives_the_date(korean: tuple[Path, User], tmp_path: Path) -> None:
    path, user = korean
    labels = write(tmp_path / "l.csv", "id,found,when\n10000001,1,2020-03-20\n")
    con = open_store(path)
    import_outcomes(con, labels, user, LabelColumns("id", "found", "when"))
    assert con.execute("SELECT counts_from FROM inspection_outcomes").fetchall() == [
        (date(2020, 3, 20),)
    ]
    con.close()


def test_an_unknown_id_refuses_the_file_and_nothing_is_imported(
    korean: tuple[Path, User], tmp_path: Path
) -> None:
    path, user = korean
    text = "Declaration ID,found\n10000001,1\n99999999,0\n10000004,1\n"
    labels = write(tmp_path / "l.csv", text)
    con = open_store(path)
    # 10000004 was quarantined (and would be skipped): only 99999999 is unknown.
    with pytest.raises(
        UnknownIdsError, match=r"1 id is not in the store, .*\): 99999999\. Nothing"
    ):
        import_outcomes(con, labels, user, LabelColumns("Declaration ID", "found"))
    assert count(con, "SELECT count(*) FROM inspection_outcomes") == 0
    con.close()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("id,found\n1,1\n2,0\n1,0\n", r"1 id appear more than once \(1; 1 on lines 2, 4\)"),
        (
            "id,found\n1,1\n2,2\n",
            r"'found' must be 0 \(clean\) or 1 \(fraud found\); line 3 has '2'",
        ),
        ("id,found\n1,yes\n", "line 2 has 'yes'"),
        ("id,found\n1,\n", "line 2 has None"),
        ("id,fraud\n1,1\n", r"lacks the column 'found'; it has id, fraud"),
        ("id,found\n,1\n", r"'id' is empty on line 2"),
    ],
)
def test_a_bad_labels_file_is_refused_naming_the_problem(
    tmp_path: Path, text: str, said: str
) -> None:
    with pytest.raises(LabelsError, match=said):
        read_labels(write(tmp_path / "l.csv", text), LabelColumns("id", "found"))


def test_the_project_labels_read_with_the_defaults(con: duckdb.DuckDBPyConnection) -> None:
    labels = read_labels(FIXTURES / "world" / "tiny" / "labels.csv")
    assert labels.columns == ["line", "shipment_id", "positive"]
    assert labels["positive"].sum() > 0


def test_quarantined_ids_are_set_aside_by_the_file_header(korean: tuple[Path, User]) -> None:
    path, _ = korean
    con = open_store(path)
    labels = read_labels(KOREAN, COLUMNS)
    known = known_ids(con, labels, KOREAN, "Declaration ID")
    assert known.quarantined == ["10000004"]
    assert known.labels.height == 4
    con.close()


def test_the_command_reports_skipped_ids_and_a_repeat(korean: tuple[Path, User]) -> None:
    path, _ = korean
    args = ["review", "import", str(KOREAN), "--id-column", "Declaration ID"]
    args += ["--label-column", "Fraud", "--analyst", "a.lopez", "--db", str(path)]
    first = runner.invoke(app, args, terminal_width=300)
    assert first.exit_code == 0, first.output
    assert "imported 4 inspection outcomes" in first.output
    assert "2 fraud found, 2 clean; counting from arrival + 30 days" in first.output
    assert "1 ids were quarantined at ingest" in first.output
    second = runner.invoke(app, args, terminal_width=300)
    assert "nothing new: all 4 outcomes" in second.output
    refused = runner.invoke(
        app, [*args[:5], "--label-column", "Nope", *args[7:]], terminal_width=300
    )
    assert refused.exit_code == 2
    assert "lacks the column 'Nope'" in refused.output
