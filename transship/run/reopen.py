"""The one way a run changes a review status: a dismissed flag whose score rose reopens.

The margin is ``[review] reopen_margin`` in rules.toml; the decision log records the
reopening under ``transship`` with the numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transship.storage.sql import load

if TYPE_CHECKING:
    import duckdb


def reopen_risen(con: duckdb.DuckDBPyConnection, run_id: int, margin: float) -> None:
    """Apply the reopen rule to the flags a run just rescored (inside the run's transaction)."""
    con.execute(load("flags/reopen_dismissed"), {"run_id": run_id, "margin": margin}).fetchall()
    con.execute(load("flags/sync_flag_status")).fetchall()
