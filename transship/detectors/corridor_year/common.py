"""What the corridor-year detectors share: the size a leg must reach, the weight of years
without a control in force, the growth ramp and the sentences that state a leg."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import code, money, ramp, tonnes
from transship.importers import CONTROLLING_EXPORTER, imports_of

is_china = pl.col("country") == CONTROLLING_EXPORTER


def reaches(leg: str, min_value_usd: float) -> pl.Expr:
    """The leg's value in the year is at least ``min_value_usd``."""
    return pl.col(f"{leg}_value_usd").fill_null(0) >= min_value_usd


def timeline(before_control_weight: float) -> pl.Expr:
    """1 in a year with a licence or ban on the material in force for the importing
    country, ``before_control_weight`` in a year without (before the first)."""
    return pl.when(pl.col("control_in_force")).then(1.0).otherwise(before_control_weight)


def growth_score(ratio: pl.Expr, min_growth: float, full_growth: float) -> pl.Expr:
    """0 at ``min_growth`` times the previous year or less, 1 at ``full_growth`` times."""
    return ramp(ratio.log(), float(np.log(min_growth)), float(np.log(full_growth)))


def amount(kg: float | None, usd: float | None) -> str:
    parts = []
    if kg:
        parts.append(tonnes(kg))
    if usd:
        parts.append(money(usd))
    return " / ".join(parts) if parts else "nothing reported"


def leg_sentence(r: dict[str, Any], leg: str, subject: str, target: str) -> str | None:
    """'Thailand reported importing 50.7 t / $973k from China in 2024 (370.2 t in 2022)'."""
    if r.get(f"{leg}_value_usd") is None:
        return None
    text = f"{subject} {amount(r[f'{leg}_weight_kg'], r[f'{leg}_value_usd'])} {target}"
    if r.get(f"{leg}_previous_year"):
        previous = amount(r[f"{leg}_previous_kg"], r[f"{leg}_previous_value"])
        text += f" ({previous} in {r[f'{leg}_previous_year']})"
    return text


def importer_imports(r: dict[str, Any]) -> str:
    """'US imports of 8110.10 from Thailand in 2024: 1,782.5 t / $30.2M, against 805.0 t /
    $10.2M in 2022.' ('Korean imports of ...' for Korea's corridors)."""
    text = (
        f"{imports_of(r, code(r['hs6']))} from {r['country_name']} in {r['year']}: "
        f"{amount(r['imp_weight_kg'], r['imp_value_usd'])}"
    )
    if r.get("imp_previous_year"):
        text += (
            f", against {amount(r['imp_previous_kg'], r['imp_previous_value'])} in "
            f"{r['imp_previous_year']}"
        )
    return text + "."
