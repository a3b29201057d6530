"""Mirror gap: what the importing country reports importing from a country and what the
other side reports sending differ by a multiple. For China, the importing country's
imports from China against China's reported exports to it; for another country, against
its reported exports to the importing country, or China's reported exports to it where it
reports none. A gap with a country that produces what the code holds counts for less
(``common.capacity_factor``): its customs class its own goods under its own codes, and a
shared code's goods are classed differently on the two sides (Brazil's niobium); China's
own gap, the controlling exporter's, is never damped. A gap alone is weaker evidence than
a surge (its weight in [weights])."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import (
    Amount,
    Detector,
    Positive,
    Share,
    clip01,
    code,
    money,
    ramp,
    sentences,
)
from transship.detectors.corridor_year.common import capacity_factor, is_china, reaches, timeline
from transship.importers import (
    ADJECTIVE,
    CONTROLLING_EXPORTER,
    CONTROLLING_EXPORTER_NAME,
    NAME,
    importer,
    reported_imports,
)


class MirrorGap(Detector):
    name = "year_mirror_gap"
    shown_as = "mirror_gap"
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
        "p_exp_value_usd",
        "cn_exp_value_usd",
        "capacity_level",
        "control_in_force",
    )
    ordered = (("min_gap", "full_gap"), ("producer_damping", "minor_factor"))

    def __init__(
        self,
        min_value_usd: Amount = 1_000_000.0,
        min_gap: Positive = 2.0,
        full_gap: Positive = 6.0,
        minor_factor: Share = 0.85,
        producer_damping: Share = 0.35,
        before_control_weight: Share = 0.5,
    ) -> None:
        self.min_value_usd = min_value_usd
        self.min_gap = min_gap
        self.full_gap = full_gap
        self.minor_factor = minor_factor
        self.producer_damping = producer_damping
        self.before_control_weight = before_control_weight

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        gap = pl.col("imp_value_usd") / pl.col("p_exp_value_usd").fill_null(
            pl.col("cn_exp_value_usd")
        )
        # A gap counts the same either way: imports 6x or a sixth of the other side.
        strength = ramp(gap.log().abs(), np.log(self.min_gap), np.log(self.full_gap))
        factor = (
            pl.when(is_china)
            .then(1.0)
            .otherwise(capacity_factor(self.minor_factor, self.producer_damping))
        )
        score = frame.select(
            pl.when(reaches("imp", self.min_value_usd)).then(strength * factor).otherwise(0.0)
            * timeline(self.before_control_weight)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        return sentences(frame, scores, mirror_sentence)


def mirror_sentence(r: dict[str, Any]) -> str:
    country, imported, china = r["country_name"], r["imp_value_usd"], CONTROLLING_EXPORTER_NAME
    if r["country"] == CONTROLLING_EXPORTER:
        ratio = imported / (r.get("cn_exp_value_usd") or float("nan"))
        return (
            f"Mirror gap: in {r['year']} {importer(r)} reported importing {money(imported)} "
            f"of {code(r['hs6'])} from {china} while {china} reported exporting "
            f"{money(r.get('cn_exp_value_usd') or 0)} to {importer(r)} ({ratio:,.1f}x)."
        )
    if r["p_exp_value_usd"] is not None:
        other, reporter, flow = r["p_exp_value_usd"], country, f"to {importer(r)}"
    else:
        other, reporter, flow = r["cn_exp_value_usd"], china, f"to {country}"
    if not other:
        return (
            f"Mirror gap: in {r['year']} {importer(r)} reported importing {money(imported)} of "
            f"{code(r['hs6'])} from {country} while {reporter} reported exporting nothing {flow}."
        )
    return (
        f"Mirror gap: {reported_imports(r)} are {imported / other:,.1f}x "
        f"what {reporter} reported exporting {flow}."
    )
