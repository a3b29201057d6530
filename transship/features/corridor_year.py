"""The corridor-year frame the statistics detectors score: one row per country x controlled
code x year, with the legs the trade statistics have for it.

Statistics are compared year on year (monthly series are summed into years, comparing
the same months of each year so a year in progress is comparable). Each leg (US imports
from the country, China's exports to it, its imports from China, its exports to the US)
is stated for the year and for the latest earlier year the statistics have. China itself
gets one row per code and year: US imports from China against China's exports to the US.
"""

from __future__ import annotations

import polars as pl

from transship.features.build import Reference, materials

AGGREGATES = ("WLD", "EUN", "OAS", "OOC", "XX")
KEYS = ["country", "hs6"]
LEG_COLUMNS = ("value_usd", "weight_kg", "previous_year", "previous_value", "previous_kg")


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


def with_previous(series: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Each year beside the latest earlier year of the same series."""
    return series.sort([*keys, "year"]).with_columns(
        previous_year=pl.col("year").shift(1).over(keys),
        previous_value=pl.col("value_usd").shift(1).over(keys),
        previous_kg=pl.col("weight_kg").shift(1).over(keys),
    )


def leg(
    years: pl.DataFrame, reporter: str | None, flow: str, partner: str | None, name: str
) -> pl.DataFrame:
    """One leg by country, code and year, its columns prefixed with ``name``: reported by
    ``reporter`` with the country as partner, or by the country with ``partner``."""
    side = years.filter(pl.col("flow") == flow)
    if reporter:
        side = side.filter(pl.col("reporter") == reporter)
        country = pl.col("partner")
    else:
        side = side.filter(pl.col("partner") == partner)
        country = pl.col("reporter")
    side = side.select(country.alias("country"), "hs6", "year", "value_usd", "weight_kg")
    side = side.filter(~pl.col("country").is_in(["US", "CN", *AGGREGATES]))
    return with_previous(side, KEYS).rename({c: f"{name}_{c}" for c in LEG_COLUMNS})


def china_mirror(years: pl.DataFrame) -> pl.DataFrame:
    """China's row per code and year: US imports from China (as the ``us_imp`` leg) beside
    China's reported exports to the US (as ``cn_exp_value_usd``)."""
    us_from_china = with_previous(
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
        KEYS,
    )
    china_to_us = years.filter(
        (pl.col("reporter") == "CN") & (pl.col("flow") == "export") & (pl.col("partner") == "US")
    ).select(country=pl.lit("CN"), hs6="hs6", year="year", cn_exp_value_usd="value_usd")
    return us_from_china.rename({c: f"us_imp_{c}" for c in LEG_COLUMNS}).join(
        china_to_us, on=["country", "hs6", "year"], how="left"
    )


def capacity_by_year(frame: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """'major', 'minor' or 'none' per country, code and year: announced capacity counts
    from the year it starts."""
    keys = frame.select("country", "hs6", "year").unique()
    return (
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


def first_control_year(reference: Reference) -> pl.DataFrame:
    """The year of the first licence or ban on each controlled code's material."""
    return (
        reference.controlled.join(reference.events, on="material")
        .group_by("hs6")
        .agg(control_year=pl.col("effective_date").min().dt.year())
    )


def corridor_years(flows: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Every country x controlled code x year the statistics have a leg for, with each leg
    and its previous year, the material, the country's capacity, the first control's year
    and the country's name."""
    controlled = materials(reference)
    years = yearly(flows.filter(pl.col("hs6").is_in(controlled["hs6"].implode())))
    frame = leg(years, "US", "import", None, "us_imp")
    for other in (
        leg(years, "CN", "export", None, "cn_exp"),
        leg(years, None, "import", "CN", "p_imp"),
        leg(years, None, "export", "US", "p_exp"),
    ):
        frame = frame.join(other, on=[*KEYS, "year"], how="full", coalesce=True)
    frame = pl.concat([frame, china_mirror(years)], how="diagonal_relaxed")
    frame = frame.join(controlled, on="hs6", how="left")
    frame = frame.join(
        capacity_by_year(frame, reference), on=["country", "hs6", "year"], how="left"
    ).with_columns(pl.col("capacity_level").fill_null("none"))
    names = reference.countries.select(country="code", country_name="name")
    return (
        frame.join(first_control_year(reference), on="hs6", how="left")
        .join(names, on="country", how="left")
        .with_columns(pl.coalesce("country_name", "country").alias("country_name"))
    )
