"""Description / HS mismatch: the goods description names a controlled material (in
English, other languages, symbols or chemical names) under a code that does not carry it.

``fit`` learns which materials each code's descriptions name routinely (lead-antimony
alloys under lead, say), so an ordinary phrase for a code weighs less than a slip.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import polars as pl

from transship.detectors.base import Detector, clip01, code, sentences


class DescriptionMismatch(Detector):
    name = "description"
    kind = "rule"
    requires = ("hs6", "material", "described_material", "described_keyword", "description")

    def __init__(self, routine_share: float = 0.2, routine_score: float = 0.2) -> None:
        self.routine_share = routine_share
        self.routine_score = routine_score

    def fit(self, frame: pl.DataFrame) -> Self:
        super().fit(frame)
        shares = (
            frame.group_by("hs6", "described_material")
            .len()
            .with_columns(share=pl.col("len") / pl.col("len").sum().over("hs6"))
            .filter(
                pl.col("described_material").is_not_null() & (pl.col("share") >= self.routine_share)
            )
        )
        self.routine_vocabulary_ = shares.select("hs6", "described_material")
        return self

    def _mismatch(self) -> pl.Expr:
        named = pl.col("described_material")
        carried = pl.col("material").fill_null("").str.contains(named, literal=True)
        return named.is_not_null() & ~carried

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        routine = self.routine_vocabulary_.with_columns(routine=pl.lit(True))
        marked = frame.select("hs6", "described_material", "material").join(
            routine, on=["hs6", "described_material"], how="left", maintain_order="left"
        )
        score = marked.select(
            pl.when(self._mismatch())
            .then(
                pl.when(pl.col("routine").fill_null(False)).then(self.routine_score).otherwise(1.0)
            )
            .otherwise(0.0)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            return (
                f"The description '{r['description']}' names {r['described_material']} "
                f"('{r['described_keyword']}') but the declared code {code(r['hs6'])} "
                f"does not carry {r['described_material']}."
            )

        return sentences(frame, scores, render)
