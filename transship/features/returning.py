"""A firm that comes back: each shipment's exporter and importer matched against the traders
of the shipment flags analysts had confirmed before the shipment arrived.

A trader matches a confirmed one when, on the shipment's day, its spelling

- is the confirmed spelling itself (``spelling``),
- is in the confirmed spelling's entity (``entity``: resolution, or an analyst's merge, put
  them together), or
- is linked by the model to a spelling of that entity without being in it (``close``: the
  clustering kept them apart), unless an analyst said the two are different firms.

Everything is as it was on the shipment's day: a confirmation counts from the day after it
was recorded until the flag's next decision (a dismissal or reopening ends it), entities
are those of that day, and a link counts once both its spellings had been seen. The match
probability is the model's best link between the shipment's spelling and a spelling of
the confirmed entity (1 for the confirmed spelling itself; none for a spelling only an
analyst's merge joined).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from transship.features.entities import DATE, ROLES, Entities, entity_at

MATCHES = ("spelling", "entity", "close")
"""Kinds of match, strongest first."""
FAR = date(9999, 12, 31)


def columns_of(role: str) -> dict[str, pl.DataType]:
    """The columns ``confirmed_matches`` adds for one role, with their types."""
    return {
        f"{role}_confirmed_as": pl.String(),
        f"{role}_confirmed_by": pl.String(),
        f"{role}_confirmed_on": pl.Date(),
        f"{role}_confirmed_match": pl.String(),
        f"{role}_match_probability": pl.Float64(),
        f"{role}_confirmed_flags": pl.UInt32(),
    }


def _both_ways(links: pl.DataFrame) -> pl.DataFrame:
    """role, alias, other, probability: every stored link, from each of its ends."""
    one = links.select("role", alias="alias_l", other="alias_r", probability="match_probability")
    other = links.select("role", alias="alias_r", other="alias_l", probability="match_probability")
    return pl.concat([one, other])


def _empty(frame: pl.DataFrame, role: str) -> pl.DataFrame:
    return frame.select("row").with_columns(
        pl.lit(None, dtype).alias(name) for name, dtype in columns_of(role).items()
    )


def _role_matches(frame: pl.DataFrame, entities: Entities, role: str) -> pl.DataFrame:
    confirmed = entities.confirmed.filter(pl.col("role") == role)
    if confirmed.is_empty():
        return _empty(frame, role)
    memberships = entities.memberships.filter(pl.col("role") == role)
    links = _both_ways(entities.links.filter(pl.col("role") == role))
    # Only spellings that ever shared an entity with a confirmed spelling, or that the
    # model linked to one of those, can match: the rest of the frame is never compared.
    related = set(confirmed["alias"].to_list())
    touched = memberships.filter(pl.col("alias").is_in(list(related)))["entity_id"]
    related |= set(
        memberships.filter(pl.col("entity_id").is_in(touched.implode()))["alias"].to_list()
    )
    related |= set(links.filter(pl.col("alias").is_in(list(related)))["other"].to_list())
    rows = frame.filter(pl.col(role).is_in(list(related))).select(
        "row", DATE, spelling=pl.col(role)
    )
    pairs = rows.join_where(
        confirmed.with_columns(pl.col("valid_to").fill_null(FAR)),
        pl.col(DATE) >= pl.col("valid_from"),
        pl.col(DATE) <= pl.col("valid_to"),
    )
    if pairs.is_empty():
        return _empty(frame, role)
    day = pl.col(DATE)
    pairs = pairs.with_row_index("pair").with_columns(
        mine=entity_at(pairs, "spelling", role, memberships, day),
        theirs=entity_at(pairs, "alias", role, memberships, day),
    )
    # The best link from the shipment's spelling to a spelling in the confirmed entity on
    # the day (the confirmed spelling itself when nothing was resolved).
    reached = pairs.select("pair", DATE, "spelling", "alias", "theirs").join(
        links.rename({"alias": "spelling"}), on="spelling"
    )
    reached = (
        reached.with_columns(there=entity_at(reached, "other", role, memberships, day))
        .filter(pl.col("there") == pl.col("theirs"))
        .join(
            _different(entities, role),
            left_on=["spelling", "other"],
            right_on=["alias", "other"],
            how="anti",
        )
        .group_by("pair")
        .agg(best=pl.col("probability").max())
    )
    kind = (
        pl.when(pl.col("spelling") == pl.col("alias"))
        .then(pl.lit("spelling"))
        .when(pl.col("mine") == pl.col("theirs"))
        .then(pl.lit("entity"))
        .when(pl.col("best").is_not_null())
        .then(pl.lit("close"))
    )
    found = (
        pairs.join(reached, on="pair", how="left")
        .join(
            _different(entities, role),
            left_on=["spelling", "alias"],
            right_on=["alias", "other"],
            how="anti",
        )
        .with_columns(kind=kind)
        .filter(pl.col("kind").is_not_null())
        .with_columns(
            probability=pl.when(pl.col("kind") == "spelling").then(1.0).otherwise(pl.col("best")),
            rank=pl.col("kind").replace_strict({k: i for i, k in enumerate(MATCHES)}),
        )
    )
    best = (
        found.sort(
            ["rank", "probability", "decided_on", "flag_id"],
            descending=[False, True, True, False],
            nulls_last=True,
        )
        .group_by("row", maintain_order=True)
        .agg(
            pl.col("alias").first().alias(f"{role}_confirmed_as"),
            pl.col("analyst").first().alias(f"{role}_confirmed_by"),
            pl.col("decided_on").first().alias(f"{role}_confirmed_on"),
            pl.col("kind").first().alias(f"{role}_confirmed_match"),
            pl.col("probability").first().alias(f"{role}_match_probability"),
            pl.col("flag_id").n_unique().alias(f"{role}_confirmed_flags"),
        )
    )
    return frame.select("row").join(best, on="row", how="left")


def _different(entities: Entities, role: str) -> pl.DataFrame:
    """alias, other: pairs of spellings an analyst said are different firms, both ways."""
    mine = entities.different.filter(pl.col("role") == role)
    return pl.concat(
        [
            mine.select(alias="alias_l", other="alias_r"),
            mine.select(alias="alias_r", other="alias_l"),
        ]
    )


def confirmed_matches(frame: pl.DataFrame, entities: Entities) -> pl.DataFrame:
    """Per row of ``frame`` (``row``, ``arrival_date``, ``exporter``, ``importer``), each
    role's best match among the confirmed traders in force on its day (``columns_of``):
    the confirmed spelling, who confirmed it and when, the kind of match, its probability
    and how many confirmed flags match; nulls (and no flags) where none does. The
    strongest kind wins, then the higher probability, then the latest confirmation."""
    out = frame.select("row")
    for role in ROLES:
        out = out.join(_role_matches(frame, entities, role), on="row", how="left")
    return out.with_columns(pl.col(f"{role}_confirmed_flags").fill_null(0) for role in ROLES)
