"""Which of China's controls are in force for an importing country on a day.

A control event applies to the importing countries among its ``destinations`` (every
country when they include 'all': the 2024-12-03 ban applies to exports to the US only)
from its ``effective_date`` to its ``end_date``, the last day in force (none: still in
force). Every before/after split, control-in-force feature and marker uses only those
events: a Japanese user is never told about a ban on exports to the US.
"""

from __future__ import annotations

import polars as pl

ALL_DESTINATIONS = "all"


def applies() -> pl.Expr:
    """The event's destinations include the row's ``import_country``, or every country."""
    destinations = pl.col("destinations")
    return destinations.list.contains(pl.col("import_country")) | destinations.list.contains(
        pl.lit(ALL_DESTINATIONS)
    )


def in_force(first: pl.Expr, last: pl.Expr | None = None) -> pl.Expr:
    """The event is in force on some day from ``first`` to ``last`` (one day if no last)."""
    last = first if last is None else last
    return (pl.col("control_date") <= last) & (
        pl.col("control_end").is_null() | (pl.col("control_end") >= first)
    )


def code_events(controlled: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Every event on a controlled code's materials: hs6, control_date, control_end,
    control_measure, control_material and destinations."""
    return (
        controlled.select("hs6", "material")
        .join(
            events.select(
                "material",
                "destinations",
                control_date="effective_date",
                control_end="end_date",
                control_measure="measure",
            ),
            on="material",
        )
        .rename({"material": "control_material"})
    )


def latest_in_force(rows: pl.DataFrame, events: pl.DataFrame, day: str, code: str) -> pl.DataFrame:
    """Per row of ``rows`` (``row``, ``code``, ``import_country`` and the date column
    ``day``) that any event is in force for: the latest event's ``control_date`` and
    ``control_measure``. ``events`` come from ``code_events``, their ``hs6`` cut to the
    length of ``code`` (a heading takes the events of its subheadings)."""
    keyed = events.with_columns(pl.col("hs6").str.slice(0, 4 if code == "hs4" else 6).alias(code))
    if code != "hs6":
        keyed = keyed.drop("hs6")
    return (
        rows.select("row", code, "import_country", day)
        .join(keyed, on=code)
        .filter(applies() & in_force(pl.col(day)))
        .sort("row", "control_date", "control_measure", "control_material")
        .group_by("row", maintain_order=True)
        .last()
        .select("row", "control_date", "control_measure")
    )
