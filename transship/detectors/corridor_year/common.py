"""What the corridor-year detectors share: the size a leg must reach, the weight of years
without a control in force, the growth ramp, how the country's capacity modifies the
evidence, and the sentences that state a leg."""

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


def capacity_factor(minor_factor: float, producer_damping: float) -> pl.Expr:
    """How much a corridor's evidence counts by the country's capacity for what the code
    holds: fully from a country without capacity, ``minor_factor`` from a minor producer,
    ``producer_damping`` from a major producer, and from a country not known to produce a
    basket code whose trade is not corroborated as the material ('unknown': most of such
    a code's trade is its other goods, which the country may well make)."""
    return (
        pl.when(pl.col("capacity_level") == "minor")
        .then(minor_factor)
        .when(pl.col("capacity_level").is_in(["major", "unknown"]))
        .then(producer_damping)
        .otherwise(1.0)
    )


def estimated_years(r: dict[str, Any], leg: str) -> list[int]:
    """The years of a leg, this one and its previous, whose weights are estimates."""
    years = []
    if r.get(f"{leg}_previous_estimated") and r.get(f"{leg}_previous_year"):
        years.append(r[f"{leg}_previous_year"])
    if r.get(f"{leg}_estimated"):
        years.append(r["year"])
    return years


def estimates_note(r: dict[str, Any]) -> str:
    """' Weights in the 2024 statistics are estimates; compared in value.' where so."""
    years = estimated_years(r, "imp")
    if not years:
        return ""
    return (
        f" Weights in the {' and '.join(str(y) for y in years)} statistics are estimates; "
        "compared in value."
    )


def basket_note(r: dict[str, Any]) -> str:
    """What the evidence of a basket code's corridor not corroborated as the material is
    worth: ' 2825.90 (...) also holds goods outside the materials list and the
    corridor's price does not place it among the controlled ones: weighed as a
    producer's trade.'"""
    if r.get("capacity_level") != "unknown" or not r.get("code_goods"):
        return ""
    return (
        f" {r['code_goods']} also holds goods outside the materials list, and neither side's "
        f"price places this trade among the controlled ones: weighed as ordinary trade."
    )


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
    return text + "." + estimates_note(r) + basket_note(r)
