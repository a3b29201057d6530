"""The Warnings page: an importing country's early warnings from the trade statistics, each
with a chart of its suppliers' shares over time and a link to the flags in its corridor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import duckdb
import polars as pl

from transship.detectors.base import code
from transship.early_warning import KINDS, WarningSettings, warning_digest
from transship.early_warning.digest import parse_since
from transship.early_warning.history import supplier_history
from transship.early_warning.report import default_since
from transship.errors import ReviewError
from transship.review.chart import Marker
from transship.review.evidence import ControlEvent, control_markers
from transship.review.filters import FORM_NAMES, blank_to_none, parse_filters
from transship.review.queue import matching_flags
from transship.review.warning_chart import ShareChart, share_chart
from transship.storage.sql import load, sql_frame
from transship.storage.store import default_import_country

ROLES = {"drop": "fell", "replacement": "rose"}
"""How a warning's partner is drawn on its chart, by the warning's kind."""


@dataclass(frozen=True)
class WarningFilters:
    """What the analyst narrowed the warnings to; None means any."""

    import_country: str
    since: str
    kind: str | None = None
    material: str | None = None


@dataclass(frozen=True)
class WarningCard:
    warning: dict[str, Any]
    chart: str
    """The SVG of the code's supplier shares, this warning's partner highlighted."""
    flags_link: str
    """The review queue filtered to this corridor: origin = partner, HS code."""
    flags: int
    """Flags of any status behind that link."""


@dataclass(frozen=True)
class WarningsPage:
    filters: WarningFilters
    cards: list[WarningCard]
    total: int
    """Warnings for the country since the date, before the kind and material filters."""
    by_severity: dict[str, int]
    """The shown warnings per severity."""
    skipped: pl.DataFrame
    countries: list[tuple[str, str]]
    """(code, name) of every country with import statistics, for the menu."""
    importer_name: str
    materials: list[str]
    kinds: tuple[str, ...] = KINDS


def parse_warning_filters(
    con: duckdb.DuckDBPyConnection, given: Mapping[str, str | None]
) -> WarningFilters:
    """The page's filters from the query string: blanks mean the defaults (the store's
    importing country, the twelve months up to its latest statistics, any kind or
    material). Raises ReviewError for an unknown kind, EarlyWarningError for a period that
    is not YYYY or YYYY-MM; the country is checked when the digest is computed."""
    country = (blank_to_none(given.get("import_country")) or "").upper()
    country = country or default_import_country(con)
    kind = blank_to_none(given.get("kind"))
    if kind is not None and kind not in KINDS:
        raise ReviewError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    since = blank_to_none(given.get("since"))
    if since is not None:
        parse_since(since)
    return WarningFilters(
        import_country=country,
        since=since or default_since(con, country),
        kind=kind,
        material=blank_to_none(given.get("material")),
    )


def warnings_page(
    con: duckdb.DuckDBPyConnection, filters: WarningFilters, settings: WarningSettings
) -> WarningsPage:
    digest = warning_digest(con, filters.import_country, filters.since, settings)
    importer = digest.import_country
    every = digest.warnings
    shown = every
    if filters.kind is not None:
        shown = shown.filter(pl.col("kind") == filters.kind)
    skipped = digest.skipped
    if filters.material is not None:
        shown = shown.filter(_carries(filters.material))
        # A reporter's missing period concerns every code, so it stays.
        skipped = skipped.filter(_carries(filters.material) | pl.col("hs6").is_null())
    countries = _countries(con, importer)
    names = dict(countries)
    history = supplier_history(con, importer, settings)
    country_names = _country_names(con, history, every)
    controls = sql_frame(con, load("review/warning_controls"), {"import_country": importer})
    counts: dict[tuple[str, str], int] = {}
    cards = []
    for warning in shown.iter_rows(named=True):
        link = corridor_link(warning["partner_code"], warning["hs6"], importer)
        key = (warning["partner_code"], warning["hs6"])
        if key not in counts:
            counts[key] = corridor_flags(con, link)
        cards.append(
            WarningCard(
                warning=warning,
                chart=_chart(warning, every, history, controls, country_names, names, settings),
                flags_link="/?" + urlencode(link),
                flags=counts[key],
            )
        )
    by_severity = dict.fromkeys(("high", "medium", "low"), 0)
    by_severity.update(dict(shown.group_by("severity").len().iter_rows()))
    materials = sorted({m for joined in every["material"].drop_nulls() for m in joined.split("/")})
    return WarningsPage(
        filters=WarningFilters(importer, filters.since, filters.kind, filters.material),
        cards=cards,
        total=every.height,
        by_severity=by_severity,
        skipped=skipped,
        countries=countries,
        importer_name=names[importer],
        materials=materials,
    )


def corridor_link(partner: str, hs6: str, importer: str) -> dict[str, str]:
    """The queue's query for the flags of a corridor into the importing country, whatever
    their status."""
    return {"status": "any", "origin": partner, "hs_code": hs6, "import_country": importer}


def corridor_flags(con: duckdb.DuckDBPyConnection, query: dict[str, str]) -> int:
    """How many flags the queue shows for ``corridor_link``'s query: the queue's own filter,
    so the count is what the link opens."""
    return matching_flags(con, parse_filters(query, FORM_NAMES)).height


def _carries(material: str) -> pl.Expr:
    """Rows whose code carries the material ('gallium' matches 'gallium/germanium')."""
    return pl.col("material").str.split("/").list.contains(material)


def _countries(con: duckdb.DuckDBPyConnection, importer: str) -> list[tuple[str, str]]:
    rows = sql_frame(con, load("early_warning/importing_countries"))
    found = [(c, n) for c, n in rows.select("code", "name").iter_rows()]
    if importer not in {c for c, _ in found}:
        found.append((importer, importer))
    return found


def _country_names(
    con: duckdb.DuckDBPyConnection, history: pl.DataFrame, warnings: pl.DataFrame
) -> dict[str, str]:
    """Names of the partners on the charts, from the warnings and the reference table."""
    names = dict(warnings.select("partner_code", "partner").unique().iter_rows())
    wanted = sorted(set(history["partner"]) - set(names))
    if wanted:
        rows = sql_frame(con, load("review/country_names"), {"codes": wanted})
        names.update(dict(rows.select("code", "name").iter_rows()))
    return names


def _chart(
    warning: dict[str, Any],
    every: pl.DataFrame,
    history: pl.DataFrame,
    controls: pl.DataFrame,
    partner_names: dict[str, str],
    importer_names: dict[str, str],
    settings: WarningSettings,
) -> str:
    hs6, importer = warning["hs6"], warning["import_country"]
    frequency = "annual" if len(warning["period"]) == 4 else "monthly"
    of_code = history.filter(pl.col("hs6") == hs6)
    available = set(of_code["frequency"])
    if frequency not in available and available:
        # Only the other frequency is reported (China's monthly exports beside a country's
        # annual imports): show that rather than nothing.
        frequency = available.pop()
    roles = chart_roles(warning, every)
    material = warning["material"] or "controlled goods"
    materials = material.split("/")
    # A control that ended is marked again the day after its last (control_markers).
    events = [
        ControlEvent(**r)
        for r in controls.filter(pl.col("material").is_in(materials)).iter_rows(named=True)
    ]
    importer_name = importer_names.get(importer, importer)
    return share_chart(
        ShareChart(
            history=of_code.filter(pl.col("frequency") == frequency),
            frequency=frequency,
            focus=warning["partner_code"],
            roles=roles,
            names=partner_names,
            window=_window(warning["period"], frequency, settings.window_months),
            markers=[Marker(day, label) for day, label in control_markers(events)],
            title=f"{importer_name} imports of {code(hs6)} ({material}): each supplier's share "
            "of the value",
        )
    )


def chart_roles(warning: dict[str, Any], every: pl.DataFrame) -> dict[str, str]:
    """Who is drawn as falling or rising on a warning's chart: its partner by its kind, a
    replacement's replaced suppliers, and a drop's replacements on the same code."""
    roles = {}
    if warning["kind"] == "replacement":
        roles = dict.fromkeys((warning["replaced"] or "").split(","), "fell")
    elif warning["kind"] == "drop":
        replacing = every.filter(
            (pl.col("kind") == "replacement")
            & (pl.col("hs6") == warning["hs6"])
            & pl.col("replaced").str.split(",").list.contains(warning["partner_code"])
        )
        roles = dict.fromkeys(replacing["partner_code"], "rose")
    roles.pop("", None)
    if warning["kind"] in ROLES:
        roles[warning["partner_code"]] = ROLES[warning["kind"]]
    return roles


def _window(period: str, frequency: str, months: int) -> tuple[date, date] | None:
    """The months the warning's figures cover (a year, or ``months`` ending with the
    period's), first day of the first to first day of the last; None when the chart shows
    the other frequency."""
    if frequency == "annual":
        if len(period) != 4:
            return None
        year = int(period)
        return date(year, 1, 1), date(year, 12, 1)
    if len(period) != 7:
        return None
    year, month = int(period[:4]), int(period[5:])
    first = year * 12 + month - months
    return date(first // 12, first % 12 + 1, 1), date(year, month, 1)
