"""Exploration: how many shipments a day chooses for learning, and which."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from transship.learning.explore import choose, daily_quotas, novelty


def test_a_small_budget_carries_over_within_the_month() -> None:
    # 10 shipments a day in January; one pick per 25 shipments.
    days = [date(2026, 1, d) for d in range(1, 32) for _ in range(10)]
    quotas = daily_quotas(pl.Series(days), date(2026, 1, 1), date(2026, 1, 31), 0.04)
    assert sum(map(sum, quotas.values())) == 12  # floor(0.04 x 310)
    assert sorted(quotas)[:2] == [date(2026, 1, 3), date(2026, 1, 5)]
    # Picks alternate between the kinds, the first uncertain.
    assert [quotas[d] for d in sorted(quotas)[:3]] == [(1, 0), (0, 1), (1, 0)]
    # A nightly run for one day gets that day's share of the month, as the backfill did.
    assert daily_quotas(pl.Series(days), date(2026, 1, 5), date(2026, 1, 5), 0.04) == {
        date(2026, 1, 5): (0, 1)
    }


def test_uncertain_picks_are_nearest_one_half_and_novel_ones_least_seen() -> None:
    ids = [f"s{i}" for i in range(6)]
    learned = np.array([0.9, 0.48, 0.1, 0.55, np.nan, 0.2])
    novel = np.array([0, 0, 3, 1, 5, 0], dtype=float)
    unusual = np.zeros(6)
    picks = choose(np.arange(6), (2, 2), ids, learned, novel, unusual)
    assert picks == [(1, "uncertain"), (3, "uncertain"), (4, "novel"), (2, "novel")]
    # Without a learned probability every pick is a novel one.
    none = np.full(6, np.nan)
    assert [why for _, why in choose(np.arange(6), (1, 1), ids, none, novel, unusual)] == [
        "novel",
        "novel",
    ]


def test_novelty_counts_keys_no_decided_shipment_has() -> None:
    keys = ["exporter", "importer", "hs6", "origin_country"]
    decided = pl.DataFrame([("E1", "I1", "811292", "HK")], schema=keys, orient="row")
    rows = pl.DataFrame(
        [("E1", "I1", "811292", "HK"), ("E2", "I1", "811292", "MY"), ("E3", "I3", "282580", "TH")],
        schema=keys,
        orient="row",
    )
    # exporter, importer, code, origin, corridor (origin x code)
    assert novelty(rows, decided).tolist() == [0.0, 3.0, 5.0]
