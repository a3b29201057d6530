"""Analysts' corrections: merge two entities, split a spelling off its entity.

Each is a row in the append-only ``entity_corrections`` log (analyst, time, what was
named, the entities as they were, the note), like a decision on a flag. What it says is
kept by spelling in ``entity_constraints``: a merge says every spelling of both entities
is one firm, a split says the spelling is a different firm from every other spelling of
its entity. The latest word on a pair of spellings is in force, it is applied over the
model's links on every rebuild, and so it survives a full re-resolution and wins over
the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from transship.entities.resolve import rebuild
from transship.errors import EntityError, UnknownEntityError
from transship.storage.sql import load, scalar, sql_frame

if TYPE_CHECKING:
    import duckdb

    from transship.review.users import User

MAX_NOTE_LENGTH = 4000


@dataclass(frozen=True)
class Correction:
    correction_id: int
    action: str
    role: str
    entity_id: str
    """The entity the named spellings belong to after the correction."""
    spellings: int
    """How many spellings that entity now holds."""


@dataclass(frozen=True)
class Found:
    role: str
    entity_id: str
    named: str


def find_entity(con: duckdb.DuckDBPyConnection, name: str, role: str | None = None) -> Found:
    """The current entity that ``name`` names: an entity id (an earlier one leads to the
    entity it was joined to), or a spelling exactly as in the shipments. A spelling used
    by both an exporter and an importer needs ``role``."""
    if role is not None and role not in ("exporter", "importer"):
        raise EntityError(f"unknown role {role!r}; use exporter or importer")
    rows = con.execute(load("entities/find_entity"), {"name": name, "role": role}).fetchall()
    if not rows:
        # An id a correction replaced leads to the entity its spellings are in now.
        rows = con.execute(load("entities/correction_naming"), {"entity_id": name}).fetchall()
    if not rows:
        similar = sql_frame(
            con, load("entities/similar_spellings"), {"name": name, "role": role, "limit": 5}
        )
        hint = (
            "; spellings like it: " + ", ".join(repr(a) for a in similar["alias"])
            if similar.height
            else ""
        )
        raise UnknownEntityError(
            f"no entity or spelling {name!r}"
            + (f" among {role}s" if role else "")
            + hint
            + " (see `transship entities list`)"
        )
    if len({r[0] for r in rows}) > 1:
        raise EntityError(
            f"{name!r} is both an exporter's and an importer's spelling; say which with --role"
        )
    found_role, entity = rows[0]
    return Found(found_role, entity, name)


def _note(note: str) -> str:
    note = note.strip()
    if not note:
        raise EntityError("a correction needs a note saying why")
    if len(note) > MAX_NOTE_LENGTH:
        raise EntityError(f"the note is {len(note)} characters; keep it under {MAX_NOTE_LENGTH}")
    return note


def _spellings(con: duckdb.DuckDBPyConnection, role: str, entity_id: str) -> pl.DataFrame:
    return sql_frame(con, load("entities/entity_spellings"), {"role": role, "entity_id": entity_id})


def _record(
    con: duckdb.DuckDBPyConnection,
    action: str,
    role: str,
    named: list[str],
    entities: list[str],
    note: str,
    analyst: User,
    pairs: pl.DataFrame,
) -> int:
    con.begin()
    try:
        correction_id = int(scalar(con, load("entities/next_correction_id")))
        con.register("correction_pairs", pairs)
        try:
            con.execute(
                load("entities/insert_correction"),
                {
                    "correction_id": correction_id,
                    "action": action,
                    "role": role,
                    "named": named,
                    "entities": entities,
                    "note": note,
                    "analyst": analyst.username,
                },
            )
            con.execute(load("entities/insert_constraints"), {"correction_id": correction_id})
        finally:
            con.unregister("correction_pairs")
        rebuild(con)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return correction_id


def _pairs(role: str, rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(role, a, b, kind) for a, b, kind in rows],
        schema={"role": pl.String, "alias_l": pl.String, "alias_r": pl.String, "kind": pl.String},
        orient="row",
    )


def _after(
    con: duckdb.DuckDBPyConnection, correction_id: int, action: str, role: str, alias: str
) -> Correction:
    entity = scalar(con, load("entities/current_entity"), {"role": role, "alias": alias})
    held = _spellings(con, role, str(entity)).height
    return Correction(correction_id, action, role, str(entity), held)


def merge(
    con: duckdb.DuckDBPyConnection,
    first: str,
    second: str,
    note: str,
    analyst: User,
    role: str | None = None,
) -> Correction:
    """Record that the entities ``first`` and ``second`` (ids or spellings) are one firm."""
    note = _note(note)
    a, b = find_entity(con, first, role), find_entity(con, second, role)
    if a.role != b.role:
        raise EntityError(
            f"{first!r} is an {a.role} and {second!r} an {b.role}: only entities of one role "
            "can be merged (give --role to choose the spelling's role)"
        )
    if a.entity_id == b.entity_id:
        raise EntityError(f"{first!r} and {second!r} are already one entity, {a.entity_id}")
    spellings = pl.concat(
        [_spellings(con, a.role, a.entity_id), _spellings(con, b.role, b.entity_id)]
    )
    ordered = spellings.sort("first_seen", "alias")["alias"].to_list()
    root, others = ordered[0], ordered[1:]
    said = sql_frame(con, load("entities/effective_constraints")).filter(
        (pl.col("role") == a.role)
        & (pl.col("kind") == "different")
        & pl.col("alias_l").is_in(ordered)
        & pl.col("alias_r").is_in(ordered)
    )
    rows = [(root, other, "same") for other in others]
    rows += [(x, y, "cleared") for x, y in said.select("alias_l", "alias_r").iter_rows()]
    correction_id = _record(
        con,
        "merge",
        a.role,
        [first, second],
        [a.entity_id, b.entity_id],
        note,
        analyst,
        _pairs(a.role, rows),
    )
    return _after(con, correction_id, "merge", a.role, root)


def split(
    con: duckdb.DuckDBPyConnection,
    alias: str,
    note: str,
    analyst: User,
    role: str | None = None,
) -> Correction:
    """Record that the spelling ``alias`` is a firm of its own, not its entity's: it
    leaves the entity, with its whole history, and the model never joins it back."""
    note = _note(note)
    known = sql_frame(con, load("entities/spelling_roles"), {"alias": alias, "role": role})
    if known.height == 0:
        raise UnknownEntityError(
            f"no spelling {alias!r}"
            + (f" among {role}s" if role else "")
            + ": split takes a spelling exactly as `transship entities list` shows it"
        )
    if known.height > 1:
        raise EntityError(
            f"{alias!r} is both an exporter's and an importer's spelling; say which with --role"
        )
    found_role, entity = known.row(0)
    others = [a for a in _spellings(con, found_role, entity)["alias"].to_list() if a != alias]
    if not others:
        raise EntityError(f"{alias!r} is already an entity of its own, {entity}")
    correction_id = _record(
        con,
        "split",
        found_role,
        [alias],
        [entity],
        note,
        analyst,
        _pairs(found_role, [(alias, other, "different") for other in others]),
    )
    return _after(con, correction_id, "split", found_role, alias)
