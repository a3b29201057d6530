"""Capacity: a controlled material declared as originating in a country that does not
mine, smelt, refine or recycle what the code holds (``transship.features.capacity``:
the highest level over every listed material the code carries, from capacity in force on
the arrival date). Goods whose origin is the importing country itself are goods
returned, not a capacity question."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import Detector, Share, clip01, sentences


def capacity_sentence(
    name: str,
    level: str,
    material: str,
    code_goods: str | None,
    capacity: str = "capacity",
    none_capacity: str | None = None,
    note: str | None = None,
) -> str:
    """What a level says of a country: 'Thailand has only minor antimony capacity (Limited
    smelting).', 'Malaysia is not known to produce any of 8112.92 (gallium, germanium;
    also indium, niobium, vanadium).' ``capacity`` names the capacity, ``none_capacity``
    where 'no known' names it otherwise; ``code_goods`` says what a shared code holds."""
    if level == "unknown":
        return f"{name} is not known to produce any of {code_goods}."
    if level == "none":
        what = none_capacity or capacity
        if code_goods:
            return f"{name} has no known {what} for {code_goods}."
        return f"{name} has no known {material} {what}."
    text = (
        f"{name} has only minor {capacity} for {code_goods}"
        if code_goods
        else f"{name} has only minor {material} {capacity}"
    )
    return text + (f" ({note})." if note else ".")


class Capacity(Detector):
    name = "capacity"
    kind = "rule"
    requires = ("capacity_level", "capacity_note", "origin_country", "import_country", "code_goods")

    def __init__(self, none_score: Share = 1.0, minor_score: Share = 0.6) -> None:
        self.none_score = none_score
        self.minor_score = minor_score

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        level = pl.col("capacity_level")
        score = frame.select(
            pl.when(pl.col("origin_country") == pl.col("import_country"))
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
            return capacity_sentence(
                r["origin_name"],
                r["capacity_level"],
                r["material"],
                r["code_goods"],
                none_capacity="mining, smelting, refining or recycling capacity",
                note=r["capacity_note"],
            )

        return sentences(frame, scores, render)
