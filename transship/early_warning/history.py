"""Each supplier's share of an importer's imports of a controlled code over time, for the
charts beside the warnings.

The windows are the digest's own (``series.windows``: years, or three-month sums by
month), so a chart shows the figures a warning was computed from. Unlike
``signals.supplier_shares``, which needs a baseline, every window whose suppliers are
all known is kept: the years before a control are what a fall is seen against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from transship.early_warning.config import WarningSettings
from transship.early_warning.series import clean, windows
from transship.early_warning.signals import PERIOD, imports_of
from transship.features.build import Reference, materials
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    import duckdb

HISTORY_SCHEMA = {
    "hs6": pl.String,
    "frequency": pl.String,
    "period_start": pl.Date,
    "period": pl.String,
    "months": pl.Date,
    "partner": pl.String,
    "value_usd": pl.Float64,
    "share": pl.Float64,
}


def supplier_history(
    con: duckdb.DuckDBPyConnection, import_country: str, settings: WarningSettings | None = None
) -> pl.DataFrame:
    """``shares_over_time`` of the store's statistics for ``import_country`` (alpha-2)."""
    country = import_country.strip().upper()
    flows = sql_frame(con, load("early_warning/warning_statistics"), {"import_country": country})
    return shares_over_time(flows, Reference.load(con), country, settings or WarningSettings())


def shares_over_time(
    flows: pl.DataFrame, reference: Reference, import_country: str, settings: WarningSettings
) -> pl.DataFrame:
    """One row per code, frequency, window and supplier (``HISTORY_SCHEMA``): the value the
    importer reported buying from it and its share of everything bought from countries in
    that window. A window where any supplier's figure is unknown (a missing month, a
    conflicting duplicate) is left out rather than shown with a wrong total."""
    controlled = materials(reference)["hs6"].implode()
    rows, _ = clean(flows.filter(pl.col("hs6").is_in(controlled)))
    imports = imports_of(windows(rows, settings), import_country)
    totals = imports.group_by(PERIOD).agg(
        known=pl.col("complete").all(), total=pl.col("value_usd").sum()
    )
    usable = totals.filter(pl.col("known") & (pl.col("total") > 0))
    return (
        imports.join(usable, on=PERIOD)
        .with_columns(share=pl.col("value_usd") / pl.col("total"))
        .select(HISTORY_SCHEMA.keys())
        .cast(HISTORY_SCHEMA)  # type: ignore[arg-type]
        .sort([*PERIOD, "share", "partner"], descending=[False, False, False, True, False])
    )
