"""`transship schedule ...`: the nightly Prefect deployment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from transship.cli.common import (
    DbOption,
    MaterialsOption,
    RulesOption,
    command_group,
    console,
    settings_for,
)

app = command_group("The nightly Prefect deployment: see it, or serve it from this machine.")

CronOption = Annotated[str, typer.Option(help="Cron expression for the nightly run")]
TimezoneOption = Annotated[
    str | None, typer.Option(help="IANA time zone [default: this machine's]")
]
DropOption = Annotated[
    Path | None, typer.Option(help="Drop folder: <drop>/<YYYY-MM-DD>/shipments|flows/")
]


@app.command("show")
def schedule_show(
    cron: CronOption = "0 2 * * *",
    timezone: TimezoneOption = None,
    drop_folder: DropOption = None,
    rules: RulesOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Print the nightly deployment (schedule and parameters) and how to deploy it.

    Example:

        transship schedule show --cron "30 1 * * *" --timezone Europe/Brussels
    """
    from transship.flows.schedule import DEPLOYMENT, deployment_parameters, nightly_schedule

    schedule = nightly_schedule(cron, timezone)
    settings = settings_for(db, materials)
    parameters = deployment_parameters(settings.db, drop_folder, rules, settings.materials)
    console.print(f"deployment: {DEPLOYMENT} (flow transship-nightly, flows/nightly.py:nightly)")
    console.print(f"schedule:   cron {schedule.cron!r} in {schedule.timezone}", highlight=False)
    console.print(f"parameters: {parameters}", highlight=False)
    console.print(
        "serve here:  transship schedule serve (or make schedule)\n"
        "work pool:   prefect deploy flows/nightly.py:nightly -n transship-nightly "
        f"--cron {cron!r} --pool YOUR_POOL",
        highlight=False,
    )


@app.command("serve")
def schedule_serve(
    cron: CronOption = "0 2 * * *",
    timezone: TimezoneOption = None,
    drop_folder: DropOption = None,
    rules: RulesOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:  # pragma: no cover - runs until stopped
    """Serve the nightly deployment from this process until stopped (Ctrl-C).

    Runs appear in the Prefect UI of the server PREFECT_API_URL points to (start one
    with `prefect server start`).

    Example:

        transship schedule serve --drop-folder /srv/customs/drop --db /srv/transship.duckdb
    """
    from transship.flows.schedule import deployment_parameters, nightly_schedule, serve

    settings = settings_for(db, materials)
    serve(
        nightly_schedule(cron, timezone),
        deployment_parameters(
            settings.db, drop_folder, rules or settings.rules, settings.materials
        ),
    )
