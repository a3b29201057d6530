"""Trade-statistics features: the legs of a possible rerouting, as of the previous month.

For a shipment of code h from origin p arriving in month M, three monthly legs are
summed over the three months before M (``recent``) and the twelve months before those
(``base``, scaled to three months):

- ``cn_to_origin``: China's exports of h to p, or p's imports from China when China's
  own figure is missing;
- ``origin_to_us``: US imports of h from p, or p's exports to the US when missing;
- ``cn_to_us``: US imports of h from China, or China's exports to the US when missing.

Only periods before M are used, so the features are point in time.
"""

from __future__ import annotations

import polars as pl

RECENT_MONTHS = 3
BASE_MONTHS = 12
LEGS = ("cn_to_origin", "origin_to_us", "cn_to_us")


def _leg(flows: pl.DataFrame, reporter: str, flow: str, partner: str, key: str) -> pl.DataFrame:
    """Monthly values of one side of a leg, keyed by the non-China, non-US country."""
    side = flows.filter(pl.col("flow") == flow)
    side = side.filter(pl.col("reporter") == reporter) if reporter != "*" else side
    side = side.filter(pl.col("partner") == partner) if partner != "*" else side
    return side.group_by(pl.col(key).alias("country"), "hs6", "period_start").agg(
        value=pl.col("value_usd").sum()
    )


def _coalesce(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
    keys = ["country", "hs6", "period_start"]
    return first.join(second, on=keys, how="full", coalesce=True, suffix="_mirror").select(
        *keys, value=pl.coalesce("value", "value_mirror")
    )


def legs(flows: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The three legs as (country, hs6, period_start, value) frames from monthly flows."""
    monthly = flows.filter(pl.col("frequency") == "monthly")
    not_us_or_cn = ~pl.col("country").is_in(["CN", "US"])
    cn_to_origin = _coalesce(
        _leg(monthly, "CN", "export", "*", "partner"),
        _leg(monthly.filter(pl.col("partner") == "CN"), "*", "import", "CN", "reporter"),
    ).filter(not_us_or_cn)
    origin_to_us = _coalesce(
        _leg(monthly, "US", "import", "*", "partner"),
        _leg(monthly.filter(pl.col("partner") == "US"), "*", "export", "US", "reporter"),
    ).filter(not_us_or_cn)
    cn_to_us = _coalesce(
        _leg(monthly, "US", "import", "CN", "partner"),
        _leg(monthly, "CN", "export", "US", "reporter").with_columns(country=pl.lit("CN")),
    )
    return {"cn_to_origin": cn_to_origin, "origin_to_us": origin_to_us, "cn_to_us": cn_to_us}


def windowed(leg: pl.DataFrame, name: str) -> pl.DataFrame:
    """Per (country, hs6, month M): ``<name>_recent`` and ``<name>_base`` from months < M."""
    if leg.is_empty():
        return pl.DataFrame(
            schema={
                "country": pl.String,
                "hs6": pl.String,
                "month": pl.Date,
                f"{name}_recent": pl.Float64,
                f"{name}_base": pl.Float64,
            }
        )
    bounds = leg.select(
        first=pl.col("period_start").min(),
        last=pl.col("period_start").max().dt.offset_by(f"{RECENT_MONTHS + 1}mo"),
    ).row(0)
    grid = (
        leg.select("country", "hs6")
        .unique()
        .join(
            pl.DataFrame({"month": pl.date_range(bounds[0], bounds[1], "1mo", eager=True)}),
            how="cross",
        )
        .join(leg.rename({"period_start": "month"}), on=["country", "hs6", "month"], how="left")
        .with_columns(pl.col("value").fill_null(0.0))
        .sort("country", "hs6", "month")
    )
    previous = pl.col("value").shift(1).over("country", "hs6")
    recent = previous.rolling_sum(RECENT_MONTHS, min_samples=1).over("country", "hs6")
    base = (
        previous.shift(RECENT_MONTHS).rolling_sum(BASE_MONTHS, min_samples=1).over("country", "hs6")
        * RECENT_MONTHS
        / BASE_MONTHS
    )
    return grid.select(
        "country",
        "hs6",
        "month",
        recent.fill_null(0.0).alias(f"{name}_recent"),
        base.fill_null(0.0).alias(f"{name}_base"),
    )


def mirror_features(shipments: pl.DataFrame, flows: pl.DataFrame) -> pl.DataFrame:
    """The shipments with the three legs' recent and base values joined on."""
    out = shipments
    for name, leg in legs(flows).items():
        table = windowed(leg, name)
        if name == "cn_to_us":
            out = out.join(table.drop("country"), on=["hs6", "month"], how="left")
        else:
            out = out.join(
                table.rename({"country": "origin_country"}),
                on=["origin_country", "hs6", "month"],
                how="left",
            )
    return out
