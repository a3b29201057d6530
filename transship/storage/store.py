"""The embedded DuckDB store: opening it, versioned migrations, and integrity checks."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from transship import reference
from transship.errors import (
    StoreError,
    StoreLockedError,
    StoreTooNewError,
    UnknownCountryError,
)
from transship.storage.sql import load, scalar, sql_root

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


def migrations(folder: Path | None = None) -> list[Migration]:
    """Every migration shipped with this version (or in ``folder``), in order."""
    found: list[Migration] = []
    for path in sorted((folder or sql_root() / "migrations").glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise StoreError(f"migration file {path.name} is not named NNN_name.sql")
        version = int(match[1])
        # Two branches can each add the next number; a store must never apply only one.
        if found and found[-1].version == version:
            raise StoreError(
                f"migrations {found[-1].path.name} and {path.name} share the number {version}"
            )
        found.append(Migration(version, match[2], path))
    return found


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    if not scalar(con, load("store/has_meta")):
        return 0
    version = scalar(con, load("store/read_meta"), {"key": "schema_version"})
    return int(version) if version else 0


def migrate(con: duckdb.DuckDBPyConnection, folder: Path | None = None) -> list[Migration]:
    """Apply the migrations the store has not seen; each one commits whole or not at all."""
    current = schema_version(con)
    known = migrations(folder)
    if known and current > known[-1].version:
        raise StoreTooNewError(
            f"the store is at schema version {current} but this transship only knows "
            f"up to {known[-1].version}; upgrade transship"
        )
    applied = []
    for migration in known:
        if migration.version <= current:
            continue
        con.begin()
        try:
            con.execute(migration.path.read_text(encoding="utf-8"))
            con.execute(
                load("store/write_meta"), {"key": "schema_version", "value": str(migration.version)}
            )
            con.commit()
        except Exception:
            con.rollback()
            raise
        applied.append(migration)
    return applied


def _connect(
    path: Path, read_only: bool, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    if read_only and not path.exists():
        raise StoreError(f"no store at {path}: run `transship init --db {path}` first")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        config: dict[str, str | bool | int | float | list[str]] = (
            {"memory_limit": memory_limit} if memory_limit else {}
        )
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreLockedError(
                f"the store {path} is open for writing in another process; "
                "wait for that run to finish (transship never waits silently) and retry"
            ) from exc
        raise StoreError(f"cannot open the store {path}: {exc}") from exc


def open_store(
    path: Path,
    read_only: bool = False,
    memory_limit: str | None = None,
    materials: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the store, creating it, upgrading its schema and refreshing reference data.

    ``memory_limit`` (e.g. ``"2GB"``) bounds DuckDB's memory; beyond it DuckDB spills to
    disk, so large files load in bounded memory. ``materials`` is a folder of the user's
    materials files installed with the shipped ones (``TRANSSHIP_MATERIALS``); a bad file
    raises MaterialsError and leaves the store's reference data as it was. A read-only
    open whose store is behind (schema, or reference data including the materials files)
    upgrades it first, so it needs the write lock once.
    """
    con = _connect(path, read_only, memory_limit)
    try:
        if read_only:
            current, latest = schema_version(con), migrations()[-1].version
            if current > latest or (
                current == latest
                and reference.installed_version(con) == reference.version(materials)
            ):
                return con
            con.close()
            con = _connect(path, read_only=False, memory_limit=memory_limit)
        migrate(con)
        reference.install(con, materials)
    except BaseException:
        con.close()
        raise
    return con


@contextmanager
def store(
    path: Path,
    read_only: bool = False,
    memory_limit: str | None = None,
    materials: Path | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_store(path, read_only=read_only, memory_limit=memory_limit, materials=materials)
    try:
        yield con
    finally:
        con.close()


def current_setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    """A DuckDB setting of the connection as it stands."""
    return str(scalar(con, load("store/setting"), {"name": name}))


@contextmanager
def setting(con: duckdb.DuckDBPyConnection, name: str, value: str) -> Iterator[None]:
    """A DuckDB setting of the connection at ``value`` while the block runs, then back."""
    before = current_setting(con, name)
    con.execute(load("store/set_setting", setting=name), {"value": value})
    try:
        yield
    finally:
        con.execute(load("store/set_setting", setting=name), {"value": before})


def default_import_country(con: duckdb.DuckDBPyConnection) -> str:
    """The importing country of shipments whose file and mapping do not say (alpha-2):
    the store's default, set by ``transship init --import-country`` (US for a store made
    before importing countries existed: migration 010 sets it)."""
    return str(scalar(con, load("store/read_meta"), {"key": "import_country"}))


def set_default_import_country(con: duckdb.DuckDBPyConnection, country: str) -> str:
    """Make ``country`` (alpha-2, alpha-3, numeric or English name) the store's default
    importing country and return it as alpha-2. Rows already loaded keep theirs."""
    code = scalar(con, load("store/country_code"), {"country": country})
    if code is None:
        raise UnknownCountryError(
            f"importing country {country!r} is not a known ISO 3166 alpha-2, alpha-3 code or "
            "country name; nothing was changed"
        )
    con.execute(load("store/write_meta"), {"key": "import_country", "value": code})
    return str(code)
