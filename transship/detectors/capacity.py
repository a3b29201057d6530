"""Capacity: a controlled material declared as originating in a country that does not
mine, smelt, refine or recycle it (announced supply counts from its start date)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import Detector, Share, clip01, sentences


class Capacity(Detector):
    name = "capacity"
    kind = "rule"
    requires = ("capacity_level", "capacity_note", "origin_country")

    def __init__(
        self,
        none_score: Share = 1.0,
        minor_score: Share = 0.6,
        exempt_origins: tuple[str, ...] = ("US",),
    ) -> None:
        self.none_score = none_score
        self.minor_score = minor_score
        self.exempt_origins = exempt_origins

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        level = pl.col("capacity_level")
        score = frame.select(
            pl.when(pl.col("origin_country").is_in(list(self.exempt_origins)))
            .then(0.0)
            .when(level == "none")
            .then(self.none_score)
            .when(level == "minor")
            .then(self.minor_score)
            .otherwise(0.0)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            if r["capacity_level"] == "none":
                return (
                    f"{r['origin_name']} has no known {r['material']} mining, smelting, "
                    f"refining or recycling capacity."
                )
            return (
                f"{r['origin_name']} has only minor {r['material']} capacity "
                f"({r['capacity_note']})."
            )

        return sentences(frame, scores, render)
