"""Point-in-time window helpers: a row arriving on day D only ever sees rows before D."""

from __future__ import annotations

import polars as pl

DATE = "arrival_date"


def prior_sum(
    frame: pl.DataFrame, keys: list[str], value: pl.Expr, days: int, skip_days: int = 0
) -> pl.Series:
    """Per row: the sum of ``value`` over rows with the same keys arriving in
    [D - days, D - skip_days), D being the row's own arrival date.

    Each window is the difference of two running totals looked up as of its edges, which
    is far faster than a rolling pass over many small groups.
    """
    daily = (
        frame.group_by([*keys, DATE])
        .agg(_value=value.sum())
        .sort([*keys, DATE])
        .with_columns(_total=pl.col("_value").cum_sum().over(keys))
    )
    window = daily.select([*keys, DATE]).with_columns(
        _window=(_total_before(daily, keys, skip_days) - _total_before(daily, keys, days))
        # running totals leave rounding dust where a window is really empty
        .round(6)
    )
    joined = frame.select([*keys, DATE]).join(
        window, on=[*keys, DATE], how="left", nulls_equal=True
    )
    return joined["_window"].fill_null(0.0)


def _total_before(daily: pl.DataFrame, keys: list[str], offset_days: int) -> pl.Series:
    """For each (keys, day) of ``daily``: its key's total over days before day - offset."""
    edges = (
        daily.select([*keys, DATE])
        .with_row_index("_row")
        .with_columns(_edge=pl.col(DATE) - pl.duration(days=offset_days))
        .sort("_edge")
    )
    totals = daily.select([*keys, pl.col(DATE).alias("_at"), "_total"]).sort("_at")
    found = edges.join_asof(
        totals,
        left_on="_edge",
        right_on="_at",
        by=keys,
        strategy="backward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    return found.sort("_row")["_total"].fill_null(0.0)


def first_seen(frame: pl.DataFrame, keys: list[str]) -> pl.Series:
    """Per row: the first arrival date of its keys strictly before the row's date, else null.

    The overall first date is the same as the first date among earlier rows whenever it
    lies before D, so one group minimum gives a point-in-time answer for every row.
    """
    first = pl.col(DATE).min().over(keys)
    return frame.select(
        pl.when(first < pl.col(DATE)).then(first).otherwise(None).alias("first_seen")
    )["first_seen"]
