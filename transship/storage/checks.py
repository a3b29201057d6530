"""Key checks on the store, in the manner of dbt tests: unique, not null, relationships.

Each check is a query for violating rows; a check passes when it finds none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from transship.storage.sql import load

if TYPE_CHECKING:
    import duckdb

UNIQUE: list[tuple[str, tuple[str, ...]]] = [
    ("shipments", ("shipment_id",)),
    ("trade_flows", ("source", "period", "reporter", "partner", "flow", "hs6")),
    ("ingest_batches", ("batch_id",)),
    ("ingest_batches", ("kind", "checksum_sha256", "input_format")),
    ("ref_countries", ("code",)),
    ("ref_country_aliases", ("alias",)),
    ("ref_hs", ("hs_code",)),
    ("flags", ("flag_id",)),
    ("runs", ("run_id",)),
    ("profile_corridors", ("import_country", "origin_country", "code_level", "code", "month")),
    ("ref_importers", ("code",)),
    ("users", ("username",)),
    ("sessions", ("token_hash",)),
    ("decisions", ("decision_id",)),
]

NOT_NULL: list[tuple[str, tuple[str, ...]]] = [
    (
        "shipments",
        (
            "shipment_id",
            "arrival_date",
            "import_country",
            "origin_country",
            "hs_code",
            "hs6",
            "weight_kg",
            "value_usd",
            "batch_id",
            "source_line",
        ),
    ),
    (
        "trade_flows",
        ("period", "period_start", "reporter", "partner", "flow", "hs6", "value_usd", "batch_id"),
    ),
    ("quarantine", ("batch_id", "reason", "message")),
    (
        "flags",
        (
            "flag_id",
            "level",
            "basis",
            "import_country",
            "score",
            "severity",
            "reasons",
            "run_id",
            "status",
        ),
    ),
    ("runs", ("run_id", "kind", "status", "detector_version")),
    ("users", ("username", "role", "password_hash")),
    ("decisions", ("flag_id", "action", "new_status", "note", "analyst", "decided_at")),
    ("sign_in_failures", ("username", "failed_at")),
]

RELATIONSHIPS: list[tuple[str, str, str, str]] = [
    ("shipments", "batch_id", "ingest_batches", "batch_id"),
    ("trade_flows", "batch_id", "ingest_batches", "batch_id"),
    ("quarantine", "batch_id", "ingest_batches", "batch_id"),
    ("shipments", "import_country", "ref_countries", "code"),
    ("shipments", "origin_country", "ref_countries", "code"),
    ("shipments", "export_country", "ref_countries", "code"),
    ("trade_flows", "reporter", "ref_countries", "code"),
    ("trade_flows", "partner", "ref_countries", "code"),
    ("ref_country_aliases", "code", "ref_countries", "code"),
    ("ref_comtrade_codes", "code", "ref_countries", "code"),
    ("ref_capacity", "country", "ref_countries", "code"),
    ("ref_controlled_codes", "hs6", "ref_hs", "hs_code"),
    ("ref_cover_codes", "hs6", "ref_hs", "hs_code"),
    ("flags", "shipment_id", "shipments", "shipment_id"),
    ("flags", "run_id", "runs", "run_id"),
    ("flags", "import_country", "ref_countries", "code"),
    ("flags", "origin_country", "ref_countries", "code"),
    ("ref_importers", "code", "ref_countries", "code"),
    ("decisions", "flag_id", "flags", "flag_id"),
    ("sessions", "username", "users", "username"),
]


def _violations(con: duckdb.DuckDBPyConnection, query: str) -> int:
    return len(con.execute(query).fetchall())


def run_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every failed check, described; empty when the store is consistent."""
    failures = []
    for table, columns in UNIQUE:
        found = _violations(con, load("checks/unique", table=table, columns=columns))
        if found:
            failures.append(f"unique: {table}({', '.join(columns)}) has {found} repeated keys")
    for table, columns in NOT_NULL:
        for column in columns:
            found = _violations(con, load("checks/not_null", table=table, column=column))
            if found:
                failures.append(f"not_null: {table}.{column} is null in {found} rows")
    for table, column, parent, key in RELATIONSHIPS:
        found = _violations(
            con,
            load("checks/relationship", table=table, column=column, parent=parent, key=key),
        )
        if found:
            failures.append(
                f"relationships: {found} values of {table}.{column} are not in {parent}.{key}"
            )
    found = _violations(con, load("checks/batch_counts"))
    if found:
        failures.append(f"batch counts: {found} batches whose recorded counts differ from rows")
    return failures
