"""The review queue: flags ranked by score under the analyst's filters, a page at a time."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import duckdb
import polars as pl

from transship.errors import ReviewError
from transship.run.flags import LEVELS, STATUSES
from transship.storage.sql import load, sql_frame

SEVERITIES = ("high", "medium", "low")
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilters:
    """What the analyst narrowed the queue to; None means any."""

    status: str | None = "open"
    import_country: str | None = None
    material: str | None = None
    origin: str | None = None
    hs_code: str | None = None
    since: date | None = None
    until: date | None = None
    severity: str | None = None
    detector: str | None = None
    level: str | None = None

    def check(self) -> None:
        for name, value, allowed in (
            ("status", self.status, STATUSES),
            ("severity", self.severity, SEVERITIES),
            ("level", self.level, LEVELS),
        ):
            if value is not None and value not in allowed:
                raise ReviewError(f"unknown {name} {value!r}; use one of {', '.join(allowed)}")
        if self.since and self.until and self.until < self.since:
            raise ReviewError(f"the date range ends ({self.until}) before it starts ({self.since})")
        if self.hs_code is not None and not self.hs_code.isdigit():
            raise ReviewError(f"HS code filter {self.hs_code!r} must be digits (a prefix is fine)")


@dataclass(frozen=True)
class QueuePage:
    rows: pl.DataFrame
    matching: int
    """Flags matching every filter, status included."""
    by_status: dict[str, int]
    """Flags matching every filter but status, per status."""
    by_severity: dict[str, int]
    """Flags matching every filter, per severity."""
    page: int
    pages: int


def matching_flags(con: duckdb.DuckDBPyConnection, filters: QueueFilters) -> pl.DataFrame:
    """Id, score, severity, status and date of every flag under the filters but status."""
    filters.check()
    params = asdict(filters)
    del params["status"]
    return sql_frame(con, load("review/queue_matches"), params)


def _with_status(matching: pl.DataFrame, status: str | None) -> pl.DataFrame:
    return matching if status is None else matching.filter(pl.col("status") == status)


def flag_rows(con: duckdb.DuckDBPyConnection, flag_ids: list[str]) -> pl.DataFrame:
    """The flags with their shipment fields and latest decision, ranked."""
    return sql_frame(con, load("review/queue_rows"), {"flag_ids": flag_ids})


def queue(
    con: duckdb.DuckDBPyConnection,
    filters: QueueFilters,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the ranked queue, with counts an analyst plans the day by."""
    if page < 1 or page_size < 1:
        raise ReviewError("pages and page sizes start at 1")
    every_status = matching_flags(con, filters)
    by_status = dict.fromkeys(STATUSES, 0)
    by_status.update(dict(every_status.group_by("status").len().iter_rows()))
    chosen = _with_status(every_status, filters.status)
    by_severity = dict.fromkeys(SEVERITIES, 0)
    by_severity.update(dict(chosen.group_by("severity").len().iter_rows()))
    pages = max(1, -(-chosen.height // page_size))
    page = min(page, pages)
    ids = chosen["flag_id"].slice((page - 1) * page_size, page_size).to_list()
    return QueuePage(flag_rows(con, ids), chosen.height, by_status, by_severity, page, pages)


GROUPINGS = ("exporter", "importer")
"""What the queue can group its shipment flags by: the trader of either role."""


@dataclass(frozen=True)
class GroupedPage:
    groups: pl.DataFrame
    """One row per case (``review/queue_groups``): trader and corridor, how many flags,
    the top score, the dates, the spellings and the flag ids."""
    flags: int
    """Shipment flags in every case of the filtered queue."""
    cases: int
    corridor_flags: int
    """Corridor flags in the filtered queue: they have no trader and are not grouped."""
    page: int
    pages: int


def grouped_queue(
    con: duckdb.DuckDBPyConnection,
    filters: QueueFilters,
    by: str,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> GroupedPage:
    """The filtered queue as cases: its shipment flags grouped by the ``by`` trader's
    entity and corridor, a page of cases at a time."""
    if by not in GROUPINGS:
        raise ReviewError(f"unknown grouping {by!r}; group by {' or '.join(GROUPINGS)}")
    if page < 1 or page_size < 1:
        raise ReviewError("pages and page sizes start at 1")
    chosen = _with_status(matching_flags(con, filters), filters.status)
    groups = sql_frame(
        con, load("review/queue_groups"), {"role": by, "flag_ids": chosen["flag_id"].to_list()}
    )
    grouped = int(groups["flags"].sum()) if groups.height else 0
    pages = max(1, -(-groups.height // page_size))
    page = min(page, pages)
    return GroupedPage(
        groups.slice((page - 1) * page_size, page_size),
        grouped,
        groups.height,
        chosen.height - grouped,
        page,
        pages,
    )


def queue_export(con: duckdb.DuckDBPyConnection, filters: QueueFilters) -> pl.DataFrame:
    """Every flag in the filtered queue (not just one page), for CSV export: the detectors'
    parts stay out, being JSON that a spreadsheet cannot use."""
    every_status = matching_flags(con, filters)
    chosen = _with_status(every_status, filters.status)
    return flag_rows(con, chosen["flag_id"].to_list()).drop("contributions")


def filter_choices(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """The values the queue's filter menus offer: those present among flags."""

    choices: dict[str, list[str]] = {
        "import_country": [],
        "material": [],
        "origin": [],
        "detector": [],
    }
    for menu, choice in con.execute(load("review/filter_choices")).fetchall():
        choices[menu].append(choice)
    return choices
