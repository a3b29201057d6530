"""Unit-value misfit: the declared code's value per kg is far from that code's benchmark
and close to the price of a controlled material."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import (
    Count,
    Detector,
    Positive,
    clip01,
    code,
    ramp,
    sentences,
    shipments,
)


class UnitValueMisfit(Detector):
    name = "unit_value"
    kind = "rule"
    requires = (
        "uv_z",
        "unit_value",
        "hs6_uv_typical",
        "hs6_history",
        "nearest_controlled_hs6",
        "nearest_controlled_gap",
        "nearest_controlled_uv",
        "nearest_controlled_material",
    )
    ordered = (("min_z", "full_z"),)

    def __init__(
        self,
        min_z: Positive = 3.0,
        full_z: Positive = 8.0,
        max_price_ratio: Positive = 2.5,
        min_history: Count = 5,
    ) -> None:
        self.min_z = min_z
        self.full_z = full_z
        self.max_price_ratio = max_price_ratio
        self.min_history = min_history

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        # A median and spread of one or two prices is no benchmark to be far from.
        fits_controlled = (pl.col("nearest_controlled_gap") <= np.log(self.max_price_ratio)) & (
            pl.col("hs6_history") >= self.min_history
        )
        closeness = 1 - pl.col("nearest_controlled_gap") / np.log(self.max_price_ratio) / 2
        score = frame.select(
            pl.when(fits_controlled)
            .then(ramp(pl.col("uv_z").abs(), self.min_z, self.full_z) * closeness)
            .otherwise(0.0)
            .fill_null(0.0)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            factor = r["unit_value"] / r["hs6_uv_typical"]
            direction = f"{factor:,.0f}x above" if factor >= 1 else f"{1 / factor:,.0f}x below"
            return (
                f"Declared as {code(r['hs6'])} at ${r['unit_value']:,.2f}/kg, {direction} the "
                f"${r['hs6_uv_typical']:,.2f}/kg that code traded at over the past year "
                f"({shipments(r['hs6_history'])}); the "
                f"price fits {code(r['nearest_controlled_hs6'])} "
                f"({r['nearest_controlled_material']}) at ${r['nearest_controlled_uv']:,.2f}/kg."
            )

        return sentences(frame, scores, render)
