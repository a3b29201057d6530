"""The deployments: the nightly run and the monthly early-warning digest, their schedules,
and serving both from this machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

from prefect import serve as serve_deployments
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Schedule

from transship.flows.early_warning import monthly_warnings
from transship.flows.ingest import DEFAULT_DB
from transship.flows.nightly import nightly

DEPLOYMENT = "transship-nightly"
DEFAULT_CRON = "0 2 * * *"
WARNINGS_DEPLOYMENT = "transship-warnings"
WARNINGS_CRON = "0 3 20 * *"
"""The 20th at 03:00: China's customs publish a month's detailed trade around the 20th of
the next month and the US Census about five weeks after a month ends, so by then both
usually hold the month before last; the 02:00 nightly run has finished."""


def local_timezone() -> str:
    """This machine's IANA time zone ('Europe/Brussels'), or UTC when it cannot be told."""
    if os.environ.get("TZ", "").strip("/"):
        return os.environ["TZ"].lstrip(":")
    link = Path("/etc/localtime")
    if link.is_symlink() and "zoneinfo/" in str(link.resolve()):
        return str(link.resolve()).split("zoneinfo/", 1)[1]
    return "UTC"


def nightly_schedule(cron: str = DEFAULT_CRON, timezone: str | None = None) -> Schedule:
    return Cron(cron, timezone=timezone or local_timezone())


def warnings_schedule(cron: str = WARNINGS_CRON, timezone: str | None = None) -> Schedule:
    return Cron(cron, timezone=timezone or local_timezone())


def deployment_parameters(
    db: Path = DEFAULT_DB,
    drop_folder: Path | None = None,
    rules: Path | None = None,
    materials: Path | None = None,
) -> dict[str, object]:
    """The nightly flow's parameters as the deployment passes them (day stays unset: each
    run scores the day before it starts)."""
    parameters: dict[str, object] = {"db": str(db)}
    for name, value in (("drop_folder", drop_folder), ("rules", rules), ("materials", materials)):
        if value is not None:
            parameters[name] = str(value)
    return parameters


def warnings_parameters(
    db: Path = DEFAULT_DB,
    import_countries: list[str] | None = None,
    out_folder: Path | None = None,
    rules: Path | None = None,
) -> dict[str, object]:
    """The monthly warnings flow's parameters as the deployment passes them (since and month
    stay unset: each run covers the year up to the latest statistics, in this month's
    folder)."""
    parameters: dict[str, object] = {"db": str(db)}
    if import_countries:
        parameters["import_countries"] = [country.upper() for country in import_countries]
    if out_folder is not None:
        parameters["out_folder"] = str(out_folder)
    if rules is not None:
        parameters["rules"] = str(rules)
    return parameters


def deployments(
    schedule: Schedule,
    parameters: dict[str, object],
    monthly: Schedule,
    monthly_parameters: dict[str, object],
) -> list[RunnerDeployment]:
    """The nightly and the monthly-warnings deployments, as ``serve`` runs them."""
    built = [
        nightly.to_deployment(name=DEPLOYMENT, schedules=[schedule], parameters=parameters),
        monthly_warnings.to_deployment(
            name=WARNINGS_DEPLOYMENT, schedules=[monthly], parameters=monthly_parameters
        ),
    ]
    # Called from synchronous code, to_deployment returns the deployment, not a coroutine.
    return [cast("RunnerDeployment", deployment) for deployment in built]


def serve(deployments: list[RunnerDeployment]) -> None:  # pragma: no cover - runs until stopped
    """Run the scheduler for the deployments in this process until stopped (Ctrl-C)."""
    serve_deployments(*deployments)
