"""Every score, not only flags: what `transship scores` exports.

A run keeps the score of every shipment it scores (``shipment_scores``), flagged or not. A
shipment the costly models skipped (its rules could not reach the flag threshold even with
the models' full weight, and no learner needed it) has a lower bound for its score, at most
``[fusion] model_weight`` x 100 points under the exact one; ``exact`` says which.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transship.run.flags import FlagQueryError
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    import duckdb
    import polars as pl

SCORE_FORMATS = ("csv", "json")


def scored_shipments(con: duckdb.DuckDBPyConnection, start: date, end: date) -> pl.DataFrame:
    """shipment_id, arrival_date, import_country, score, flagged, chosen_for_learning,
    learned, exact."""
    if end < start:
        raise FlagQueryError(f"--end {end} is before --start {start}")
    return sql_frame(con, load("scores/scored_shipments"), {"start": start, "end": end})


def export_scores(frame: pl.DataFrame, fmt: str, out: Path) -> None:
    if fmt == "csv":
        frame.write_csv(out)
    elif fmt == "json":
        frame.write_json(out)
    else:
        raise FlagQueryError(f"unknown format {fmt!r}; use one of {', '.join(SCORE_FORMATS)}")
