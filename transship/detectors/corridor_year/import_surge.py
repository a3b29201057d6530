"""Import surge: an importing country's imports of a controlled code from a country grew
against the latest earlier year the statistics have, weaker evidence from a country that
produces the material."""

from __future__ import annotations

import numpy as np
import polars as pl

from transship.detectors.base import Amount, Detector, Positive, Share, clip01, sentences
from transship.detectors.corridor_year.common import (
    growth_score,
    importer_imports,
    is_china,
    reaches,
    timeline,
)
from transship.importers import ADJECTIVE, NAME


class ImportSurge(Detector):
    name = "year_import_surge"
    shown_as = "import_surge"
    kind = "rule"
    level = "corridor_year"
    requires = (
        "country",
        "country_name",
        NAME,
        ADJECTIVE,
        "hs6",
        "year",
        "imp_value_usd",
        "imp_weight_kg",
        "imp_previous_year",
        "imp_previous_value",
        "imp_previous_kg",
        "capacity_level",
        "control_in_force",
    )
    ordered = (("min_growth", "full_growth"),)

    def __init__(
        self,
        min_value_usd: Amount = 1_000_000.0,
        min_growth: Positive = 1.5,
        full_growth: Positive = 3.0,
        producer_damping: Share = 0.35,
        before_control_weight: Share = 0.5,
    ) -> None:
        self.min_value_usd = min_value_usd
        self.min_growth = min_growth
        self.full_growth = full_growth
        self.producer_damping = producer_damping
        self.before_control_weight = before_control_weight

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)

        def quantity(value: str, kg: str) -> pl.Expr:
            """The weight where the year has one, else the value."""
            return pl.when(pl.col(kg) > 0).then(pl.col(kg)).otherwise(pl.col(value))

        growth = quantity("imp_value_usd", "imp_weight_kg") / quantity(
            "imp_previous_value", "imp_previous_kg"
        )
        damping = (
            pl.when(pl.col("capacity_level") == "major").then(self.producer_damping).otherwise(1.0)
        )
        score = frame.select(
            pl.when(reaches("imp", self.min_value_usd) & ~is_china)
            .then(growth_score(growth, self.min_growth, self.full_growth) * damping)
            .otherwise(0.0)
            * timeline(self.before_control_weight)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        return sentences(frame, scores, importer_imports)
