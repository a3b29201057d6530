"""Corridor surge: imports of a controlled code from one origin far above that corridor's
own trailing baseline, weighted by how recently a control on the material, in force for
the importing country, took effect."""

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
)
from transship.importers import ADJECTIVE, CONTROLLING_EXPORTER_NAME, NAME, imports_of


class CorridorSurge(Detector):
    name = "corridor_surge"
    kind = "rule"
    requires = (
        "controlled",
        "corridor_surge_ratio",
        "corridor_recent_kg",
        "corridor_baseline_kg",
        "control_date",
        "arrival_date",
        NAME,
        ADJECTIVE,
    )
    ordered = (("min_ratio", "full_ratio"),)

    def __init__(
        self,
        min_ratio: Positive = 3.0,
        full_ratio: Positive = 12.0,
        min_recent_kg: Amount = 500.0,
        control_window_days: Count = 730,
        outside_control_weight: Share = 0.5,
    ) -> None:
        self.min_ratio = min_ratio
        self.full_ratio = full_ratio
        self.min_recent_kg = min_recent_kg
        self.control_window_days = control_window_days
        self.outside_control_weight = outside_control_weight

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        ratio = pl.col("corridor_surge_ratio").log()
        strength = ramp(ratio, np.log(self.min_ratio), np.log(self.full_ratio))
        days = (pl.col("arrival_date") - pl.col("control_date")).dt.total_days()
        timeline = (
            pl.when(days <= self.control_window_days)
            .then(1.0)
            .otherwise(self.outside_control_weight)
        )
        score = frame.select(
            pl.when(pl.col("controlled") & (pl.col("corridor_recent_kg") >= self.min_recent_kg))
            .then(strength * timeline)
            .otherwise(0.0)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            text = (
                f"{imports_of(r, code(r['hs6']))} from {r['origin_name']} in the 90 days to "
                f"{r['arrival_date']} reached {tonnes(r['corridor_recent_kg'])}, "
            )
            if r["corridor_baseline_kg"] > 0:
                rate = r["corridor_recent_kg"] / r["corridor_baseline_kg"]
                text += (
                    f"{rate:,.1f}x the corridor's trailing 12-month rate "
                    f"({tonnes(r['corridor_baseline_kg'])} per 90 days)"
                )
            else:
                text += "with no imports in the 12 months before"
            if r["control_date"] is not None:
                text += (
                    f"; {CONTROLLING_EXPORTER_NAME}'s {r['control_measure']} on "
                    f"{r['material']} took effect {r['control_date']}"
                )
            return text + "."

        return sentences(frame, scores, render)
