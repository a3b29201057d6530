"""`transship warn`: early warnings of disruptions and diversions in the trade statistics."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from transship.cli.common import (
    EXIT_BAD_OPTION,
    DbOption,
    MaterialsOption,
    RulesOption,
    console,
    errors,
    opened_store,
    reported,
    settings_for,
)


def warn(
    import_country: Annotated[
        str | None,
        typer.Option(
            help="Importing country, ISO alpha-2 (US, JP, KR) [default: the store's default "
            "importing country, else US]"
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Warnings for periods ending on or after, YYYY or YYYY-MM [default: the 12 "
            "months up to the latest statistics]"
        ),
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write json or csv here (csv: what could not be computed goes beside it, in "
            "NAME.skipped.csv) [default: standard output]"
        ),
    ] = None,
    rules: RulesOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Early warnings from trade statistics: a supplier's fall, who replaced it, China's
    exports diverted to third countries, concentration and price gaps, ranked by severity.

    Reads the importing country's imports and China's exports of every controlled code.
    What could not be computed (gaps, missing weights, conflicting duplicates) is listed
    with the reason. A bad country, period or format exits with code 2. Thresholds are in
    the early_warning section of the rules file.

    Example:

        transship warn --import-country US --since 2023-01 --format csv --out warnings.csv
    """
    from transship.detectors import DetectorConfig
    from transship.early_warning import warning_digest
    from transship.early_warning.digest import FORMATS, digest_json, write_digest
    from transship.early_warning.report import default_since
    from transship.storage.store import default_import_country

    if output_format not in ("table", *FORMATS):
        errors.print(
            f"[bold red]error:[/] --format must be one of table, {', '.join(FORMATS)}, "
            f"got {output_format!r}",
            highlight=False,
        )
        raise typer.Exit(EXIT_BAD_OPTION)
    if out is not None and output_format == "table":
        errors.print("[bold red]error:[/] --out needs --format json or csv", highlight=False)
        raise typer.Exit(EXIT_BAD_OPTION)
    with reported():
        settings = DetectorConfig.load(rules or settings_for(db).rules).warning_settings
    with opened_store(db, materials, read_only=True) as con:
        country = import_country or default_import_country(con)
        start = since or default_since(con, country)
        digest = warning_digest(con, country, start, settings)
    if output_format == "table":
        print_digest(digest.warnings, digest.skipped, f"{digest.import_country} since {start}")
    elif out is None and output_format == "json":
        sys.stdout.write(digest_json(digest))
    elif out is None:
        sys.stdout.write(digest.warnings.write_csv())
        _print_skipped(digest.skipped, errors)
    else:
        with reported():
            written = write_digest(digest, output_format, out)
        console.print(
            f"{digest.warnings.height} warnings written to {', '.join(map(str, written))}",
            highlight=False,
        )


def print_digest(warnings: pl.DataFrame, skipped: pl.DataFrame, what: str) -> None:
    """The ranked warnings as a table, then what could not be computed and why."""
    from transship.detectors.base import code

    counts = warnings["severity"].value_counts()
    by_severity = dict(counts.iter_rows())
    tally = ", ".join(
        f"{by_severity[s]} {s}" for s in ("high", "medium", "low") if s in by_severity
    )
    if warnings.is_empty():
        console.print(f"No early warnings for {what}.", highlight=False)
    else:
        table = Table(
            title=f"Early warnings for {what}: {warnings.height} ({tally})",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_lines=True,
            expand=True,
        )
        # The particulars stack in one narrow column so the message keeps the width.
        table.add_column("severity, score, kind\ncode, period, partner", max_width=28)
        table.add_column("warning", ratio=1)
        for row in warnings.iter_rows(named=True):
            particulars = (
                f"[bold]{row['severity']} {row['score']:.0f}[/] {row['kind']}\n"
                f"{code(row['hs6'])} {row['material'] or ''}\n{row['period']} {row['partner']}"
            )
            note = f" ({row['note']})" if row["note"] else ""
            table.add_row(particulars, escape(row["message"] + note))
        console.print(table)
    _print_skipped(skipped, console)


def _print_skipped(skipped: pl.DataFrame, where: Console) -> None:
    from transship.detectors.base import code

    for row in skipped.iter_rows(named=True):
        subject = ", ".join(
            part
            for part in (
                f"{row['material']} {code(row['hs6'])}" if row["hs6"] else None,
                row["kind"],
                row["partner"],
                row["periods"],
            )
            if part
        )
        where.print(f"could not compute: {subject}: {row['reason']}", highlight=False)
