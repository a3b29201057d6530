"""Corridor flags from trade statistics alone: origin x code x year.

Statistics are compared year on year (monthly series are summed into years, comparing
the same months of each year so a year in progress is comparable). Three signals, each
scored 0-1 and fused like shipment rules (1 - prod(1 - weight x score)):

- ``us_import_surge``: US imports of a controlled code from a country grew against the
  latest earlier year, from a country without major capacity for the material;
- ``china_export_surge``: China's exports of the code to the country grew;
- ``mirror_gap``: what the US reports importing from a country and what that country
  reports exporting to the US differ by a multiple.

Each flag states both legs where the statistics have them (the country's imports from
China, its exports to the US), without claiming to know the goods' true origin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import code, money, tonnes
from transship.features.build import Reference

AGGREGATES = ("WLD", "EUN", "OAS", "OOC", "XX")


@dataclass(frozen=True)
class CorridorSettings:
    min_value_usd: float = 1_000_000.0
    min_growth: float = 1.5
    full_growth: float = 3.0
    min_gap: float = 2.0
    full_gap: float = 6.0
    capacity_damping: float = 0.35
    before_control_weight: float = 0.5
    weights: tuple[tuple[str, float], ...] = (
        ("us_import_surge", 0.75),
        ("china_export_surge", 0.55),
        ("mirror_gap", 0.65),
        ("capacity", 0.45),
    )


def yearly(flows: pl.DataFrame) -> pl.DataFrame:
    """Flows by year, with the months each year covers (12 for annual statistics)."""
    monthly = flows.filter(pl.col("frequency") == "monthly")
    annual = flows.filter(pl.col("frequency") == "annual")
    keys = ["reporter", "partner", "flow", "hs6"]
    # A year in progress is compared with the same months of the year before.
    months = monthly.group_by(pl.col("period_start").dt.year().alias("year")).agg(
        last_month=pl.col("period_start").dt.month().max()
    )
    latest_year = months["year"].max() if not months.is_empty() else None
    cutoff = (
        months.filter(pl.col("year") == latest_year)["last_month"].item()
        if latest_year is not None
        else 12
    )
    monthly_years = (
        monthly.filter(pl.col("period_start").dt.month() <= cutoff)
        .group_by(*keys, year=pl.col("period_start").dt.year())
        .agg(
            value_usd=pl.col("value_usd").sum(),
            weight_kg=pl.col("weight_kg").sum(),
            months=pl.lit(cutoff),
        )
    )
    annual_years = annual.group_by(*keys, year=pl.col("period_start").dt.year()).agg(
        value_usd=pl.col("value_usd").sum(),
        weight_kg=pl.col("weight_kg").sum(),
        months=pl.lit(12),
    )
    combined = pl.concat([annual_years, monthly_years], how="vertical_relaxed")
    # Where annual and monthly sources both cover a flow-year, the annual figure stands.
    return combined.unique([*keys, "year"], keep="first", maintain_order=True)


def _with_previous(series: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return series.sort([*keys, "year"]).with_columns(
        previous_year=pl.col("year").shift(1).over(keys),
        previous_value=pl.col("value_usd").shift(1).over(keys),
        previous_kg=pl.col("weight_kg").shift(1).over(keys),
    )


def _growth_score(ratio: pl.Expr, settings: CorridorSettings) -> pl.Expr:
    low, high = float(np.log(settings.min_growth)), float(np.log(settings.full_growth))
    return ((ratio.log() - low) / (high - low)).clip(0.0, 1.0).fill_null(0.0).fill_nan(0.0)


def corridor_flags(
    flows: pl.DataFrame, reference: Reference, settings: CorridorSettings | None = None
) -> pl.DataFrame:
    """One row per (country, controlled code, year) that the statistics make suspicious."""
    settings = settings or CorridorSettings()
    controlled = reference.controlled.group_by("hs6").agg(
        material=pl.col("material").sort().str.join("/")
    )
    years = yearly(flows.filter(pl.col("hs6").is_in(controlled["hs6"].implode())))
    keys = ["country", "hs6"]

    def leg(reporter: str | None, flow: str, partner: str | None, name: str) -> pl.DataFrame:
        side = years.filter(pl.col("flow") == flow)
        if reporter:
            side = side.filter(pl.col("reporter") == reporter)
            country = pl.col("partner")
        else:
            side = side.filter(pl.col("partner") == partner)
            country = pl.col("reporter")
        side = side.select(country.alias("country"), "hs6", "year", "value_usd", "weight_kg")
        side = side.filter(~pl.col("country").is_in(["US", "CN", *AGGREGATES]))
        return _with_previous(side, keys).rename(
            {
                c: f"{name}_{c}"
                for c in (
                    "value_usd",
                    "weight_kg",
                    "previous_year",
                    "previous_value",
                    "previous_kg",
                )
            }
        )

    us_imports = leg("US", "import", None, "us_imp")
    china_exports = leg("CN", "export", None, "cn_exp")
    partner_imports = leg(None, "import", "CN", "p_imp")
    partner_exports = leg(None, "export", "US", "p_exp")
    us_from_china = _with_previous(
        years.filter(
            (pl.col("reporter") == "US")
            & (pl.col("flow") == "import")
            & (pl.col("partner") == "CN")
        ).select(
            country=pl.lit("CN"),
            hs6="hs6",
            year="year",
            value_usd="value_usd",
            weight_kg="weight_kg",
        ),
        keys,
    )
    china_to_us = years.filter(
        (pl.col("reporter") == "CN") & (pl.col("flow") == "export") & (pl.col("partner") == "US")
    ).select(country=pl.lit("CN"), hs6="hs6", year="year", cn_exp_value_usd="value_usd")
    china_gap = us_from_china.rename(
        {
            "value_usd": "us_imp_value_usd",
            "weight_kg": "us_imp_weight_kg",
            "previous_year": "us_imp_previous_year",
            "previous_value": "us_imp_previous_value",
            "previous_kg": "us_imp_previous_kg",
        }
    ).join(china_to_us, on=["country", "hs6", "year"], how="left")

    frame = us_imports
    for other in (china_exports, partner_imports, partner_exports):
        frame = frame.join(other, on=[*keys, "year"], how="full", coalesce=True)
    frame = pl.concat([frame, china_gap], how="diagonal_relaxed")
    frame = frame.join(controlled, on="hs6", how="left").with_columns(
        p_exp_value_usd=pl.col("p_exp_value_usd")
        if "p_exp_value_usd" in frame.columns
        else pl.lit(None, pl.Float64)
    )
    capacity = _capacity(frame, reference)
    frame = frame.join(capacity, on=["country", "hs6", "year"], how="left").with_columns(
        pl.col("capacity_level").fill_null("none")
    )

    def quantity(name: str, previous: bool = False) -> pl.Expr:
        """Tonnes when both years have them, else dollars."""
        kg = pl.col(f"{name}_previous_kg" if previous else f"{name}_weight_kg")
        value = pl.col(f"{name}_previous_value" if previous else f"{name}_value_usd")
        return pl.when(kg > 0).then(kg).otherwise(value)

    us_growth = quantity("us_imp") / quantity("us_imp", previous=True)
    cn_growth = pl.col("cn_exp_value_usd") / pl.col("cn_exp_previous_value")
    gap = pl.col("us_imp_value_usd") / pl.col("p_exp_value_usd").fill_null(
        pl.col("cn_exp_value_usd") if "cn_exp_value_usd" in frame.columns else None
    )
    damp = (
        pl.when(pl.col("capacity_level") == "major").then(settings.capacity_damping).otherwise(1.0)
    )
    big_us = pl.col("us_imp_value_usd").fill_null(0) >= settings.min_value_usd
    big_cn = pl.col("cn_exp_value_usd").fill_null(0) >= settings.min_value_usd
    is_china = pl.col("country") == "CN"
    log_gap = gap.log().abs()
    gap_score = (
        (log_gap - np.log(settings.min_gap))
        / (np.log(settings.full_gap) - np.log(settings.min_gap))
    ).clip(0.0, 1.0)
    scored = frame.with_columns(
        us_import_surge=pl.when(big_us & ~is_china)
        .then(_growth_score(us_growth, settings) * damp)
        .otherwise(0.0),
        china_export_surge=pl.when(big_cn & ~is_china)
        .then(_growth_score(cn_growth, settings))
        .otherwise(0.0),
        mirror_gap=pl.when(big_us).then(gap_score.fill_null(0.0).fill_nan(0.0)).otherwise(0.0),
        capacity=pl.when((big_us | big_cn) & ~is_china)
        .then(pl.col("capacity_level").replace_strict({"none": 1.0, "minor": 0.6, "major": 0.0}))
        .otherwise(0.0),
    )
    first_control = (
        reference.controlled.join(reference.events, on="material")
        .group_by("hs6")
        .agg(control_year=pl.col("effective_date").min().dt.year())
    )
    timeline = (
        pl.when(pl.col("year") >= pl.col("control_year"))
        .then(1.0)
        .otherwise(settings.before_control_weight)
    )
    scored = scored.join(first_control, on="hs6", how="left").with_columns(
        [
            (pl.col(n) * timeline).alias(n)
            for n in ("us_import_surge", "china_export_surge", "mirror_gap", "capacity")
        ]
    )
    weights = dict(settings.weights)
    keep = pl.lit(1.0)
    for name, weight in weights.items():
        keep = keep * (1 - weight * pl.col(name).fill_null(0.0))
    scored = scored.with_columns(score=(100 * (1 - keep)).round(2))
    signals = [n for n in weights if n != "capacity"]
    scored = scored.filter(pl.any_horizontal([pl.col(n) > 0 for n in signals]))
    names = dict(reference.countries.select("code", "name").iter_rows())
    rows = []
    for r in scored.iter_rows(named=True):
        contributions = {
            n: {"score": round(r[n], 3), "contribution": round(weights[n] * r[n], 3)}
            for n in weights
            if r[n] > 0
        }
        rows.append(
            {
                "origin_country": r["country"],
                "hs6": r["hs6"],
                "year": r["year"],
                "material": r["material"],
                "score": r["score"],
                "detectors": ",".join(
                    n for n, c in sorted(contributions.items(), key=lambda i: -i[1]["contribution"])
                ),
                "contributions": json.dumps(contributions),
                "reasons": _reasons(r, names),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "origin_country": pl.String,
            "hs6": pl.String,
            "year": pl.Int32,
            "material": pl.String,
            "score": pl.Float64,
            "detectors": pl.String,
            "contributions": pl.String,
            "reasons": pl.String,
        },
    )


def _capacity(frame: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    keys = frame.select("country", "hs6", "year").unique()
    capacity = (
        keys.join(reference.controlled, on="hs6")
        .join(
            reference.capacity,
            left_on=["material", "country"],
            right_on=["material", "country"],
            how="left",
        )
        .filter(pl.col("start_date").is_null() | (pl.col("start_date").dt.year() <= pl.col("year")))
        .group_by("country", "hs6", "year")
        .agg(
            capacity_level=pl.when((pl.col("scale") == "major").any())
            .then(pl.lit("major"))
            .when((pl.col("scale") == "minor").any())
            .then(pl.lit("minor"))
            .otherwise(pl.lit("none"))
        )
    )
    return capacity


def _amount(kg: float | None, usd: float | None) -> str:
    parts = []
    if kg:
        parts.append(tonnes(kg))
    if usd:
        parts.append(money(usd))
    return " / ".join(parts) if parts else "nothing reported"


def _reasons(r: dict[str, Any], names: dict[str, str]) -> str:
    country = names.get(r["country"], r["country"])
    c = code(r["hs6"])
    year = r["year"]
    out = []
    if r["country"] == "CN" and r["mirror_gap"] > 0:
        ratio = r["us_imp_value_usd"] / (r.get("cn_exp_value_usd") or float("nan"))
        out.append(
            f"Mirror gap: in {year} the US reported importing {money(r['us_imp_value_usd'])} "
            f"of {c} from China while China reported exporting "
            f"{money(r.get('cn_exp_value_usd') or 0)} to the US ({ratio:,.1f}x)."
        )
        return " ".join(out)
    if r.get("us_imp_value_usd"):
        text = (
            f"US imports of {c} from {country} in {year}: "
            f"{_amount(r['us_imp_weight_kg'], r['us_imp_value_usd'])}"
        )
        if r.get("us_imp_previous_year"):
            text += (
                f", against {_amount(r['us_imp_previous_kg'], r['us_imp_previous_value'])} in "
                f"{r['us_imp_previous_year']}"
            )
        out.append(text + ".")
    if r["capacity"] > 0:
        level = "no known" if r["capacity_level"] == "none" else "only minor"
        out.append(f"{country} has {level} {r['material']} production or refining capacity.")
    legs = []
    if r.get("p_imp_value_usd") is not None:
        legs.append(
            f"{country} reported importing {_amount(r['p_imp_weight_kg'], r['p_imp_value_usd'])} "
            f"from China in {year}"
            + (
                f" ({_amount(r['p_imp_previous_kg'], r['p_imp_previous_value'])} in "
                f"{r['p_imp_previous_year']})"
                if r.get("p_imp_previous_year")
                else ""
            )
        )
    if r.get("cn_exp_value_usd") is not None:
        legs.append(
            f"China reported exporting {_amount(r['cn_exp_weight_kg'], r['cn_exp_value_usd'])} "
            f"to {country}"
            + (
                f" ({_amount(r['cn_exp_previous_kg'], r['cn_exp_previous_value'])} in "
                f"{r['cn_exp_previous_year']})"
                if r.get("cn_exp_previous_year")
                else ""
            )
        )
    if r.get("p_exp_value_usd") is not None:
        legs.append(
            f"{country} reported exporting {_amount(r['p_exp_weight_kg'], r['p_exp_value_usd'])} "
            f"to the US"
        )
    if legs:
        out.append("Legs: " + "; ".join(legs) + ".")
    if r["mirror_gap"] > 0 and r.get("p_exp_value_usd"):
        gap = r["us_imp_value_usd"] / r["p_exp_value_usd"]
        out.append(
            f"Mirror gap: US-reported imports are {gap:,.1f}x "
            f"what {country} reported exporting to the US."
        )
    out.append("The statistics show the corridor, not the goods' true origin.")
    return " ".join(out)
