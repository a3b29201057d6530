"""Past inspection outcomes as decisions: `transship review import`.

An outcome says a shipment was inspected and fraud found (1) or not (0), whether or not
transship flagged it. It is kept in ``inspection_outcomes`` (append-only, its id from the
decisions' sequence so the decision log orders it among them), never in ``decisions``: a
flag's status, the queue and the flag pages stay as they were, and the log shows the
outcome as imported. The learner reads it from the day it counts from: the date given in
the file (``--decided-at-column``), else the shipment's arrival plus a lag, because an
inspection's result is known some time after the goods arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from transship.learning.labels import DEFAULT_COLUMNS, LabelColumns, known_ids, read_labels
from transship.storage.sql import load, scalar

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

    from transship.review.users import User

DEFAULT_LAG_DAYS = 30
"""Days after arrival from which an imported outcome counts when the file gives no date:
about a month for clearance, a laboratory test or a post-clearance check."""


@dataclass
class ImportResult:
    path: Path
    rows: int
    imported: int = 0
    positives: int = 0
    already: int = 0
    quarantined: list[str] = field(default_factory=list)


def import_outcomes(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    analyst: User,
    columns: LabelColumns = DEFAULT_COLUMNS,
    lag_days: int = DEFAULT_LAG_DAYS,
    note: str | None = None,
) -> ImportResult:
    """Record the file's outcomes, all or none. Ids quarantined at ingest are skipped and
    reported; an outcome already recorded (same shipment, outcome and date) is not recorded
    again, so importing a file twice changes nothing."""
    labels = read_labels(path, columns)
    known = known_ids(con, labels, path, columns.id_column)
    result = ImportResult(path, labels.height, quarantined=known.quarantined)
    if lag_days < 0:
        raise ValueError("the lag is a number of days, 0 or more")
    frame = known.labels.select(
        "shipment_id",
        "positive",
        decided_at=pl.col("decided_at") if "decided_at" in known.labels.columns else None,
    ).with_columns(pl.col("decided_at").cast(pl.Date))
    con.register("imported_labels", frame)
    con.begin()
    try:
        last = int(scalar(con, load("learning/last_outcome_id")))
        con.execute(
            load("learning/insert_outcomes"),
            {
                "lag_days": lag_days,
                "analyst": analyst.username,
                "note": note or f"Imported from {path.name} ({columns.label_column})",
                "source_file": str(path.resolve()),
            },
        ).fetchall()
        [(result.imported, result.positives)] = con.execute(
            load("learning/outcomes_after"), {"after": last}
        ).fetchall()
        con.commit()
    except Exception:
        con.rollback()
        raise
    finally:
        con.unregister("imported_labels")
    result.already = frame.height - result.imported
    return result
