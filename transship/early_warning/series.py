"""Trade statistics as comparable windows: each flow's current window and its own baseline.

How gaps are read (UN Comtrade publishes no zero cells): a reporter that published its
imports (or exports) for a period in a source published every code the source carries and
every partner it traded, so a code or partner absent from that period traded nothing; a
period for which the reporter published nothing in that direction is missing, and no
window that includes it is computed; a code its source does not carry is unknown. A key
reported twice with the same figures counts once; twice with different figures, it is
unknown (never guessed), and so is every window that includes it. Weights that are
estimates (``transship.features.estimated_weights``: every partner at one unit value) are
unknown weights, and a window holding them says so (``estimated``, ``base_estimated``).

Annual series compare a year with the median of up to ``baseline_years`` earlier reported
years. Monthly series sum ``window_months`` months ending with the month and compare
them with the median of the same months in up to ``baseline_years`` earlier years (a
seasonal baseline: February against February); only complete windows count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from transship.features.estimated_weights import estimated_weights

if TYPE_CHECKING:
    from transship.early_warning.config import WarningSettings

KEYS = ["reporter", "partner", "flow", "hs6", "frequency"]
PUBLISHED = ["reporter", "flow", "hs6", "frequency"]
TOTAL = "*"
"""The partner under which a reporter's flows to and from every country are summed."""

PROBLEM_SCHEMA = {
    "reporter": pl.String,
    "partner": pl.String,
    "flow": pl.String,
    "hs6": pl.String,
    "frequency": pl.String,
    "period_start": pl.Date,
    "seen_usd": pl.List(pl.Float64),
    "seen_in": pl.List(pl.String),
}


def is_country(column: str = "partner") -> pl.Expr:
    """Countries are alpha-2; Comtrade's aggregates (WLD, OAS, ...) have three letters."""
    return pl.col(column).str.len_chars() == 2


def clean(flows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each key once, conflicting duplicates as unknown figures, and one problem row per
    conflict with the values seen and their sources. Adds the country total of every
    reporter, flow, code and period."""
    keys = ["period_start", *KEYS]
    figures = flows.filter(pl.col("flow").is_in(["import", "export"])).select(
        *keys, "source", "value_usd", "weight_kg"
    )
    grouped = figures.group_by(keys).agg(
        versions=pl.struct("value_usd", "weight_kg").n_unique(),
        value_usd=pl.col("value_usd").first(),
        weight_kg=pl.col("weight_kg").first(),
        seen_usd=pl.col("value_usd"),
        seen_in=pl.col("source"),
    )
    conflict = pl.col("versions") > 1
    problems = grouped.filter(conflict).select(
        *KEYS[:4],
        "frequency",
        "period_start",
        "seen_usd",
        "seen_in",
    )
    rows = grouped.with_columns(
        value_usd=pl.when(conflict).then(None).otherwise(pl.col("value_usd")),
        weight_kg=pl.when(conflict).then(None).otherwise(pl.col("weight_kg")),
    ).drop("versions", "seen_usd", "seen_in")
    # A weight of 0 or none on a flow with value is an unknown weight, not a weightless good;
    # so is an estimated one.
    rows = (
        estimated_weights(rows)
        .with_columns(
            weight_kg=pl.when(pl.col("weight_estimated"))
            .then(None)
            .when(pl.col("weight_kg") > 0)
            .then(pl.col("weight_kg"))
            .when(pl.col("value_usd") == 0)
            .then(0.0)
            .otherwise(None),
        )
        .with_columns(
            weighed_usd=pl.when(pl.col("weight_kg").is_not_null()).then(pl.col("value_usd"))
        )
    )
    rows = rows.with_columns(weighed_kg=pl.col("weight_kg").fill_null(0.0))
    sums = (
        rows.filter(is_country())
        .group_by(["period_start", *PUBLISHED])
        .agg(
            value_usd=pl.when(pl.col("value_usd").is_null().any())
            .then(None)
            .otherwise(pl.col("value_usd").sum()),
            weight_kg=pl.when(pl.col("weight_kg").is_null().any())
            .then(None)
            .otherwise(pl.col("weight_kg").sum()),
            weighed_usd=pl.col("weighed_usd").sum(),
            weighed_kg=pl.col("weighed_kg").sum(),
            weight_estimated=pl.col("weight_estimated").any(),
            traded=pl.lit(True),
        )
    )
    # A source carries a set of codes; a reporter that published a period in it published
    # every one of them, so a code it did not trade gets a total of zero, while a code the
    # source does not carry is unknown, never zero.
    carried = figures.select("source", "frequency", "hs6").unique()
    reported = figures.select("source", "reporter", "flow", "frequency", "period_start").unique()
    cells = (
        reported.join(carried, on=["source", "frequency"])
        .select("period_start", *PUBLISHED)
        .unique()
    )
    totals = cells.join(sums, on=["period_start", *PUBLISHED], how="left").with_columns(
        *[
            pl.when(pl.col("traded").is_null()).then(0.0).otherwise(pl.col(c)).alias(c)
            for c in ("value_usd", "weight_kg", "weighed_usd", "weighed_kg")
        ],
        pl.col("weight_estimated").fill_null(False),
        partner=pl.lit(TOTAL),
    )
    return pl.concat([rows, totals.select(rows.columns)]), problems.cast(PROBLEM_SCHEMA)  # type: ignore[arg-type]


def published(rows: pl.DataFrame) -> pl.DataFrame:
    """Which reporter published which code and flow for which period."""
    return rows.select(*PUBLISHED, "period_start").unique()


def missing_periods(rows: pl.DataFrame) -> pl.DataFrame:
    """Periods within a reporter's span (years or months) for which it published nothing
    in that direction (``reporter``, ``flow``, ``frequency``, ``period_start``)."""
    keys = ["reporter", "flow", "frequency"]
    done = published(rows).select(*keys, "period_start").unique()
    found = []
    for frequency, step in (("annual", "1y"), ("monthly", "1mo")):
        own = done.filter(pl.col("frequency") == frequency)
        spans = own.group_by(keys).agg(
            first=pl.col("period_start").min(), last=pl.col("period_start").max()
        )
        every = spans.with_columns(
            period_start=pl.date_ranges("first", "last", interval=step)
        ).explode("period_start")
        found.append(
            every.join(own, on=[*keys, "period_start"], how="anti").select(*keys, "period_start")
        )
    return pl.concat(found)


def windows(rows: pl.DataFrame, settings: WarningSettings) -> pl.DataFrame:
    """One row per flow and published period: the window's figures and its baseline.

    Columns: the flow keys, ``period_start``, ``period`` (2024 or 2024-11), ``value_usd``,
    ``weight_kg`` (null when a row in the window lacks a weight), ``unit_value`` (null
    when rows with a weight carry less than ``min_weighed_share`` of the value),
    ``complete`` (every month in the window published and known), ``months`` (the
    window's first month), and ``base_*`` for the baseline: the median ``value_usd``,
    ``weight_kg`` and ``unit_value``, the lowest value and weight of the baseline
    windows, and ``base_years``, the years they come from; ``departure``, the log of the
    window over its baseline, and ``noise``, the robust spread of the flow's departures
    over the trailing ``noise_months`` (null with fewer than ``noise_min_departures``).
    """
    series = rows.select(KEYS).unique()
    cells = series.join(published(rows), on=PUBLISHED).join(
        rows.with_columns(present=pl.lit(True)), on=[*KEYS, "period_start"], how="left"
    )
    # A partner absent from a published period traded nothing; a conflicting key is unknown.
    cells = cells.with_columns(
        unknown=pl.col("present").fill_null(False) & pl.col("value_usd").is_null(),
        value_usd=pl.when(pl.col("present").is_null()).then(0.0).otherwise(pl.col("value_usd")),
        weight_kg=pl.when(pl.col("present").is_null()).then(0.0).otherwise(pl.col("weight_kg")),
        weighed_usd=pl.when(pl.col("present").is_null()).then(0.0).otherwise(pl.col("weighed_usd")),
        weighed_kg=pl.when(pl.col("present").is_null()).then(0.0).otherwise(pl.col("weighed_kg")),
        weight_estimated=pl.col("weight_estimated").fill_null(False),
    ).sort([*KEYS, "period_start"])
    annual = _annual(cells.filter(pl.col("frequency") == "annual"), settings)
    monthly = _monthly(cells.filter(pl.col("frequency") == "monthly"), settings)
    return pl.concat([annual, monthly], how="vertical_relaxed")


def _unit_value(settings: WarningSettings) -> pl.Expr:
    enough = pl.col("weighed_usd") >= settings.min_weighed_share * pl.col("value_usd")
    return (
        pl.when(enough & (pl.col("weighed_kg") > 0))
        .then(pl.col("weighed_usd") / pl.col("weighed_kg"))
        .otherwise(None)
    )


def _annual(cells: pl.DataFrame, settings: WarningSettings) -> pl.DataFrame:
    frame = cells.with_columns(
        period=pl.col("period_start").dt.year().cast(pl.String),
        months=pl.col("period_start"),
        complete=~pl.col("unknown"),
        estimated=pl.col("weight_estimated"),
        weighed_kg=pl.col("weighed_kg").fill_null(0.0),
        weighed_usd=pl.col("weighed_usd").fill_null(0.0),
    ).with_columns(unit_value=_unit_value(settings))
    lags = range(1, settings.baseline_years + 1)
    lagged = frame.with_columns(
        [
            pl.when(pl.col("complete").shift(k).over(KEYS))
            .then(pl.col(c).shift(k).over(KEYS))
            .alias(f"{c}_lag{k}")
            for k in lags
            for c in ("value_usd", "weight_kg", "unit_value", "period_start", "estimated")
        ]
    )
    return _baseline(lagged, lags, settings)


def _monthly(cells: pl.DataFrame, settings: WarningSettings) -> pl.DataFrame:
    n = settings.window_months
    per_month = cells.with_columns(
        one=pl.lit(1),
        unknown=pl.col("unknown").cast(pl.Int32),
        weight_missing=pl.col("weight_kg").is_null().cast(pl.Int32),
        estimated=pl.col("weight_estimated").cast(pl.Int32),
        weighed_kg=pl.col("weighed_kg").fill_null(0.0),
        weighed_usd=pl.col("weighed_usd").fill_null(0.0),
        value_usd=pl.col("value_usd").fill_null(0.0),
    )
    window = f"{n}mo"
    frame = (
        per_month.with_columns(
            [
                pl.col(c).rolling_sum_by("period_start", window).over(KEYS).alias(c)
                for c in (
                    "one",
                    "unknown",
                    "weight_missing",
                    "estimated",
                    "weighed_kg",
                    "weighed_usd",
                    "value_usd",
                )
            ]
        )
        .with_columns(
            period=pl.col("period_start").dt.strftime("%Y-%m"),
            months=pl.col("period_start").dt.offset_by(f"-{n - 1}mo"),
            complete=(pl.col("one") == n) & (pl.col("unknown") == 0),
            weight_kg=pl.when(pl.col("weight_missing") == 0).then(pl.col("weighed_kg")),
            estimated=pl.col("estimated") > 0,
        )
        .with_columns(unit_value=_unit_value(settings))
    )
    lags = range(1, settings.baseline_years + 1)
    base = frame.filter(pl.col("complete")).select(
        *KEYS, "period_start", "value_usd", "weight_kg", "unit_value", "estimated"
    )
    for k in lags:
        frame = frame.join(
            base.with_columns(
                period_start_lag=pl.col("period_start"),
                period_start=pl.col("period_start").dt.offset_by(f"{12 * k}mo"),
            ).rename(
                {
                    "value_usd": f"value_usd_lag{k}",
                    "weight_kg": f"weight_kg_lag{k}",
                    "unit_value": f"unit_value_lag{k}",
                    "estimated": f"estimated_lag{k}",
                    "period_start_lag": f"period_start_lag{k}",
                }
            ),
            on=[*KEYS, "period_start"],
            how="left",
        )
    return _baseline(frame, lags, settings)


def _baseline(frame: pl.DataFrame, lags: range, settings: WarningSettings) -> pl.DataFrame:
    def listed(column: str) -> pl.Expr:
        return pl.concat_list([pl.col(f"{column}_lag{k}") for k in lags]).list.drop_nulls()

    values = listed("value_usd")
    frame = frame.with_columns(
        base_value_usd=values.list.median(),
        base_min_value_usd=values.list.min(),
        # A baseline weight needs every baseline window's weight.
        base_weight_kg=pl.when(listed("weight_kg").list.len() == values.list.len())
        .then(listed("weight_kg").list.median())
        .otherwise(None),
        base_min_weight_kg=pl.when(listed("weight_kg").list.len() == values.list.len())
        .then(listed("weight_kg").list.min())
        .otherwise(None),
        base_unit_value=listed("unit_value").list.median(),
        base_years=listed("period_start").list.eval(pl.element().dt.year()).list.sort(),
        base_estimated=listed("estimated").list.any().fill_null(False),
    )
    # How far this flow usually departs from its own baseline: the spread (IQR / 1.349, a
    # robust standard deviation) of its log departures over the trailing noise window.
    thousand = 1000.0
    departure = (
        pl.when(pl.col("complete") & pl.col("base_value_usd").is_not_null())
        .then(((pl.col("value_usd") + thousand) / (pl.col("base_value_usd") + thousand)).log())
        .otherwise(None)
    )
    window = f"{settings.noise_months}mo"

    def quantile(q: float) -> pl.Expr:
        return (
            pl.col("departure")
            .rolling_quantile_by(
                "period_start", window, quantile=q, min_samples=settings.noise_min_departures
            )
            .over(KEYS)
        )

    frame = (
        frame.sort([*KEYS, "period_start"])
        .with_columns(departure=departure)
        .with_columns(noise=(quantile(0.75) - quantile(0.25)) / 1.349)
    )
    return frame.select(
        *KEYS,
        "period_start",
        "period",
        "months",
        "complete",
        "estimated",
        "base_estimated",
        "value_usd",
        "weight_kg",
        "unit_value",
        "base_value_usd",
        "base_weight_kg",
        "base_min_value_usd",
        "base_min_weight_kg",
        "base_unit_value",
        "base_years",
        "departure",
        "noise",
    )
