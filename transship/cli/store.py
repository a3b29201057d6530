"""The store's own commands: create or upgrade it, summarise it, list quarantined rows,
check its keys."""

from __future__ import annotations

from typing import Annotated

import typer

from transship.cli.common import (
    DbOption,
    MaterialsOption,
    console,
    errors,
    opened_store,
    print_frame,
    reported,
    settings_for,
)


def init(
    import_country: Annotated[
        str | None,
        typer.Option(
            help="Importing country of shipment files that do not say (alpha-2, alpha-3, "
            r"numeric or English name) \[default: kept, US for a new store]"
        ),
    ] = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Create the store, or upgrade an older one. Safe to run again.

    Shipments are imports into the store's default importing country unless their file
    has an import_country column or their mapping sets it; rows already loaded keep theirs.

    Example:

        transship init --import-country JP --db data/transship.duckdb
    """
    from transship.storage.store import default_import_country, set_default_import_country

    with opened_store(db, materials) as con, reported():
        if import_country is not None:
            set_default_import_country(con, import_country)
        country = default_import_country(con)
    console.print(
        f"store ready at {settings_for(db, materials).db}; shipments whose file does not say "
        f"are imports into {country}",
        highlight=False,
    )


def summary(db: DbOption = None, materials: MaterialsOption = None) -> None:
    """Print what the store holds: tables, recent batches, quarantine reasons, top origins.

    Example:

        transship summary --db data/transship.duckdb
    """
    from transship.storage.summary import store_summary

    with opened_store(db, materials, read_only=True) as con:
        result = store_summary(con)
    print_frame(result.tables, f"Store {settings_for(db, materials).db}")
    print_frame(result.batches, "Recent ingest batches")
    print_frame(result.quarantine, "Quarantined rows by reason")
    print_frame(result.top_origins, "Shipments by importing country and declared origin")


def quarantine(
    batch: Annotated[int | None, typer.Option(help="Only this batch")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows")] = 50,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """List quarantined rows with the reason, the line and what was expected.

    Example:

        transship quarantine --reason unknown_country --limit 20
    """
    from transship.storage.summary import quarantined_rows

    with opened_store(db, materials, read_only=True) as con:
        rows = quarantined_rows(con, batch, reason, limit)
    print_frame(rows, "Quarantined rows")


def check(db: DbOption = None, materials: MaterialsOption = None) -> None:
    """Check the store's keys: unique, not null and relationships. Exit 1 on any failure.

    Example:

        transship check --db data/transship.duckdb
    """
    from transship.storage.checks import run_checks

    with opened_store(db, materials, read_only=True) as con:
        failures = run_checks(con)
    for failure in failures:
        errors.print(f"[red]FAIL[/] {failure}", highlight=False)
    if failures:
        raise typer.Exit(1)
    console.print("all store checks passed")
