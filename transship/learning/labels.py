"""Labels files: one row per shipment id with a 0/1 outcome (and, for an import, the date it
was decided). Read whole and checked before anything is written: a file with missing
columns, empty or repeated ids, or outcomes other than 0 and 1 is refused naming the problem.

The project's own labels (the synthetic world's ``labels.csv``: shipment_id, label, positive)
read with the defaults; other layouts name their columns (the Korean declarations:
``Declaration ID`` and ``Fraud``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from transship.errors import InputFileError
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

DEFAULT_ID_COLUMN = "shipment_id"
DEFAULT_LABEL_COLUMN = "positive"
SHOWN = 10
"""Ids quoted in a message; the rest are counted."""


class LabelsError(InputFileError):
    """A labels file cannot be used; nothing from it was used."""


class UnknownIdsError(LabelsError):
    """A labels file names shipments the store does not hold (and never quarantined)."""


@dataclass(frozen=True)
class LabelColumns:
    """Which columns of a labels file hold the id, the outcome and (optionally) the date it
    was decided."""

    id_column: str = DEFAULT_ID_COLUMN
    label_column: str = DEFAULT_LABEL_COLUMN
    decided_at_column: str | None = None


DEFAULT_COLUMNS = LabelColumns()


@dataclass(frozen=True)
class KnownIds:
    """A labels file's rows split by what the store knows of their ids."""

    labels: pl.DataFrame
    """Rows whose shipment is in the store."""
    quarantined: list[str] = field(default_factory=list)
    """Ids whose rows were quarantined at ingest: reported and skipped."""


def listed(ids: list[str]) -> str:
    shown = ", ".join(ids[:SHOWN])
    return shown if len(ids) <= SHOWN else f"{shown} and {len(ids) - SHOWN:,} more"


def read_labels(path: Path, columns: LabelColumns = DEFAULT_COLUMNS) -> pl.DataFrame:
    """``shipment_id``, ``positive`` (0/1) and, with a decided-at column, ``decided_at``
    (a date), with ``line`` (the header is line 1)."""
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise LabelsError(f"cannot read the labels file {path}: {exc}") from exc
    wanted = [columns.id_column, columns.label_column]
    if columns.decided_at_column is not None:
        wanted.append(columns.decided_at_column)
    missing = [name for name in wanted if name not in raw.columns]
    if missing:
        raise LabelsError(
            f"{path} lacks the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)}; it has {', '.join(raw.columns)} "
            "(name the columns with --id-column, --label-column)"
        )
    frame = raw.with_row_index("line", offset=2).select(
        "line",
        shipment_id=pl.col(columns.id_column).str.strip_chars(),
        label_text=pl.col(columns.label_column).str.strip_chars(),
        **(
            {"decided_text": pl.col(columns.decided_at_column).str.strip_chars()}
            if columns.decided_at_column is not None
            else {}
        ),
    )
    empty = frame.filter(pl.col("shipment_id").is_null() | (pl.col("shipment_id") == ""))
    if empty.height:
        raise LabelsError(
            f"{path}: {columns.id_column!r} is empty on line{'s' if empty.height > 1 else ''} "
            f"{listed([str(n) for n in empty['line']])}"
        )
    repeated = frame.filter(pl.col("shipment_id").is_duplicated())
    if repeated.height:
        ids = repeated["shipment_id"].unique(maintain_order=True).to_list()
        first = repeated.filter(pl.col("shipment_id") == ids[0])["line"].to_list()
        raise LabelsError(
            f"{path}: {len(ids):,} id{'s' if len(ids) > 1 else ''} appear more than once "
            f"({listed(ids)}; {ids[0]} on lines {', '.join(str(n) for n in first)}); "
            "give each shipment one outcome"
        )
    bad = frame.filter(~pl.col("label_text").is_in(["0", "1"]) | pl.col("label_text").is_null())
    if bad.height:
        row = bad.row(0, named=True)
        raise LabelsError(
            f"{path}: {columns.label_column!r} must be 0 (clean) or 1 (fraud found); line "
            f"{row['line']} has {row['label_text']!r}"
            + (f", and {bad.height - 1:,} more lines have other values" if bad.height > 1 else "")
        )
    labels = frame.with_columns(positive=pl.col("label_text").cast(pl.Int32)).drop("label_text")
    if columns.decided_at_column is None:
        return labels
    dated = labels.with_columns(
        decided_at=pl.col("decided_text").str.to_date("%Y-%m-%d", strict=False)
    )
    undated = dated.filter(pl.col("decided_at").is_null())
    if undated.height:
        row = undated.row(0, named=True)
        raise LabelsError(
            f"{path}: {columns.decided_at_column!r} must be a date YYYY-MM-DD; line "
            f"{row['line']} has {row['decided_text']!r}"
        )
    return dated.drop("decided_text")


def known_ids(
    con: duckdb.DuckDBPyConnection, labels: pl.DataFrame, path: Path, id_column: str
) -> KnownIds:
    """The rows whose shipment the store holds. Ids of rows quarantined at ingest are set
    aside; any other id the store does not hold refuses the whole file."""
    con.register("label_ids", labels.select("shipment_id"))
    try:
        checked = sql_frame(con, load("learning/label_ids"), {"id_column": id_column})
    finally:
        con.unregister("label_ids")
    unknown = checked.filter(pl.col("status") == "unknown")["shipment_id"].to_list()
    if unknown:
        raise UnknownIdsError(
            f"{path}: {len(unknown):,} id{'s are' if len(unknown) > 1 else ' is'} not in the "
            f"store, nor among rows quarantined at ingest (under shipment_id or {id_column!r}): "
            f"{listed(unknown)}. Nothing was used from the file; ingest those shipments "
            "first, or remove them from it"
        )
    quarantined = checked.filter(pl.col("status") == "quarantined")["shipment_id"]
    return KnownIds(
        labels.join(checked.filter(pl.col("status") == "stored"), on="shipment_id", how="semi"),
        sorted(quarantined.to_list()),
    )
