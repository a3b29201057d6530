"""Capacity, by month: the corridor's origin has no (or only minor) capacity for what the
code holds at the month's last shipment. On a basket code (one that also holds goods
outside the materials list) a country not known to produce any of it scores only where
the shipment was corroborated as the material (``transship.features.build.capacity_level``
then calls it 'none'). Evidence that supports the others: alone it makes no flag ([fusion]
supporting)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import Detector, Share, clip01, sentences
from transship.detectors.capacity import capacity_sentence


class MonthCapacity(Detector):
    name = "month_capacity"
    shown_as = "capacity"
    kind = "rule"
    level = "corridor_month"
    requires = ("origin_name", "material", "code_goods", "capacity_level")

    def __init__(self, none_score: Share = 1.0, minor_score: Share = 0.6) -> None:
        self.none_score = none_score
        self.minor_score = minor_score

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        level = pl.col("capacity_level").replace_strict(
            {"none": self.none_score, "minor": self.minor_score},
            default=0.0,
        )
        return clip01(frame.select(level).to_series())

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            return capacity_sentence(
                r["origin_name"], r["capacity_level"], r["material"], r["code_goods"]
            )

        return sentences(frame, scores, render)
