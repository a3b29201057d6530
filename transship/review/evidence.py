"""Everything an analyst weighs for one flag, gathered from the store."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import duckdb
import polars as pl

from transship.errors import UnknownFlagError
from transship.importers import CONTROLLING_EXPORTER, CONTROLLING_EXPORTER_NAME, importer
from transship.review.decisions import decision_log
from transship.review.queue import flag_rows
from transship.storage.sql import load, sql_frame

# Reasons are stored as one paragraph of sentences; a sentence ends at a full stop followed
# by a capital (codes such as 8112.92 and amounts such as 1.3 t never are).
_SENTENCE_END = re.compile(r"(?<=[.)])\s+(?=[A-Z])")

LEG_LABELS = {
    "cn_to_origin_by_cn": "{exporter} reported exporting to {origin}",
    "cn_to_origin_by_origin": "{origin} reported importing from {exporter}",
    "origin_to_importer_by_origin": "{origin} reported exporting to {importer}",
    "origin_to_importer_by_importer": "{Importer} reported importing from {origin}",
    "cn_to_importer_by_importer": "{Importer} reported importing from {exporter}",
    "cn_to_importer_by_cn": "{exporter} reported exporting to {importer}",
}
"""The route's legs in order (China -> origin -> importing country, then the direct
flow), each as the side that reported it."""
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
    end_date: date | None
    """The last day in force, if it ended."""
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
    """The flag's row (``flag_rows``), with how sentences name its importing country."""
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
    """China's measures on the material that apply to the flag's importing country."""
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


def control_events(
    con: duckdb.DuckDBPyConnection, material: str | None, import_country: str
) -> list[ControlEvent]:
    """China's measures on the flag's material(s) ('gallium/germanium' covers both) that
    apply to its importing country: a Japanese flag never shows the ban on exports to the
    US."""
    if not material:
        return []
    rows = con.execute(
        load("review/control_events"),
        {"materials": material.split("/"), "importer": import_country},
    ).fetchall()
    return [ControlEvent(*row) for row in rows]


def _profile(
    con: duckdb.DuckDBPyConnection, table: str, key: str, name: str | None, import_country: str
) -> Any:
    """The trader's profile in the importing country's records."""
    if name is None:
        return None
    frame = sql_frame(
        con,
        load("review/trader_profile", table=table, key=key),
        {"name": name, "importer": import_country},
    )
    return frame.row(0, named=True) if frame.height else None


def _trader_shipments(
    con: duckdb.DuckDBPyConnection, role: str, name: str | None, until: date, import_country: str
) -> pl.DataFrame:
    return sql_frame(
        con,
        load("review/trader_shipments"),
        {
            "role": role,
            "name": name,
            "until": until,
            "importer": import_country,
            "limit": TRADER_SHIPMENTS,
        },
    )


def flag_evidence(con: duckdb.DuckDBPyConnection, flag_id: str) -> Evidence:
    rows = flag_rows(con, [flag_id])
    if rows.height == 0:
        raise UnknownFlagError(f"no flag {flag_id!r} in the store")
    flag = rows.row(0, named=True)
    origin = flag["origin_name"] or flag["origin_country"]
    country = flag["import_country"]
    corridor = {"importer": country, "origin": flag["origin_country"], "hs6": flag["hs6"]}
    day = flag["flag_date"]
    legs = sql_frame(
        con, load("review/corridor_legs"), {**corridor, "exporter": CONTROLLING_EXPORTER}
    )
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
        leg_rows=_leg_rows(legs, years, origin, flag),
        controls=control_events(con, flag["material"], country),
        exporter=_profile(con, "profile_exporters", "exporter", flag["exporter"], country),
        importer=_profile(con, "profile_importers", "importer", flag["importer"], country),
        exporter_shipments=_trader_shipments(con, "exporter", flag["exporter"], day, country),
        importer_shipments=_trader_shipments(con, "importer", flag["importer"], day, country),
        decisions=decision_log(con, flag_id=flag_id),
    )


def control_markers(events: list[ControlEvent]) -> list[tuple[date, str]]:
    """One chart marker per date: 'gallium, germanium ban' rather than two lines on one
    day; a measure that ended is marked again the day after its last ('antimony ban
    ends')."""
    by_day: dict[date, dict[str, list[str]]] = {}
    for event in events:
        by_day.setdefault(event.effective_date, {}).setdefault(event.measure, []).append(
            event.material
        )
        if event.end_date is not None:
            by_day.setdefault(event.end_date + timedelta(days=1), {}).setdefault(
                f"{event.measure} ends", []
            ).append(event.material)
    return [
        (day, "; ".join(f"{', '.join(materials)} {measure}" for measure, materials in m.items()))
        for day, m in sorted(by_day.items())
    ]


def _leg_rows(
    legs: pl.DataFrame, years: list[int], origin: str, flag: dict[str, Any]
) -> list[LegRow]:
    names = {
        "origin": origin,
        "exporter": CONTROLLING_EXPORTER_NAME,
        "importer": importer(flag),
        "Importer": importer(flag, start=True),
    }
    rows = []
    for leg, label in LEG_LABELS.items():
        reported = legs.filter(pl.col("leg") == leg)
        if reported.height == 0:
            continue
        by_year = {
            r["year"]: (r["value_usd"], r["weight_kg"]) for r in reported.iter_rows(named=True)
        }
        rows.append(LegRow(label.format(**names), [by_year.get(year) for year in years]))
    return rows
