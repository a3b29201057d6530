"""Columns a shipment takes from the shipments that arrived before it: trailing volumes of
its corridor, code and exporter, and when its corridor, exporter and pair were first seen.

Every key starts with the importing country: a store may hold several, and each country's
history is its own (a corridor is importing country x origin x code; an exporter is new
to a country's market, whatever it ships elsewhere). Traders are keyed by entity
(``exporter_entity``, ``importer_entity``: ``transship.features.entities``), so one firm
written several ways is one exporter. Each function reads a frame (``arrival_date``, the
keys, ``weight_kg``) and returns the column named after it, or a frame of columns that
share one pass over the windows; ``codes`` (``windows.KeyCodes``) lets functions over the
same rows number their keys from the same category codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from transship.features.windows import KeyCodes, Window, first_seen, prior_sum, prior_sums

if TYPE_CHECKING:
    from datetime import date

RECENT_DAYS = 90
BASELINE_DAYS = 365
CORRIDOR = ["import_country", "origin_country", "hs6"]
CODE = ["import_country", "hs6"]
EXPORTER = ["import_country", "exporter_entity"]
IMPORTER = ["import_country", "importer_entity"]
FIRST_SEEN_KEYS = {
    "corridor": CORRIDOR,
    "exporter": EXPORTER,
    "pair": [*EXPORTER, "importer_entity"],
}


def corridor_volumes(
    frame: pl.DataFrame,
    since: date | None = None,
    codes: KeyCodes | None = None,
    earlier: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """``corridor_recent_kg``: the corridor's weight over the 90 days to the arrival,
    the shipment included; ``corridor_baseline_kg``: its weight over the year before
    those 90 days, scaled to 90 days.

    One function for both because they share the sort by corridor and day. With ``since``,
    only rows from that day on get them (``prior_sums``); ``earlier`` (``CORRIDOR``,
    ``arrival_date``, ``weight_kg``: ``windows.day_totals``) adds the corridors' day
    weights before their rows in ``frame``.
    """
    sums = prior_sums(
        frame,
        CORRIDOR,
        {
            "recent": Window(pl.col("weight_kg"), RECENT_DAYS),
            "baseline": Window(pl.col("weight_kg"), RECENT_DAYS + BASELINE_DAYS, RECENT_DAYS),
        },
        since,
        codes,
        _both(earlier),
    )
    return pl.DataFrame(
        [
            (sums["recent"] + frame["weight_kg"]).alias("corridor_recent_kg"),
            (sums["baseline"] * RECENT_DAYS / BASELINE_DAYS).alias("corridor_baseline_kg"),
        ]
    )


def _both(earlier: pl.DataFrame | None) -> pl.DataFrame | None:
    """Day weights as the recent and the baseline windows' day totals."""
    if earlier is None:
        return None
    return earlier.rename({"weight_kg": "recent"}).with_columns(baseline=pl.col("recent"))


def origin_share_90d(
    frame: pl.DataFrame,
    since: date | None = None,
    codes: KeyCodes | None = None,
    earlier: pl.DataFrame | None = None,
) -> pl.Series:
    """The corridor's share of its code's weight over the same 90 days (reads
    ``corridor_recent_kg``); with ``since``, only for rows from that day on. ``earlier``
    (``CODE``, ``arrival_date``, ``weight_kg``) adds the codes' day weights before their
    rows in ``frame``: a window's running totals then start where a build over every row
    starts them, so its sums are the same to the last bit."""
    code_recent = (
        prior_sum(
            frame,
            CODE,
            pl.col("weight_kg"),
            RECENT_DAYS,
            since=since,
            codes=codes,
            earlier=None if earlier is None else earlier.rename({"weight_kg": "sum"}),
        )
        + frame["weight_kg"]
    )
    return (frame["corridor_recent_kg"] / code_recent).alias("origin_share_90d")


def exporter_controlled_kg_90d(
    frame: pl.DataFrame, since: date | None = None, codes: KeyCodes | None = None
) -> pl.Series:
    """The exporter entity's weight of controlled codes over the 90 days to the arrival,
    the shipment included (reads ``controlled``); with ``since``, only for rows from that
    day on."""
    controlled_kg = pl.col("weight_kg") * pl.col("controlled").cast(pl.Float64)
    earlier = prior_sum(frame, EXPORTER, controlled_kg, RECENT_DAYS, since=since, codes=codes)
    own = frame["weight_kg"] * frame["controlled"].cast(pl.Float64)
    return (earlier + own).alias("exporter_controlled_kg_90d")


def corridor_first_seen(
    frame: pl.DataFrame,
    earlier: pl.DataFrame | None = None,
    since: date | None = None,
    codes: KeyCodes | None = None,
) -> pl.Series:
    """The corridor's first arrival before this shipment's day; ``earlier`` adds first
    arrivals from shipments not in ``frame``; with ``since``, only for rows from that day
    on."""
    return first_seen(frame, FIRST_SEEN_KEYS["corridor"], earlier, since, codes).alias(
        "corridor_first_seen"
    )


def exporter_first_seen(
    frame: pl.DataFrame,
    earlier: pl.DataFrame | None = None,
    since: date | None = None,
    codes: KeyCodes | None = None,
) -> pl.Series:
    """The exporter entity's first arrival before this shipment's day; with ``since``, only
    for rows from that day on."""
    return first_seen(frame, FIRST_SEEN_KEYS["exporter"], earlier, since, codes).alias(
        "exporter_first_seen"
    )


def pair_first_seen(
    frame: pl.DataFrame,
    earlier: pl.DataFrame | None = None,
    since: date | None = None,
    codes: KeyCodes | None = None,
) -> pl.Series:
    """The exporter entity's first shipment to this importer entity before this shipment's
    day; with ``since``, only for rows from that day on."""
    return first_seen(frame, FIRST_SEEN_KEYS["pair"], earlier, since, codes).alias(
        "pair_first_seen"
    )
