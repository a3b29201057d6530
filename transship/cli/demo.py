"""The demo world end to end, and serving the review app."""

from __future__ import annotations

from pathlib import Path
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
from transship.cli.evaluate import print_evaluation
from transship.cli.run import print_flags


def demo(
    world: Annotated[Path, typer.Option(help="Where the demo world is written")] = Path(
        "data/demo-world"
    ),
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Generate the demo world, run the Prefect flows on it, print the top flags and how they rank.

    The ingest flow loads the world, the backfill flow scores every day but the last,
    and the nightly flow scores the last day.

    Example:

        transship demo --db data/demo.duckdb
    """
    from transship.demo import run_demo
    from transship.run.flags import list_flags

    settings = settings_for(db, materials)
    with reported():
        result = run_demo(settings, world, prefect=True)
    for step in result.steps:
        console.print(f"• {step}", highlight=False, soft_wrap=True)
    from transship.storage.summary import recent_runs

    with opened_store(db, materials, read_only=True) as con:
        top = list_flags(con, level="shipment", limit=10)
        print_frame(recent_runs(con, 5).drop("detectors", "error"), "Runs")
    print_flags(top)
    print_evaluation(result.evaluation)
    console.print(
        f"Explore: transship flags --db {settings.db} --min-score 80; "
        f"transship evaluate --db {settings.db} --labels {world / 'labels.csv'}",
        highlight=False,
    )
    console.print(
        f"Review in the browser: transship users add NAME --role admin --db {settings.db}; "
        f"transship serve --db {settings.db} (or `make review`)",
        highlight=False,
    )


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8765,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Serve the analyst review app: sign in, work the queue, read evidence, decide, export.

    The store is opened per request, so nightly runs can still write between requests.

    Example:

        transship serve --port 8765 --db data/demo.duckdb
    """
    import uvicorn

    from transship.review.app import create_app
    from transship.review.users import list_users

    settings = settings_for(db, materials)
    with opened_store(db, materials) as con:
        if list_users(con).height == 0:
            errors.print(
                "[yellow]no users yet:[/] add one with "
                f"`transship users add NAME --role admin --db {settings.db}`",
                highlight=False,
            )
    console.print(f"transship review on http://{host}:{port}/ (store {settings.db})")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
