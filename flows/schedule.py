"""The nightly deployment: its schedule, and serving it from this machine."""

from __future__ import annotations

import os
from pathlib import Path

from prefect.schedules import Cron, Schedule

from transship.flows.ingest import DEFAULT_DB
from transship.flows.nightly import nightly

DEPLOYMENT = "transship-nightly"
DEFAULT_CRON = "0 2 * * *"


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


def serve(schedule: Schedule, parameters: dict[str, object]) -> None:  # pragma: no cover
    """Run the scheduler in this process until stopped (Ctrl-C)."""
    nightly.serve(name=DEPLOYMENT, schedules=[schedule], parameters=parameters)
