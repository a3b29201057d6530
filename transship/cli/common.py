"""What every command shares: the consoles, the --db and --rules options, opening the store,
turning transship errors into a message and an exit code, and printing frames."""

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
        "--db", help="DuckDB store file [default: $TRANSSHIP_DB or data/transship.duckdb]"
    ),
]
RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Detector settings TOML [default: $TRANSSHIP_RULES or bundled]"),
]


def command_group(help_text: str) -> typer.Typer:
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode="rich")


def settings_for(db: Path | None) -> Settings:
    settings = Settings()
    return settings.model_copy(update={"db": db}) if db is not None else settings


@contextmanager
def reported() -> Iterator[None]:
    """Any transship error inside becomes its message and its exit code."""
    try:
        yield
    except TransshipError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from exc


@contextmanager
def opened_store(db: Path | None, read_only: bool = False) -> Iterator[DuckDBPyConnection]:
    """The store for one command; any transship error becomes a message and an exit code."""
    from transship.storage.store import store

    settings = settings_for(db)
    with (
        reported(),
        store(settings.db, read_only=read_only, memory_limit=settings.memory_limit) as con,
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
