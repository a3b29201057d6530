"""Trade-statistics features: the legs of a possible rerouting, as of the previous month.

For a shipment of code h from origin p into importing country i arriving in month M,
three monthly legs are summed over the three months before M (``recent``) and the twelve
months before those (``base``, scaled to three months):

- ``cn_to_origin``: China's exports of h to p, or p's imports from China when China's
  own figure is missing;
- ``origin_to_importer``: i's imports of h from p, or p's exports to i when missing;
- ``cn_to_importer``: i's imports of h from China, or China's exports to i when missing.

China is the controlling exporter (``CONTROLLING_EXPORTER``). Goods whose origin is
China or the importing country itself take no detour: they have no origin legs. Only
periods before M are used, so the features are point in time.
"""

from __future__ import annotations

import polars as pl

from transship.importers import CONTROLLING_EXPORTER

RECENT_MONTHS = 3
BASE_MONTHS = 12
LEGS = ("cn_to_origin", "origin_to_importer", "cn_to_importer")


def _side(flows: pl.DataFrame, flow: str, **columns: pl.Expr) -> pl.DataFrame:
    """Monthly values of one side of a leg, summed by the named key columns."""
    return (
        flows.filter(pl.col("flow") == flow)
        .group_by(*(expr.alias(name) for name, expr in columns.items()), "hs6", "period_start")
        .agg(value=pl.col("value_usd").sum())
    )


def _coalesce(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
    """``first``'s figure where it has one, else ``second``'s."""
    keys = [c for c in first.columns if c != "value"]
    return first.join(second, on=keys, how="full", coalesce=True, suffix="_mirror").select(
        *keys, value=pl.coalesce("value", "value_mirror")
    )


def legs(flows: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The three legs from monthly flows: ``cn_to_origin`` by (country, hs6,
    period_start), ``origin_to_importer`` by (importer, country, ...) and
    ``cn_to_importer`` by (importer, ...), each with its ``value``."""
    monthly = flows.filter(pl.col("frequency") == "monthly")
    china = CONTROLLING_EXPORTER
    from_china = pl.col("partner") == china
    by_china = pl.col("reporter") == china
    cn_to_origin = _coalesce(
        _side(monthly.filter(by_china), "export", country=pl.col("partner")),
        _side(monthly.filter(from_china), "import", country=pl.col("reporter")),
    ).filter(pl.col("country") != china)
    origin_to_importer = _coalesce(
        _side(monthly, "import", importer=pl.col("reporter"), country=pl.col("partner")),
        _side(monthly, "export", importer=pl.col("partner"), country=pl.col("reporter")),
    ).filter(
        (pl.col("country") != china)
        & (pl.col("importer") != china)
        & (pl.col("country") != pl.col("importer"))
    )
    cn_to_importer = _coalesce(
        _side(monthly.filter(from_china), "import", importer=pl.col("reporter")),
        _side(monthly.filter(by_china), "export", importer=pl.col("partner")),
    ).filter(pl.col("importer") != china)
    return {
        "cn_to_origin": cn_to_origin,
        "origin_to_importer": origin_to_importer,
        "cn_to_importer": cn_to_importer,
    }


def windowed(leg: pl.DataFrame, name: str) -> pl.DataFrame:
    """Per key (the leg's columns but ``period_start`` and ``value``) and month M:
    ``<name>_recent`` and ``<name>_base`` from months before M."""
    keys = [c for c in leg.columns if c not in ("period_start", "value")]
    if leg.is_empty():
        return pl.DataFrame(
            schema={
                **dict.fromkeys(keys, pl.String),
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
        leg.select(keys)
        .unique()
        .join(
            pl.DataFrame({"month": pl.date_range(bounds[0], bounds[1], "1mo", eager=True)}),
            how="cross",
        )
        .join(leg.rename({"period_start": "month"}), on=[*keys, "month"], how="left")
        .with_columns(pl.col("value").fill_null(0.0))
        .sort(*keys, "month")
    )
    previous = pl.col("value").shift(1).over(keys)
    recent = previous.rolling_sum(RECENT_MONTHS, min_samples=1).over(keys)
    base = (
        previous.shift(RECENT_MONTHS).rolling_sum(BASE_MONTHS, min_samples=1).over(keys)
        * RECENT_MONTHS
        / BASE_MONTHS
    )
    return grid.select(
        *keys,
        "month",
        recent.fill_null(0.0).alias(f"{name}_recent"),
        base.fill_null(0.0).alias(f"{name}_base"),
    )


JOIN_KEYS = {
    "cn_to_origin": {"country": "origin_country"},
    "origin_to_importer": {"importer": "import_country", "country": "origin_country"},
    "cn_to_importer": {"importer": "import_country"},
}
"""How each leg's keys name the shipment's columns."""


def mirror_features(shipments: pl.DataFrame, flows: pl.DataFrame) -> pl.DataFrame:
    """The shipments with the three legs' recent and base values joined on."""
    out = shipments
    for name, leg in legs(flows).items():
        renames = JOIN_KEYS[name]
        out = out.join(
            windowed(leg, name).rename(renames),
            on=[*renames.values(), "hs6", "month"],
            how="left",
        )
    # Goods of the importing country's own origin take no detour through it.
    return out.with_columns(
        pl.when(pl.col("origin_country") != pl.col("import_country"))
        .then(pl.col(f"cn_to_origin_{part}"))
        .alias(f"cn_to_origin_{part}")
        for part in ("recent", "base")
    )
