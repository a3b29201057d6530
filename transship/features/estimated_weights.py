"""Weights that are estimates, not measurements.

Where a reporter does not collect the net weight of a code, UN Comtrade estimates it from
the value with one standard unit value: every partner of that reporter, flow, code and
period then shows the same dollars per kilogram to many digits (every partner of the US
8505.11 imports in 2024 at 50.826 $/kg). Such weights say nothing about quantities:
growth and levels of those flows are compared in dollars.

A reporter-flow-code-period's weights are estimates when at least
``ESTIMATE_MIN_PARTNERS`` partner countries report both a value and a weight and every
one of their unit values lies within ``ESTIMATE_TOLERANCE`` (relative) of their median:
the same price to about five significant digits, allowing for weights rounded to the
gram. Two partners could share a price by chance; several, to five digits, cannot.
"""

from __future__ import annotations

import polars as pl

ESTIMATE_MIN_PARTNERS = 3
ESTIMATE_TOLERANCE = 1e-4
KEYS = ["reporter", "flow", "hs6", "frequency", "period_start"]


def estimated_weights(flows: pl.DataFrame) -> pl.DataFrame:
    """``flows`` with ``weight_estimated``: true on every row of a reporter, flow, code and
    period whose partners' weights are estimates (see the module), false elsewhere."""
    weighed = flows.filter(
        (pl.col("partner").str.len_chars() == 2)
        & (pl.col("value_usd") > 0)
        & (pl.col("weight_kg") > 0)
    )
    price = pl.col("value_usd") / pl.col("weight_kg")
    estimated = (
        weighed.group_by(KEYS)
        .agg(
            partners=pl.col("partner").n_unique(),
            spread=(price.max() - price.min()) / price.median(),
        )
        .filter(
            (pl.col("partners") >= ESTIMATE_MIN_PARTNERS) & (pl.col("spread") <= ESTIMATE_TOLERANCE)
        )
        .select(*KEYS, weight_estimated=pl.lit(True))
    )
    return flows.join(estimated, on=KEYS, how="left", nulls_equal=True).with_columns(
        pl.col("weight_estimated").fill_null(False)
    )
