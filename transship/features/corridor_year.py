"""The corridor-year frame the statistics detectors score: one row per importing country x
country x controlled code x year, with the legs the trade statistics have for it.

Every country that reports imports in the statistics (China, the controlling exporter,
and aggregates aside) is an importing country with its own corridors: a corridor's year
is one in which either side reports trade between the two (China's legs with a country
in a year without such trade are no importing country's corridor). Statistics
are compared year on year (monthly series are summed into years, comparing the same
months of each year so a year in progress is comparable). Each leg (the importing
country's imports from the country, China's exports to it, its imports from China, its
exports to the importing country) is stated for the year and for the latest earlier year
the statistics have. China itself gets one row per importing country, code and year:
the importing country's imports from China against China's exports to it.

Weights that are estimates (``transship.features.estimated_weights``) are unknown: a leg
whose year has them has no weight, and its growth is compared in dollars. The importing
country's own leg is set against its market: its total imports of the code, and its
imports from China, in the same years (``materiality``). A corridor absent from a year in
which the importing country reported the code traded nothing that year: it is new.
"""

from __future__ import annotations

import polars as pl

from transship.features.build import Reference, code_goods
from transship.features.capacity import capacity_levels, material_prices, priced_as
from transship.features.controls import applies, code_events, in_force
from transship.features.estimated_weights import estimated_weights
from transship.importers import CONTROLLING_EXPORTER, import_country_names

AGGREGATES = ("WLD", "EUN", "OAS", "OOC", "XX")
KEYS = ["import_country", "country", "hs6"]
LEG_COLUMNS = (
    "value_usd",
    "weight_kg",
    "estimated",
    "previous_year",
    "previous_value",
    "previous_kg",
    "previous_estimated",
)


def yearly(flows: pl.DataFrame) -> pl.DataFrame:
    """Flows by year, with the months each year covers (12 for annual statistics), and
    whether their weights are estimates (``estimated``: then ``weight_kg`` is null)."""
    if "weight_estimated" not in flows.columns:
        flows = estimated_weights(flows)
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
        .agg(*_sums(), months=pl.lit(cutoff))
    )
    annual_years = annual.group_by(*keys, year=pl.col("period_start").dt.year()).agg(
        *_sums(), months=pl.lit(12)
    )
    combined = pl.concat([annual_years, monthly_years], how="vertical_relaxed")
    # Where annual and monthly sources both cover a flow-year, the annual figure stands.
    return combined.unique([*keys, "year"], keep="first", maintain_order=True)


def _sums() -> list[pl.Expr]:
    estimated = pl.col("weight_estimated").any()
    return [
        pl.col("value_usd").sum(),
        pl.when(estimated).then(None).otherwise(pl.col("weight_kg").sum()).alias("weight_kg"),
        estimated.alias("estimated"),
    ]


def importing_countries(years: pl.DataFrame) -> pl.Series:
    """Every reporter of imports but China and the aggregates."""
    return (
        years.filter(
            (pl.col("flow") == "import")
            & ~pl.col("reporter").is_in([CONTROLLING_EXPORTER, *AGGREGATES])
        )["reporter"]
        .unique()
        .sort()
    )


def with_previous(series: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Each year beside the latest earlier year of the same series."""
    return series.sort([*keys, "year"]).with_columns(
        previous_year=pl.col("year").shift(1).over(keys),
        previous_value=pl.col("value_usd").shift(1).over(keys),
        previous_kg=pl.col("weight_kg").shift(1).over(keys),
        previous_estimated=pl.col("estimated").shift(1).over(keys),
    )


def leg(side: pl.DataFrame, name: str, **keys: pl.Expr) -> pl.DataFrame:
    """One leg by its key columns, code and year, its columns prefixed with ``name``."""
    series = side.select(
        *(expr.alias(key) for key, expr in keys.items()),
        "hs6",
        "year",
        "value_usd",
        "weight_kg",
        "estimated",
    )
    return with_previous(series, [*keys, "hs6"]).rename({c: f"{name}_{c}" for c in LEG_COLUMNS})


def importer_legs(years: pl.DataFrame, importers: pl.Series) -> pl.DataFrame:
    """Per importing country, country, code and year: the importing country's imports
    from the country (``imp``) and the country's exports to it (``p_exp``)."""
    china = CONTROLLING_EXPORTER
    reported_imports = years.filter(
        (pl.col("flow") == "import") & pl.col("reporter").is_in(importers.implode())
    )
    reported_exports = years.filter(
        (pl.col("flow") == "export") & pl.col("partner").is_in(importers.implode())
    )
    imports = leg(
        reported_imports, "imp", import_country=pl.col("reporter"), country=pl.col("partner")
    )
    exports = leg(
        reported_exports, "p_exp", import_country=pl.col("partner"), country=pl.col("reporter")
    )
    return imports.join(exports, on=[*KEYS, "year"], how="full", coalesce=True).filter(
        ~pl.col("country").is_in([china, *AGGREGATES])
        & (pl.col("country") != pl.col("import_country"))
    )


def china_legs(years: pl.DataFrame) -> pl.DataFrame:
    """Per country, code and year: China's exports to the country (``cn_exp``) and the
    country's imports from China (``p_imp``), whoever imports from it."""
    china = CONTROLLING_EXPORTER
    exports = leg(
        years.filter((pl.col("reporter") == china) & (pl.col("flow") == "export")),
        "cn_exp",
        country=pl.col("partner"),
    )
    imports = leg(
        years.filter((pl.col("partner") == china) & (pl.col("flow") == "import")),
        "p_imp",
        country=pl.col("reporter"),
    )
    return exports.join(imports, on=["country", "hs6", "year"], how="full", coalesce=True).filter(
        ~pl.col("country").is_in([china, *AGGREGATES])
    )


def china_mirror(years: pl.DataFrame, importers: pl.Series) -> pl.DataFrame:
    """China's row per importing country, code and year: the importing country's imports
    from China (as the ``imp`` leg) beside China's reported exports to it (as
    ``cn_exp_value_usd``)."""
    china = CONTROLLING_EXPORTER
    from_china = leg(
        years.filter(
            pl.col("reporter").is_in(importers.implode())
            & (pl.col("flow") == "import")
            & (pl.col("partner") == china)
        ),
        "imp",
        import_country=pl.col("reporter"),
        country=pl.lit(china),
    )
    to_importer = years.filter((pl.col("reporter") == china) & (pl.col("flow") == "export")).select(
        import_country="partner", hs6="hs6", year="year", cn_exp_value_usd="value_usd"
    )
    return from_china.join(to_importer, on=["import_country", "hs6", "year"], how="left")


def corridors(years: pl.DataFrame, importers: pl.Series) -> pl.DataFrame:
    """Every year of a corridor (importing country x country x code) that either side
    reports trade on, with its legs and China's legs with the country that year. A year
    with China's legs alone is no corridor of any importing country's."""
    return importer_legs(years, importers).join(
        china_legs(years), on=["country", "hs6", "year"], how="left"
    )


def market(years: pl.DataFrame, importers: pl.Series) -> pl.DataFrame:
    """Per importing country, code and year: its imports of the code from every country
    (``mkt_``) and from China (``mkt_cn_``), each beside the importing country's latest
    earlier year of the code (``mkt_previous_year``); a weight is null where a partner's is
    unknown or estimated."""
    imports = years.filter(
        (pl.col("flow") == "import")
        & pl.col("reporter").is_in(importers.implode())
        & ~pl.col("partner").is_in(AGGREGATES)
        & (pl.col("partner") != pl.col("reporter"))
    ).with_columns(import_country="reporter")
    keys = ["import_country", "hs6", "year"]

    def total(rows: pl.DataFrame, prefix: str) -> pl.DataFrame:
        return rows.group_by(keys).agg(
            pl.col("value_usd").sum().alias(f"{prefix}_value_usd"),
            pl.when(pl.col("weight_kg").is_null().any())
            .then(None)
            .otherwise(pl.col("weight_kg").sum())
            .alias(f"{prefix}_weight_kg"),
        )

    # A year the importing country reported the code without China traded nothing with it.
    china = total(imports.filter(pl.col("partner") == CONTROLLING_EXPORTER), "mkt_cn")
    frame = (
        total(imports, "mkt")
        .join(china, on=keys, how="left")
        .with_columns(pl.col("mkt_cn_value_usd", "mkt_cn_weight_kg").fill_null(0.0))
        .sort(keys)
    )
    earlier = ["import_country", "hs6"]
    return frame.with_columns(
        mkt_previous_year=pl.col("year").shift(1).over(earlier),
        mkt_cn_previous_value=pl.col("mkt_cn_value_usd").shift(1).over(earlier),
        mkt_cn_previous_kg=pl.col("mkt_cn_weight_kg").shift(1).over(earlier),
    )


def new_corridors(frame: pl.DataFrame) -> pl.DataFrame:
    """A corridor the importing country reports imports on, with no earlier year of its
    own while the importing country reported the code in an earlier year, traded nothing
    then: its previous year is that year, with nothing in it."""
    new = (
        pl.col("imp_value_usd").is_not_null()
        & pl.col("imp_previous_year").is_null()
        & pl.col("mkt_previous_year").is_not_null()
    )
    return frame.with_columns(
        imp_previous_year=pl.when(new)
        .then(pl.col("mkt_previous_year"))
        .otherwise(pl.col("imp_previous_year")),
        imp_previous_value=pl.when(new).then(0.0).otherwise(pl.col("imp_previous_value")),
        imp_previous_kg=pl.when(new).then(0.0).otherwise(pl.col("imp_previous_kg")),
        imp_previous_estimated=pl.when(new).then(False).otherwise(pl.col("imp_previous_estimated")),
    )


def materiality(frame: pl.DataFrame) -> pl.DataFrame:
    """The importing country's own leg against its market. ``imp_measure`` and
    ``imp_growth``: the year over the previous one in kilograms where both years' weights
    are known, else in dollars (infinite for a new corridor). ``imp_gain_share``: the
    increase as a share of the importing country's imports of the code in the year;
    ``imp_replaced_share``: the increase as a share of the fall of its imports from China
    since the previous year (null where they did not fall). Each share is the larger of
    the share in kilograms (where every weight is known) and in dollars: a shared code's
    tonnes mix cheap goods and dear ones (8112.92's niobium and germanium)."""
    in_kg = pl.col("imp_weight_kg").is_not_null() & pl.col("imp_previous_kg").is_not_null()

    def shares(unit: str) -> tuple[pl.Expr, pl.Expr]:
        kg = unit == "kg"
        now = pl.col("imp_weight_kg" if kg else "imp_value_usd")
        before = pl.col("imp_previous_kg" if kg else "imp_previous_value")
        total = pl.col("mkt_weight_kg" if kg else "mkt_value_usd")
        china_now = pl.col("mkt_cn_weight_kg" if kg else "mkt_cn_value_usd")
        china_before = pl.col("mkt_cn_previous_kg" if kg else "mkt_cn_previous_value")
        fall = china_before - china_now
        return (now - before) / total, pl.when(fall > 0).then((now - before) / fall)

    gain_kg, replaced_kg = shares("kg")
    gain_usd, replaced_usd = shares("usd")
    return frame.with_columns(
        imp_measure=pl.when(in_kg).then(pl.lit("kg")).otherwise(pl.lit("usd")),
        imp_growth=pl.when(in_kg)
        .then(pl.col("imp_weight_kg") / pl.col("imp_previous_kg"))
        .otherwise(pl.col("imp_value_usd") / pl.col("imp_previous_value")),
        imp_gain_share=pl.max_horizontal(gain_kg, gain_usd),
        imp_replaced_share=pl.max_horizontal(replaced_kg, replaced_usd),
    )


def corroborated(frame: pl.DataFrame, reference: Reference, price_ratio: float) -> pl.DataFrame:
    """On a basket code (one that also holds goods outside the materials list) a corridor
    is the controlled material only where its price says so: the unit value of the
    importing country's imports from the country (else of the country's reported exports
    to it, the same flow seen from the other side) within
    ``price_ratio`` times the typical range of the code's controlled materials. A country
    not known to produce the code is then one without capacity for the material ('none');
    otherwise it stays 'unknown'."""
    prices = material_prices(reference.controlled, reference.unit_values)

    def unit_value(leg: str) -> pl.Expr:
        kg = pl.col(f"{leg}_weight_kg")
        return pl.when(kg > 0).then(pl.col(f"{leg}_value_usd") / kg)

    price = pl.coalesce(unit_value("imp"), unit_value("p_exp"))
    return (
        frame.join(prices, on="hs6", how="left")
        .with_columns(
            capacity_level=pl.when(
                (pl.col("capacity_level") == "unknown") & priced_as(price, price_ratio)
            )
            .then(pl.lit("none"))
            .otherwise(pl.col("capacity_level"))
        )
        .drop("uv_low", "uv_high")
    )


def capacity_by_year(frame: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """The country's capacity level for what the code holds, per row of ``frame``
    (``row``, ``country``, ``hs6``, ``year``), from capacity in force during the year
    (announced capacity counts from the year it starts)."""
    rows = frame.select(
        "row",
        "hs6",
        "country",
        first=pl.date(pl.col("year"), 1, 1),
        last=pl.date(pl.col("year"), 12, 31),
    )
    return capacity_levels(rows, reference.controlled, reference.capacity)


def control_by_year(frame: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Per row of ``frame`` (``row``, ``import_country``, ``hs6``, ``year``): whether a
    licence or ban on the code's material was in force for the importing country on some
    day of the year (``control_in_force``)."""
    events = code_events(reference.controlled, reference.events)
    in_year = (
        frame.select("row", "import_country", "hs6", "year")
        .join(events, on="hs6")
        .filter(
            applies() & in_force(pl.date(pl.col("year"), 1, 1), pl.date(pl.col("year"), 12, 31))
        )
        .select("row")
        .unique()
        .with_columns(control_in_force=pl.lit(True))
    )
    return (
        frame.select("row")
        .join(in_year, on="row", how="left")
        .with_columns(pl.col("control_in_force").fill_null(False))
    )


def corridor_years(flows: pl.DataFrame, reference: Reference, price_ratio: float) -> pl.DataFrame:
    """Every importing country x country x controlled code x year the statistics have a
    leg for, with each leg and its previous year, the importing country's leg against its
    market (``materiality``), the material, what a shared code holds, the country's
    capacity (on a basket code, corroborated by a price within ``price_ratio`` of the
    material's), whether a control was in force for the importing country that year, and
    the countries' names."""
    controlled = code_goods(reference)
    years = yearly(flows.filter(pl.col("hs6").is_in(controlled["hs6"].implode())))
    importers = importing_countries(years)
    frame = pl.concat(
        [corridors(years, importers), china_mirror(years, importers)], how="diagonal_relaxed"
    )
    frame = frame.join(market(years, importers), on=["import_country", "hs6", "year"], how="left")
    frame = materiality(new_corridors(frame))
    frame = frame.join(controlled, on="hs6", how="left").sort(*KEYS, "year").with_row_index("row")
    frame = (
        frame.join(capacity_by_year(frame, reference), on="row", how="left")
        .join(control_by_year(frame, reference), on="row", how="left")
        .drop("row")
    )
    frame = corroborated(frame, reference, price_ratio)
    names = reference.countries.select(country="code", country_name="name")
    frame = frame.join(names, on="country", how="left").with_columns(
        pl.coalesce("country_name", "country").alias("country_name")
    )
    return import_country_names(frame, reference.importers, reference.countries)
