"""Shipment records (the canonical contract, or another layout through a mapping)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import duckdb
from duckdb import ColumnExpression, ConstantExpression

from transship.errors import MissingColumnsError
from transship.features.monthly import refresh_monthly
from transship.ingest.batch import IngestResult, ingest_file
from transship.ingest.contract import (
    CONTRACT_COLUMNS,
    REQUIRED_SHIPMENT_COLUMNS,
    project_to_contract,
    resolve_columns,
)
from transship.ingest.mapping import IDENTITY, ColumnMapping
from transship.storage.sql import load, scalar
from transship.storage.store import default_import_country

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path


def ingest_shipments(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    mapping: ColumnMapping = IDENTITY,
) -> Iterator[IngestResult]:
    """Ingest each file as its own batch, yielding its result as soon as it is committed
    and the monthly summaries of the months it touched are recomputed."""
    for path in paths:
        result = ingest_file(
            con,
            path,
            kind="shipments",
            input_format="shipments" if mapping is IDENTITY else f"shipments:{mapping.name}",
            stage=partial(_stage, mapping=mapping, path=path),
            insert_sql="ingest/insert_shipments",
            mapping=None if mapping is IDENTITY else mapping.name,
            also_insert=("ingest/insert_attributes",) if mapping.attributes else (),
            list_problems=partial(_list_problems, attributes=bool(mapping.attributes)),
        )
        refresh_monthly(con)
        yield result


def _stage(
    con: duckdb.DuckDBPyConnection, columns: list[str], *, mapping: ColumnMapping, path: Path
) -> None:
    resolved = resolve_columns(columns, CONTRACT_COLUMNS, mapping.columns)
    missing = [
        c for c in REQUIRED_SHIPMENT_COLUMNS if c not in resolved and c not in mapping.constants
    ]
    if missing:
        hint = "" if mapping is IDENTITY else f" (through mapping '{mapping.name}')"
        raise MissingColumnsError(
            f"{path}: missing required columns {', '.join(missing)}{hint}; "
            f"the file has {', '.join(columns)}. Nothing was loaded from it."
        )
    project_to_contract(con, CONTRACT_COLUMNS, resolved, mapping.constants, "shipments_input")
    con.execute(
        load("ingest/ingest_params"),
        {
            "rate": mapping.usd_per_unit,
            "country": mapping.constants.get("import_country") or default_import_country(con),
        },
    )
    con.execute(load("ingest/create_loaded_lines"))
    con.execute(load("ingest/repeated_ids"))
    con.execute(load("staging/stg_shipments"))
    con.execute(load("ingest/checked_shipments"))
    if mapping.attributes:
        _stage_attributes(con, columns, mapping, path)
    else:
        con.execute(load("ingest/attribute_problems_none"))


def _list_problems(
    con: duckdb.DuckDBPyConnection, batch_id: int, loaded: int, *, attributes: bool
) -> None:
    """``problem_rows`` of the records the batch left out: staging then reads only those
    (a file without one skips the pass, which would still read the whole file's ids)."""
    if not scalar(con, load("ingest/records_left_out"), {"loaded": loaded}):
        con.execute(load("ingest/problem_rows_empty"))
        return
    con.execute(load("ingest/loaded_lines"), {"batch_id": batch_id})
    con.execute(load("ingest/problem_rows_shipments"))
    if attributes:
        con.execute(load("ingest/problem_rows_attributes"))


def _stage_attributes(
    con: duckdb.DuckDBPyConnection, columns: list[str], mapping: ColumnMapping, path: Path
) -> None:
    """The mapping's attributes as rows (record, name, kind, header, text) in
    ``attributes_input``; a number that does not parse adds its problem to the row's."""
    by_lower = {c.strip().lower(): c for c in columns}
    found = {
        name: by_lower.get(attribute.column.strip().lower())
        for name, attribute in mapping.attributes.items()
    }
    missing = [
        f"{name} ('{mapping.attributes[name].column}')"
        for name, column in found.items()
        if column is None
    ]
    if missing:
        raise MissingColumnsError(
            f"{path}: missing the columns of attributes {', '.join(missing)} (through mapping "
            f"'{mapping.name}'); the file has {', '.join(columns)}. Nothing was loaded from it."
        )
    text = duckdb.sqltypes.VARCHAR
    raw = con.table("raw_input")
    parts = [
        raw.select(
            ColumnExpression("record_no"),
            ConstantExpression(name).alias("name"),
            ConstantExpression(mapping.attributes[name].kind).alias("kind"),
            ConstantExpression(column).alias("header"),
            ColumnExpression(column).cast(text).alias("text"),
        )
        for name, column in found.items()
        if column is not None
    ]
    union = parts[0]
    for part in parts[1:]:
        union = union.union(part)
    # Registered, the relation is a temporary view (see project_to_contract).
    con.register("attributes_input", union)
    con.execute(load("staging/stg_attributes"))
    con.execute(load("ingest/attribute_problems"))
