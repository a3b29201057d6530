"""Fusion and month scoring: the models score only rows that could become flags."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from transship.detectors import DetectorConfig
from transship.features.build import Reference, build_features, load_flows, load_shipments
from transship.run.fusion import fuse
from transship.run.scoring import (
    fitted_detectors,
    model_reachable_floor,
    producer_damping,
    score_month,
)
from transship.storage.store import store

if TYPE_CHECKING:
    from pathlib import Path


def test_the_reachable_floor_is_where_top_model_scores_just_reach_the_threshold() -> None:
    config = DetectorConfig.load()
    floor = model_reachable_floor(config)
    weight, threshold = config.fusion["model_weight"], config.fusion["threshold"]
    assert np.isclose(100 * (1 - (1 - floor / 100) * (1 - weight)), threshold)


def test_skipping_models_below_the_floor_changes_no_flag(tiny_store: Path) -> None:
    config = DetectorConfig.load()
    with store(tiny_store, read_only=True) as con:
        reference = Reference.load(con)
        features = build_features(
            load_shipments(con, date(2025, 6, 30)), load_flows(con), reference
        )
    detectors = fitted_detectors(features, date(2025, 4, 1), "US", config)
    target = features.filter(pl.col("arrival_date").is_between(date(2025, 4, 1), date(2025, 6, 30)))
    quick = score_month(detectors, target, config)

    every_score = {d.name: d.score(target) for d in detectors}
    full = fuse(detectors, every_score, config, producer_damping(target, config)).risk
    threshold = config.fusion["threshold"]
    skipped = np.asarray(full) > quick["score"].to_numpy() + 1e-9
    assert skipped.any(), "some rows should have skipped the models"
    assert (full[skipped] < threshold).all()
    flagged = full >= threshold
    assert flagged.sum() > 0
    assert np.array_equal(quick["score"].to_numpy()[flagged], full[flagged])
    assert np.array_equal(quick["score"].to_numpy() >= threshold, flagged)
    assert np.array_equal(quick["flagged"].to_numpy(), flagged)
