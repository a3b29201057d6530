"""The monthly early-warning digest: for each importing country, the warnings from the trade
statistics written as JSON and CSV into a folder named by month, the top lines logged.

Scheduled after the month's statistics usually arrive (see ``schedule``); it only reads
the store, and waits for a run that is writing to it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from transship.detectors import DetectorConfig
from transship.early_warning import WarningSettings, warning_digest
from transship.early_warning.report import default_since, headlines, write_reports
from transship.errors import EarlyWarningError
from transship.flows.ingest import DEFAULT_DB, _store_busy
from transship.settings import Settings
from transship.storage.store import default_import_country, store

DEFAULT_FOLDER = Path("data/warnings")
TOP_LINES = 10


def importing_countries(db: Path, configured: list[str] | None) -> list[str]:
    """The countries asked for, upper-cased and each once; else the store's default."""
    if configured:
        return list(dict.fromkeys(country.strip().upper() for country in configured))
    with store(db, read_only=True, materials=Settings().materials) as con:
        return [default_import_country(con)]


@dataclass(frozen=True)
class CountryReport:
    import_country: str
    since: str
    warnings: int
    high: int
    skipped: int
    files: list[Path]
    top: list[str]
    """The highest-scoring warnings, one line each."""

    def summary(self) -> str:
        return (
            f"{self.import_country} since {self.since}: {self.warnings} warnings ({self.high} "
            f"high), {self.skipped} signals not computed; written to "
            f"{', '.join(map(str, self.files))}"
        )

    def report(self) -> dict[str, object]:
        return {**asdict(self), "files": [str(path) for path in self.files]}


def country_digest(
    db: Path, country: str, since: str | None, settings: WarningSettings, folder: Path
) -> CountryReport:
    """One country's digest written into ``folder``."""
    with store(db, read_only=True, materials=Settings().materials) as con:
        start = since or default_since(con, country)
        digest = warning_digest(con, country, start, settings)
    return CountryReport(
        import_country=digest.import_country,
        since=start,
        warnings=digest.warnings.height,
        high=digest.warnings.filter(pl.col("severity") == "high").height,
        skipped=digest.skipped.height,
        files=write_reports(digest, folder),
        top=headlines(digest, TOP_LINES),
    )


def month_folder(out_folder: Path, month: str | None, today: date | None = None) -> Path:
    """``<out_folder>/<YYYY-MM>``: the month given, else this one."""
    if month is None:
        return out_folder / (today or date.today()).strftime("%Y-%m")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise EarlyWarningError(f"month must be YYYY-MM, got {month!r}")
    return out_folder / month


@task(retries=3, retry_delay_seconds=60, retry_condition_fn=_store_busy, cache_policy=NO_CACHE)
def countries_to_warn(db: Path, configured: list[str] | None) -> list[str]:
    return importing_countries(db, configured)


@task(retries=3, retry_delay_seconds=60, retry_condition_fn=_store_busy, cache_policy=NO_CACHE)
def warn_country(
    db: Path, country: str, since: str | None, settings: WarningSettings, folder: Path
) -> dict[str, object]:
    report = country_digest(db, country, since, settings, folder)
    logger = get_run_logger()
    logger.info(report.summary())
    for line in report.top:
        logger.info(line)
    return report.report()


@flow(name="transship-warnings")
def monthly_warnings(
    import_countries: list[str] | None = None,
    since: str | None = None,
    month: str | None = None,
    db: Path = DEFAULT_DB,
    out_folder: Path = DEFAULT_FOLDER,
    rules: Path | None = None,
) -> list[dict[str, object]]:
    """Write each importing country's early-warning digest (default: the store's default
    country; since the twelve months up to its latest statistics) into
    ``<out_folder>/<month>/`` (default: this month, YYYY-MM)."""
    settings = DetectorConfig.load(rules).warning_settings
    folder = month_folder(out_folder, month)
    return [
        warn_country(db, country, since, settings, folder)
        for country in countries_to_warn(db, import_countries)
    ]
