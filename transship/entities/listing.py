"""What the entities are: one row per spelling, and everything about one entity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from transship.entities.corrections import find_entity
from transship.entities.normalise import STATUS_REASONS
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    import duckdb

LIST_COLUMNS = ("role", "alias", "entity_id", "entity_name", "shipments")


def spellings(
    con: duckdb.DuckDBPyConnection, role: str | None = None, unresolved: bool = False
) -> pl.DataFrame:
    """One row per spelling: role, alias (exactly as in the shipments), entity_id,
    entity_name, shipments. With ``unresolved``, only the spellings kept as their own
    entity because the model cannot match their name, with the ``reason``."""
    frame = sql_frame(con, load("entities/listing"), {"role": role, "unresolved": unresolved})
    if unresolved:
        return frame.select(
            *LIST_COLUMNS, reason=pl.col("name_status").replace_strict(STATUS_REASONS)
        )
    return frame.select(LIST_COLUMNS)


@dataclass(frozen=True)
class EntityDetails:
    entity: dict[str, Any]
    spellings: pl.DataFrame
    links: pl.DataFrame
    corrections: pl.DataFrame
    earlier: pl.DataFrame
    """Earlier entities a later spelling joined to this one."""


def details(con: duckdb.DuckDBPyConnection, name: str, role: str | None = None) -> EntityDetails:
    """Everything about the entity ``name`` names (an id or a spelling)."""
    found = find_entity(con, name, role)
    params = {"role": found.role, "entity_id": found.entity_id}
    entity = sql_frame(con, load("entities/entity_row"), {"entity_id": found.entity_id})
    return EntityDetails(
        entity.row(0, named=True),
        sql_frame(con, load("entities/entity_spellings"), params),
        sql_frame(con, load("entities/entity_links_of"), params),
        sql_frame(con, load("entities/entity_corrections_of"), params),
        sql_frame(con, load("entities/entity_history"), {"entity_id": found.entity_id}),
    )
