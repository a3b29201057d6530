"""Profiles on literal frames, and monthly corridor flags from shipments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transship.features.controls import code_events
from transship.features.profiles import (
    code_profile,
    control_phase,
    corridor_profile,
    exporter_profile,
    importer_profile,
    new_pairs,
    origin_switches,
    trader_months,
)
from transship.storage.store import open_store

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def shipments() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "arrival_date": [
                date(2025, 1, 5),
                date(2025, 1, 20),
                date(2025, 3, 2),
                date(2025, 3, 9),
            ],
            "import_country": ["US", "US", "US", "US"],
            "origin_country": ["TH", "TH", "TH", "BE"],
            "hs6": ["282580", "282580", "282580", "282580"],
            "weight_kg": [1000.0, 3000.0, 8000.0, 2000.0],
            "value_usd": [10_000.0, 30_000.0, 160_000.0, 20_000.0],
            "importer": ["A", "B", "A", "A"],
            "exporter": ["X", "X", "Y", "Z"],
            "transport_mode": ["sea", "sea", "air", "sea"],
            "description": [
                "ANTIMONY TRIOXIDE",
                "ANTIMONY OXIDE",
                "ANTIMONY TRIOXIDE",
                "ANTIMONY TRIOXIDE",
            ],
        }
    )


def test_corridor_profile_fills_empty_months_and_keeps_a_trailing_baseline(
    shipments: pl.DataFrame,
) -> None:
    thailand = corridor_profile(shipments).filter(pl.col("origin_country") == "TH")
    assert thailand["month"].to_list() == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
    assert thailand["weight_kg"].to_list() == [4000.0, 0.0, 8000.0]
    # March against the mean of January and February.
    assert thailand["baseline_kg"].to_list() == [0.0, 4000.0, 2000.0]
    assert thailand["surge_ratio"].to_list()[2] == 4.0
    assert thailand["origin_share"].to_list()[2] == 0.8
    assert thailand["unit_value_median"].to_list()[0] == pytest.approx(10.0, rel=1e-3)
    heading = corridor_profile(shipments, "hs4")
    assert set(heading["hs4"]) == {"2825"}


def test_code_profile_has_typical_values_modes_and_words(shipments: pl.DataFrame) -> None:
    march = code_profile(shipments).filter(pl.col("month") == date(2025, 3, 1)).row(0, named=True)
    assert march["shipments"] == 2
    assert march["weight_median_kg"] == 5000.0
    assert march["mode_mix"] == "air 50%, sea 50%"
    assert march["vocabulary"].startswith("antimony trioxide")


def exporters_of(shipments: pl.DataFrame) -> pl.DataFrame:
    return exporter_profile(trader_months(shipments), shipments)


def importers_of(shipments: pl.DataFrame) -> pl.DataFrame:
    return importer_profile(trader_months(shipments))


def pairs_of(shipments: pl.DataFrame) -> pl.DataFrame:
    return new_pairs(trader_months(shipments))


def test_trader_profiles(shipments: pl.DataFrame) -> None:
    exporters = exporters_of(shipments)
    x = exporters.filter(pl.col("exporter") == "X").row(0, named=True)
    assert (x["first_seen"], x["shipments"], x["importers"]) == (date(2025, 1, 5), 2, 2)
    importers = importers_of(shipments)
    a = importers.filter(pl.col("importer") == "A").row(0, named=True)
    assert a["origins"] == "BE,TH" and a["exporters"] == 3
    assert a["new_origins_90d"] == 2


def test_runs_store_profiles_and_monthly_corridor_flags(tiny_store: Path) -> None:
    con = open_store(tiny_store, read_only=True)
    assert con.execute("SELECT count(*) FROM profile_corridors").fetchall()[0][0] > 0
    monthly = con.sql(
        "SELECT origin_country, period, reasons FROM flags "
        "WHERE level = 'corridor' AND basis = 'shipments'"
    ).pl()
    con.close()
    assert monthly.height > 0
    assert monthly["period"].str.len_chars().eq(7).all()
    flagged_share = r"(shipments? (is|are)|one shipment is)( not)? flagged"
    assert monthly["reasons"].str.contains(flagged_share).all()
    assert not monthly["reasons"].str.contains(r"\b1 shipments|of the 1 shipments").any()


def test_profiles_never_mix_importing_countries(shipments: pl.DataFrame) -> None:
    """Korean imports of the same corridors starting a month earlier and ending a month
    later change nothing of the US profiles: month spans, baselines, shares and the
    'recent' windows are each country's own."""
    korean = shipments.with_columns(import_country=pl.lit("KR"), exporter=pl.lit("X"))
    both = pl.concat(
        [
            shipments,
            korean.with_columns(pl.col("arrival_date").dt.offset_by("-1mo")),
            korean.with_columns(pl.col("arrival_date").dt.offset_by("1mo")),
        ]
    )
    us = pl.col("import_country") == "US"
    for profile in (corridor_profile, code_profile, exporters_of, importers_of, pairs_of):
        assert_frame_equal(profile(both).filter(us), profile(shipments), check_row_order=False)
    assert set(corridor_profile(both)["import_country"]) == {"US", "KR"}


def test_control_phase_splits_before_and_after(shipments: pl.DataFrame) -> None:
    controls = code_events(
        pl.DataFrame({"hs6": ["282580"], "material": ["antimony"]}),
        pl.DataFrame(
            {
                "effective_date": [date(2025, 2, 10), date(2025, 3, 5)],
                "end_date": [None, date(2025, 3, 20)],
                "material": ["antimony", "antimony"],
                "measure": ["licence", "ban"],
                "destinations": [["all"], ["US"]],
            }
        ),
    )
    korean = shipments.with_columns(import_country=pl.lit("KR"))
    profile = control_phase(corridor_profile(pl.concat([shipments, korean])), "hs6", controls)
    thailand = profile.filter(pl.col("origin_country") == "TH").sort("import_country", "month")
    # The ban on exports to the US ended before March's end: the licence is in force then,
    # for the US as for Korea, to which the ban never applied.
    licence = date(2025, 2, 10)
    assert thailand["control_date"].to_list() == [None, licence, licence] * 2
    assert thailand["after_control"].to_list() == [None, True, True] * 2
    heading = control_phase(corridor_profile(shipments, "hs4"), "hs4", controls)
    assert heading["control_date"].drop_nulls().unique().to_list() == [licence]
    in_force = control_phase(
        corridor_profile(shipments.with_columns(arrival_date=pl.lit(date(2025, 3, 1)))),
        "hs6",
        controls.with_columns(control_end=pl.lit(None, pl.Date)),
    )
    assert in_force["control_date"].unique().to_list() == [date(2025, 3, 5)]


def test_origin_switches_and_new_pairs(shipments: pl.DataFrame) -> None:
    features = shipments.with_columns(
        switched_from=pl.Series([None, None, "CN", None]),
        material=pl.lit("antimony"),
        control_date=pl.lit(date(2024, 12, 3)),
    )
    switches = origin_switches(features)
    assert switches.rows() == [("US", "A", "antimony: CN -> TH after 2024-12-03")]
    pairs = {exporter: n for _, exporter, n in pairs_of(shipments).iter_rows()}
    assert pairs == {"X": 2, "Y": 1, "Z": 1}
