"""The ``transship`` command line: each command parses options and calls one library function."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from duckdb import DuckDBPyConnection
from rich.console import Console
from rich.table import Table

from transship.errors import TransshipError
from transship.ingest.batch import IngestResult
from transship.settings import Settings

app = typer.Typer(
    help="Find shipments of export-controlled minerals rerouted through third countries.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
ingest_app = typer.Typer(
    help="Load shipment records and trade statistics into the store.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(ingest_app, name="ingest")

console = Console()
errors = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="DuckDB store file [default: $TRANSSHIP_DB or data/transship.duckdb]"
    ),
]

EXIT_QUARANTINED = 4


def _settings(db: Path | None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"db": db}) if db is not None else settings


@contextmanager
def _opened_store(db: Path | None, read_only: bool = False) -> Iterator[DuckDBPyConnection]:
    """The store for one command; any transship error becomes a message and an exit code."""
    from transship.store import store

    settings = _settings(db)
    try:
        with store(settings.db, read_only=read_only, memory_limit=settings.memory_limit) as con:
            yield con
    except TransshipError as exc:
        raise _fail(exc) from exc


def _fail(exc: TransshipError) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(exc.exit_code)


def _report(results: Iterable[IngestResult]) -> list[IngestResult]:
    done = []
    with console.status("ingesting…") as status:
        for result in _tracked(results, status):
            style = "yellow" if result.rows_quarantined and not result.already_loaded else "green"
            console.print(f"[{style}]•[/] {result.summary()}", highlight=False, soft_wrap=True)
            for note in result.notes:
                console.print(f"  note: {note}", highlight=False)
            done.append(result)
    rows_in = sum(r.rows_in for r in done if not r.already_loaded)
    loaded = sum(r.rows_loaded for r in done if not r.already_loaded)
    console.print(
        f"[bold]{len(done)} files: {rows_in} rows in = {loaded} loaded + {rows_in - loaded} "
        "quarantined[/] (see `transship quarantine`)"
    )
    return done


def _tracked(results: Iterable[IngestResult], status: object) -> Iterator[IngestResult]:
    for count, result in enumerate(results, start=1):
        status.update(f"ingesting… {count} files done")  # type: ignore[attr-defined]
        yield result


def _exit_for(results: list[IngestResult], strict: bool) -> None:
    if strict and any(r.rows_quarantined and not r.already_loaded for r in results):
        raise typer.Exit(EXIT_QUARANTINED)


def _print_frame(frame: pl.DataFrame, title: str) -> None:
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(column)
    for row in frame.iter_rows():
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


@app.command()
def init(db: DbOption = None) -> None:
    """Create the store, or upgrade an older one. Safe to run again.

    Example:

        transship init --db data/transship.duckdb
    """
    with _opened_store(db):
        pass
    console.print(f"store ready at {_settings(db).db}")


StrictOption = Annotated[
    bool,
    typer.Option("--strict", help=f"Exit with code {EXIT_QUARANTINED} if any row was quarantined"),
]


@ingest_app.command("shipments")
def ingest_shipments_command(
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files")],
    mapping: Annotated[
        Path | None, typer.Option(help="TOML column mapping for a non-canonical layout")
    ] = None,
    strict: StrictOption = False,
    db: DbOption = None,
) -> None:
    """Load shipment records; every row is loaded or quarantined with a reason.

    Each file is one batch, committed whole or not at all; a file already ingested
    loads nothing again. A file missing required columns is refused (exit code 2).

    Example:

        transship ingest shipments drops/2025-01-06.csv
        transship ingest shipments declarations.csv --mapping korea_customs.toml
    """
    from transship.ingest.mapping import IDENTITY, load_mapping
    from transship.ingest.shipments import ingest_shipments

    try:
        chosen = load_mapping(mapping) if mapping else IDENTITY
    except TransshipError as exc:
        raise _fail(exc) from exc
    with _opened_store(db) as con:
        results = _report(ingest_shipments(con, paths, chosen))
    _exit_for(results, strict)


@ingest_app.command("flows")
def ingest_flows_command(
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files (.gz accepted)")],
    input_format: Annotated[
        str, typer.Option("--format", help="canonical | comtrade | china-monthly | census")
    ] = "canonical",
    strict: StrictOption = False,
    db: DbOption = None,
) -> None:
    """Load aggregate trade statistics through the adapter for their publisher.

    Example:

        transship ingest flows comtrade_2024.csv.gz --format comtrade
    """
    from transship.ingest.flows import ingest_flows

    with _opened_store(db) as con:
        results = _report(ingest_flows(con, paths, input_format))
    _exit_for(results, strict)


@ingest_app.command("census")
def ingest_census_command(
    partner: Annotated[list[str], typer.Option(help="Partner country (ISO2 or name); repeat")],
    hs: Annotated[list[str], typer.Option(help="HS code to fetch; repeat")],
    start: Annotated[str, typer.Option(help="First month, YYYY-MM")],
    end: Annotated[str, typer.Option(help="Last month, YYYY-MM")],
    snapshot_dir: Annotated[
        Path, typer.Option(help="Where the fetched CSV snapshot is kept")
    ] = Path("data/census"),
    db: DbOption = None,
) -> None:
    """Fetch US monthly imports from the Census API (ustrade) and load them.

    Needs network access to api.census.gov. The response is kept as a CSV snapshot
    so the batch can be traced and reloaded offline.

    Example:

        transship ingest census --partner TH --partner MX --hs 811010 --start 2024-01 --end 2024-12
    """
    from transship.ingest.census import fetch_census_snapshot
    from transship.ingest.flows import ingest_flows

    try:
        snapshot = fetch_census_snapshot(partner, hs, start, end, snapshot_dir)
    except TransshipError as exc:
        raise _fail(exc) from exc
    console.print(f"saved {snapshot}")
    with _opened_store(db) as con:
        _report(ingest_flows(con, [snapshot], "census"))


@ingest_app.command("shared")
def ingest_shared_command(
    data_dir: Annotated[Path, typer.Argument(help="The shared data folder")],
    db: DbOption = None,
) -> None:
    """Load the public data sets in a shared data folder through their adapters.

    Comtrade annual files, China's monthly exports by partner, and the Korean customs
    declarations (through the bundled korea-customs mapping).

    Example:

        transship ingest shared ../shared/data --db data/shared.duckdb
    """
    from transship.shared_data import load_shared_data

    with _opened_store(db) as con:
        _report(load_shared_data(con, data_dir))


@app.command()
def summary(db: DbOption = None) -> None:
    """Print what the store holds: tables, recent batches, quarantine reasons, top origins.

    Example:

        transship summary --db data/transship.duckdb
    """
    from transship.summary import store_summary

    with _opened_store(db, read_only=True) as con:
        result = store_summary(con)
    _print_frame(result.tables, f"Store {_settings(db).db}")
    _print_frame(result.batches, "Recent ingest batches")
    _print_frame(result.quarantine, "Quarantined rows by reason")
    _print_frame(result.top_origins, "Shipments by declared origin")


@app.command()
def quarantine(
    batch: Annotated[int | None, typer.Option(help="Only this batch")] = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows")] = 50,
    db: DbOption = None,
) -> None:
    """List quarantined rows with the reason, the line and what was expected.

    Example:

        transship quarantine --reason unknown_country --limit 20
    """
    from transship.summary import quarantined_rows

    with _opened_store(db, read_only=True) as con:
        rows = quarantined_rows(con, batch, reason, limit)
    _print_frame(rows, "Quarantined rows")


@app.command()
def check(db: DbOption = None) -> None:
    """Check the store's keys: unique, not null and relationships. Exit 1 on any failure.

    Example:

        transship check --db data/transship.duckdb
    """
    from transship.checks import run_checks

    with _opened_store(db, read_only=True) as con:
        failures = run_checks(con)
    for failure in failures:
        errors.print(f"[red]FAIL[/] {failure}", highlight=False)
    if failures:
        raise typer.Exit(1)
    console.print("all store checks passed")


@app.command()
def demo(db: DbOption = None) -> None:
    """Run the pipeline end to end on the bundled fixtures and print a summary.

    Example:

        transship demo --db data/demo.duckdb
    """
    from transship.demo import run_demo

    settings = _settings(db)
    try:
        _report(run_demo(settings))
    except TransshipError as exc:
        raise _fail(exc) from exc
    summary(settings.db)


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
