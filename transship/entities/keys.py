"""Entity keys for detection: the next step's way in.

- ``entity_keys(con, as_of)``: every shipment that arrived by ``as_of`` with its
  exporter's and importer's entity as they were on ``as_of`` (what a feature build for
  ``as_of`` groups by: a spelling first seen after ``as_of`` cannot change it);
- the view ``shipment_entities``: every shipment with its entities as they were on its
  own arrival date (what a flag or a profile row shows);
- ``entity_of(con, role, alias, as_of)``: one spelling's entity on a date.

Spellings not resolved yet (shipments loaded after the last resolution) have no entity
(NULL): run ``resolve_new`` first, as the nightly run will.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from transship.storage.sql import load, scalar, sql_frame

if TYPE_CHECKING:
    import duckdb
    import polars as pl

ALWAYS = date(9999, 12, 31)


def entity_keys(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> pl.DataFrame:
    """shipment_id, arrival_date, exporter_entity_id, importer_entity_id of every shipment
    that arrived by ``as_of`` (all of them and today's entities when None), keyed by the
    entities as they were on ``as_of``."""
    return sql_frame(con, load("entities/entity_keys"), {"as_of": as_of or ALWAYS})


def entity_of(
    con: duckdb.DuckDBPyConnection, role: str, alias: str, as_of: date | None = None
) -> str | None:
    """The entity of ``alias`` (a spelling exactly as in the shipments) as a ``role`` on
    ``as_of`` (today when None); None when it was not seen by then or is not resolved."""
    value = scalar(
        con, load("entities/entity_as_of"), {"role": role, "alias": alias, "as_of": as_of or ALWAYS}
    )
    return None if value is None else str(value)
