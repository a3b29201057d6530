"""Traders as entities in the features: each shipment's exporter and importer keyed by the
entity its spelling belonged to (``transship.entities``), point in time.

A spelling's entity can change over time: a later spelling may join two entities (the
older keeps its id, the other's spellings move to it from that day), so the entities on
day D are the memberships in force on D (``entity_memberships``). A shipment arriving on
D is grouped with every earlier shipment whose spelling was in its entity on D: not with
the entities those earlier shipments had on their own day, and never with a spelling
first seen after D.

Most entities never change, and for them the entity on each shipment's own arrival date
is the entity on D as well. ``on_arrival`` therefore computes the trader features once
with those keys, and again, for the shipments of entities that had taken another in by
then, once per date on which memberships changed (``change_dates``), with every
shipment keyed by the entities of that date: exactly what grouping by the entities of
each shipment's own day would give, at the cost of a few small passes.

A spelling that resolution has not placed (a store never resolved, a name loaded after
the last resolution) is its own entity: the key is the spelling itself, so a store
without entities keys every trader by its name exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from datetime import date

ROLES = ("exporter", "importer")
KEY = {"exporter": "exporter_entity", "importer": "importer_entity"}
"""The column holding each role's entity key."""
NAME = {"exporter": "exporter_name", "importer": "importer_name"}
"""The column holding each role's entity name as of the shipment's day."""
DATE = "arrival_date"


def _no_memberships() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "role": pl.String,
            "alias": pl.String,
            "entity_id": pl.String,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
        }
    )


def _no_links() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "role": pl.String,
            "alias_l": pl.String,
            "alias_r": pl.String,
            "match_probability": pl.Float64,
        }
    )


def _no_different() -> pl.DataFrame:
    return pl.DataFrame(schema={"role": pl.String, "alias_l": pl.String, "alias_r": pl.String})


def _no_confirmed() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "role": pl.String,
            "alias": pl.String,
            "flag_id": pl.String,
            "analyst": pl.String,
            "decided_on": pl.Date,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
        }
    )


def _no_counts() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"role": pl.String, "alias": pl.String, "day": pl.Date, "shipments": pl.Int64}
    )


@dataclass(frozen=True)
class Entities:
    """What the features know of the entities.

    ``memberships``: role, alias, entity_id, valid_from, valid_to (exclusive; null:
    still), as ``entity_memberships`` holds them; empty when the store was never resolved.
    ``counts``: role, alias, day, shipments: each spelling's shipments per day, those
    before the first shipment that needs exact features summed into one row on the
    spelling's last day before it (``load_spelling_counts``); they name each entity by its
    most used spelling as of a day. Empty counts name each entity by the spelling.
    ``links``: role, alias_l, alias_r, match_probability: the model's links
    (``entity_links``). ``different``: role, alias_l, alias_r: pairs of spellings an
    analyst said are different firms (a split in force). ``confirmed``: role, alias,
    flag_id, analyst, decided_on, valid_from, valid_to (inclusive; null: still): the
    traders of confirmed shipment flags and the days each confirmation is in force for
    (``transship.features.returning``).
    """

    memberships: pl.DataFrame = field(default_factory=_no_memberships)
    counts: pl.DataFrame = field(default_factory=_no_counts)
    links: pl.DataFrame = field(default_factory=_no_links)
    different: pl.DataFrame = field(default_factory=_no_different)
    confirmed: pl.DataFrame = field(default_factory=_no_confirmed)

    @property
    def resolved(self) -> bool:
        return self.memberships.height > 0

    def change_dates(self) -> list[date]:
        """Days on which some spelling moved from one entity to another (a membership
        that does not start on the spelling's first day), in order."""
        first = pl.col("valid_from").min().over("role", "alias")
        days = self.memberships.filter(pl.col("valid_from") > first)["valid_from"]
        return sorted(days.unique().to_list())

    def taken_in(self, day: date) -> dict[str, pl.Series]:
        """Per role, the entities on ``day`` that had taken in a spelling from another
        entity by then: the only ones whose earlier shipments were keyed otherwise."""
        moved = self.memberships.filter(
            (pl.col("valid_from") > pl.col("valid_from").min().over("role", "alias"))
            & (pl.col("valid_from") <= day)
        ).select("role", "alias")
        now = self.memberships.join(moved.unique(), on=["role", "alias"]).filter(
            (pl.col("valid_from") <= day)
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") > day))
        )
        return {role: now.filter(pl.col("role") == role)["entity_id"].unique() for role in ROLES}


def entity_at(
    frame: pl.DataFrame, alias: str, role: str, memberships: pl.DataFrame, day: pl.Expr
) -> pl.Series:
    """Per row, the entity the spelling in column ``alias`` belonged to as a ``role`` on
    ``day``; the spelling itself where it had none (never resolved, or not seen by then)."""
    spelling = frame[alias]
    mine = memberships.filter(pl.col("role") == role)
    if mine.is_empty():
        return spelling
    probe = frame.select(_alias=pl.col(alias), _day=day).with_row_index("_i").sort("_day")
    found = probe.join_asof(
        mine.select(
            _alias="alias", valid_from="valid_from", valid_to="valid_to", entity_id="entity_id"
        ).sort("valid_from"),
        left_on="_day",
        right_on="valid_from",
        by="_alias",
        strategy="backward",
        check_sortedness=False,
    ).sort("_i")
    entity = (
        pl.when(pl.col("valid_to").is_null() | (pl.col("_day") < pl.col("valid_to")))
        .then(pl.col("entity_id"))
        .otherwise(None)
    )
    return found.select(pl.coalesce(entity, pl.col("_alias")).alias("key"))["key"]


def keyed(
    frame: pl.DataFrame,
    memberships: pl.DataFrame,
    as_of: date | None = None,
    day: str = DATE,
    aliases: dict[str, str] | None = None,
) -> pl.DataFrame:
    """``frame`` with each role's entity key (``KEY``), as the entities were on each row's
    ``day`` (``as_of`` None), or on ``as_of`` for rows up to it.

    A row after ``as_of`` is keyed by its own day's entity; a build keyed as of D only
    reads rows up to D and the rows that follow it within the same memberships.
    ``aliases`` names the spelling column of each role (default: the role's own name).
    """
    when = pl.col(day) if as_of is None else pl.max_horizontal(pl.col(day), pl.lit(as_of))
    columns = aliases or {role: role for role in ROLES}
    return frame.with_columns(
        entity_at(frame, column, role, memberships, when).alias(KEY[role])
        for role, column in columns.items()
    )


def entity_names(
    frame: pl.DataFrame, entities: Entities, as_of: date | None = None
) -> pl.DataFrame:
    """Per row (``row``), each role's entity name on its arrival day (``NAME``): the
    entity's most used spelling over its shipments up to and including that day (ties to
    the spelling seen first), with the entities keyed as ``keyed`` keys ``frame``."""
    out = frame.select("row")
    for role in ROLES:
        counts = entities.counts.filter(pl.col("role") == role)
        if counts.is_empty() or not entities.resolved:
            out = out.with_columns(frame[role].alias(NAME[role]))
            continue
        rank = (
            counts.group_by("alias")
            .agg(first=pl.col("day").min())
            .sort("first", "alias")
            .with_row_index("rank")
            .select("alias", pl.col("rank").cast(pl.Int64))
        )
        spellings = rank.height
        counted = (
            keyed(
                counts.rename({"alias": role}),
                entities.memberships,
                as_of,
                day="day",
                aliases={role: role},
            )
            .rename({role: "alias"})
            .join(rank, on="alias")
            .sort("day", "rank")
            .with_columns(
                total=pl.col("shipments").cum_sum().over(KEY[role], "alias"),
            )
            # The leader is the running best of (count, seen first) within the entity:
            # every spelling's count only grows, so the best so far is the best now.
            .with_columns(
                best=(pl.col("total") * spellings + (spellings - 1 - pl.col("rank")))
                .cum_max()
                .over(KEY[role])
            )
            .group_by(KEY[role], "day")
            .agg(pl.col("best").max())
            .with_columns(leader_rank=spellings - 1 - pl.col("best") % spellings)
            .join(rank.rename({"rank": "leader_rank", "alias": "leader"}), on="leader_rank")
            .select(KEY[role], "day", "leader")
            .sort("day")
        )
        probe = frame.select("row", KEY[role], role, DATE).sort(DATE)
        named = probe.join_asof(
            counted,
            left_on=DATE,
            right_on="day",
            by=KEY[role],
            strategy="backward",
            check_sortedness=False,
        ).select("row", pl.coalesce("leader", role).alias(NAME[role]))
        out = out.join(named, on="row", how="left")
    return out


Compute = Callable[[pl.DataFrame, "date | None"], pl.DataFrame]
"""Trader features of a keyed frame (``keyed`` as of a day, or None for each row's own
day): a frame of ``row`` and the feature columns, one row per row of the frame."""


@dataclass(frozen=True)
class Outputs:
    """Which feature columns depend on which role's entity."""

    exporter: tuple[str, ...] = ()
    importer: tuple[str, ...] = ()
    both: tuple[str, ...] = ()
    """Columns keyed by the pair (either role's entity changes them)."""

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.exporter, *self.importer, *self.both)


def on_arrival(
    frame: pl.DataFrame, entities: Entities, compute: Compute, outputs: Outputs
) -> pl.DataFrame:
    """``compute``'s columns for every row of ``frame`` (``row``, ``DATE`` and each role's
    spelling) as if each row were computed with every shipment keyed by the entities of
    that row's own arrival day (see the module's docstring)."""
    result = compute(keyed(frame, entities.memberships), None)
    if not entities.resolved:
        return result
    changes = entities.change_dates()
    ends: list[date | None] = [*changes[1:], None]
    for start, end in zip(changes, ends[: len(changes)], strict=True):
        taken = entities.taken_in(start)
        upto = frame if end is None else frame.filter(pl.col(DATE) < end)
        now = keyed(upto, entities.memberships, start)
        hit = {role: pl.col(KEY[role]).is_in(taken[role].implode()) for role in ROLES}
        involved = now.filter(hit["exporter"] | hit["importer"])
        in_epoch = pl.col(DATE) >= start
        if involved.filter(in_epoch).is_empty():
            continue
        part = compute(involved, start)
        rows = {role: involved.filter(in_epoch & hit[role]).select("row") for role in ROLES}
        either = pl.concat(rows.values()).unique()
        for chosen, columns in (
            (rows["exporter"], outputs.exporter),
            (rows["importer"], outputs.importer),
            (either, outputs.both),
        ):
            if columns and chosen.height:
                result = result.update(
                    part.join(chosen, on="row").select("row", *columns),
                    on="row",
                    include_nulls=True,
                )
    return result


def names_on(entities: Entities, day: date) -> pl.DataFrame:
    """role, alias, name: each spelling's entity's name on ``day`` (its most used spelling
    over the shipments up to that day, ties to the spelling seen first)."""
    counts = entities.counts.filter(pl.col("day") <= day)
    parts = []
    for role in ROLES:
        mine = counts.filter(pl.col("role") == role).rename({"alias": role})
        if mine.is_empty():
            continue
        totals = (
            keyed(mine, entities.memberships, day, day="day", aliases={role: role})
            .group_by(KEY[role], role)
            .agg(total=pl.col("shipments").sum(), first=pl.col("day").min())
        )
        leaders = (
            totals.sort(["total", "first", role], descending=[True, False, False])
            .group_by(KEY[role], maintain_order=True)
            .agg(name=pl.col(role).first())
        )
        parts.append(
            totals.join(leaders, on=KEY[role]).select(
                role=pl.lit(role), alias=pl.col(role), name="name"
            )
        )
    if not parts:
        return pl.DataFrame(schema={"role": pl.String, "alias": pl.String, "name": pl.String})
    return pl.concat(parts)


def named_traders(frame: pl.DataFrame, entities: Entities, day: date) -> pl.DataFrame:
    """``frame`` with each ``exporter`` and ``importer`` written as its entity's name on
    ``day`` (``names_on``), for the roles ``frame`` has: what profiles of entities group
    by. A spelling with no shipments counted keeps its own name."""
    if not entities.resolved:
        return frame
    names = names_on(entities, day)
    for role in (role for role in ROLES if role in frame.columns):
        mine = names.filter(pl.col("role") == role).select(
            pl.col("alias").alias(role), pl.col("name").alias("_name")
        )
        frame = (
            frame.join(mine, on=role, how="left", maintain_order="left")
            .with_columns(pl.coalesce("_name", role).alias(role))
            .drop("_name")
        )
    return frame
