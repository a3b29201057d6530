"""Everything an analyst weighs for one flag, gathered from the store."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import polars as pl

from transship.errors import UnknownFlagError
from transship.review.decisions import decision_log
from transship.review.queue import flag_rows
from transship.storage.sql import load, sql_frame

# Reasons are stored as one paragraph of sentences; a sentence ends at a full stop followed
# by a capital (codes such as 8112.92 and amounts such as 1.3 t never are).
_SENTENCE_END = re.compile(r"(?<=[.)])\s+(?=[A-Z])")

LEG_LABELS = {
    "cn_to_origin_by_cn": "China reported exporting to {origin}",
    "cn_to_origin_by_origin": "{origin} reported importing from China",
    "origin_to_us_by_origin": "{origin} reported exporting to the US",
    "origin_to_us_by_us": "The US reported importing from {origin}",
    "cn_to_us_by_us": "The US reported importing from China",
}
TRADER_SHIPMENTS = 12
"""Shipments shown per trader: the latest up to the flagged one's date."""


@dataclass(frozen=True)
class Contribution:
    detector: str
    score: float | None
    """The detector's own score, 0-1; None where the flag did not store it."""
    contribution: float
    """Its weighted share before fusion."""


@dataclass(frozen=True)
class ControlEvent:
    effective_date: date
    material: str
    measure: str
    description: str


@dataclass(frozen=True)
class LegRow:
    """One leg of the route as the trade statistics report it."""

    label: str
    cells: list[tuple[float, float | None] | None]
    """(value in USD, weight in kg) for each of the evidence's leg_years; None when not reported."""


@dataclass(frozen=True)
class Evidence:
    """What the flag page and `transship review show` present, each in its own form."""

    flag: dict[str, Any]
    origin: str
    """The declared origin's name, or its code when the name is unknown."""
    reasons: list[str]
    contributions: list[Contribution]
    corridor: pl.DataFrame
    legs: pl.DataFrame
    leg_years: list[int]
    leg_rows: list[LegRow]
    """The legs in route order, one cell per year of leg_years."""
    controls: list[ControlEvent]
    exporter: dict[str, Any] | None
    importer: dict[str, Any] | None
    exporter_shipments: pl.DataFrame
    importer_shipments: pl.DataFrame
    decisions: pl.DataFrame


def reason_sentences(reasons: str) -> list[str]:
    return [sentence for sentence in _SENTENCE_END.split(reasons.strip()) if sentence]


def contributions(stored: str) -> list[Contribution]:
    """Each detector's part in the score, largest first, whatever the flag's level.

    Flags store ``{name: {"score": s, "contribution": c}}``; corridor-month flags written
    before every level did stored ``{name: c}``, shown without the detector's own score.
    """
    found = [
        Contribution(name, float(part["score"]), float(part["contribution"]))
        if isinstance(part, dict)
        else Contribution(name, None, float(part))
        for name, part in json.loads(stored).items()
    ]
    return sorted(found, key=lambda c: -c.contribution)


def control_events(con: duckdb.DuckDBPyConnection, material: str | None) -> list[ControlEvent]:
    """China's measures on the flag's material(s); 'gallium/germanium' covers both."""
    if not material:
        return []
    rows = con.execute(load("review/control_events"), {"material": material}).fetchall()
    return [ControlEvent(*row) for row in rows]


def _profile(con: duckdb.DuckDBPyConnection, table: str, key: str, name: str | None) -> Any:
    if name is None:
        return None
    frame = sql_frame(con, load("review/trader_profile", table=table, key=key), {"name": name})
    return frame.row(0, named=True) if frame.height else None


def _trader_shipments(
    con: duckdb.DuckDBPyConnection, role: str, name: str | None, until: date
) -> pl.DataFrame:
    return sql_frame(
        con,
        load("review/trader_shipments"),
        {"role": role, "name": name, "until": until, "limit": TRADER_SHIPMENTS},
    )


def flag_evidence(con: duckdb.DuckDBPyConnection, flag_id: str) -> Evidence:
    rows = flag_rows(con, [flag_id])
    if rows.height == 0:
        raise UnknownFlagError(f"no flag {flag_id!r} in the store")
    flag = rows.row(0, named=True)
    origin = flag["origin_name"] or flag["origin_country"]
    corridor = {"origin": flag["origin_country"], "hs6": flag["hs6"]}
    day = flag["flag_date"]
    legs = sql_frame(con, load("review/corridor_legs"), corridor)
    years = sorted(set(legs["year"].to_list()))
    return Evidence(
        flag=flag,
        origin=origin,
        reasons=reason_sentences(flag["reasons"]),
        contributions=contributions(flag["contributions"]),
        corridor=sql_frame(
            con, load("review/corridor_months"), {**corridor, "flag_month": day.replace(day=1)}
        ),
        legs=legs,
        leg_years=years,
        leg_rows=_leg_rows(legs, years, origin),
        controls=control_events(con, flag["material"]),
        exporter=_profile(con, "profile_exporters", "exporter", flag["exporter"]),
        importer=_profile(con, "profile_importers", "importer", flag["importer"]),
        exporter_shipments=_trader_shipments(con, "exporter", flag["exporter"], day),
        importer_shipments=_trader_shipments(con, "importer", flag["importer"], day),
        decisions=decision_log(con, flag_id=flag_id),
    )


def control_markers(events: list[ControlEvent]) -> list[tuple[date, str]]:
    """One chart marker per date: 'gallium, germanium ban' rather than two lines on one day."""
    by_day: dict[date, dict[str, list[str]]] = {}
    for event in events:
        by_day.setdefault(event.effective_date, {}).setdefault(event.measure, []).append(
            event.material
        )
    return [
        (day, "; ".join(f"{', '.join(materials)} {measure}" for measure, materials in m.items()))
        for day, m in sorted(by_day.items())
    ]


def _leg_rows(legs: pl.DataFrame, years: list[int], origin: str) -> list[LegRow]:
    rows = []
    for leg, label in LEG_LABELS.items():
        reported = legs.filter(pl.col("leg") == leg)
        if reported.height == 0:
            continue
        by_year = {
            r["year"]: (r["value_usd"], r["weight_kg"]) for r in reported.iter_rows(named=True)
        }
        rows.append(LegRow(label.format(origin=origin), [by_year.get(year) for year in years]))
    return rows
