"""Detection runs and their flags: backfill a range, score one day, list flags, list runs."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import polars as pl
import typer
from rich.table import Table

from transship.cli.common import (
    EXIT_BAD_OPTION,
    DbOption,
    MaterialsOption,
    RulesOption,
    console,
    errors,
    opened_store,
    parse_date,
    print_frame,
    reported,
    settings_for,
)

if TYPE_CHECKING:
    from transship.run.backfill import EngineChoice


def backfill(
    start: Annotated[str, typer.Option(help="First arrival date, YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="Last arrival date, YYYY-MM-DD")],
    rules: RulesOption = None,
    engine: Annotated[
        str,
        typer.Option(
            help="local (this process) | processes (a pool on this machine) | dask (a cluster)"
        ),
    ] = "local",
    workers: Annotated[int, typer.Option(help="Worker processes for --engine processes")] = 2,
    address: Annotated[
        str | None, typer.Option(help="Dask scheduler for --engine dask, tcp://HOST:8786")
    ] = None,
    partition_quarters: Annotated[
        int,
        typer.Option(
            help="Consecutive quarters per partition (processes, dask): more repeat less "
            "lookback work and take more memory each"
        ),
    ] = 1,
    exchange: Annotated[
        Path | None,
        typer.Option(
            help="Folder for the Parquet export the workers read (every worker must see it) "
            r"\[default: $TRANSSHIP_EXCHANGE, else beside the store]"
        ),
    ] = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Score every shipment that arrived in a date range and replace that range's flags.

    Each month is scored by detectors fitted on the year before it, exactly as the
    nightly run would have scored each day. Analysts' decisions survive. End before
    start exits with code 2; a range with no shipments is a warning. With --engine
    processes or dask each calendar quarter is computed by a worker from a Parquet export
    of the store, with the same flags and scores; a Dask scheduler that does not answer
    exits with code 5 and nothing written.

    Example:

        transship backfill --start 2024-01-01 --end 2025-06-30

        transship backfill --start 2024-01-01 --end 2025-06-30 --engine processes --workers 2
    """
    from transship.run.backfill import EngineChoice

    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    assert first is not None and last is not None
    choice = EngineChoice(engine, workers, address, partition_quarters)
    with reported():
        choice.check()
    _detect(db, materials, rules, first, last, "backfill", choice, exchange)


def run(
    run_date: Annotated[
        str | None, typer.Option("--date", help="Day to score, YYYY-MM-DD [default: yesterday]")
    ] = None,
    rules: RulesOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Score one day's shipments (the nightly run) and write its flags.

    Example:

        transship run --date 2025-01-14
    """
    day = parse_date(run_date, "--date") or date.today() - timedelta(days=1)
    _detect(db, materials, rules, day, day, "nightly")


def _detect(
    db: Path | None,
    materials: Path | None,
    rules: Path | None,
    start: date,
    end: date,
    kind: str,
    choice: EngineChoice | None = None,
    exchange: Path | None = None,
) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from transship.detectors import DetectorConfig
    from transship.run.backfill import default_exchange, run_backfill
    from transship.run.pipeline import detect

    settings = settings_for(db, materials)
    folder = exchange or settings.exchange or default_exchange(settings.db)
    with reported():
        config = DetectorConfig.load(rules or settings.rules)
    with (
        opened_store(db, materials) as con,
        Progress(
            TextColumn("scoring {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task("…", total=None)

        def progress(month: str, done: int, total: int) -> None:
            bar.update(task, description=month, completed=done, total=total)

        if choice is None:
            result = detect(con, start, end, config, kind, progress)
        else:
            with reported():
                result = run_backfill(con, start, end, config, choice, folder, progress)
    for warning in result.warnings:
        errors.print(f"[yellow]warning:[/] {warning}", highlight=False)
    console.print(result.summary(), highlight=False)


def flags(
    since: Annotated[str | None, typer.Option(help="Flags dated on or after, YYYY-MM-DD")] = None,
    until: Annotated[str | None, typer.Option(help="Flags dated on or before, YYYY-MM-DD")] = None,
    status: Annotated[
        str | None, typer.Option(help="open | confirmed | dismissed | escalated")
    ] = None,
    min_score: Annotated[float, typer.Option(help="Only flags scoring at least this")] = 0.0,
    level: Annotated[str | None, typer.Option(help="shipment | corridor")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many flags")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write csv or json here")] = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """List flags ranked by score, with their detectors and reasons; export as CSV or JSON.

    Example:

        transship flags --since 2025-01-01 --min-score 80 --format csv --out flags.csv
    """
    from transship.run.flags import EXPORT_FORMATS, export_flags, list_flags

    if output_format not in EXPORT_FORMATS:
        errors.print(f"[bold red]error:[/] --format must be one of {', '.join(EXPORT_FORMATS)}")
        raise typer.Exit(EXIT_BAD_OPTION)
    with opened_store(db, materials, read_only=True) as con:
        frame = list_flags(
            con,
            parse_date(since, "--since"),
            parse_date(until, "--until"),
            status,
            min_score,
            level,
            limit,
        )
    if output_format == "table":
        print_flags(frame.head(limit or 20))
        return
    if out is None:
        sys.stdout.write(frame.write_csv() if output_format == "csv" else frame.write_json())
        return
    export_flags(frame, output_format, out)
    console.print(f"{frame.height} flags written to {out}")


def scores(
    start: Annotated[str, typer.Option(help="First arrival date, YYYY-MM-DD")],
    end: Annotated[str, typer.Option(help="Last arrival date, YYYY-MM-DD")],
    output_format: Annotated[str, typer.Option("--format", help="csv | json")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Write here [default: standard output]")] = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Export every scored shipment of a date range, flagged or not: shipment_id,
    arrival_date, importing country, score, then whether it is flagged or chosen for
    learning, its learned part, and whether its score is exact (a shipment the costly
    models skipped has a lower bound).

    Example:

        transship scores --start 2021-04-01 --end 2021-06-30 --format csv --out scores.csv
    """
    from transship.run.scores import SCORE_FORMATS, export_scores, scored_shipments

    if output_format not in SCORE_FORMATS:
        errors.print(f"[bold red]error:[/] --format must be one of {', '.join(SCORE_FORMATS)}")
        raise typer.Exit(EXIT_BAD_OPTION)
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    assert first is not None and last is not None
    with opened_store(db, materials, read_only=True) as con:
        frame = scored_shipments(con, first, last)
    if out is None:
        sys.stdout.write(frame.write_csv() if output_format == "csv" else frame.write_json())
        return
    export_scores(frame, output_format, out)
    console.print(f"{frame.height:,} scored shipments written to {out}", highlight=False)


def print_flags(frame: pl.DataFrame) -> None:
    table = Table(title="Flags", title_justify="left", show_lines=True)
    for column in ("score", "severity", "date", "into", "origin", "hs code", "reasons"):
        table.add_column(column, overflow="fold")
    for row in frame.iter_rows(named=True):
        table.add_row(
            f"{row['score']:.0f}",
            row["severity"],
            str(row["arrival_date"]),
            row["import_country"],
            row["origin_country"],
            row["hs_code"],
            row["reasons"],
        )
    console.print(table)


def runs(
    limit: Annotated[int, typer.Option(help="At most this many runs, newest first")] = 20,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """List pipeline runs: kind, dates, detector version, status, counts, time, error.

    Example:

        transship runs --limit 5
    """
    from transship.storage.summary import recent_runs

    with opened_store(db, materials, read_only=True) as con:
        print_frame(recent_runs(con, limit), "Runs")
