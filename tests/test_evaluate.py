"""Evaluation metrics on hand-checked rankings, and the command on the tiny world."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import polars as pl
import pytest
from typer.testing import CliRunner

from tests.conftest import TINY_WORLD
from transship.cli import app
from transship.errors import InputFileError
from transship.evaluation.labels import evaluate, read_labels

if TYPE_CHECKING:
    from pathlib import Path

runner = CliRunner()


def test_metrics_on_a_small_ranking() -> None:
    labels = pl.DataFrame(
        {
            "shipment_id": ["a", "b", "c", "d", "e", "f"],
            "label": ["scheme_x", "background", "scheme_x", "look", "scheme_y", "background"],
            "positive": [1, 0, 1, 0, 1, 0],
        }
    )
    # Ranked a (hit), b, c (hit), d; e is never flagged.
    ranked = pl.DataFrame({"shipment_id": ["a", "b", "c", "d"], "score": [90.0, 80, 70, 60]})
    result = evaluate(ranked, labels, k=3)
    assert result.precision_at_k == pytest.approx(2 / 3)
    assert result.recall_at_k == pytest.approx(2 / 3)
    assert result.average_precision == pytest.approx((1 / 1 + 2 / 3) / 3)
    assert result.scheme_recall_at_k == {"scheme_x": 1.0, "scheme_y": 0.0}
    assert result.look_alike_in_top_k["look"]["in_top_k"] == 0
    assert result.background_in_top_k == 1
    assert evaluate(ranked, labels).k == 6  # default: twice the positives


def test_labels_are_validated(tmp_path: Path) -> None:
    bad = tmp_path / "labels.csv"
    bad.write_text("shipment_id,label\na,x\n")
    with pytest.raises(InputFileError, match="lacks columns positive"):
        read_labels(bad)
    bad.write_text("shipment_id,label,positive\na,x,2\n")
    with pytest.raises(InputFileError, match="0 or 1"):
        read_labels(bad)


def test_evaluate_command_prints_and_writes_json(tiny_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "evaluation.json"
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--db",
            str(tiny_store),
            "--labels",
            str(TINY_WORLD / "labels.csv"),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "average precision" in result.output
    report = json.loads(out.read_text())
    assert 0 < report["average_precision"] <= 1
    assert set(report["scheme_recall_at_k"]) >= {"declared_as_iron", "antimony_oxide_th_mx"}


def test_evaluate_without_flags_says_what_to_do(tmp_path: Path) -> None:
    empty = str(tmp_path / "empty.duckdb")
    assert runner.invoke(app, ["init", "--db", empty]).exit_code == 0
    result = runner.invoke(
        app, ["evaluate", "--db", empty, "--labels", str(TINY_WORLD / "labels.csv")]
    )
    assert result.exit_code == 1
    assert "transship backfill" in result.output
