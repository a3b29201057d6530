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
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import code, money, tonnes
from transship.features.build import Reference
from transship.features.profiles import corridor_profile

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


def _leg_sentence(r: dict[str, Any], leg: str, subject: str, target: str) -> str | None:
    """'Thailand reported importing 50.7 t / $973k from China in 2024 (370.2 t in 2022)'."""
    if r.get(f"{leg}_value_usd") is None:
        return None
    text = f"{subject} {_amount(r[f'{leg}_weight_kg'], r[f'{leg}_value_usd'])} {target}"
    if r.get(f"{leg}_previous_year"):
        previous = _amount(r[f"{leg}_previous_kg"], r[f"{leg}_previous_value"])
        text += f" ({previous} in {r[f'{leg}_previous_year']})"
    return text


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
    sentences = (
        _leg_sentence(r, "p_imp", f"{country} reported importing", f"from China in {year}"),
        _leg_sentence(r, "cn_exp", "China reported exporting", f"to {country}"),
        _leg_sentence(r, "p_exp", f"{country} reported exporting", "to the US"),
    )
    legs = [leg for leg in sentences if leg]
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


def monthly_corridor_flags(
    features: pl.DataFrame,
    flagged_ids: pl.Series,
    first: date,
    last: date,
    threshold: float,
) -> pl.DataFrame:
    """Corridor flags (origin x controlled code x month) from the shipments themselves,
    for the months from ``first`` to ``last``, using shipments up to ``last`` only;
    ``flagged_ids`` are the shipments flagged in those months up to ``last``.

    Fused like the rules: a surge against the corridor's trailing 12-month average
    (0.6, damped for producers), the origin's missing capacity (0.45) and the share of
    the month's shipments already flagged (0.6).
    """
    # Only controlled codes' shipments make these flags: narrow the features first.
    known = features.filter(pl.col("controlled") & (pl.col("arrival_date") <= last)).select(
        "shipment_id",
        "arrival_date",
        "month",
        "origin_country",
        "hs6",
        "weight_kg",
        "value_usd",
        "origin_name",
        "material",
        "capacity_level",
        "capacity_note",
        "control_date",
        "control_measure",
    )
    profile = corridor_profile(known)
    if profile.is_empty():
        return pl.DataFrame()
    months = profile.filter(
        pl.col("month").is_between(pl.lit(first).dt.truncate("1mo"), pl.lit(last))
        & (pl.col("shipments") > 0)
    )
    context = (
        known.sort("arrival_date")
        .group_by("origin_country", "hs6", "month")
        .agg(
            pl.col("origin_name", "material").first(),
            pl.col("capacity_level", "capacity_note", "control_date", "control_measure").last(),
        )
    )
    flagged = (
        flagged_ids.unique()
        .to_frame("shipment_id")
        .join(known.select("shipment_id", "origin_country", "hs6", "month"), on="shipment_id")
        .group_by("origin_country", "hs6", "month")
        .agg(flagged=pl.len())
    )
    keys = ["origin_country", "hs6", "month"]
    frame = (
        months.join(context, on=keys, how="left")
        .join(flagged, on=keys, how="left")
        .with_columns(pl.col("flagged").fill_null(0))
    )
    new_corridor = (pl.col("baseline_kg") == 0) & (pl.col("weight_kg") >= 1000)
    surge = (
        pl.when(new_corridor)
        .then(1.0)
        .otherwise(
            ((pl.col("surge_ratio").log() - np.log(3)) / (np.log(12) - np.log(3)))
            .clip(0.0, 1.0)
            .fill_null(0.0)
            .fill_nan(0.0)
        )
    )
    major = pl.col("capacity_level") == "major"
    capacity = pl.col("capacity_level").replace_strict(
        {"none": 1.0, "minor": 0.6, "major": 0.0}, default=0.0
    )
    share = pl.col("flagged") / pl.col("shipments")
    scored_months = frame.with_columns(
        surge=surge * pl.when(major).then(0.35).otherwise(1.0),
        capacity=capacity,
        flagged_share=share,
    ).with_columns(
        score=(
            100
            * (
                1
                - (1 - 0.6 * pl.col("surge"))
                * (1 - 0.45 * pl.col("capacity"))
                * (1 - 0.6 * pl.col("flagged_share"))
            )
        ).round(2)
    )
    kept = scored_months.filter(
        (pl.col("score") >= threshold) & ((pl.col("surge") > 0) | (pl.col("flagged") > 0))
    )
    rows = []
    for r in kept.iter_rows(named=True):
        contributions = {
            "corridor_surge": round(0.6 * r["surge"], 3),
            "capacity": round(0.45 * r["capacity"], 3),
            "flagged_shipments": round(0.6 * r["flagged_share"], 3),
        }
        rows.append(
            {
                "origin_country": r["origin_country"],
                "hs6": r["hs6"],
                "month": r["month"],
                "material": r["material"],
                "score": r["score"],
                "detectors": ",".join(
                    n for n, c in sorted(contributions.items(), key=lambda i: -i[1]) if c > 0
                ),
                "contributions": json.dumps(contributions),
                "reasons": _month_reasons(r),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "origin_country": pl.String,
            "hs6": pl.String,
            "month": pl.Date,
            "material": pl.String,
            "score": pl.Float64,
            "detectors": pl.String,
            "contributions": pl.String,
            "reasons": pl.String,
        },
    )


def _month_reasons(r: dict[str, Any]) -> str:
    text = (
        f"US imports of {code(r['hs6'])} from {r['origin_name']} in {r['month']:%Y-%m}: "
        f"{tonnes(r['weight_kg'])} in {r['shipments']} shipments"
    )
    if r["baseline_kg"]:
        text += (
            f", {r['weight_kg'] / r['baseline_kg']:,.1f}x the trailing 12-month average of "
            f"{tonnes(r['baseline_kg'])} a month"
        )
    else:
        text += ", with no imports in the 12 months before"
    text += f"; {r['flagged']} of the {r['shipments']} shipments are flagged."
    if r["capacity_level"] == "none":
        text += f" {r['origin_name']} has no known {r['material']} capacity."
    elif r["capacity_level"] == "minor":
        text += f" {r['origin_name']} has only minor {r['material']} capacity."
    if r["control_date"] is not None:
        text += (
            f" China's {r['control_measure']} on {r['material']} took effect {r['control_date']}."
        )
    return text
