"""Structuring: many small shipments of a controlled code to one consignee (an entity,
however each parcel spells it) adding up to a steady monthly quantity."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import (
    Amount,
    Count,
    Detector,
    Positive,
    Share,
    clip01,
    code,
    ramp,
    sentences,
    tonnes,
    trader,
)


class Structuring(Detector):
    name = "structuring"
    kind = "rule"
    requires = (
        "controlled",
        "importer_hs6_count_90d",
        "importer_hs6_kg_90d",
        "importer_monthly_kg",
        "importer_monthly_cv",
        "transport_mode",
        "importer_name",
    )
    ordered = (("min_shipments_90d", "full_shipments_90d"),)

    def __init__(
        self,
        min_shipments_90d: Count = 6,
        full_shipments_90d: Count = 12,
        max_mean_kg: Positive = 150.0,
        max_monthly_cv: Amount = 0.5,
        air_bonus: Share = 0.2,
    ) -> None:
        self.min_shipments_90d = min_shipments_90d
        self.full_shipments_90d = full_shipments_90d
        self.max_mean_kg = max_mean_kg
        self.max_monthly_cv = max_monthly_cv
        self.air_bonus = air_bonus

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        count = pl.col("importer_hs6_count_90d")
        mean_kg = pl.col("importer_hs6_kg_90d") / count
        steady = pl.col("importer_monthly_cv").fill_null(1.0) <= self.max_monthly_cv
        many = ramp(count, self.min_shipments_90d - 1, self.full_shipments_90d)
        air = pl.when(pl.col("transport_mode") == "air").then(self.air_bonus).otherwise(0.0)
        score = frame.select(
            pl.when(
                pl.col("controlled")
                & (mean_kg <= self.max_mean_kg)
                & steady
                & (count >= self.min_shipments_90d)
            )
            .then(many * (1 - self.air_bonus) + air)
            .otherwise(0.0)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            count = r["importer_hs6_count_90d"]
            return (
                f"{trader(r, 'importer', closed=True)} received {count:.0f} shipments of "
                f"{code(r['hs6'])} in 90 days "
                f"averaging {r['importer_hs6_kg_90d'] / count:,.1f} kg "
                f"({tonnes(r['importer_hs6_kg_90d'])} in all); its monthly totals over the "
                f"previous 3 months were steady at about {tonnes(r['importer_monthly_kg'])} "
                f"(variation {r['importer_monthly_cv']:.0%})"
                + (", by air." if r["transport_mode"] == "air" else ".")
            )

        return sentences(frame, scores, render)
