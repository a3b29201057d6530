"""Resolving trader spellings into entities in the store: the full resolution, the
nightly increment, and rebuilding the entities from links and corrections.

- ``resolve`` (``transship entities resolve``): every spelling's record is rebuilt from
  the shipments, each role's model is trained again and versioned, and the model's links
  replace the earlier ones.
- ``resolve_new`` (the nightly run): only spellings not seen before are compared, with
  the latest stored model, against the existing ones and among themselves (Splink's
  link-new-records path); nothing is re-clustered from scratch.
- ``rebuild`` (after either, and after every correction): the entities over time from
  the stored links and the analysts' corrections (``clusters.memberships``).

Spellings whose name the model cannot compare (``normalise.STATUS_REASONS``) are never
given to the model: each stays its own entity unless an analyst merges it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, replace
from importlib import metadata
from typing import TYPE_CHECKING

import polars as pl

from transship.entities import clusters, model
from transship.entities.normalise import OK, normalise_name
from transship.errors import EntityError, NoSpellingVariantsError
from transship.storage.sql import load, scalar, sql_frame
from transship.storage.store import default_import_country

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    import duckdb

CONTEXT_TOP = 5
"""How many of a spelling's most frequent ports, chapters, origins and partners its
record keeps: enough to meet a variant that trades a little differently, few enough
that a busy spelling does not meet everyone."""


@dataclass(frozen=True)
class Resolution:
    """What a resolution did."""

    mode: str
    """'full' or 'new'."""
    model_version: int
    spellings: int
    new_spellings: int
    links: int
    entities: int
    unresolved: int
    seconds: float
    no_variants: tuple[str, ...] = ()
    """Roles whose names showed no spelling variants: no model, each spelling its own
    entity (``model.train``)."""


def entity_id(role: str, founder: str) -> str:
    """An entity's id: its role and a digest of the spelling that founded it (its first
    seen), so a re-resolution that finds the same founder gives the same id."""
    digest = hashlib.sha1(f"{role}\x1f{founder}".encode()).hexdigest()[:10]
    return ("EX" if role == "exporter" else "IM") + digest


def _import_country(con: duckdb.DuckDBPyConnection) -> str | None:
    value = default_import_country(con)
    return value or None


def _top(contexts: pl.DataFrame, column: str) -> pl.DataFrame:
    """A spelling's most frequent values of ``column`` (ties by value), as a list."""
    return (
        contexts.drop_nulls(column)
        .group_by("role", "alias", column)
        .agg(pl.col("shipments").sum())
        .sort(["shipments", column], descending=[True, False])
        .group_by("role", "alias", maintain_order=True)
        .agg(pl.col(column).head(CONTEXT_TOP).alias(column + "s"))
    )


NAME_COLUMNS = ("core_name", "legal_form", "address", "name_status")


def spelling_records(
    con: duckdb.DuckDBPyConnection,
    until: date | None = None,
    folded: pl.DataFrame | None = None,
    only: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One record per role and spelling in the shipments (up to ``until``; only the
    spellings in ``only``, role and alias, when given): its folded name, status, country,
    when it was seen and its most frequent context. ``folded`` (role, alias, country and
    NAME_COLUMNS of spellings folded before) spares folding names again: a spelling whose
    country is unchanged keeps its folded name, and partners are known by theirs."""
    chosen = {
        role: None if only is None else only.filter(pl.col("role") == role)["alias"].to_list()
        for role in model.ROLES
    }
    contexts = sql_frame(
        con,
        load("entities/spelling_contexts"),
        {
            "until": until,
            "import_country": _import_country(con),
            "exporters": chosen["exporter"],
            "importers": chosen["importer"],
        },
    )
    seen = contexts.group_by("role", "alias").agg(
        first_seen=pl.col("first_seen").min(),
        last_seen=pl.col("last_seen").max(),
        shipments=pl.col("shipments").sum(),
    )
    country = (
        contexts.drop_nulls("country")
        .group_by("role", "alias", "country")
        .agg(pl.col("shipments").sum())
        .sort(["shipments", "country"], descending=[True, False])
        .group_by("role", "alias", maintain_order=True)
        .agg(pl.col("country").first())
    )
    records = seen.join(country, on=["role", "alias"], how="left")
    if folded is None:
        folded = pl.DataFrame(
            schema={"role": pl.String, "alias": pl.String, "country": pl.String}
            | dict.fromkeys(NAME_COLUMNS, pl.String)
        )
    records = records.join(
        folded.select("role", "alias", "country", *NAME_COLUMNS),
        on=["role", "alias", "country"],
        how="left",
        nulls_equal=True,
    )
    todo = records.filter(pl.col("name_status").is_null())
    names = [
        normalise_name(alias, place)
        for alias, place in zip(todo["alias"], todo["country"], strict=True)
    ]
    fresh = todo.select("role", "alias").with_columns(
        core_name=pl.Series([n.core for n in names], dtype=pl.String),
        legal_form=pl.Series([n.legal_form for n in names], dtype=pl.String),
        address=pl.Series([n.address for n in names], dtype=pl.String),
        name_status=pl.Series([n.status for n in names], dtype=pl.String),
    )
    records = records.update(fresh, on=["role", "alias"], include_nulls=True)
    # A partner is known by its own name's core, so its spellings count as one partner.
    partner_core = (
        pl.concat(
            [
                records.select("role", "alias", *NAME_COLUMNS),
                folded.select("role", "alias", *NAME_COLUMNS),
            ]
        )
        .unique(["role", "alias"], keep="first", maintain_order=True)
        .filter(pl.col("name_status") == OK)
        .select(
            partner_role=pl.col("role"), partner=pl.col("alias"), partner_name=pl.col("core_name")
        )
    )
    contexts = contexts.with_columns(
        partner_role=pl.when(pl.col("role") == "exporter")
        .then(pl.lit("importer"))
        .otherwise(pl.lit("exporter")),
    ).join(partner_core, on=["partner_role", "partner"], how="left")
    for column in ("origin", "port", "chapter"):
        records = records.join(_top(contexts, column), on=["role", "alias"], how="left")
    partners = _top(contexts.drop("partner").rename({"partner_name": "partner"}), "partner")
    records = records.join(partners, on=["role", "alias"], how="left")
    empty = pl.lit([], dtype=pl.List(pl.String))
    return records.with_columns(
        pl.col(c).fill_null(empty) for c in ("origins", "ports", "chapters", "partners")
    ).sort("role", "alias")


def _model_records(spellings: pl.DataFrame) -> pl.DataFrame:
    """The records the model compares: spellings with a usable name, their words."""
    words = pl.col("core_name").str.split(" ")
    return spellings.filter(pl.col("name_status") == OK).select(
        unique_id=pl.col("alias_id"),
        core_name="core_name",
        first_token=words.list.first(),
        second_token=words.list.get(1, null_on_oob=True).fill_null(words.list.first()),
        last_token=words.list.last(),
        tokens=words,
        country="country",
        origins="origins",
        ports="ports",
        chapters="chapters",
        partners="partners",
    )


def _with_ids(con: duckdb.DuckDBPyConnection, records: pl.DataFrame) -> pl.DataFrame:
    """Each spelling's id: the one it had, or the next free one (in role, alias order)."""
    known = sql_frame(con, load("entities/alias_ids"))
    start = int(known["alias_id"].fill_null(0).max() or 0) if known.height else 0  # type: ignore[arg-type]
    fresh = pl.col("alias_id").is_null()
    return (
        records.sort("role", "alias")
        .join(known, on=["role", "alias"], how="left", maintain_order="left")
        .with_columns(
            alias_id=pl.when(fresh)
            .then(start + fresh.cast(pl.Int64).cum_sum())
            .otherwise(pl.col("alias_id"))
            .cast(pl.Int64)
        )
    )


def _named_links(
    pairs: pl.DataFrame, records: pl.DataFrame, role: str, version: int
) -> pl.DataFrame:
    names = records.select(pl.col("alias_id"), pl.col("alias"))
    return (
        pairs.join(names.rename({"alias_id": "unique_id_l", "alias": "a"}), on="unique_id_l")
        .join(names.rename({"alias_id": "unique_id_r", "alias": "b"}), on="unique_id_r")
        .select(
            role=pl.lit(role),
            alias_l=pl.min_horizontal("a", "b"),
            alias_r=pl.max_horizontal("a", "b"),
            match_probability="match_probability",
            match_weight="match_weight",
            model_version=pl.lit(version, pl.Int32),
        )
        .unique(["role", "alias_l", "alias_r"], keep="first")
    )


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("entity_frame", frame)
    try:
        con.execute(load("store/replace_table", table=table, frame="entity_frame"))
    finally:
        con.unregister("entity_frame")


def _append(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    con.register("entity_frame", frame)
    try:
        con.execute(load("entities/append_rows", table=table, frame="entity_frame"))
    finally:
        con.unregister("entity_frame")


def _in_transaction(con: duckdb.DuckDBPyConnection, work: Callable[[], None]) -> None:
    con.begin()
    try:
        work()
        con.commit()
    except BaseException:
        con.rollback()
        raise


def resolve(
    con: duckdb.DuckDBPyConnection,
    threshold: float = model.DEFAULT_THRESHOLD,
    until: date | None = None,
) -> Resolution:
    """Resolve every spelling in the shipments (up to ``until``) from scratch: train each
    role's model (a new version, stored with its threshold), link, and rebuild the
    entities with the analysts' corrections. Corrections survive: they are kept by
    spelling and applied over the new links."""
    if not 0 < threshold < 1:
        raise EntityError(f"the match threshold must be between 0 and 1, not {threshold}")
    started = time.perf_counter()
    records = _with_ids(con, spelling_records(con, until))
    version = int(scalar(con, load("entities/next_model_version")))
    links = []
    models = []
    no_variants = []
    for role in model.ROLES:
        spellings = records.filter(pl.col("role") == role)
        compared = _model_records(spellings)
        if compared.height < 2:
            continue
        try:
            trained = model.train(role, compared)
        except NoSpellingVariantsError:
            no_variants.append(role)
            continue
        pairs = model.predict(trained, compared, threshold)
        links.append(_named_links(pairs, spellings, role, version))
        models.append((trained, compared.height, pairs.height))
    all_links = pl.concat(links) if links else _no_links()

    def work() -> None:
        for trained, spellings, count in models:
            con.execute(
                load("entities/insert_model"),
                {
                    "model_version": version,
                    "role": trained.role,
                    "splink_version": metadata.version("splink"),
                    "threshold": threshold,
                    "settings": json.dumps(trained.settings),
                    "spellings": spellings,
                    "links": count,
                },
            )
        _replace(con, "entity_aliases", records.with_columns(_unassigned()))
        _replace(con, "entity_links", all_links)
        rebuild(con)

    _in_transaction(con, work)
    done = _summary(con, "full", version, records.height, records.height, all_links.height, started)
    return replace(done, no_variants=tuple(no_variants))


def resolve_new(con: duckdb.DuckDBPyConnection, until: date | None = None) -> Resolution:
    """The nightly increment: link the spellings not resolved before (up to ``until``) to
    the existing entities, or make them new ones, with each role's latest model and its
    threshold; refresh every spelling's dates and counts. A store never resolved is
    resolved in full."""
    started = time.perf_counter()
    latest = {
        role: sql_frame(con, load("entities/latest_model"), {"role": role}) for role in model.ROLES
    }
    # Only spellings whose shipments changed (new ones, and those seen again or filed
    # late) get their record rebuilt; the others keep theirs.
    stored = sql_frame(con, load("entities/stored_spellings"))
    counts = sql_frame(con, load("entities/spelling_counts"), {"until": until})
    changed = counts.join(
        stored.select("role", "alias", "first_seen", "last_seen", "shipments"),
        on=["role", "alias", "first_seen", "last_seen", "shipments"],
        how="anti",
    ).select("role", "alias")
    kept = stored.join(changed, on=["role", "alias"], how="anti").join(
        counts.select("role", "alias"), on=["role", "alias"], how="semi"
    )
    version = max([int(f["model_version"][0]) for f in latest.values() if f.height] or [0])
    if stored.height and changed.is_empty() and kept.height == stored.height:
        # Nothing was shipped since: the entities stand as the last rebuild left them (a
        # correction rebuilds them itself), and a run that resolves before it scores
        # costs nothing more.
        return _summary(con, "new", version, stored.height, 0, 0, started)
    if all(frame.height == 0 for frame in latest.values()):
        return resolve(con, until=until)
    rebuilt = spelling_records(con, until, stored, only=changed)
    records = _with_ids(
        con,
        pl.concat(
            [
                kept.drop("alias_id", "entity_id", "assigned_by").with_columns(rebuilt=False),
                rebuilt.with_columns(rebuilt=True),
            ],
            how="diagonal",
        ),
    )
    known = stored.select("role", "alias", known=pl.lit(True))
    records = records.join(known, on=["role", "alias"], how="left")
    is_new = pl.col("known").is_null()
    links = []
    for role in model.ROLES:
        spellings = records.filter(pl.col("role") == role)
        new = _model_records(spellings.filter(is_new))
        if latest[role].height == 0 or new.height == 0:
            continue
        trained = model.Trained(role, json.loads(latest[role]["settings"][0]))
        threshold = float(latest[role]["threshold"][0])
        existing = _model_records(spellings.filter(~is_new))
        pairs = model.predict_new(trained, existing, new, threshold)
        links.append(_named_links(pairs, spellings, role, int(latest[role]["model_version"][0])))
    new_links = pl.concat(links) if links else _no_links()
    fresh = int(records["known"].is_null().sum())

    def work() -> None:
        rewritten = records.filter(pl.col("rebuilt"))
        _delete(con, "entity_aliases", rewritten.select("role", "alias"))
        _append(
            con, "entity_aliases", rewritten.drop("known", "rebuilt").with_columns(_unassigned())
        )
        _append(con, "entity_links", new_links)
        rebuild(con)

    _in_transaction(con, work)
    return _summary(con, "new", version, records.height, fresh, new_links.height, started)


def _no_links() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "role": pl.String,
            "alias_l": pl.String,
            "alias_r": pl.String,
            "match_probability": pl.Float64,
            "match_weight": pl.Float64,
            "model_version": pl.Int32,
        }
    )


def _unassigned() -> list[pl.Expr]:
    return [
        pl.lit(None, pl.String).alias("entity_id"),
        pl.lit(None, pl.String).alias("assigned_by"),
    ]


def _summary(
    con: duckdb.DuckDBPyConnection,
    mode: str,
    version: int,
    spellings: int,
    new: int,
    links: int,
    started: float,
) -> Resolution:
    counts = con.execute(load("entities/entity_counts")).fetchall()[0]
    return Resolution(
        mode,
        version,
        spellings,
        new,
        links,
        int(counts[0]),
        int(counts[1]),
        round(time.perf_counter() - started, 2),
    )


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild every spelling's entity over time, the entities and each spelling's current
    entity from the stored links and the corrections in force. The caller holds the
    transaction."""
    spellings = sql_frame(con, load("entities/spellings_for_rebuild"))
    links = sql_frame(con, load("entities/links_for_rebuild"))
    constraints = sql_frame(con, load("entities/effective_constraints"))
    periods = []
    for role in model.ROLES:
        mine = spellings.filter(pl.col("role") == role)
        key = dict(zip(mine["alias"], mine["alias_id"], strict=True))
        text = dict(zip(mine["alias_id"], mine["alias"], strict=True))
        role_links = [
            clusters.Link(key[a], key[b], p)
            for a, b, p in links.filter(pl.col("role") == role)
            .select("alias_l", "alias_r", "match_probability")
            .iter_rows()
            if a in key and b in key
        ]
        said = constraints.filter(pl.col("role") == role)
        role_links += [
            clusters.Link(key[a], key[b], float(c), analyst=True)
            for a, b, kind, c in said.select(
                "alias_l", "alias_r", "kind", "correction_id"
            ).iter_rows()
            if kind == "same" and a in key and b in key
        ]
        different = [
            (key[a], key[b])
            for a, b, kind in said.select("alias_l", "alias_r", "kind").iter_rows()
            if kind == "different" and a in key and b in key
        ]
        found = clusters.memberships(
            (
                clusters.Spelling(k, seen, text[k])
                for k, seen in zip(mine["alias_id"], mine["first_seen"], strict=True)
            ),
            role_links,
            different,
        )
        periods += [
            (role, text[p.key], entity_id(role, text[p.founder]), p.valid_from, p.valid_to)
            for p in found
        ]
    memberships = pl.DataFrame(
        periods,
        schema={
            "role": pl.String,
            "alias": pl.String,
            "entity_id": pl.String,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
        },
        orient="row",
    )
    _sync(con, "entity_memberships", memberships)
    con.execute(load("entities/assign_current_entities"))
    _sync(con, "entities", sql_frame(con, load("entities/entity_rows")))


def _sync(con: duckdb.DuckDBPyConnection, table: str, rows: pl.DataFrame) -> None:
    """Make ``table`` hold ``rows``, writing only the rows that differ: a night changes a
    few entities, and rewriting them all would cost more than the night's work."""
    current = sql_frame(con, load("entities/all_rows", table=table)).select(rows.columns)
    rows = rows.cast(dict(current.schema))  # type: ignore[arg-type]
    gone = current.join(rows, on=rows.columns, how="anti", nulls_equal=True)
    _delete(con, table, gone)
    _append(con, table, rows.join(current, on=rows.columns, how="anti", nulls_equal=True))


def _delete(con: duckdb.DuckDBPyConnection, table: str, gone: pl.DataFrame) -> None:
    con.register("entity_gone", gone)
    try:
        con.execute(load(f"entities/delete_{table}"))
    finally:
        con.unregister("entity_gone")


NOT_RESOLVED = (
    "trader names were never resolved into entities in this store: each spelling of an "
    "exporter or importer counts as a firm of its own (run `transship entities resolve` "
    "once; later runs link new spellings themselves)"
)


def resolve_for_run(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What a detection run does before it scores: link the spellings not resolved yet to
    the entities with the stored model (``resolve_new``). A store never resolved is left
    so (training the model is a step of its own: ``resolve``), and so is a store whose
    increment fails: its spellings count as their own firms. Returns the run's warnings
    about it (none when every spelling has its entity)."""
    if int(scalar(con, load("entities/resolved_spellings"))) == 0:
        return [NOT_RESOLVED]
    try:
        resolve_new(con)
    except EntityError as exc:
        return [f"new trader spellings could not be resolved ({exc}): each counts as its own firm"]
    return []
