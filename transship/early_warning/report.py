"""What the command, the monthly flow and the Warnings page share around a digest: the
start they default to, the files a digest is written to, and one line per warning for a
log. (The importing country they default to is the store's:
transship.storage.store.default_import_country.)

A digest's default start is the twelve months up to the latest statistics it reads, not
up to today: statistics arrive months late, and a store of older data still has a year to
show.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from transship.detectors.base import code
from transship.early_warning.digest import Digest, write_digest
from transship.storage.sql import load, scalar

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

DEFAULT_MONTHS = 12


def default_since(
    con: duckdb.DuckDBPyConnection, import_country: str, today: date | None = None
) -> str:
    """'YYYY-MM': the first of the twelve months up to the latest month of the importer's
    imports or China's exports of a controlled code (up to ``today``'s month without any)."""
    last = scalar(
        con, load("early_warning/latest_statistics"), {"import_country": import_country.upper()}
    )
    if last is None:
        last = (today or date.today()).replace(day=1)
    first = last.year * 12 + last.month - DEFAULT_MONTHS
    return f"{first // 12:04d}-{first % 12 + 1:02d}"


def headline(warning: dict[str, Any]) -> str:
    """One warning on one line: 'high 100.0 drop antimony 8110.10 2024 China: ...'."""
    material = warning["material"] or "controlled goods"
    return (
        f"{warning['severity']} {warning['score']:.1f} {warning['kind']} {material} "
        f"{code(warning['hs6'])} {warning['period']} {warning['partner']}: {warning['message']}"
    )


def headlines(digest: Digest, top: int = 10) -> list[str]:
    """The ``top`` warnings of the digest as lines, highest score first."""
    return [headline(row) for row in digest.warnings.head(top).iter_rows(named=True)]


def write_reports(digest: Digest, folder: Path) -> list[Path]:
    """The digest as ``warnings-<country>.json`` and ``.csv`` (with ``.skipped.csv``) in
    ``folder``, created if needed; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"warnings-{digest.import_country}"
    return [
        *write_digest(digest, "json", stem.with_suffix(".json")),
        *write_digest(digest, "csv", stem.with_suffix(".csv")),
    ]
