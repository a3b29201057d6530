"""An entity as the review app shows it: its spellings, its latest shipments, the flags on
its shipments and the decisions on them; and one decision for all of its open flags.

Merges and splits from the app are ``transship.entities.corrections``' own, as the CLI
records them: logged with the analyst and the note, kept through every re-resolution, and
over the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from transship.entities.listing import EntityDetails, details
from transship.errors import ReviewError
from transship.review.decisions import decide
from transship.review.users import User
from transship.storage.sql import load, scalar, sql_frame

SHIPMENTS_SHOWN = 50
ROLES = ("exporter", "importer")


@dataclass(frozen=True)
class EntityPage:
    details: EntityDetails
    shipments: pl.DataFrame
    """The latest ``SHIPMENTS_SHOWN`` shipments of every spelling it holds, with flags."""
    flags: pl.DataFrame
    """Every shipment flag on its shipments, the open ones first."""
    decisions: pl.DataFrame
    """The decisions on those flags, newest first."""

    @property
    def role(self) -> str:
        return str(self.details.entity["role"])

    @property
    def entity_id(self) -> str:
        return str(self.details.entity["entity_id"])

    @property
    def open_flags(self) -> list[str]:
        return self.flags.filter(pl.col("status") == "open")["flag_id"].to_list()


def entity_page(con: duckdb.DuckDBPyConnection, name: str) -> EntityPage:
    """Everything the entity page shows about the entity ``name`` names (an id, an id a
    correction replaced, or a spelling)."""
    found = details(con, name)
    params = {"role": found.entity["role"], "entity_id": found.entity["entity_id"]}
    flags = sql_frame(con, load("review/entity_flags"), params)
    return EntityPage(
        found,
        sql_frame(con, load("review/entity_shipments"), {**params, "limit": SHIPMENTS_SHOWN}),
        flags,
        sql_frame(con, load("review/entity_decisions"), {"flag_ids": flags["flag_id"].to_list()}),
    )


def trader_entities(con: duckdb.DuckDBPyConnection, flag: dict[str, object]) -> dict[str, str]:
    """The current entity of the flag's exporter and of its importer (a role whose name
    was never resolved is left out)."""
    out = {}
    for role in ROLES:
        if flag.get(role) is not None:
            entity = scalar(
                con, load("entities/current_entity"), {"role": role, "alias": flag[role]}
            )
            if entity is not None:
                out[role] = str(entity)
    return out


def decide_entity(
    con: duckdb.DuckDBPyConnection,
    name: str,
    action: str,
    note: str,
    analyst: User,
    flag_ids: list[str] | None = None,
) -> int:
    """One decision with one note on every open flag on the entity's shipments (or on the
    open ones among ``flag_ids``): each flag's decision is logged as if taken on its page.
    Returns how many were recorded."""
    page = entity_page(con, name)
    open_flags = page.open_flags
    if flag_ids is not None:
        stray = sorted(set(flag_ids) - set(open_flags))
        if stray:
            what = "is not an open flag" if len(stray) == 1 else "are not open flags"
            raise ReviewError(
                f"{', '.join(stray)} {what} of {page.details.entity['entity_name']}; "
                "nothing recorded"
            )
        open_flags = sorted(set(flag_ids))
    if not open_flags:
        raise ReviewError(f"{page.details.entity['entity_name']} has no open flags to decide")
    return decide(con, open_flags, action, note, analyst)
