"""A trader's record: the decisions on its shipments before a moment, never later ones,
never the shipment's own."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import polars as pl
import pytest

from tests.test_learning import _drifting_decisions
from transship.detectors.config import Learning
from transship.learning.features import group_of
from transship.learning.record import parties, record, record_column
from transship.learning.training import train

SHARE = record_column("importer", "confirmed_share")
DECIDED = record_column("importer", "decided")


def _decided(rows: list[tuple[str, int, datetime, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "shipment_id": pl.String,
            "positive": pl.Int32,
            "effective": pl.Datetime("us"),
            "importer": pl.String,
        },
        orient="row",
    )


ASKED = pl.DataFrame(
    {
        "shipment_id": ["a", "b", "c", "d"],
        "as_of": [datetime(2025, 1, 3)] + [datetime(2025, 1, 10)] * 3,
        "importer": ["X", "X", None, "Y"],
    }
)
DECISIONS = _decided(
    [
        ("a", 1, datetime(2025, 1, 2), "X"),  # a's own decision
        ("e", 1, datetime(2025, 1, 5), "X"),
        ("f", 0, datetime(2025, 1, 10), "X"),  # recorded at b's moment: not before it
        ("g", 1, datetime(2025, 1, 1), "Z"),
    ]
)


def test_a_record_counts_decisions_before_the_moment_smoothed_to_the_overall_share() -> None:
    got = record(ASKED, DECISIONS, ["importer", "exporter"], strength=5)
    prior = 3 / 4
    # a: its own decision never counts; b: a's and e's, both confirmed, not f's; c has no
    # importer, so no record; d's importer has no decision: the overall share.
    assert got[SHARE].to_list()[0] == pytest.approx(prior)
    assert got[SHARE].to_list()[1] == pytest.approx((2 + 5 * prior) / (2 + 5))
    assert np.isnan(got[SHARE][2]) and np.isnan(got[DECIDED][2])
    assert got[SHARE].to_list()[3] == pytest.approx(prior)
    assert got[DECIDED].to_list()[:2] == pytest.approx([0.0, np.log1p(2)])
    # A party the rows do not name has no column.
    assert not any("exporter" in c for c in got.columns)


def test_a_decision_recorded_after_the_moment_never_changes_the_record() -> None:
    before = record(ASKED, DECISIONS, ["importer"], strength=5)
    # Decisions recorded at or after every row's moment: on the same importers, confirmed.
    # Only the overall share they are smoothed towards is the model's (its decisions), so
    # it is held fixed here by adding as many of each outcome.
    later = _decided(
        [
            ("h", 1, datetime(2025, 1, 10), "X"),
            ("i", 0, datetime(2025, 2, 1), "Y"),
            ("j", 1, datetime(2025, 3, 1), "Y"),
            ("k", 1, datetime(2025, 3, 1), "Y"),
        ]
    )
    after = record(ASKED, pl.concat([DECISIONS, later]), ["importer"], strength=5)
    prior_before, prior_after = 3 / 4, 6 / 8
    assert prior_before == prior_after
    assert after.equals(before)


def test_identifier_attributes_are_parties_and_a_record_is_named_by_its_party() -> None:
    attributes = pl.DataFrame(
        {
            "shipment_id": ["a", "a", "b"],
            "name": ["declarant", "tax_type", "declarant"],
            "kind": ["identifier", "category", "identifier"],
            "text_value": ["D1", "A", "D2"],
            "number_value": [None, None, None],
        },
        schema_overrides={"number_value": pl.Float64},
    )
    assert parties(attributes).sort("shipment_id").rows() == [("a", "D1"), ("b", "D2")]
    assert group_of(record_column("declarant", "confirmed_share")) == "declarant's record"
    assert group_of(record_column("customs_broker", "decided")) == "customs broker's record"


def test_a_record_is_read_only_when_it_ranks_held_out_decisions_better() -> None:
    labels, inputs = _drifting_decisions(1500, 3, drifts=False)
    y = labels["positive"].to_numpy()
    rng = np.random.default_rng(4)
    settings, cut = Learning(min_leaf=5), date(2025, 4, 1)
    plain = train(labels, inputs, settings, cut)

    # A record that says nothing of the outcome: left out, and the model is exactly the one
    # trained without it.
    idle = inputs.with_columns(
        pl.Series(SHARE, rng.random(1500)), pl.Series(DECIDED, rng.random(1500))
    )
    trained = train(labels, idle, settings, cut)
    assert "importer's record" in trained.left_out
    assert "the traders' records left out as adding nothing (held out" in trained.note
    assert trained.ranker is not None and plain.ranker is not None
    assert np.array_equal(trained.ranker.score(idle), plain.ranker.score(inputs))

    # A record that mostly tells the outcome (the importer's earlier shipments were mostly
    # decided as this one was): read.
    told = np.where(rng.random(1500) < 0.85, y, 1 - y)
    telling = inputs.with_columns(
        pl.Series(SHARE, 0.25 + 0.5 * told + 0.05 * rng.random(1500)),
        pl.Series(DECIDED, rng.random(1500)),
    )
    trained = train(labels, telling, settings, cut)
    assert "importer's record" not in trained.left_out
    assert "the traders' records read (held out" in trained.note
