"""Relationships: an importer that switched origin right after a control took effect, a
new exporter (or one that appeared only after the control) with sudden controlled volume,
a shipper-consignee pair never seen before. Traders are entities (every spelling of a
firm is one exporter), and the reasons name them so."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import (
    Amount,
    Count,
    Detector,
    Share,
    clip01,
    ramp,
    tonnes,
    trader,
)
from transship.importers import CONTROLLING_EXPORTER_NAME


class Relationships(Detector):
    name = "relationships"
    kind = "rule"
    requires = (
        "controlled",
        "switched_from",
        "switched_from_kg",
        "exporter_age_days",
        "exporter_first_seen",
        "exporter_controlled_kg_90d",
        "pair_new",
        "control_date",
        "exporter_name",
        "importer_name",
    )
    ordered = (("new_exporter_kg", "new_exporter_full_kg"),)

    def __init__(
        self,
        switch_score: Share = 1.0,
        new_exporter_days: Count = 120,
        new_exporter_kg: Amount = 10_000.0,
        new_exporter_full_kg: Amount = 60_000.0,
        new_pair_score: Share = 0.3,
    ) -> None:
        self.switch_score = switch_score
        self.new_exporter_days = new_exporter_days
        self.new_exporter_kg = new_exporter_kg
        self.new_exporter_full_kg = new_exporter_full_kg
        self.new_pair_score = new_pair_score

    def _new_exporter(self) -> pl.Expr:
        """An exporter that is new, or that appeared only after the control in force."""
        young = (pl.col("exporter_age_days") <= self.new_exporter_days) | (
            pl.col("exporter_first_seen").fill_null(pl.col("arrival_date"))
            >= pl.col("control_date")
        ).fill_null(False)
        volume = ramp(
            pl.col("exporter_controlled_kg_90d").log1p(),
            np.log1p(self.new_exporter_kg),
            np.log1p(self.new_exporter_full_kg),
        )
        return pl.when(young).then(volume).otherwise(0.0)

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        switch = (
            pl.when(pl.col("switched_from").is_not_null()).then(self.switch_score).otherwise(0.0)
        )
        pair = pl.when(pl.col("pair_new")).then(self.new_pair_score).otherwise(0.0)
        score = frame.select(
            pl.when(pl.col("controlled"))
            .then(pl.max_horizontal(switch, self._new_exporter(), pair))
            .otherwise(0.0)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        new_exporter = frame.select(self._new_exporter()).to_series().to_list()

        def render(r: dict[str, Any], new: float) -> str:
            parts = []
            if r["switched_from"] is not None:
                parts.append(
                    f"importer {trader(r, 'importer', closed=True)} bought {r['material']} "
                    "mainly from "
                    f"{r['switched_from_name']} ({tonnes(r['switched_from_kg'])}) before "
                    f"{CONTROLLING_EXPORTER_NAME}'s control of {r['control_date']} and now "
                    f"buys from {r['origin_name']}"
                )
            if new > 0:
                seen = r["exporter_first_seen"] or r["arrival_date"]
                after = (
                    f" after {CONTROLLING_EXPORTER_NAME}'s control of {r['control_date']}"
                    if r["control_date"] is not None and seen >= r["control_date"]
                    else ""
                )
                parts.append(
                    f"exporter {trader(r, 'exporter')}, first seen {seen}{after}, shipped "
                    f"{tonnes(r['exporter_controlled_kg_90d'])} of controlled goods in 90 days"
                )
            if r["pair_new"]:
                parts.append(
                    f"first shipment from {trader(r, 'exporter', closed=True)} "
                    f"to {trader(r, 'importer')}"
                )
            text = "; ".join(parts)
            return text[0].upper() + text[1:] + "."

        return [
            render(r, new) if s > 0 else None
            for r, new, s in zip(frame.iter_rows(named=True), new_exporter, scores, strict=True)
        ]
