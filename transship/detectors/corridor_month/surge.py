"""Month surge: a corridor's month far above its trailing 12-month average, or a new
corridor starting big; weaker evidence from an origin that produces the material, none
from a month too small to be worth a corridor case."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import (
    Amount,
    Detector,
    Positive,
    Share,
    clip01,
    code,
    ramp,
    sentences,
    shipments,
    tonnes,
)
from transship.importers import ADJECTIVE, NAME, imports_of


class MonthSurge(Detector):
    name = "month_surge"
    shown_as = "corridor_surge"
    kind = "rule"
    level = "corridor_month"
    requires = (
        "origin_name",
        "hs6",
        "month",
        "shipments",
        "weight_kg",
        "value_usd",
        "baseline_kg",
        "surge_ratio",
        "capacity_level",
        NAME,
        ADJECTIVE,
    )
    ordered = (("min_ratio", "full_ratio"),)

    def __init__(
        self,
        min_ratio: Positive = 3.0,
        full_ratio: Positive = 12.0,
        new_corridor_kg: Amount = 1000.0,
        producer_damping: Share = 0.35,
        min_value_usd: Amount = 2500.0,
    ) -> None:
        self.min_ratio = min_ratio
        self.full_ratio = full_ratio
        self.new_corridor_kg = new_corridor_kg
        self.producer_damping = producer_damping
        self.min_value_usd = min_value_usd

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        new_corridor = (pl.col("baseline_kg") == 0) & (pl.col("weight_kg") >= self.new_corridor_kg)
        surge = (
            pl.when(new_corridor)
            .then(1.0)
            .otherwise(
                ramp(pl.col("surge_ratio").log(), np.log(self.min_ratio), np.log(self.full_ratio))
            )
        )
        damping = (
            pl.when(pl.col("capacity_level") == "major").then(self.producer_damping).otherwise(1.0)
        )
        # A heavy month declared cheap still counts: undervaluing is itself a way to hide.
        material = (pl.col("value_usd").fill_null(0.0) >= self.min_value_usd) | (
            pl.col("weight_kg") >= self.new_corridor_kg
        )
        scores = pl.when(material).then(surge * damping).otherwise(0.0)
        return clip01(frame.select(scores).to_series())

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        return sentences(frame, scores, lambda r: volume(r) + ".")


def volume(r: dict[str, Any]) -> str:
    """'US imports of 2825.80 from Mexico in 2023-06: 15.7 t in 1 shipment, 11.7x the
    trailing 12-month average of 1.3 t a month' (the corridor's importing country's)."""
    text = (
        f"{imports_of(r, code(r['hs6']))} from {r['origin_name']} in {r['month']:%Y-%m}: "
        f"{tonnes(r['weight_kg'])} in {shipments(r['shipments'])}"
    )
    if r["baseline_kg"]:
        return text + (
            f", {r['weight_kg'] / r['baseline_kg']:,.1f}x the trailing 12-month average of "
            f"{tonnes(r['baseline_kg'])} a month"
        )
    return text + ", with no imports in the 12 months before"
