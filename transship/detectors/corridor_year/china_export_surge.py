"""China export surge: China's reported exports of a controlled code to a country grew
against the latest earlier year the statistics have. Where the importing country's own
imports from that country did not grow with them (by this section's growth, to its size),
it is a hub watch for this importing country: weaker evidence than its own surge (the
weights in [weights]), stated as such."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import Amount, Detector, Positive, Share, clip01, code, sentences
from transship.detectors.corridor_year.common import (
    growth_score,
    is_china,
    leg_sentence,
    reaches,
    timeline,
)
from transship.importers import ADJECTIVE, CONTROLLING_EXPORTER_NAME, NAME, importer, imports

HUB_WATCH = "Hub watch"


class ChinaExportSurge(Detector):
    name = "year_china_export_surge"
    shown_as = "china_export_surge"
    kind = "rule"
    level = "corridor_year"
    requires = (
        "country",
        "country_name",
        "year",
        "cn_exp_value_usd",
        "cn_exp_weight_kg",
        "cn_exp_previous_year",
        "cn_exp_previous_value",
        "cn_exp_previous_kg",
        "hs6",
        NAME,
        ADJECTIVE,
        "imp_growth",
        "imp_value_usd",
        "control_in_force",
    )
    ordered = (("min_growth", "full_growth"),)

    def __init__(
        self,
        min_value_usd: Amount = 1_000_000.0,
        min_growth: Positive = 1.5,
        full_growth: Positive = 3.0,
        before_control_weight: Share = 0.5,
    ) -> None:
        self.min_value_usd = min_value_usd
        self.min_growth = min_growth
        self.full_growth = full_growth
        self.before_control_weight = before_control_weight

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        growth = pl.col("cn_exp_value_usd") / pl.col("cn_exp_previous_value")
        score = frame.select(
            pl.when(reaches("cn_exp", self.min_value_usd) & ~is_china)
            .then(growth_score(growth, self.min_growth, self.full_growth))
            .otherwise(0.0)
            * timeline(self.before_control_weight)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            said = leg_sentence(
                r,
                "cn_exp",
                f"{CONTROLLING_EXPORTER_NAME} reported exporting",
                f"to {r['country_name']}",
            )
            # The importer's own leg grew only if it reached this section's size too.
            grew = (
                r.get("imp_growth") is not None
                and r["imp_growth"] >= self.min_growth
                and (r.get("imp_value_usd") or 0.0) >= self.min_value_usd
            )
            if grew:
                return f"{said}."
            return hub_watch(r)

        return sentences(frame, scores, render)


def hub_watch(r: dict[str, Any]) -> str:
    """'Hub watch for the US: China's exports of 8112.92 to Belgium grew 22.9x in value
    while US imports from Belgium did not grow with them.'"""
    china, country = CONTROLLING_EXPORTER_NAME, r["country_name"]
    growth = r["cn_exp_value_usd"] / r["cn_exp_previous_value"]
    return (
        f"{HUB_WATCH} for {importer(r)}: {china}'s exports of {code(r['hs6'])} to {country} "
        f"grew {growth:,.1f}x in value while {imports(r)} from {country} did not grow with them."
    )
