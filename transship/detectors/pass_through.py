"""Pass-through: in the trade statistics, China's exports of the code to the origin and the
origin's exports to the importing country rise together while China's direct exports to
the importing country do not."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import (
    Amount,
    Detector,
    Positive,
    clip01,
    code,
    money,
    ramp,
    sentences,
)
from transship.importers import ADJECTIVE, CONTROLLING_EXPORTER_NAME, NAME, imports

LEGS = ("cn_to_origin", "origin_to_importer", "cn_to_importer")
"""The legs of ``transship.features.mirror``, each summed over the 3 months before the
shipment's month (``<leg>_recent``, of which ``<leg>_recent_months`` were published) and
the 12 before those (``<leg>_base``, per 3 months)."""


def growth(name: str) -> pl.Expr:
    return pl.col(f"{name}_recent") / pl.col(f"{name}_base")


class PassThrough(Detector):
    name = "pass_through"
    kind = "rule"
    requires = (
        "controlled",
        *(f"{leg}_{part}" for leg in LEGS for part in ("recent", "base", "recent_months")),
        NAME,
        ADJECTIVE,
    )
    ordered = (("min_growth", "full_growth"),)

    def __init__(
        self,
        min_growth: Positive = 1.5,
        full_growth: Positive = 4.0,
        max_direct_growth: Positive = 1.0,
        min_recent_usd: Amount = 100_000.0,
    ) -> None:
        self.min_growth = min_growth
        self.full_growth = full_growth
        self.max_direct_growth = max_direct_growth
        self.min_recent_usd = min_recent_usd

    def _signal(self) -> pl.Expr:
        low, high = np.log(self.min_growth), np.log(self.full_growth)
        inbound = ramp(growth("cn_to_origin").log(), low, high)
        outbound = ramp(growth("origin_to_importer").log(), low, high)
        # No direct figure at all is no direct trade; direct months all unpublished are
        # unknown, and cannot show the direct trade falling.
        direct_unknown = (pl.col("cn_to_importer_recent_months") == 0).fill_null(False)
        direct_falls = (
            growth("cn_to_importer").fill_nan(0.0).fill_null(0.0) <= self.max_direct_growth
        ) & ~direct_unknown
        big_enough = pl.col("cn_to_origin_recent") >= self.min_recent_usd
        return (
            pl.when(pl.col("controlled") & direct_falls & big_enough)
            .then(pl.min_horizontal(inbound, outbound))
            .otherwise(0.0)
        )

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        return clip01(frame.select(self._signal().fill_null(0.0)).to_series())

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        def render(r: dict[str, Any]) -> str:
            def ratio(name: str) -> str:
                base = r[f"{name}_base"] or 0.0
                return f"{r[f'{name}_recent'] / base:,.1f}x" if base else "new"

            china = CONTROLLING_EXPORTER_NAME
            published = min(r[f"{leg}_recent_months"] for leg in LEGS if r[f"{leg}_recent_months"])
            months = (
                "the 3 months"
                if published == 3
                else f"the {published} of the 3 months published so far (scaled to 3)"
            )
            return (
                f"Trade statistics for {months} before {r['month']:%Y-%m}: {china}'s "
                f"exports of {code(r['hs6'])} to {r['origin_name']} were "
                f"{money(r['cn_to_origin_recent'])} ({ratio('cn_to_origin')} the prior year's "
                f"rate) and {imports(r)} from {r['origin_name']} "
                f"{money(r['origin_to_importer_recent'])} ({ratio('origin_to_importer')}), "
                f"while {imports(r)} from {china} were "
                f"{money(r['cn_to_importer_recent'] or 0.0)} ({ratio('cn_to_importer')})."
            )

        return sentences(frame, scores, render)
