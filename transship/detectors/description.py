"""Description / HS mismatch: the goods description names a controlled material (in
English, other languages, symbols or chemical names) under a code that does not carry it.

``fit`` learns which materials each code's descriptions name routinely (lead-antimony
alloys under lead, say), so an ordinary phrase for a code weighs less than a slip. A code
with too little history to tell routine from slip scores ``unknown_code_score``.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import polars as pl

from transship.detectors.base import Count, Detector, Share, clip01, code, sentences


class DescriptionMismatch(Detector):
    name = "description"
    kind = "rule"
    requires = ("hs6", "material", "described_material", "described_keyword", "description")
    fits_on = ("hs6", "described_material")

    def __init__(
        self,
        routine_share: Share = 0.2,
        routine_score: Share = 0.2,
        min_code_history: Count = 20,
        unknown_code_score: Share = 0.5,
    ) -> None:
        self.routine_share = routine_share
        self.routine_score = routine_score
        self.min_code_history = min_code_history
        self.unknown_code_score = unknown_code_score

    def fit(self, frame: pl.DataFrame) -> Self:
        super().fit(frame)
        # Lazily: an eager group_by rechunks the whole frame first, every column of a fit
        # year read in several parts (2 GB and 2.5 s at 10M, for two columns' counts).
        counts = frame.lazy().group_by("hs6", "described_material").len().collect()
        shares = counts.with_columns(
            share=pl.col("len") / pl.col("len").sum().over("hs6"),
            code_rows=pl.col("len").sum().over("hs6"),
        )
        self.known_codes_ = (
            shares.filter(pl.col("code_rows") >= self.min_code_history).select("hs6").unique()
        )
        self.routine_vocabulary_ = shares.filter(
            pl.col("described_material").is_not_null() & (pl.col("share") >= self.routine_share)
        ).select("hs6", "described_material")
        return self

    def _mismatch(self) -> pl.Expr:
        named = pl.col("described_material")
        carried = pl.col("material").fill_null("").str.contains(named, literal=True)
        return named.is_not_null() & ~carried

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        routine = self.routine_vocabulary_.with_columns(routine=pl.lit(True))
        known = self.known_codes_.with_columns(known=pl.lit(True))
        marked = (
            frame.select("hs6", "described_material", "material")
            .join(routine, on=["hs6", "described_material"], how="left", maintain_order="left")
            .join(known, on="hs6", how="left", maintain_order="left")
        )
        score = marked.select(
            pl.when(self._mismatch())
            .then(
                pl.when(pl.col("routine").fill_null(False))
                .then(self.routine_score)
                .when(pl.col("known").fill_null(False))
                .then(1.0)
                .otherwise(self.unknown_code_score)
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
