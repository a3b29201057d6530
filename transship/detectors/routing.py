"""Routing: controlled goods exported from a country other than the declared origin, or
declared as from, or shipped through, a known transit hub."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import Detector, Share, clip01, sentences


class Routing(Detector):
    name = "routing"
    kind = "rule"
    requires = ("controlled", "export_differs", "origin_is_hub", "export_is_hub")

    def __init__(self, export_differs_score: Share = 0.7, hub_score: Share = 0.5) -> None:
        self.export_differs_score = export_differs_score
        self.hub_score = hub_score

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        hub = pl.col("origin_is_hub") | pl.col("export_is_hub").fill_null(False)
        score = frame.select(
            pl.when(~pl.col("controlled"))
            .then(0.0)
            .otherwise(
                pl.max_horizontal(
                    pl.when(pl.col("export_differs"))
                    .then(self.export_differs_score)
                    .otherwise(0.0),
                    pl.when(hub).then(self.hub_score).otherwise(0.0),
                )
            )
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            parts = []
            if r["export_differs"]:
                parts.append(
                    f"declared origin {r['origin_name']} but exported from {r['export_name']}"
                    + (f" (port of lading {r['port_of_lading']})" if r["port_of_lading"] else "")
                )
            if r["origin_is_hub"]:
                parts.append(f"{r['origin_name']} is a known transit hub, declared as the origin")
            elif r["export_is_hub"]:
                parts.append(f"shipped through the transit hub {r['export_name']}")
            return f"{r['material'].capitalize()}: " + "; ".join(parts) + "."

        return sentences(frame, scores, render)
