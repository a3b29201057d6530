"""The learned ranker in a run: point in time, fused only above its minimum, checked against
held-out decisions, never touching a decision."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import polars as pl
import pytest

from tests.conftest import TINY_WORLD
from transship.detectors import DetectorConfig
from transship.detectors.config import Learning
from transship.learning.labels import LabelColumns
from transship.learning.model import LearnedRanker, average_precision
from transship.learning.outcomes import import_outcomes
from transship.learning.training import (
    NOISE_SDS,
    choose_groups,
    cutoff,
    decided,
    evidence_weight,
    save_model,
    stored_model,
    train,
)
from transship.review.decisions import decide
from transship.review.users import User, add_user
from transship.run.fusion import with_learning
from transship.run.pipeline import detect

if TYPE_CHECKING:
    from pathlib import Path

LABELS = pl.read_csv(TINY_WORLD / "labels.csv", schema_overrides={"shipment_id": pl.String})
START, END = date(2026, 1, 1), date(2026, 4, 30)
KNOWN = date(2025, 12, 15)
"""The bulk of the outcomes are dated here: one decision set (one model) until new ones."""
DATED = LabelColumns(decided_at_column="decided")


def config_with(**learning: object) -> DetectorConfig:
    base = DetectorConfig.load()
    return replace(base, learning={**base.learning, **learning})


def outcomes(
    con: duckdb.DuckDBPyConnection,
    tmp_path: Path,
    since: date,
    until: date,
    decided_at: date = KNOWN,
    name: str = "outcomes.csv",
    limit: int | None = None,
) -> Path:
    """A file of the world's true labels for the shipments arriving in [since, until] (the
    first ``limit`` by id), decided on ``decided_at``."""
    ships = con.sql(
        "SELECT shipment_id FROM shipments WHERE arrival_date BETWEEN $since AND $until",
        params={"since": since, "until": until},
    ).pl()
    frame = (
        ships.join(LABELS, on="shipment_id").select("shipment_id", "positive").sort("shipment_id")
    )
    if limit is not None:
        frame = frame.head(limit)
    frame = frame.with_columns(decided=pl.lit(decided_at.isoformat()))
    path = tmp_path / name
    frame.write_csv(path)
    return path


@pytest.fixture
def analyst(copied_tiny_store: duckdb.DuckDBPyConnection) -> User:
    return add_user(copied_tiny_store, "a.lopez", "correct horse battery")


def scores(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql(
        "SELECT shipment_id, arrival_date, score, base_score, learned, learned_weight, "
        "learned_model FROM shipment_scores WHERE arrival_date BETWEEN $start AND $end "
        "ORDER BY shipment_id",
        params={"start": START, "end": END},
    ).pl()


def test_a_decision_made_after_a_day_never_changes_its_scores(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User, tmp_path: Path
) -> None:
    con = copied_tiny_store
    import_outcomes(
        con, outcomes(con, tmp_path, date(2024, 7, 1), date(2025, 12, 14)), analyst, DATED
    )
    config = DetectorConfig.load()
    detect(con, START, END, config)
    before = scores(con)
    assert before["learned_weight"].max() > 0, "the learner is in use on these days"

    # Recorded on 2026-03-15: an analyst's decision during the day, and imported outcomes
    # dated that day. Neither may reach 2026-03-15's scores or any earlier day's.
    flag = con.execute(
        "SELECT flag_id FROM flags WHERE level = 'shipment' AND flag_date < '2026-01-01' "
        "AND status = 'open' ORDER BY score DESC LIMIT 1"
    ).fetchall()[0][0]
    decide(con, [flag], "dismiss", "checked the invoice", analyst)
    con.execute("UPDATE decisions SET decided_at = TIMESTAMP '2026-03-15 10:00:00'")
    late = outcomes(
        con, tmp_path, date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 15), "late.csv"
    )
    import_outcomes(con, late, analyst, DATED)
    decisions = con.execute("SELECT * FROM decisions ORDER BY decision_id").fetchall()

    detect(con, START, END, config)
    after = scores(con)
    day = pl.col("arrival_date") <= date(2026, 3, 15)
    assert after.filter(day).equals(before.filter(day))
    # From the next day on, the new decisions are known: the learned model changed.
    later = ~day
    changed = after.filter(later)["learned_model"] != before.filter(later)["learned_model"]
    assert changed.all()
    assert not after.filter(later)["score"].equals(before.filter(later)["score"])
    # Training changed no decision.
    assert con.execute("SELECT * FROM decisions ORDER BY decision_id").fetchall() == decisions


def test_the_nightly_run_gives_what_the_backfill_gave(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User, tmp_path: Path
) -> None:
    con = copied_tiny_store
    import_outcomes(
        con, outcomes(con, tmp_path, date(2024, 7, 1), date(2025, 12, 14)), analyst, DATED
    )
    config = DetectorConfig.load()
    detect(con, START, END, config)
    backfilled = scores(con).filter(pl.col("arrival_date") == date(2026, 3, 3))
    reused = con.execute("SELECT count(*) FROM learned_models").fetchall()[0][0]
    nightly = detect(con, date(2026, 3, 3), date(2026, 3, 3), config, kind="nightly")
    assert scores(con).filter(pl.col("arrival_date") == date(2026, 3, 3)).equals(backfilled)
    # No new decision: the stored model is reused, and the run names it.
    assert con.execute("SELECT count(*) FROM learned_models").fetchall()[0][0] == reused
    [line] = nightly.learning
    assert line.startswith("from 2026-03-03: learned model ")
    assert "learned from" in line
    # A decision recorded on 2026-03-03: the next night retrains on it.
    flag = con.execute(
        "SELECT flag_id FROM flags WHERE level = 'shipment' AND status = 'open' "
        "ORDER BY score DESC LIMIT 1"
    ).fetchall()[0][0]
    decide(con, [flag], "confirm", "invoice names a Chinese smelter", analyst)
    con.execute("UPDATE decisions SET decided_at = TIMESTAMP '2026-03-03 16:00:00'")
    next_night = detect(con, date(2026, 3, 4), date(2026, 3, 4), config, kind="nightly")
    assert con.execute("SELECT count(*) FROM learned_models").fetchall()[0][0] == reused + 1
    assert f"learned model {reused + 1}: learned from" in next_night.learning[0]


def test_below_the_minimum_the_score_is_what_it_is_without_learning(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User, tmp_path: Path
) -> None:
    con = copied_tiny_store
    config = DetectorConfig.load()
    detect(con, START, END, config)
    flags_before = con.execute(
        "SELECT shipment_id, score, reasons FROM flags WHERE level = 'shipment' "
        "AND flag_date BETWEEN ? AND ? ORDER BY shipment_id",
        [START, END],
    ).fetchall()
    without = scores(con)
    assert without["learned_weight"].null_count() == without.height  # no decisions at all
    # 20 decisions: fewer than the 30 the learner needs.
    few = outcomes(con, tmp_path, date(2025, 6, 1), date(2025, 6, 30), limit=20)
    assert pl.read_csv(few).height == 20
    import_outcomes(con, few, analyst, DATED)
    result = detect(con, START, END, config)
    assert result.learning[0].startswith("from 2026-01-01: learner off: 20 decisions before")
    assert "it needs 30, with 5 of each outcome" in result.learning[0]
    with_few = scores(con)
    assert with_few["score"].equals(without["score"])
    assert (with_few["learned_weight"] == 0).all()
    assert (
        con.execute(
            "SELECT shipment_id, score, reasons FROM flags WHERE level = 'shipment' "
            "AND flag_date BETWEEN ? AND ? ORDER BY shipment_id",
            [START, END],
        ).fetchall()
        == flags_before
    )


def test_above_the_minimum_the_learned_part_joins_with_its_weight(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User, tmp_path: Path
) -> None:
    con = copied_tiny_store
    import_outcomes(
        con, outcomes(con, tmp_path, date(2024, 7, 1), date(2025, 12, 14)), analyst, DATED
    )
    config = DetectorConfig.load()
    detect(con, START, END, config)
    scored = scores(con)
    # Each row's weight is what the evidence of its model earned, as far as decisions on
    # shipments with the same findings back its move.
    models = con.sql("SELECT model_id, positives, negatives FROM learned_models").pl()
    earned = {
        model: evidence_weight(positives, negatives, config.learning_settings)
        for model, positives, negatives in models.iter_rows()
    }
    assert 0 < min(earned.values()) <= max(earned.values()) < 0.8
    assert scored["learned_model"].null_count() == 0
    share = scored["learned_weight"] / scored["learned_model"].replace_strict(earned)
    assert share.min() >= 0 and share.max() == 1
    expected = with_learning(
        scored["base_score"].to_numpy(),
        scored["learned"].to_numpy(),
        scored["learned_weight"].to_numpy(),
    )
    assert np.array_equal(scored["score"].to_numpy(), expected)
    # Every flag says what the learned part did, in words.
    reasons = con.execute(
        "SELECT reasons, contributions FROM flags WHERE level = 'shipment' "
        "AND flag_date BETWEEN ? AND ?",
        [START, END],
    ).fetchall()
    assert reasons
    assert all("by what analysts decided" in r for r, _ in reasons)
    assert any("similar to" in r and "you confirmed, most alike in" in r for r, _ in reasons)
    assert all('"learned"' in c for _, c in reasons)


def test_decisions_are_recorded_before_a_day_when_before_its_first_instant() -> None:
    events = pl.DataFrame(
        {
            "shipment_id": ["a", "b", "a"],
            "positive": [1, 0, None],
            "effective": [
                datetime(2026, 3, 14, 23, 59),
                datetime(2026, 3, 15, 0, 0),
                datetime(2026, 3, 16, 9, 0),
            ],
            "seq": [1, 2, 3],
            "source": ["decision", "imported", "decision"],
        },
        schema_overrides={"positive": pl.Int32},
    )
    assert decided(events, date(2026, 3, 15))["shipment_id"].to_list() == ["a"]
    assert decided(events, date(2026, 3, 16))["shipment_id"].to_list() == ["a", "b"]
    # A reopening makes the shipment undecided again.
    assert decided(events, date(2026, 3, 17))["shipment_id"].to_list() == ["b"]
    assert cutoff(date(2026, 3, 18), "week") == date(2026, 3, 16)
    assert cutoff(date(2026, 3, 18), "month") == date(2026, 3, 1)


def test_the_weight_grows_with_the_rarer_outcome() -> None:
    settings = Learning()
    weights = [evidence_weight(n, 10_000, settings) for n in (4, 5, 20, 100, 500, 5000)]
    assert weights[0] == 0.0
    # At the minimum the learned part joins, and its weight grows with the evidence.
    assert 0 < weights[1] < weights[2] < weights[3] < weights[4]
    assert weights[-1] == weights[-2] == settings.max_weight
    assert evidence_weight(10_000, 20, settings) == evidence_weight(20, 10_000, settings)


def _training_rows(n: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    positive = rng.integers(0, 2, n)
    labels = pl.DataFrame(
        {
            "shipment_id": [f"s{i}" for i in range(n)],
            "positive": positive,
            "effective": [datetime(2025, 1, 1 + i % 28) for i in range(n)],
            "seq": list(range(n)),
            "source": ["imported"] * n,
        },
        schema_overrides={"positive": pl.Int32},
    )
    inputs = pl.DataFrame(
        {
            "shipment_id": labels["shipment_id"],
            # The score without learning ranks them perfectly; the inputs are noise.
            "base_score": positive * 60.0 + rng.random(n),
            "log_weight": rng.normal(size=n),
            "origin_country": rng.choice(["TH", "MX", "VN"], n),
        }
    )
    return labels, inputs


def test_a_learner_worse_than_no_learning_on_held_out_decisions_is_not_used() -> None:
    labels, inputs = _training_rows(400, 0)
    settings = Learning(min_leaf=5, max_weight=1.0, full_evidence=20)
    trained = train(
        labels,
        inputs.drop("base_score").with_columns(base_score=pl.lit(0.0)),
        settings,
        date(2025, 2, 1),
    )
    assert trained.used  # no learning ranks nothing: any learner does at least as well
    trained = train(labels.with_columns(), inputs, settings, date(2025, 2, 1))
    assert trained.holdout_size == 80
    assert trained.holdout_ap_base == pytest.approx(1.0)
    assert trained.holdout_ap_learned is not None and trained.holdout_ap_learned < 1.0
    assert not trained.used and not trained.active
    assert trained.note.startswith(
        "learner not used: on the latest 80 decisions held out, average precision"
    )


@pytest.mark.parametrize(
    ("positives", "said"),
    [
        (0, "learner off: 100 decisions before 2025-02-01 (0 confirmed, 100 dismissed)"),
        (3, "(3 confirmed, 97 dismissed); it needs 30, with 5 of each outcome"),
    ],
)
def test_one_outcome_only_or_too_few_of_one_turns_the_learner_off(
    positives: int, said: str
) -> None:
    labels, inputs = _training_rows(100, 1)
    labels = labels.with_columns(
        positive=pl.Series([1] * positives + [0] * (100 - positives), dtype=pl.Int32)
    )
    trained = train(labels, inputs, Learning(), date(2025, 2, 1))
    assert not trained.active and trained.ranker is None
    assert said in trained.note


def test_decisions_on_shipments_without_inputs_are_left_out_and_said() -> None:
    labels, inputs = _training_rows(100, 2)
    trained = train(labels, inputs.head(90), Learning(), date(2025, 2, 1))
    assert trained.decisions == 90
    assert "10 decided shipments had no inputs and were left out" in trained.note


def test_a_share_of_the_review_budget_is_chosen_for_learning(
    copied_tiny_store: duckdb.DuckDBPyConnection, analyst: User, tmp_path: Path
) -> None:
    con = copied_tiny_store
    import_outcomes(
        con, outcomes(con, tmp_path, date(2024, 7, 1), date(2025, 12, 14)), analyst, DATED
    )

    def corridor_months() -> list[tuple[object, ...]]:
        return con.execute(
            "SELECT period, origin_country, hs6, score, reasons FROM flags "
            "WHERE level = 'corridor' AND basis = 'shipments' AND flag_date BETWEEN ? AND ? "
            "ORDER BY ALL",
            [START, END],
        ).fetchall()

    detect(con, START, END, config_with(explore_share=0.0))
    months_without = corridor_months()
    detect(con, START, END, config_with(review_budget=1.0, explore_share=0.1))
    picks = con.sql(
        "SELECT s.shipment_id, s.arrival_date, s.score, s.chosen_for_learning, f.reasons, "
        "f.status FROM shipment_scores AS s INNER JOIN flags AS f USING (shipment_id) "
        "WHERE s.chosen_for_learning IS NOT NULL"
    ).pl()
    arrivals = con.sql(
        "SELECT date_trunc('month', arrival_date) AS month, count(*) AS n FROM shipments "
        "WHERE arrival_date BETWEEN $start AND $end GROUP BY month",
        params={"start": START, "end": END},
    ).pl()
    # A tenth of each month's budget (all of its shipments here), spread over its days.
    assert picks.height == sum(n // 10 for n in arrivals["n"])
    assert set(picks["chosen_for_learning"]) == {"uncertain", "novel"}
    assert picks["reasons"].str.starts_with("Chosen for learning: ").all()
    assert (picks["status"] == "open").all()
    assert (picks["score"] < 50).all()
    # Shipments chosen for learning are no evidence about a corridor's month, nor flags
    # that `transship evaluate` ranks.
    assert corridor_months() == months_without
    from transship.evaluation.labels import ranking

    assert not set(picks["shipment_id"]) & set(ranking(con)["shipment_id"])


def test_without_any_decision_nothing_is_chosen_for_learning(
    copied_tiny_store: duckdb.DuckDBPyConnection,
) -> None:
    detect(copied_tiny_store, START, END, config_with(review_budget=1.0))
    assert copied_tiny_store.execute(
        "SELECT count(*) FROM shipment_scores WHERE chosen_for_learning IS NOT NULL"
    ).fetchall() == [(0,)]


def test_every_scored_shipment_is_exported(tiny_store: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from transship.cli import app

    out = tmp_path / "scores.csv"
    args = ["scores", "--start", "2025-01-01", "--end", "2025-03-31", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--db", str(tiny_store)])
    assert result.exit_code == 0, result.output
    exported = pl.read_csv(out, schema_overrides={"shipment_id": pl.String})
    assert exported.columns[:4] == ["shipment_id", "arrival_date", "import_country", "score"]
    assert set(exported["import_country"]) == {"US"}
    con = duckdb.connect(str(tiny_store), read_only=True)
    shipments, flags = con.execute(
        "SELECT (SELECT count(*) FROM shipments WHERE arrival_date BETWEEN ? AND ?), "
        "(SELECT count(*) FROM flags WHERE level = 'shipment' AND flag_date BETWEEN ? AND ?)",
        [date(2025, 1, 1), date(2025, 3, 31)] * 2,
    ).fetchall()[0]
    con.close()
    assert exported.height == shipments
    assert exported["flagged"].sum() == flags
    # A flag's score is exact; a shipment far under the threshold may have a lower bound.
    assert exported.filter("flagged")["exact"].all()
    assert exported.filter(~pl.col("exact"))["score"].max() < 50


def test_a_move_needs_decisions_on_shipments_with_the_same_findings() -> None:
    from transship.learning.training import support

    decided = pl.Series(["capacity,routing"] * 5 + [""] * 10 + ["unit_value"] * 2)
    positive = np.array([1] * 5 + [0] * 10 + [0] * 2)
    rows = pl.Series(["capacity,routing", "capacity,routing", "", "unit_value", "description"])
    up = np.array([True, False, False, False, True])
    # Up as far as such shipments were confirmed, down as far as they were dismissed: a new
    # pattern the rules catch is not ranked down for what was dismissed elsewhere.
    assert support(rows, up, decided, positive, 5).tolist() == [1.0, 0.0, 1.0, 0.4, 0.0]


def test_the_learned_part_says_what_moved_a_shipment_in_words() -> None:

    rng = np.random.default_rng(3)
    n = 400
    unit_value = rng.normal(size=n)
    origin = rng.choice(["TH", "MX", "VN", "BE"], n)
    weight = rng.normal(size=n)
    clear = (unit_value > 0.5) | (origin == "TH")
    positive = np.where(rng.random(n) < 0.15, ~clear, clear).astype(int)  # some mistakes
    train_inputs = pl.DataFrame(
        {
            "shipment_id": [f"s{i}" for i in range(n)],
            "log_unit_value": unit_value,
            "log_weight": weight,
            "origin_country": origin,
        }
    )
    ranker = LearnedRanker(min_leaf=5).fit(train_inputs, positive)
    rows = pl.DataFrame(
        {
            "shipment_id": ["up", "down", "quiet", "still"],
            "log_unit_value": [2.0, -2.0, 0.3, 0.2],
            "log_weight": [0.0] * 4,
            "origin_country": ["TH", "VN", "VN", "BE"],
        }
    )
    learned = ranker.score(rows)
    base = np.array([10.0, 90.0, 0.0, 1.0])
    fused = with_learning(base, learned, np.full(4, 0.8))
    up, down, quiet, still = ranker.reasons(rows, learned, base, fused)
    assert up.startswith("Ranked up ") and "shipments you confirmed, most alike in" in up
    assert down.startswith("Ranked down ") and "shipments you dismissed, most alike in" in down
    # Without any finding its score could only rise: it resembles nothing confirmed.
    assert quiet.startswith("Ranked up ") and "against 50% of the decided shipments" in quiet
    assert still.startswith("What analysts decided barely moved its score")


def _drifting_decisions(n: int, seed: int, drifts: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Decisions whose outcome follows the unit value and the origin. The corridor volume
    group is noise; where it ``drifts``, it tracked the outcome in all but the latest fifth
    of the decisions (as a corridor's surge can track what one period's checks found) and
    says nothing about the latest."""
    rng = np.random.default_rng(seed)
    unit_value = rng.normal(size=n)
    origin = rng.choice(["TH", "MX", "VN", "BE"], n)
    chance = 1 / (1 + np.exp(-(2 * unit_value + 2 * (origin == "TH") - 1)))
    positive = (rng.random(n) < chance).astype(np.int32)
    surge = rng.normal(size=n)
    if drifts:
        surge += np.where(np.arange(n) < n - round(0.2 * n), 3.0 * positive, 0.0)
    labels = pl.DataFrame(
        {
            "shipment_id": [f"s{i:04d}" for i in range(n)],
            "positive": positive,
            "effective": [datetime(2025, 1, 1) + timedelta(hours=i) for i in range(n)],
            "seq": list(range(n)),
            "source": ["imported"] * n,
        }
    )
    inputs = pl.DataFrame(
        {
            "shipment_id": labels["shipment_id"],
            "base_score": np.zeros(n),
            "log_unit_value": unit_value,
            "origin_country": origin,
            "log_corridor_surge": surge,
        }
    )
    return labels, inputs


def _sentences(ranker: LearnedRanker, inputs: pl.DataFrame) -> list[str]:
    learned = ranker.score(inputs)
    base = np.zeros(inputs.height)
    return ranker.reasons(
        inputs, learned, base, with_learning(base, learned, np.full(len(base), 0.8))
    )


def test_every_input_group_is_kept_when_none_can_be_shown_to_cost_ranking() -> None:
    labels, inputs = _drifting_decisions(1500, 3, drifts=False)
    trained = train(labels, inputs, Learning(min_leaf=5), date(2025, 4, 1))
    assert trained.used and trained.left_out == ()
    assert trained.ranker is not None
    assert set(trained.ranker.groups_) == {"unit value", "origin", "corridor volume"}
    # Leaving out the corridor volume was tried and gained nothing beyond the noise.
    assert "every input kept (held out, average precision" in trained.note
    y = labels["positive"].to_numpy()
    cut = 1500 - 300
    _, choice = choose_groups(
        inputs.head(cut), y[:cut], inputs.tail(300), y[cut:], Learning(min_leaf=5)
    )
    assert choice.contributions is not None
    part, noise = choice.contributions["unit value"]
    assert part > NOISE_SDS * noise  # a group that helps, beyond its noise


def test_an_input_group_that_says_nothing_about_the_latest_decisions_is_left_out(
    copied_tiny_store: duckdb.DuckDBPyConnection,
) -> None:
    labels, inputs = _drifting_decisions(1500, 3, drifts=True)
    trained = train(labels, inputs, Learning(min_leaf=5), date(2025, 4, 1))
    assert trained.used and trained.left_out == ("corridor volume",)
    assert trained.ranker is not None
    assert "log_corridor_surge" not in trained.ranker.columns
    assert "inputs left out as adding nothing: corridor volume (held out" in trained.note
    # A model reading every group leans on it, and says so in its reasons; the chosen one
    # never names it.
    every = LearnedRanker(min_leaf=5).fit(inputs, labels["positive"].to_numpy())
    assert any("corridor volume" in s for s in _sentences(every, inputs))
    sentences = _sentences(trained.ranker, inputs)
    assert not any("corridor volume" in s for s in sentences)
    assert any("most alike in" in s for s in sentences)
    # The stored model keeps the choice: the groups it reads and why the others are out.
    saved = save_model(copied_tiny_store, replace(trained, fingerprint="drift"), "US")
    stored = stored_model(copied_tiny_store, "drift")
    assert stored is not None and stored.model_id == saved.model_id
    assert stored.left_out == ("corridor volume",) and stored.note == trained.note


def test_average_precision_is_scikit_learns_with_ties_and_weights() -> None:
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 300)
    scores = np.round(rng.random(300) + 0.4 * y, 1)  # many ties
    weights = rng.integers(0, 3, (4, 300))
    expected = [average_precision_score(y, scores, sample_weight=w) for w in weights]
    assert average_precision(y, scores, weights) == pytest.approx(expected)
    assert average_precision(y, scores)[0] == pytest.approx(average_precision_score(y, scores))
