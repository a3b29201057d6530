"""The five signals for one importing country, as pure polars functions over windows.

Every function takes the frame ``series.windows`` builds and returns one row per signal
that fired, with the figures its message needs and a ``score`` from 0 to 100:
``100 x kind weight x magnitude x materiality`` (each term 0.5 where its threshold
starts and 1 at its full level, see ``config``), times the capacity factor where one
applies. A quantity is compared in kilograms when both windows have every weight and
in dollars otherwise (``unit`` says which, ``note`` says why).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import polars as pl

from transship.early_warning.series import TOTAL, is_country

if TYPE_CHECKING:
    from transship.early_warning.config import Ramp, WarningSettings

CHINA = "CN"
PERIOD = ["hs6", "frequency", "period_start"]


def term(value: pl.Expr, ramp: Ramp) -> pl.Expr:
    """0.5 at the ramp's start, 1 at its full level, linear between."""
    share = ((value - ramp.start) / (ramp.full - ramp.start)).clip(0.0, 1.0)
    return 0.5 + 0.5 * share.fill_null(0.0).fill_nan(0.0)


def period_end() -> pl.Expr:
    """The last day a window's period covers (a year's 31 December, a month's last day)."""
    return (
        pl.when(pl.col("frequency") == "annual")
        .then(pl.col("period_start").dt.offset_by("1y"))
        .otherwise(pl.col("period_start").dt.offset_by("1mo"))
        .dt.offset_by("-1d")
    )


def imports_of(windows: pl.DataFrame, country: str) -> pl.DataFrame:
    """The country's imports from each other country, with its totals beside them."""
    side = windows.filter((pl.col("reporter") == country) & (pl.col("flow") == "import"))
    totals = side.filter(pl.col("partner") == TOTAL).select(
        *PERIOD,
        total_value_usd="value_usd",
        total_weight_kg="weight_kg",
        base_total_value_usd="base_value_usd",
        base_total_weight_kg="base_weight_kg",
        total_complete="complete",
    )
    partners = side.filter(is_country() & (pl.col("partner") != country))
    return partners.join(totals, on=PERIOD, how="left")


def measured(frame: pl.DataFrame) -> pl.DataFrame:
    """Quantities in kilograms when both windows have every weight, else in dollars."""
    use_kg = pl.col("weight_kg").is_not_null() & pl.col("base_weight_kg").is_not_null()
    return frame.with_columns(
        unit=pl.when(use_kg).then(pl.lit("kg")).otherwise(pl.lit("usd")),
        now=pl.when(use_kg).then(pl.col("weight_kg")).otherwise(pl.col("value_usd")),
        before=pl.when(use_kg).then(pl.col("base_weight_kg")).otherwise(pl.col("base_value_usd")),
        lowest=pl.when(use_kg)
        .then(pl.col("base_min_weight_kg"))
        .otherwise(pl.col("base_min_value_usd")),
        note=pl.when(use_kg)
        .then(pl.lit(None, pl.String))
        .when(pl.col("estimated"))
        .then(pl.format("weights in the {} statistics are estimates; compared in value", "period"))
        .when(pl.col("base_estimated"))
        .then(pl.lit("weights in the baseline's statistics are estimates; compared in value"))
        .otherwise(pl.lit("weights missing in one of the windows: compared in dollars")),
    )


def _large(settings: WarningSettings) -> pl.Expr:
    return (
        pl.max_horizontal(pl.col("value_usd"), pl.col("base_value_usd").fill_null(0.0))
        >= settings.min_value_usd
    )


def dropped(settings: WarningSettings) -> pl.Expr:
    """The drop rule on a measured window (``measured``): at most ``1 - drop_fall.start``
    of its baseline, below every baseline window, and, where the flow's noise is known,
    ``drop_noise_band`` robust standard deviations below its baseline; a fall to
    ``1 - drop_fall.full`` of the baseline or less is a drop however noisy the flow."""
    band = pl.min_horizontal(
        settings.drop_noise_band * pl.col("noise"), -math.log(1 - settings.drop_fall.full)
    )
    outside_noise = pl.col("noise").is_null() | (pl.col("departure") <= -band)
    return (
        (pl.col("before") > 0)
        & (pl.col("now") <= (1 - settings.drop_fall.start) * pl.col("before"))
        & (pl.col("now") < pl.col("lowest"))
        & outside_noise
    )


def drops(imports: pl.DataFrame, settings: WarningSettings) -> pl.DataFrame:
    """A supplier whose flow fell to at most half its baseline and below every baseline
    window, losing at least ``drop_materiality.start`` of the importer's supply."""
    frame = measured(
        imports.filter(
            pl.col("complete") & pl.col("base_value_usd").is_not_null() & _large(settings)
        )
    )
    # The share of supply lost in tonnes where the importer's total has every weight,
    # else in dollars.
    in_tonnes = (pl.col("unit") == "kg") & pl.col("base_total_weight_kg").is_not_null()
    lost_share = (
        pl.when(in_tonnes)
        .then((pl.col("before") - pl.col("now")) / pl.col("base_total_weight_kg"))
        .otherwise(
            (pl.col("base_value_usd") - pl.col("value_usd")) / pl.col("base_total_value_usd")
        )
    )
    fired = frame.with_columns(
        fall=1 - pl.col("now") / pl.col("before"),
        lost=pl.col("before") - pl.col("now"),
        lost_share=lost_share,
        lost_usd=pl.col("base_value_usd") - pl.col("value_usd"),
        lost_kg=pl.col("base_weight_kg") - pl.col("weight_kg"),
    ).filter(dropped(settings) & (pl.col("lost_share") >= settings.drop_materiality.start))
    return fired.with_columns(
        kind=pl.lit("drop"),
        score=100
        * settings.kind_weight["drop"]
        * term(pl.col("fall"), settings.drop_fall)
        * term(pl.col("lost_share"), settings.drop_materiality),
    )


def capacity_levels(
    frame: pl.DataFrame, capacity: pl.DataFrame, controlled: pl.DataFrame, country: str
) -> pl.DataFrame:
    """``frame`` with ``capacity_level`` (none, minor, major) and ``capacity_note`` of
    ``country`` for the code's materials at the period's end (announced supply counts
    from its start date). A code that holds several materials takes the highest level:
    a country that produces one of them is never called a non-producer of the code."""
    keys = frame.select(pl.col(country).alias("_country"), "hs6", end=period_end()).unique()
    rank = {"none": 0, "minor": 1, "major": 2}
    levels = (
        keys.join(controlled, on="hs6")
        .join(
            capacity.select("material", "scale", "start_date", "note", "stage", _country="country"),
            on=["material", "_country"],
            how="left",
        )
        .with_columns(
            scale=pl.when(pl.col("start_date").is_null() | (pl.col("start_date") <= pl.col("end")))
            .then(pl.col("scale"))
            .otherwise(None)
            .fill_null("none"),
        )
        .with_columns(rank=pl.col("scale").replace_strict(rank, return_dtype=pl.Int8))
        .sort("rank", descending=True)
        .group_by("_country", "hs6", "end")
        .agg(
            capacity_level=pl.col("scale").first(),
            capacity_note=pl.format(
                "{} {}s {}", pl.col("_country"), pl.col("stage"), pl.col("material")
            ).first(),
            capacity_detail=pl.col("note").first(),
            capacity_material=pl.col("material").first(),
        )
    )
    return (
        frame.with_columns(end=period_end())
        .join(levels.rename({"_country": country}), on=[country, "hs6", "end"], how="left")
        .with_columns(pl.col("capacity_level").fill_null("none"))
    )


def _growth(settings: WarningSettings) -> pl.Expr:
    """1 for a flow with nothing in its baseline, else the rise ramp on now over before."""
    return (
        pl.when(pl.col("before") == 0)
        .then(1.0)
        .otherwise(term(pl.col("now") / pl.col("before"), settings.rise_growth))
    )


def _rising(settings: WarningSettings) -> pl.Expr:
    new = (pl.col("before") == 0) & (pl.col("now") > 0)
    return new | (pl.col("now") >= settings.rise_growth.start * pl.col("before"))


def replacements(
    imports: pl.DataFrame,
    fired_drops: pl.DataFrame,
    capacity: pl.DataFrame,
    controlled: pl.DataFrame,
    settings: WarningSettings,
) -> pl.DataFrame:
    """A supplier that is new or rose by ``rise_growth.start`` in a period when others
    dropped, gaining at least ``replacement_materiality.start`` of what they lost, and that
    has no or only minor capacity for the material."""
    lost = fired_drops.group_by(PERIOD).agg(
        dropped=pl.col("partner").sort_by("lost_usd", descending=True),
        dropped_usd=pl.col("lost_usd").sum(),
        dropped_kg=pl.when(pl.col("lost_kg").is_null().any())
        .then(None)
        .otherwise(pl.col("lost_kg").sum()),
    )
    frame = measured(
        imports.filter(
            pl.col("complete") & pl.col("base_value_usd").is_not_null() & _large(settings)
        )
    ).join(lost, on=PERIOD)
    gained = frame.filter(_rising(settings) & ~pl.col("dropped").list.contains(pl.col("partner")))
    gained = gained.with_columns(
        gain_usd=pl.col("value_usd") - pl.col("base_value_usd"),
        gain_kg=pl.col("weight_kg") - pl.col("base_weight_kg"),
    ).with_columns(
        replaced=pl.when(pl.col("gain_kg").is_not_null() & pl.col("dropped_kg").is_not_null())
        .then(pl.col("gain_kg") / pl.col("dropped_kg"))
        .otherwise(pl.col("gain_usd") / pl.col("dropped_usd")),
    )
    gained = capacity_levels(
        gained.filter(pl.col("replaced") >= settings.replacement_materiality.start),
        capacity,
        controlled,
        "partner",
    )
    factor = pl.col("capacity_level").replace_strict(
        settings.capacity_factor, return_dtype=pl.Float64
    )
    return gained.filter(factor > 0).with_columns(
        kind=pl.lit("replacement"),
        score=100
        * settings.kind_weight["replacement"]
        * _growth(settings)
        * term(pl.col("replaced"), settings.replacement_materiality)
        * factor,
    )


def importer_supply(
    imports: pl.DataFrame, windows: pl.DataFrame, settings: WarningSettings
) -> pl.DataFrame:
    """What the importer usually buys of each code in a window of each China export period:
    its own baseline (else current) total for the same window where it reports at that
    frequency, else its latest annual total up to that year scaled to the window's months.
    Columns: PERIOD, ``supply_usd``, ``supply_basis`` (the statistics it comes from)."""
    china = windows.filter(pl.col("reporter") == CHINA).select(PERIOD).unique()
    totals = imports.group_by(PERIOD).agg(
        pl.col("total_value_usd").first(), pl.col("base_total_value_usd").first()
    )
    own = totals.select(
        *PERIOD,
        supply_usd=pl.coalesce("base_total_value_usd", "total_value_usd"),
        supply_basis=pl.lit("its own statistics"),
    )
    annual = (
        totals.filter(pl.col("frequency") == "annual")
        .select(
            "hs6",
            year=pl.col("period_start").dt.year(),
            annual_year=pl.col("period_start").dt.year(),
            annual_usd="total_value_usd",
        )
        .sort("year")
    )
    scale = (
        pl.when(pl.col("frequency") == "monthly").then(settings.window_months / 12).otherwise(1.0)
    )
    matched = china.join(own, on=PERIOD, how="left").with_columns(
        year=pl.col("period_start").dt.year()
    )
    by_year = (
        matched.filter(pl.col("supply_usd").is_null())
        .drop("supply_usd", "supply_basis")
        .sort("year")
    )
    by_year = by_year.join_asof(
        annual, on="year", by="hs6", strategy="backward", check_sortedness=False
    ).with_columns(
        supply_usd=pl.col("annual_usd") * scale,
        supply_basis=pl.format("its {} statistics", pl.col("annual_year").cast(pl.String)),
    )
    return pl.concat(
        [
            matched.filter(pl.col("supply_usd").is_not_null()).select(
                *PERIOD, "supply_usd", "supply_basis"
            ),
            by_year.select(*PERIOD, "supply_usd", "supply_basis"),
        ]
    )


def diversions(
    windows: pl.DataFrame,
    imports: pl.DataFrame,
    importer: str,
    capacity: pl.DataFrame,
    controlled: pl.DataFrame,
    hubs: pl.DataFrame,
    settings: WarningSettings,
) -> pl.DataFrame:
    """China's exports of a code to a third country new or up by ``rise_growth.start``
    while China's direct exports to the importer fell by ``diversion_fall.start``. Both
    legs are China's own statistics, so they share its coverage and valuation. The third
    country's gain must be at least ``diversion_materiality.start`` of what the importer
    usually buys of the code in as many months (``importer_supply``; China's baseline
    exports to it where the importer publishes nothing)."""
    if importer == CHINA:
        return pl.DataFrame()
    china = windows.filter(
        (pl.col("reporter") == CHINA) & (pl.col("flow") == "export") & is_country()
    ).filter(pl.col("complete") & pl.col("base_value_usd").is_not_null())
    direct = measured(china.filter(pl.col("partner") == importer)).filter(
        (pl.col("base_value_usd") >= settings.min_value_usd) & (pl.col("before") > 0)
    )
    direct = direct.with_columns(fall=1 - pl.col("now") / pl.col("before")).filter(
        pl.col("fall") >= settings.diversion_fall.start
    )
    direct = direct.select(
        *PERIOD,
        direct_value_usd="value_usd",
        direct_weight_kg="weight_kg",
        direct_base_value_usd="base_value_usd",
        direct_base_weight_kg="base_weight_kg",
        direct_fall="fall",
        direct_unit="unit",
    )
    third = measured(
        china.filter(~pl.col("partner").is_in([importer, CHINA]) & _large(settings))
    ).filter(_rising(settings))
    frame = (
        third.join(direct, on=PERIOD)
        .join(importer_supply(imports, windows, settings), on=PERIOD, how="left")
        .with_columns(
            supply_basis=pl.when(pl.col("supply_usd") > 0)
            .then(pl.col("supply_basis"))
            .otherwise(pl.lit("China's exports to it")),
            supply_usd=pl.when(pl.col("supply_usd") > 0)
            .then(pl.col("supply_usd"))
            .otherwise(pl.col("direct_base_value_usd")),
        )
        .with_columns(
            gain_usd=pl.col("value_usd") - pl.col("base_value_usd"),
            gain_share=(pl.col("value_usd") - pl.col("base_value_usd")) / pl.col("supply_usd"),
        )
    )
    frame = frame.filter(pl.col("gain_share") >= settings.diversion_materiality.start)
    frame = capacity_levels(frame, capacity, controlled, "partner").join(
        hubs.select(partner="country", hub_note="note"), on="partner", how="left"
    )
    producer = (
        pl.when(pl.col("capacity_level") == "major")
        .then(settings.diversion_producer_factor)
        .otherwise(1.0)
    )
    return frame.with_columns(
        kind=pl.lit("diversion"),
        import_partner=pl.lit(importer),
        score=100
        * settings.kind_weight["diversion"]
        * term(pl.col("direct_fall"), settings.diversion_fall)
        * _growth(settings)
        * term(pl.col("gain_share"), settings.diversion_materiality)
        * producer,
    )


def supplier_shares(imports: pl.DataFrame) -> pl.DataFrame:
    """Each supplier's share of the importer's imports of a code (by value) in each window
    and in its baseline, with the Herfindahl-Hirschman index (0-10,000) of both beside it.
    Only periods where every supplier's window is known and has a baseline are kept."""
    usable = imports.filter(pl.col("base_value_usd").is_not_null())
    known = usable.group_by(PERIOD).agg(
        all_known=pl.col("complete").all(),
        total=pl.col("value_usd").sum(),
        base_total=pl.col("base_value_usd").sum(),
    )
    shares = (
        usable.join(known.filter(pl.col("all_known")), on=PERIOD)
        .with_columns(
            share=pl.col("value_usd") / pl.col("total"),
            base_share=pl.col("base_value_usd") / pl.col("base_total"),
        )
        .with_columns(
            hhi=(100 * pl.col("share")).pow(2).sum().over(PERIOD),
            base_hhi=(100 * pl.col("base_share")).pow(2).sum().over(PERIOD),
        )
    )
    return shares.select(
        *PERIOD,
        "period",
        "months",
        "base_years",
        "partner",
        "value_usd",
        "base_value_usd",
        "share",
        "base_share",
        "total",
        "base_total",
        "hhi",
        "base_hhi",
    ).sort([*PERIOD, "share"], descending=[False, False, False, True])


def concentration(imports: pl.DataFrame, settings: WarningSettings) -> pl.DataFrame:
    """Periods where the index of ``supplier_shares`` is at least ``hhi_level.start`` and
    rose by at least ``hhi_increase.start``, with the three largest suppliers now and in
    the baseline."""
    shares = supplier_shares(imports).filter(
        (pl.col("total") >= settings.min_value_usd)
        & (pl.col("base_total") >= settings.min_value_usd)
    )
    periods = shares.group_by(PERIOD).agg(
        pl.col("period", "months", "base_years", "hhi", "base_hhi").first(),
        top=pl.struct("partner", "share").sort_by("share", descending=True).head(3),
        base_top=pl.struct("partner", share="base_share")
        .sort_by("base_share", descending=True)
        .head(3),
    )
    fired = periods.with_columns(increase=pl.col("hhi") - pl.col("base_hhi")).filter(
        (pl.col("hhi") >= settings.hhi_level.start)
        & (pl.col("increase") >= settings.hhi_increase.start)
    )
    return fired.with_columns(
        kind=pl.lit("concentration"),
        partner=pl.col("top").list.first().struct.field("partner"),
        score=100
        * settings.kind_weight["concentration"]
        * term(pl.col("hhi"), settings.hhi_level)
        * term(pl.col("increase"), settings.hhi_increase),
    )


def price_gaps(windows: pl.DataFrame, importer: str, settings: WarningSettings) -> pl.DataFrame:
    """The importer's unit value over China's export unit value for the same code and
    period, against the same ratio in the baseline; fires when it widened by
    ``price_gap_change.start``. Rows without a unit value on either side are returned
    with ``fired`` false so the digest can say why nothing was computed."""
    if importer == CHINA:
        return pl.DataFrame()
    mine = windows.filter(
        (pl.col("reporter") == importer)
        & (pl.col("flow") == "import")
        & (pl.col("partner") == TOTAL)
    ).filter(pl.col("complete") & (pl.col("value_usd") >= settings.min_value_usd))
    china = windows.filter(
        (pl.col("reporter") == CHINA) & (pl.col("flow") == "export") & (pl.col("partner") == TOTAL)
    ).select(
        *PERIOD,
        cn_unit_value="unit_value",
        cn_base_unit_value="base_unit_value",
        cn_value_usd="value_usd",
        cn_base_value_usd="base_value_usd",
        cn_complete="complete",
    )
    frame = mine.join(china, on=PERIOD, how="left").with_columns(
        gap=pl.col("unit_value") / pl.col("cn_unit_value"),
        base_gap=pl.col("base_unit_value") / pl.col("cn_base_unit_value"),
    )
    frame = frame.with_columns(change=pl.col("gap") / pl.col("base_gap"))
    fired = pl.col("change") >= settings.price_gap_change.start
    return frame.with_columns(
        kind=pl.lit("price"),
        partner=pl.lit(CHINA),
        fired=fired.fill_null(False),
        score=100
        * settings.kind_weight["price"]
        * term(pl.col("change"), settings.price_gap_change),
    )


def severity(score: pl.Expr, settings: WarningSettings) -> pl.Expr:
    return (
        pl.when(score >= settings.high)
        .then(pl.lit("high"))
        .when(score >= settings.medium)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low"))
    )
