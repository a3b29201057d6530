"""Shipment records (the canonical contract, or another layout through a mapping)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb

from transship.errors import MissingColumnsError
from transship.ingest.batch import IngestResult, ingest_file
from transship.ingest.contract import (
    REQUIRED_SHIPMENT_COLUMNS,
    SHIPMENT_COLUMNS,
    quote_identifier,
    resolve_columns,
)
from transship.ingest.mapping import IDENTITY, ColumnMapping
from transship.sql import load


def ingest_shipments(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    mapping: ColumnMapping = IDENTITY,
) -> Iterator[IngestResult]:
    """Ingest each file as its own batch, yielding its result as soon as it is committed."""
    for path in paths:
        yield ingest_file(
            con,
            path,
            kind="shipments",
            input_format="shipments" if mapping is IDENTITY else f"shipments:{mapping.name}",
            stage=lambda c, columns: _stage(c, columns, mapping, path),
            insert_sql="ingest/insert_shipments",
            mapping=None if mapping is IDENTITY else mapping.name,
        )


def _stage(
    con: duckdb.DuckDBPyConnection, columns: list[str], mapping: ColumnMapping, path: Path
) -> None:
    resolved = resolve_columns(columns, SHIPMENT_COLUMNS, mapping.columns)
    missing = [
        c for c in REQUIRED_SHIPMENT_COLUMNS if c not in resolved and c not in mapping.constants
    ]
    if missing:
        hint = "" if mapping is IDENTITY else f" (through mapping '{mapping.name}')"
        raise MissingColumnsError(
            f"{path}: missing required columns {', '.join(missing)}{hint}; "
            f"the file has {', '.join(columns)}. Nothing was loaded from it."
        )
    con.execute("CREATE OR REPLACE TEMP TABLE mapping_constants (name VARCHAR, value VARCHAR)")
    for name, value in mapping.constants.items():
        con.execute("INSERT INTO mapping_constants VALUES (?, ?)", [name, value])
    projections = []
    for canonical in SHIPMENT_COLUMNS:
        if canonical in resolved:
            source = f"raw_input.{quote_identifier(resolved[canonical])}::VARCHAR"
        elif canonical in mapping.constants:
            source = (
                "(SELECT value FROM mapping_constants WHERE name = "
                f"'{canonical}')"  # canonical names are our own constants, not user input
            )
        else:
            source = "NULL::VARCHAR"
        projections.append(f"{source} AS {canonical}")
    con.execute(
        "CREATE OR REPLACE TEMP VIEW shipments_input AS SELECT record_no, source_line, "
        + ", ".join(projections)
        + " FROM raw_input"
    )
    con.execute(load("staging/stg_shipments"), {"usd_per_unit": mapping.usd_per_unit})
    con.execute(load("ingest/shipments_checked"))
