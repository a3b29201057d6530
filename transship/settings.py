"""Run configuration, read once at the entry point and passed down."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting can be given as an environment variable with the ``TRANSSHIP_`` prefix."""

    model_config = SettingsConfigDict(env_prefix="TRANSSHIP_")

    db: Path = Path("data/transship.duckdb")
    """The embedded DuckDB store (``TRANSSHIP_DB``)."""

    exchange: Path | None = None
    """Where a backfill on the processes or dask engine writes its Parquet export of the
    store for its workers (``TRANSSHIP_EXCHANGE``); on a cluster of several machines, a
    folder every worker mounts at the same path. Beside the store when unset."""

    memory_limit: str | None = None
    """DuckDB memory limit such as ``4GB``; DuckDB's own default when unset."""

    rules: Path | None = None
    """Detector settings file (``TRANSSHIP_RULES``); the bundled rules.toml when unset."""

    session_hours: float = 12.0
    """How long a review sign-in lasts (``TRANSSHIP_SESSION_HOURS``): one working day."""

    cookie_secure: bool = False
    """Send the sign-in cookie over HTTPS only (``TRANSSHIP_COOKIE_SECURE``); set it when
    the review app is served behind TLS."""

    materials: Path | None = None
    """A folder of extra materials files (``TRANSSHIP_MATERIALS``), ``*.toml`` in the format
    of transship/reference/materials/: new materials, or more rows for shipped ones. They
    are checked and installed with the shipped files whenever they change."""
