"""`transship ingest ...`: shipment records and trade statistics into the store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated

import typer

from transship.cli.common import (
    EXIT_QUARANTINED,
    DbOption,
    MaterialsOption,
    command_group,
    console,
    opened_store,
    reported,
)
from transship.ingest.batch import IngestResult

app = command_group("Load shipment records and trade statistics into the store.")

StrictOption = Annotated[
    bool,
    typer.Option("--strict", help=f"Exit with code {EXIT_QUARANTINED} if any row was quarantined"),
]


@app.command("shipments")
def ingest_shipments_command(
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files")],
    mapping: Annotated[
        Path | None, typer.Option(help="TOML column mapping for a non-canonical layout")
    ] = None,
    strict: StrictOption = False,
    db: DbOption = None,
    materials: MaterialsOption = None,
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

    with reported():
        chosen = load_mapping(mapping) if mapping else IDENTITY
    with opened_store(db, materials) as con:
        results = _report(ingest_shipments(con, paths, chosen))
    _exit_for(results, strict)


@app.command("flows")
def ingest_flows_command(
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files (.gz accepted)")],
    input_format: Annotated[
        str, typer.Option("--format", help="canonical | comtrade | china-monthly | census")
    ] = "canonical",
    strict: StrictOption = False,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Load aggregate trade statistics through the adapter for their publisher.

    Example:

        transship ingest flows comtrade_2024.csv.gz --format comtrade
    """
    from transship.ingest.flows import ingest_flows

    with opened_store(db, materials) as con:
        results = _report(ingest_flows(con, paths, input_format))
    _exit_for(results, strict)


@app.command("census")
def ingest_census_command(
    partner: Annotated[list[str], typer.Option(help="Partner country (ISO2 or name); repeat")],
    hs: Annotated[list[str], typer.Option(help="HS code to fetch; repeat")],
    start: Annotated[str, typer.Option(help="First month, YYYY-MM")],
    end: Annotated[str, typer.Option(help="Last month, YYYY-MM")],
    snapshot_dir: Annotated[
        Path, typer.Option(help="Where the fetched CSV snapshot is kept")
    ] = Path("data/census"),
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Fetch US monthly imports from the Census API (ustrade) and load them.

    Needs network access to api.census.gov. The response is kept as a CSV snapshot
    so the batch can be traced and reloaded offline.

    Example:

        transship ingest census --partner TH --partner MX --hs 811010 --start 2024-01 --end 2024-12
    """
    from transship.ingest.census import fetch_census_snapshot
    from transship.ingest.flows import ingest_flows

    with reported():
        snapshot = fetch_census_snapshot(partner, hs, start, end, snapshot_dir)
    console.print(f"saved {snapshot}")
    with opened_store(db, materials) as con:
        _report(ingest_flows(con, [snapshot], "census"))


@app.command("shared")
def ingest_shared_command(
    data_dir: Annotated[Path, typer.Argument(help="The shared data folder")],
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Load the public data sets in a shared data folder through their adapters.

    Comtrade annual files, China's monthly exports by partner, and the Korean customs
    declarations (through the bundled korea-customs mapping).

    Example:

        transship ingest shared ../shared/data --db data/shared.duckdb
    """
    from transship.ingest.shared import load_shared_data

    with opened_store(db, materials) as con:
        _report(load_shared_data(con, data_dir))


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
