"""Point-in-time window helpers: a row arriving on day D only ever sees rows before D."""

from __future__ import annotations

import polars as pl

DATE = "arrival_date"


def prior_sum(
    frame: pl.DataFrame, keys: list[str], value: pl.Expr, days: int, skip_days: int = 0
) -> pl.Series:
    """Per row: the sum of ``value`` over rows with the same keys arriving in
    [D - days, D - skip_days), D being the row's own arrival date."""
    daily = (
        frame.group_by([*keys, DATE])
        .agg(_value=value.sum())
        .sort([*keys, DATE])
        .with_columns(
            _window=pl.col("_value").rolling_sum_by(DATE, f"{days}d", closed="left").over(keys)
        )
    )
    if skip_days:
        daily = daily.with_columns(
            _window=pl.col("_window")
            - pl.col("_value").rolling_sum_by(DATE, f"{skip_days}d", closed="left").over(keys)
        )
    joined = frame.select([*keys, DATE]).join(
        daily.select([*keys, DATE, "_window"]), on=[*keys, DATE], how="left", nulls_equal=True
    )
    return joined["_window"].fill_null(0.0)


def first_seen(frame: pl.DataFrame, keys: list[str]) -> pl.Series:
    """Per row: the first arrival date of its keys strictly before the row's date, else null.

    The overall first date is the same as the first date among earlier rows whenever it
    lies before D, so one group minimum gives a point-in-time answer for every row.
    """
    first = pl.col(DATE).min().over(keys)
    return frame.select(
        pl.when(first < pl.col(DATE)).then(first).otherwise(None).alias("first_seen")
    )["first_seen"]
