"""Replaying history with revealed labels: `transship evaluate feedback`."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from tests.conftest import TINY_WORLD
from transship.cli import app
from transship.detectors import DetectorConfig
from transship.evaluation.labels import evaluate
from transship.learning.labels import DEFAULT_COLUMNS, LabelColumns
from transship.learning.outcomes import import_outcomes
from transship.learning.replay import Budget, periods, read_label_files, replay
from transship.review.users import add_user
from transship.run.pipeline import detect

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()
LABELS = TINY_WORLD / "labels.csv"


def test_periods_are_days_iso_weeks_or_months_clipped_to_the_range() -> None:
    assert periods(date(2026, 1, 1), date(2026, 1, 12), "week") == [
        (date(2026, 1, 1), date(2026, 1, 4)),
        (date(2026, 1, 5), date(2026, 1, 11)),
        (date(2026, 1, 12), date(2026, 1, 12)),
    ]
    assert periods(date(2026, 1, 15), date(2026, 3, 2), "month")[1] == (
        date(2026, 2, 1),
        date(2026, 2, 28),
    )


def test_the_replay_reports_both_arms_per_period_and_overall(
    tiny_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "replay.json"
    args = ["evaluate", "feedback", "--labels", str(LABELS), "--budget", "5%"]
    args += ["--every", "month", "--start", "2025-01-01", "--end", "2025-12-31"]
    result = runner.invoke(app, [*args, "--out", str(out), "--db", str(tiny_store)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    for arm in ("learning", "no_learning"):
        assert set(report[arm]["precision_at"]) == {"1%", "5%", "10%"}
        assert set(report[arm]["recall_at"]) == {"1%", "5%", "10%"}
    assert len(report["periods"]) == 12
    first = report["periods"][0]
    assert first["start"] == "2025-01-01" and first["end"] == "2025-01-31"
    # 5% of the month's arrivals reviewed, in both arms.
    assert (
        first["learning"]["reviewed"]
        == first["no_learning"]["reviewed"]
        == (first["arrivals"] * 5 // 100)
    )
    # Nothing decided before the first month: no learner, nothing chosen for learning.
    assert first["learning"]["chosen_for_learning"] == 0
    assert not first["learning"]["learner"]["used"]
    assert sum(p["learning"]["chosen_for_learning"] for p in report["periods"]) > 0
    assert report["learning"]["chosen_for_learning"]["reviewed"] == sum(
        p["learning"]["chosen_for_learning"] for p in report["periods"]
    )
    assert "precision@5%" in result.output


def test_the_replay_scores_as_a_backfill_with_those_decisions_would(
    tiny_store: Path, copied_tiny_store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    config = DetectorConfig.load()
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    with duckdb.connect(str(tiny_store), read_only=True) as con:
        labels, _ = read_label_files(con, [LABELS], DEFAULT_COLUMNS)
        result = replay(con, labels, start, end, Budget(0.2), "month", config)
        # The arm without learning is today's ranking: its flags are the store's.
        stored = con.sql(
            "SELECT shipment_id, score FROM flags WHERE level = 'shipment' AND flag_date "
            "BETWEEN $start AND $end ORDER BY score DESC, shipment_id",
            params={"start": start, "end": end},
        ).pl()
        in_range = con.sql(
            "SELECT shipment_id FROM shipments WHERE arrival_date BETWEEN $start AND $end",
            params={"start": start, "end": end},
        ).pl()
    expected = evaluate(stored, labels.join(in_range, on="shipment_id", how="semi"))
    flags = result.summary["no_learning"]["flags"]
    assert flags["flagged"] == expected.flagged
    assert flags["average_precision"] == pytest.approx(expected.average_precision)
    assert flags["scheme_recall_at_k"] == expected.scheme_recall_at_k
    # What the learning arm reviewed, recorded as outcomes counting from the next period.
    reviewed = result.scores.filter("learning_reviewed").select("shipment_id", "arrival_date")
    ends = dict(periods(start, end, "month"))
    decided = reviewed.with_columns(
        decided=pl.col("arrival_date").map_elements(
            lambda day: (
                next(last for first, last in ends.items() if first <= day <= last)
                + timedelta(days=1)
            ).isoformat(),
            return_dtype=pl.String,
        )
    ).join(labels.select("shipment_id", "positive"), on="shipment_id")
    path = tmp_path / "decided.csv"
    decided.select("shipment_id", "positive", "decided").write_csv(path)
    con = copied_tiny_store
    analyst = add_user(con, "a.lopez", "correct horse battery")
    import_outcomes(con, path, analyst, LabelColumns(decided_at_column="decided"))
    detect(con, start, end, config)
    backfilled = con.sql(
        "SELECT shipment_id, score, learned_weight FROM shipment_scores WHERE exact "
        "AND arrival_date BETWEEN $start AND $end",
        params={"start": start, "end": end},
    ).pl()
    both = backfilled.join(result.scores, on="shipment_id")
    assert both.height == backfilled.height
    assert (both["learned_weight"] > 0).any(), "the learner is in use in part of the range"
    assert both["score"].to_list() == both["learning_score"].to_list()


def test_labels_for_unknown_shipments_or_in_two_files_are_refused(
    tiny_store: Path, tmp_path: Path
) -> None:
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("shipment_id,label,positive\nUS0000000000,background,0\n")
    args = ["evaluate", "feedback", "--budget", "5%", "--start", "2025-01-01"]
    args += ["--end", "2025-01-31", "--db", str(tiny_store)]
    refused = runner.invoke(app, [*args, "--labels", str(unknown)])
    assert refused.exit_code == 2
    assert "1 id is not in the store" in refused.output
    twice = runner.invoke(app, [*args, "--labels", str(LABELS), "--labels", str(LABELS)])
    assert twice.exit_code == 2
    assert "ids have labels in more than one file" in twice.output
    bad = runner.invoke(app, [*args, "--labels", str(LABELS), "--budget", "110%"])
    assert bad.exit_code == 2
    assert "--budget '110%' must be between 0% and 100%" in bad.output


@pytest.mark.parametrize("every", ["fortnight"])
def test_an_unknown_period_is_refused(tiny_store: Path, every: str) -> None:
    args = ["evaluate", "feedback", "--labels", str(LABELS), "--start", "2025-01-01"]
    args += ["--end", "2025-01-31", "--every", every, "--db", str(tiny_store)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2
    assert "--every must be one of day, week, month" in refused.output


def test_known_labels_are_decisions_before_the_replay(tiny_store: Path, tmp_path: Path) -> None:
    known = tmp_path / "known.csv"
    with duckdb.connect(str(tiny_store), read_only=True) as con:
        before = con.sql("SELECT shipment_id FROM shipments WHERE arrival_date < '2025-06-01'").pl()
    labels = pl.read_csv(LABELS, schema_overrides={"shipment_id": pl.String})
    labels.join(before, on="shipment_id").write_csv(known)
    out = tmp_path / "replay.json"
    args = ["evaluate", "feedback", "--labels", str(LABELS), "--known", str(known)]
    args += ["--budget", "0%", "--every", "month", "--start", "2025-09-01"]
    args += ["--end", "2025-10-31", "--out", str(out), "--db", str(tiny_store)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    # Nothing reviewed, yet the learner learned from the known outcomes (counted 30 days
    # after arrival) from the first period on.
    assert report["learning"]["reviewed"] == 0
    learner = report["periods"][0]["learning"]["learner"]
    assert learner["used"] and learner["note"].startswith("learned from ")
