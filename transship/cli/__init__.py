"""The ``transship`` command line: each command parses options and calls one library function.

One module per command group; ``common`` holds what they share. The top-level commands are
registered here, in the order ``transship --help`` lists them.
"""

import sys

import typer

from transship.cli import (
    demo,
    entities,
    evaluate,
    ingest,
    review,
    run,
    schedule,
    store,
    users,
    warn,
)
from transship.cli.common import EXIT_QUARANTINED

__all__ = ["EXIT_QUARANTINED", "app", "main"]

app = typer.Typer(
    help="Find shipments of export-controlled minerals rerouted through third countries.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

for command in (
    store.init,
    store.summary,
    store.quarantine,
    store.check,
    run.backfill,
    run.run,
    run.flags,
    run.scores,
    evaluate.evaluate_real,
    run.runs,
    warn.warn,
    demo.demo,
    demo.serve,
):
    app.command()(command)

app.add_typer(evaluate.app, name="evaluate")
app.add_typer(ingest.app, name="ingest")
app.add_typer(schedule.app, name="schedule")
app.add_typer(review.app, name="review")
app.add_typer(users.app, name="users")
app.add_typer(entities.app, name="entities")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
