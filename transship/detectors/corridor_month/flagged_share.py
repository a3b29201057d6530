"""Flagged share: the share of a corridor's month's shipments that were flagged, counting
one unflagged shipment more than the month had, so a month of one flagged shipment is not
read as a corridor-wide pattern."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import Amount, Detector, clip01, sentences, shipments


class FlaggedShare(Detector):
    name = "month_flagged_share"
    shown_as = "flagged_shipments"
    kind = "rule"
    level = "corridor_month"
    requires = ("shipments", "flagged")

    def __init__(self, prior_shipments: Amount = 1.0) -> None:
        self.prior_shipments = prior_shipments

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        share = pl.col("flagged") / (pl.col("shipments") + self.prior_shipments)
        return clip01(frame.select(share).to_series())

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            return f"Flagged: {r['flagged']:,} of the month's {shipments(r['shipments'])}."

        return sentences(frame, scores, render)
