"""Mirror gap: what the US reports importing from a country and what the other side reports
sending differ by a multiple. For China, US imports from China against China's reported
exports to the US; for another country, against its reported exports to the US, or
China's reported exports to it where it reports none."""

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
from transship.detectors.corridor_year.common import reaches, timeline


class MirrorGap(Detector):
    name = "year_mirror_gap"
    shown_as = "mirror_gap"
    kind = "rule"
    level = "corridor_year"
    requires = (
        "country",
        "country_name",
        "hs6",
        "year",
        "us_imp_value_usd",
        "p_exp_value_usd",
        "cn_exp_value_usd",
        "control_year",
    )
    ordered = (("min_gap", "full_gap"),)

    def __init__(
        self,
        min_value_usd: Amount = 1_000_000.0,
        min_gap: Positive = 2.0,
        full_gap: Positive = 6.0,
        before_control_weight: Share = 0.5,
    ) -> None:
        self.min_value_usd = min_value_usd
        self.min_gap = min_gap
        self.full_gap = full_gap
        self.before_control_weight = before_control_weight

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        gap = pl.col("us_imp_value_usd") / pl.col("p_exp_value_usd").fill_null(
            pl.col("cn_exp_value_usd")
        )
        # A gap counts the same either way: US imports 6x or a sixth of the other side.
        strength = ramp(gap.log().abs(), np.log(self.min_gap), np.log(self.full_gap))
        score = frame.select(
            pl.when(reaches("us_imp", self.min_value_usd)).then(strength).otherwise(0.0)
            * timeline(self.before_control_weight)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        return sentences(frame, scores, mirror_sentence)


def mirror_sentence(r: dict[str, Any]) -> str:
    country, us = r["country_name"], r["us_imp_value_usd"]
    if r["country"] == "CN":
        ratio = us / (r.get("cn_exp_value_usd") or float("nan"))
        return (
            f"Mirror gap: in {r['year']} the US reported importing {money(us)} "
            f"of {code(r['hs6'])} from China while China reported exporting "
            f"{money(r.get('cn_exp_value_usd') or 0)} to the US ({ratio:,.1f}x)."
        )
    if r["p_exp_value_usd"] is not None:
        other, reporter, flow = r["p_exp_value_usd"], country, "to the US"
    else:
        other, reporter, flow = r["cn_exp_value_usd"], "China", f"to {country}"
    if not other:
        return (
            f"Mirror gap: in {r['year']} the US reported importing {money(us)} of "
            f"{code(r['hs6'])} from {country} while {reporter} reported exporting nothing {flow}."
        )
    return (
        f"Mirror gap: US-reported imports are {us / other:,.1f}x "
        f"what {reporter} reported exporting {flow}."
    )
