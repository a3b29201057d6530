"""`transship schedule ...`: the Prefect deployments, the nightly run and the monthly
early-warning digest."""

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

app = command_group(
    "The Prefect deployments (nightly run, monthly warnings): see them, or serve them here."
)

CronOption = Annotated[str, typer.Option(help="Cron expression for the nightly run")]
WarningsCronOption = Annotated[
    str, typer.Option(help="Cron expression for the monthly early-warning digest")
]
CountriesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--import-country",
        help="Importing country of the monthly digest, alpha-2; repeat for several "
        "[default: the store's]",
    ),
]
WarningsFolderOption = Annotated[
    Path | None,
    typer.Option(
        help="Folder for the monthly digests, <folder>/<YYYY-MM>/ [default: data/warnings]"
    ),
]
TimezoneOption = Annotated[
    str | None, typer.Option(help="IANA time zone [default: this machine's]")
]
DropOption = Annotated[
    Path | None, typer.Option(help="Drop folder: <drop>/<YYYY-MM-DD>/shipments|flows/")
]


@app.command("show")
def schedule_show(
    cron: CronOption = "0 2 * * *",
    warnings_cron: WarningsCronOption = "0 3 20 * *",
    timezone: TimezoneOption = None,
    drop_folder: DropOption = None,
    import_country: CountriesOption = None,
    warnings_folder: WarningsFolderOption = None,
    rules: RulesOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:
    """Print the deployments (schedules and parameters) and how to deploy them.

    Example:

        transship schedule show --cron "30 1 * * *" --timezone Europe/Brussels
    """
    from transship.flows.schedule import (
        DEPLOYMENT,
        WARNINGS_DEPLOYMENT,
        deployment_parameters,
        nightly_schedule,
        warnings_parameters,
        warnings_schedule,
    )

    settings = settings_for(db, materials)
    store_path = settings.db
    for name, entrypoint, schedule, parameters in (
        (
            DEPLOYMENT,
            "flows/nightly.py:nightly",
            nightly_schedule(cron, timezone),
            deployment_parameters(store_path, drop_folder, rules, settings.materials),
        ),
        (
            WARNINGS_DEPLOYMENT,
            "flows/early_warning.py:monthly_warnings",
            warnings_schedule(warnings_cron, timezone),
            warnings_parameters(store_path, import_country, warnings_folder, rules),
        ),
    ):
        console.print(
            f"deployment: {name} (flow {name}, {entrypoint})", highlight=False, soft_wrap=True
        )
        console.print(f"schedule:   cron {schedule.cron!r} in {schedule.timezone}", highlight=False)
        console.print(f"parameters: {parameters}", highlight=False)
        console.print(
            f"work pool:  prefect deploy {entrypoint} -n {name} --cron {schedule.cron!r} "
            "--pool YOUR_POOL\n",
            highlight=False,
            soft_wrap=True,
        )
    console.print("serve both here: transship schedule serve (or make schedule)")


@app.command("serve")
def schedule_serve(
    cron: CronOption = "0 2 * * *",
    warnings_cron: WarningsCronOption = "0 3 20 * *",
    timezone: TimezoneOption = None,
    drop_folder: DropOption = None,
    import_country: CountriesOption = None,
    warnings_folder: WarningsFolderOption = None,
    rules: RulesOption = None,
    db: DbOption = None,
    materials: MaterialsOption = None,
) -> None:  # pragma: no cover - runs until stopped
    """Serve the nightly and monthly-warnings deployments from this process until stopped
    (Ctrl-C).

    Runs appear in the Prefect UI of the server PREFECT_API_URL points to (start one
    with `prefect server start`).

    Example:

        transship schedule serve --drop-folder /srv/customs/drop --db /srv/transship.duckdb
    """
    from transship.flows.schedule import (
        deployment_parameters,
        deployments,
        nightly_schedule,
        serve,
        warnings_parameters,
        warnings_schedule,
    )

    settings = settings_for(db, materials)
    rules = rules or settings.rules
    serve(
        deployments(
            nightly_schedule(cron, timezone),
            deployment_parameters(settings.db, drop_folder, rules, settings.materials),
            warnings_schedule(warnings_cron, timezone),
            warnings_parameters(settings.db, import_country, warnings_folder, rules),
        )
    )
