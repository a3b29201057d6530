"""Prefect flows: thin wrappers that run transship's library functions as tasks."""

import os

# transship runs where only package registries are reachable: Prefect's usage telemetry
# can only fail there, and its temporary server's attempt to record it locks its database.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# A run without a server starts a temporary one; Prefect gives it 20 s, which a busy
# machine exceeded (the demo failed at load 20 and passed when rerun).
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

from transship.flows.backfill import backfill
from transship.flows.early_warning import monthly_warnings
from transship.flows.ingest import ingest
from transship.flows.nightly import nightly

__all__ = ["backfill", "ingest", "monthly_warnings", "nightly"]
