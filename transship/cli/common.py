"""What every command shares: the consoles, the --db, --materials and --rules options,
opening the store, turning transship errors into a message and an exit code, and printing
frames."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from duckdb import DuckDBPyConnection
from rich.console import Console
from rich.table import Table

from transship.errors import TransshipError
from transship.settings import Settings

console = Console()
errors = Console(stderr=True)

EXIT_QUARANTINED = 4
"""`ingest --strict` when any row was quarantined."""
EXIT_BAD_OPTION = 2
"""An option's value cannot be used (a date that is not one, an unknown format)."""

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help=r"DuckDB store file \[default: $TRANSSHIP_DB or data/transship.duckdb]"
    ),
]
MaterialsOption = Annotated[
    Path | None,
    typer.Option(
        "--materials",
        help=(
            "A folder of your own materials files (*.toml, written like the shipped ones in "
            "transship/reference/materials), installed with the shipped ones, for example "
            "--materials ~/transship-materials "
            r"\[default: $TRANSSHIP_MATERIALS, else the shipped files only]"
        ),
    ),
]
RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help=r"Detector settings TOML \[default: $TRANSSHIP_RULES or bundled]"),
]


def command_group(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode="rich")


def settings_for(db: Path | None, materials: Path | None = None) -> Settings:
    """The settings, with the options given on the command line in place of theirs."""
    given = {"db": db, "materials": materials}
    return Settings().model_copy(update={k: v for k, v in given.items() if v is not None})


@contextmanager
def reported() -> Iterator[None]:
    """Any transship error inside becomes its message and its exit code."""
    try:
        yield
    except TransshipError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from exc


@contextmanager
def opened_store(
    db: Path | None, materials: Path | None = None, read_only: bool = False
) -> Iterator[DuckDBPyConnection]:
    """The store for one command, with the materials folder installed; any transship error
    becomes a message and an exit code."""
    from transship.storage.store import store

    settings = settings_for(db, materials)
    with (
        reported(),
        store(
            settings.db,
            read_only=read_only,
            memory_limit=settings.memory_limit,
            materials=settings.materials,
        ) as con,
    ):
        yield con


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.print(f"[bold red]error:[/] {option} {value!r} is not a date like 2025-01-31")
        raise typer.Exit(EXIT_BAD_OPTION) from None


def print_frame(frame: pl.DataFrame, title: str) -> None:
    table = Table(title=title, title_justify="left")
    for column in frame.columns:
        table.add_column(column)
    for row in frame.iter_rows():
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
