"""Import surge: an importing country's own imports of a controlled code from a country
grew against the latest earlier year the statistics have (or began, from nothing in a
year the importing country reported the code), by a material amount: the increase as a
share of its imports of the code, or of what it stopped buying from China. The country's
capacity modifies the evidence: a producer's, or on a basket code a country whose trade
is not corroborated as the material, counts for less (``common.capacity_factor``)."""

from __future__ import annotations

import numpy as np
import polars as pl

from transship.detectors.base import Amount, Detector, Positive, Share, clip01, ramp, sentences
from transship.detectors.corridor_year.common import (
    capacity_factor,
    importer_imports,
    is_china,
    reaches,
    timeline,
)
from transship.importers import ADJECTIVE, NAME


def term(value: pl.Expr, start: float, full: float, log: bool = False) -> pl.Expr:
    """0 below ``start``, 0.5 at it, 1 from ``full`` (on a log scale for growth): the terms
    of every score that weighs a magnitude by its materiality (as early warning does)."""
    scaled = (
        (value.log(), float(np.log(start)), float(np.log(full))) if log else (value, start, full)
    )
    return (
        pl.when(value >= start)
        .then(0.5 + 0.5 * ramp(*scaled))
        .otherwise(0.0)
        .fill_null(0.0)
        .fill_nan(0.0)
    )


class ImportSurge(Detector):
    name = "year_import_surge"
    shown_as = "import_surge"
    kind = "rule"
    level = "corridor_year"
    requires = (
        "country",
        "country_name",
        NAME,
        ADJECTIVE,
        "hs6",
        "year",
        "imp_value_usd",
        "imp_weight_kg",
        "imp_estimated",
        "imp_previous_year",
        "imp_previous_value",
        "imp_previous_kg",
        "imp_previous_estimated",
        "imp_growth",
        "imp_gain_share",
        "imp_replaced_share",
        "capacity_level",
        "code_goods",
        "control_in_force",
    )
    ordered = (
        ("min_growth", "full_growth"),
        ("min_gain_share", "full_gain_share"),
        ("min_replaced_share", "full_replaced_share"),
        ("producer_damping", "minor_factor"),
    )

    def __init__(
        self,
        min_value_usd: Amount = 1_000_000.0,
        min_growth: Positive = 1.5,
        full_growth: Positive = 2.0,
        min_gain_share: Share = 0.05,
        full_gain_share: Share = 0.25,
        min_replaced_share: Share = 0.1,
        full_replaced_share: Share = 0.5,
        minor_factor: Share = 0.85,
        producer_damping: Share = 0.35,
        before_control_weight: Share = 0.5,
    ) -> None:
        self.min_value_usd = min_value_usd
        self.min_growth = min_growth
        self.full_growth = full_growth
        self.min_gain_share = min_gain_share
        self.full_gain_share = full_gain_share
        self.min_replaced_share = min_replaced_share
        self.full_replaced_share = full_replaced_share
        self.minor_factor = minor_factor
        self.producer_damping = producer_damping
        self.before_control_weight = before_control_weight

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        magnitude = term(pl.col("imp_growth"), self.min_growth, self.full_growth, log=True)
        materiality = pl.max_horizontal(
            term(pl.col("imp_gain_share"), self.min_gain_share, self.full_gain_share),
            term(pl.col("imp_replaced_share"), self.min_replaced_share, self.full_replaced_share),
        )
        factor = capacity_factor(self.minor_factor, self.producer_damping)
        score = frame.select(
            pl.when(reaches("imp", self.min_value_usd) & ~is_china)
            .then(magnitude * materiality * factor)
            .otherwise(0.0)
            * timeline(self.before_control_weight)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        return sentences(frame, scores, importer_imports)
