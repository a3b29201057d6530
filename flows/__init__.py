"""Prefect flows: thin wrappers that run transship's library functions as tasks."""

from flows.backfill import backfill
from flows.ingest import ingest
from flows.nightly import nightly

__all__ = ["backfill", "ingest", "nightly"]
