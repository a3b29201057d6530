"""The canonical shipment contract: column names, which are required, how they are typed."""

from __future__ import annotations

import duckdb
from duckdb import ColumnExpression, ConstantExpression

REQUIRED_SHIPMENT_COLUMNS = (
    "shipment_id",
    "arrival_date",
    "origin_country",
    "hs_code",
    "weight_kg",
    "value_usd",
)

SHIPMENT_COLUMNS = (
    "shipment_id",
    "arrival_date",
    "importer",
    "exporter",
    "origin_country",
    "export_country",
    "port_of_lading",
    "port_of_unlading",
    "hs_code",
    "description",
    "quantity",
    "quantity_unit",
    "weight_kg",
    "value_usd",
    "transport_mode",
)

IMPORT_COUNTRY = "import_country"
"""The optional column naming the importing country. A file without it (or a row leaving
it blank) is in its mapping's ``import_country`` constant or the store's default
(``transship init --import-country``); same rules as ``origin_country``."""

CONTRACT_COLUMNS = (*SHIPMENT_COLUMNS, IMPORT_COUNTRY)
"""Every column shipment ingest reads; ``SHIPMENT_COLUMNS`` is a canonical file's layout."""

REQUIRED_FLOW_COLUMNS = ("period", "reporter", "partner", "flow", "hs6", "value_usd")

FLOW_COLUMNS = (*REQUIRED_FLOW_COLUMNS, "weight_kg")


def project_to_contract(
    con: duckdb.DuckDBPyConnection,
    wanted: tuple[str, ...],
    resolved: dict[str, str],
    constants: dict[str, str],
    view: str,
) -> None:
    """Create ``view`` over ``raw_input`` with each canonical column as text.

    Built with DuckDB's expression API rather than SQL text, because the source names
    are users' file headers and an identifier cannot be a bound parameter.
    """
    text = duckdb.sqltypes.VARCHAR
    columns = [ColumnExpression("record_no"), ColumnExpression("source_line")]
    for canonical in wanted:
        if canonical in resolved:
            source = ColumnExpression(resolved[canonical])
        else:
            source = ConstantExpression(constants.get(canonical))
        columns.append(source.cast(text).alias(canonical))
    # Registered, the relation is a temporary view; the relation API's create_view would
    # write a view into the store.
    con.register(view, con.table("raw_input").select(*columns))


def resolve_columns(
    file_columns: list[str], wanted: tuple[str, ...], renames: dict[str, str]
) -> dict[str, str]:
    """Map each canonical column to the file column that supplies it.

    A rename (canonical -> file header) wins; otherwise headers match canonical names
    ignoring case and surrounding whitespace.
    """
    by_lower = {c.strip().lower(): c for c in file_columns}
    resolved: dict[str, str] = {}
    for canonical in wanted:
        source = renames.get(canonical)
        if source is not None:
            match = source if source in file_columns else by_lower.get(source.strip().lower())
        else:
            match = by_lower.get(canonical)
        if match is not None:
            resolved[canonical] = match
    return resolved
