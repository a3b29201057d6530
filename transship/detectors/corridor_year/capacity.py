"""Capacity, by year: a country trading a controlled code in volume that has no (or only
minor) capacity to produce or refine what the code holds (capacity counts from the year it
starts, closed capacity never). On a basket code, a code that also holds goods outside the
materials list, a country not known to produce any of it scores only where the corridor's
price corroborates the material (``transship.features.corridor_year.corroborated`` then
calls it 'none'): capacity alone does not make a basket's trade the controlled material.
It states the capacity; the surges and gaps weigh it (their capacity factors), so in
[weights] it adds nothing of its own, and alone it makes no flag ([fusion] supporting)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import Amount, Detector, Share, clip01, sentences
from transship.detectors.capacity import capacity_sentence
from transship.detectors.corridor_year.common import is_china, reaches, timeline


class YearCapacity(Detector):
    name = "year_capacity"
    shown_as = "capacity"
    kind = "rule"
    level = "corridor_year"
    requires = (
        "country",
        "country_name",
        "material",
        "code_goods",
        "imp_value_usd",
        "cn_exp_value_usd",
        "capacity_level",
        "year",
        "control_in_force",
    )

    def __init__(
        self,
        min_value_usd: Amount = 1_000_000.0,
        none_score: Share = 1.0,
        minor_score: Share = 0.6,
        before_control_weight: Share = 0.5,
    ) -> None:
        self.min_value_usd = min_value_usd
        self.none_score = none_score
        self.minor_score = minor_score
        self.before_control_weight = before_control_weight

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        traded = reaches("imp", self.min_value_usd) | reaches("cn_exp", self.min_value_usd)
        level = pl.col("capacity_level").replace_strict(
            {
                "none": self.none_score,
                "unknown": 0.0,
                "minor": self.minor_score,
                "major": 0.0,
            }
        )
        score = frame.select(
            pl.when(traded & ~is_china).then(level).otherwise(0.0)
            * timeline(self.before_control_weight)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            return capacity_sentence(
                r["country_name"],
                r["capacity_level"],
                r["material"],
                r["code_goods"],
                capacity="production or refining capacity",
            )

        return sentences(frame, scores, render)
