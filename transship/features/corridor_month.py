"""The corridor-month frame the monthly corridor detectors score: one row per origin x
controlled code x month with shipments, from the shipment features."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from transship.features.profiles import BASELINE_MONTHS, corridor_profile
from transship.importers import ADJECTIVE, NAME

if TYPE_CHECKING:
    from datetime import date

KEYS = ["import_country", "origin_country", "hs6", "month"]
SHIPMENT_COLUMNS = (
    "shipment_id",
    "arrival_date",
    "import_country",
    "month",
    "origin_country",
    "hs6",
    "weight_kg",
    "value_usd",
    "origin_name",
    NAME,
    ADJECTIVE,
    "material",
    "code_goods",
    "capacity_level",
    "capacity_note",
    "control_date",
    "control_measure",
)
"""The shipment features a corridor month reads (of controlled codes' shipments only)."""


def corridor_months(
    features: pl.DataFrame,
    flagged_ids: pl.Series,
    first: date,
    last: date,
    first_months: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The months from ``first`` to ``last`` of every corridor (importing country x origin
    x controlled code), from the shipments up to ``last`` only: the corridor profile
    (shipments, weight, the trailing 12-month average, the surge ratio), the origin's name,
    the material, the capacity and control in force at the month's last shipment, and how
    many of the month's shipments are among ``flagged_ids``. Empty (without those columns)
    when no controlled shipment arrived by ``last``.

    ``features`` hold every controlled shipment from at least ``BASELINE_MONTHS`` before
    ``first``'s month; ``first_months`` (``import_country``, ``first_month``: each
    importing country's first month with a controlled shipment, of every one stored) tell
    where a country's months start when ``features`` leave out older ones."""
    # Only controlled codes' shipments make these rows: narrow the features first.
    known = features.filter(pl.col("controlled") & (pl.col("arrival_date") <= last)).select(
        SHIPMENT_COLUMNS
    )
    if known.is_empty():
        return known
    starts = None
    if first_months is not None:
        # A grid starting at least a baseline before ``first`` gives its months the
        # averages of a grid from the country's first month.
        earliest = pl.lit(first).dt.truncate("1mo").dt.offset_by(f"-{BASELINE_MONTHS}mo")
        starts = first_months.select(
            "import_country", month=pl.max_horizontal("first_month", earliest)
        )
    profile = corridor_profile(known, starts=starts)
    months = profile.filter(
        pl.col("month").is_between(pl.lit(first).dt.truncate("1mo"), pl.lit(last))
        & (pl.col("shipments") > 0)
    )
    context = (
        known.sort("arrival_date")
        .group_by(KEYS)
        .agg(
            pl.col("origin_name", NAME, ADJECTIVE, "material", "code_goods").first(),
            pl.col("capacity_level", "capacity_note", "control_date", "control_measure").last(),
        )
    )
    flagged = (
        flagged_ids.unique()
        .to_frame("shipment_id")
        .join(known.select("shipment_id", *KEYS), on="shipment_id")
        .group_by(KEYS)
        .agg(flagged=pl.len())
    )
    return (
        months.join(context, on=KEYS, how="left")
        .join(flagged, on=KEYS, how="left")
        .with_columns(pl.col("flagged").fill_null(0))
    )
