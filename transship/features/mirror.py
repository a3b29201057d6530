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

Statistics come out months late, so the latest months before M are often not published
yet. A month after the last one either reporter of a leg has published (anything, any
code) is unknown, not zero: a window sums its published months scaled to its full length
(``<leg>_recent_months`` says how many of the three recent months were published), and is
null when none was. Counting them as zero would read every night's newest months as
trade stopping.
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


def _published(leg: pl.DataFrame, last: pl.DataFrame, first: str, second: str) -> pl.DataFrame:
    """The leg with ``published``: the later of the last months its two reporters (the
    columns ``first`` and ``second`` name them, or a constant reporter) have published."""
    reporters = {"first": first, "second": second}
    out = leg
    for alias, reporter in reporters.items():
        on = reporter if reporter in leg.columns else None
        named = last.rename({"last": alias})
        out = (
            out.join(named, left_on=on, right_on="reporter", how="left")
            if on
            else out.with_columns(
                pl.lit(named.filter(pl.col("reporter") == reporter)[alias].max(), pl.Date).alias(
                    alias
                )
            )
        )
    return out.with_columns(published=pl.max_horizontal("first", "second")).drop("first", "second")


def legs(flows: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The three legs from monthly flows: ``cn_to_origin`` by (country, hs6,
    period_start), ``origin_to_importer`` by (importer, country, ...) and
    ``cn_to_importer`` by (importer, ...), each with its ``value`` and the last month
    published by either of its reporters (``published``)."""
    monthly = flows.filter(pl.col("frequency") == "monthly")
    last = monthly.group_by("reporter").agg(last=pl.col("period_start").max())
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
        "cn_to_origin": _published(cn_to_origin, last, china, "country"),
        "origin_to_importer": _published(origin_to_importer, last, "importer", "country"),
        "cn_to_importer": _published(cn_to_importer, last, "importer", china),
    }


def windowed(leg: pl.DataFrame, name: str) -> pl.DataFrame:
    """Per key (the leg's columns but ``period_start``, ``value`` and ``published``) and
    month M: ``<name>_recent`` and ``<name>_base`` from months before M, each the sum of
    its published months scaled to its length, and ``<name>_recent_months``, how many of
    the recent months were published. Without ``published`` every month counts."""
    keys = [c for c in leg.columns if c not in ("period_start", "value", "published")]
    if leg.is_empty():
        return pl.DataFrame(
            schema={
                **dict.fromkeys(keys, pl.String),
                "month": pl.Date,
                f"{name}_recent": pl.Float64,
                f"{name}_base": pl.Float64,
                f"{name}_recent_months": pl.Int32,
            }
        )
    if "published" not in leg.columns:
        leg = leg.with_columns(published=pl.col("period_start").max())
    bounds = leg.select(
        first=pl.col("period_start").min(),
        last=pl.col("period_start").max().dt.offset_by(f"{RECENT_MONTHS + 1}mo"),
    ).row(0)
    published = leg.group_by(keys).agg(pl.col("published").max())
    grid = (
        published.join(
            pl.DataFrame({"month": pl.date_range(bounds[0], bounds[1], "1mo", eager=True)}),
            how="cross",
        )
        .join(
            leg.drop("published").rename({"period_start": "month"}),
            on=[*keys, "month"],
            how="left",
        )
        .with_columns(pl.col("value").fill_null(0.0), unknown=pl.col("month") > pl.col("published"))
        .sort(*keys, "month")
    )
    # Months before the grid's first are taken as zero (no figure anywhere yet), as are
    # published months without a figure; only months after the last published are unknown.
    previous = pl.col("value").shift(1).over(keys).fill_null(0.0)
    previous_unknown = pl.col("unknown").shift(1).over(keys).fill_null(False).cast(pl.Int32)

    def scaled(lag: int, months: int) -> tuple[pl.Expr, pl.Expr]:
        known = pl.when(previous_unknown == 0).then(previous).otherwise(0.0)
        total = known.shift(lag).rolling_sum(months, min_samples=1).over(keys).fill_null(0.0)
        unknown = previous_unknown.shift(lag).rolling_sum(months, min_samples=1).over(keys)
        unknown = unknown.fill_null(0)
        per_recent = total if months == RECENT_MONTHS else total * RECENT_MONTHS / months
        value = (
            pl.when(unknown == 0)
            .then(per_recent)
            .when(unknown < months)
            .then(per_recent * months / (months - unknown))
        )
        return value, months - unknown

    recent, recent_months = scaled(0, RECENT_MONTHS)
    base, _ = scaled(RECENT_MONTHS, BASE_MONTHS)
    return grid.select(
        *keys,
        "month",
        recent.alias(f"{name}_recent"),
        base.alias(f"{name}_base"),
        recent_months.cast(pl.Int32).alias(f"{name}_recent_months"),
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
