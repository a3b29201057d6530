"""Each feature column and frame step of the build on a literal frame, expected values
worked out by hand from what the feature means."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transship.features import columns, history
from transship.features.build import (
    Reference,
    capacity_level,
    control_in_force,
    nearest_controlled,
    origin_switch,
    structuring,
    unit_value_benchmarks,
)
from transship.features.capacity import code_contents
from transship.features.mirror import mirror_features

D = date
ANTIMONY_OXIDE, GALLIUM_UNWROUGHT, ZIRCONIA_OR_GERMANIUM = "282580", "811292", "282560"
NATURAL_GRAPHITE, IRON, PENCILS, INDIUM_COMPOUNDS = "250410", "720610", "960910", "293190"
SHARED_METALS = ["indium", "niobium", "vanadium"]
CONTROLLED = pl.DataFrame(
    {
        "hs6": [ANTIMONY_OXIDE, GALLIUM_UNWROUGHT, GALLIUM_UNWROUGHT, INDIUM_COMPOUNDS],
        "material": ["antimony", "gallium", "germanium", "indium"],
        "other_goods": [None, SHARED_METALS, SHARED_METALS, None],
    }
)


def reference(
    events: pl.DataFrame | None = None,
    capacity: pl.DataFrame | None = None,
    unit_values: pl.DataFrame | None = None,
) -> Reference:
    """A reference holding only the tables a step reads; the rest empty."""
    return Reference(
        controlled=CONTROLLED,
        capacity=capacity
        if capacity is not None
        else pl.DataFrame(
            schema={
                "material": pl.String,
                "country": pl.String,
                "stage": pl.String,
                "scale": pl.String,
                "status": pl.String,
                "start_date": pl.Date,
                "end_date": pl.Date,
                "note": pl.String,
            }
        ),
        events=events
        if events is not None
        else pl.DataFrame(
            schema={
                "effective_date": pl.Date,
                "end_date": pl.Date,
                "material": pl.String,
                "measure": pl.String,
                "destinations": pl.List(pl.String),
            }
        ),
        hubs=pl.DataFrame(schema={"country": pl.String, "note": pl.String}),
        countries=pl.DataFrame(schema={"code": pl.String, "name": pl.String}),
        **({"unit_values": unit_values} if unit_values is not None else {}),
    )


# Row-local columns


def test_controlled_is_a_code_that_carries_a_material() -> None:
    frame = pl.DataFrame({"material": ["antimony", None, "gallium/germanium"]})
    assert frame.select(columns.controlled())["controlled"].to_list() == [True, False, True]


def test_hub_columns_mark_hub_origins_and_hub_countries_of_export() -> None:
    frame = pl.DataFrame(
        {
            "origin_country": ["HK", "TH", "CN", "MY"],
            "export_country": ["HK", "TH", "SG", None],
        }
    )
    hubs = pl.Series(["HK", "SG"])
    out = frame.select(columns.origin_is_hub(hubs), columns.export_is_hub(hubs))
    assert out["origin_is_hub"].to_list() == [True, False, False, False]
    # An undeclared country of export is unknown, not "no hub".
    assert out["export_is_hub"].to_list() == [True, False, True, None]


def test_corridor_surge_ratio_compares_recent_weight_with_the_usual_rate() -> None:
    frame = pl.DataFrame(
        {
            "corridor_recent_kg": [900.0, 100.0, 20.0, 300.0],
            "corridor_baseline_kg": [100.0, 100.0, 0.0, 50.0],
            "weight_kg": [50.0, 10.0, 20.0, 100.0],
        }
    )
    # A steady corridor is 1; a corridor's first shipment is measured against itself,
    # so it is no surge either; a baseline below the shipment's weight counts as it.
    ratio = frame.select(columns.corridor_surge_ratio())["corridor_surge_ratio"]
    assert ratio.to_list() == [9.0, 1.0, 1.0, 3.0]


def test_exporter_age_counts_days_since_first_seen_and_is_zero_for_a_first_shipment() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [D(2025, 3, 1), D(2025, 3, 1), D(2024, 3, 1)],
            "exporter_first_seen": [D(2025, 1, 1), None, D(2024, 2, 1)],
        }
    )
    ages = frame.select(columns.exporter_age_days())["exporter_age_days"].to_list()
    assert ages == [31 + 28, 0, 29]  # 2024 is a leap year


def test_pair_new_until_the_pair_has_shipped_before() -> None:
    frame = pl.DataFrame(
        {"pair_first_seen": [None, D(2025, 1, 1)]}, schema={"pair_first_seen": pl.Date}
    )
    assert frame.select(columns.pair_new())["pair_new"].to_list() == [True, False]


def test_uv_z_is_the_distance_from_the_code_median_in_robust_deviations() -> None:
    spread = 1.4826 * 0.5 + 0.1
    frame = pl.DataFrame(
        {
            "log_unit_value": [1.0, 1.0 + 3 * spread, 1.0 - 4 * spread, 3.0, 5.0],
            "hs6_uv_median": [1.0, 1.0, 1.0, 2.0, None],
            "hs6_uv_mad": [0.5, 0.5, 0.5, 0.0, None],
        }
    )
    z = frame.select(columns.uv_z())["uv_z"].to_list()
    # A code whose prices never varied: one log unit is ten deviations, not infinitely many.
    assert z[:4] == pytest.approx([0.0, 3.0, -4.0, 10.0])
    assert z[4] is None  # no benchmark, no z


def test_hs6_uv_typical_is_the_median_unit_value_in_dollars() -> None:
    frame = pl.DataFrame({"hs6_uv_median": [math.log(12.0), None]})
    typical = frame.select(columns.hs6_uv_typical())["hs6_uv_typical"].to_list()
    assert typical[0] == pytest.approx(12.0)
    assert typical[1] is None


# Columns from earlier shipments


def test_corridor_volumes_sum_the_last_90_days_and_the_year_before_them() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [
                D(2024, 1, 1),
                D(2024, 12, 1),
                D(2025, 1, 15),
                D(2025, 1, 15),
                D(2025, 6, 1),
                D(2025, 1, 15),
            ],
            "import_country": ["US"] * 5 + ["KR"],
            "origin_country": ["TH", "TH", "TH", "MX", "TH", "TH"],
            "hs6": [ANTIMONY_OXIDE] * 6,
            "weight_kg": [1000.0, 200.0, 300.0, 50.0, 100.0, 7.0],
        }
    )
    out = history.corridor_volumes(frame)
    # 2025-01-15 sees 2024-12-01 in its 90 days and 2024-01-01 in the year before them;
    # 2025-06-01's year before its 90 days starts on 2024-03-03, after 2024-01-01.
    # Mexico's corridor sees none of Thailand's weight, nor Korea's Thai corridor any of
    # the US's.
    assert out["corridor_recent_kg"].to_list() == [1000.0, 200.0, 500.0, 50.0, 100.0, 7.0]
    assert out["corridor_baseline_kg"].to_list() == pytest.approx(
        [0.0, 1000 * 90 / 365, 1000 * 90 / 365, 0.0, 500 * 90 / 365, 0.0]
    )


def test_origin_share_is_the_corridor_part_of_the_code_weight_in_90_days() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [
                D(2025, 1, 1),
                D(2025, 1, 10),
                D(2025, 2, 1),
                D(2025, 2, 1),
                D(2025, 2, 1),
            ],
            "import_country": ["US", "US", "US", "US", "KR"],
            "origin_country": ["TH", "MX", "TH", "TH", "TH"],
            "hs6": [ANTIMONY_OXIDE] * 3 + [GALLIUM_UNWROUGHT, ANTIMONY_OXIDE],
            "weight_kg": [100.0, 300.0, 100.0, 5.0, 100.0],
            "corridor_recent_kg": [100.0, 300.0, 200.0, 5.0, 100.0],
        }
    )
    shares = history.origin_share_90d(frame).to_list()
    # Thailand's 200 kg of antimony oxide against 500 kg from everywhere; the only origin
    # of a code holds all of it, as Thailand does of Korea's.
    assert shares == [1.0, 0.75, 0.4, 1.0, 1.0]


def test_exporter_controlled_kg_counts_only_controlled_codes_in_90_days() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [
                D(2025, 1, 1),
                D(2025, 1, 20),
                D(2025, 2, 1),
                D(2025, 2, 1),
                D(2025, 5, 1),
            ],
            "import_country": ["US"] * 5,
            "exporter_entity": ["X", "X", "X", "Y", "X"],
            "weight_kg": [1000.0, 5000.0, 2000.0, 400.0, 10.0],
            "controlled": [True, False, True, True, True],
        }
    )
    # 2025-05-01's 90 days start on 2025-01-31: 2025-02-01 counts, 2025-01-01 does not.
    assert history.exporter_controlled_kg_90d(frame).to_list() == [
        1000.0,
        1000.0,
        3000.0,
        400.0,
        2010.0,
    ]
    # X's shipments to Korea are another market's: they add nothing to its US volume.
    korean = frame.with_columns(import_country=pl.lit("KR"), weight_kg=pl.col("weight_kg") * 7)
    both = history.exporter_controlled_kg_90d(pl.concat([frame, korean])).to_list()
    assert both[:5] == [1000.0, 1000.0, 3000.0, 400.0, 2010.0]


def test_first_seen_columns_are_the_first_earlier_day_of_corridor_exporter_and_pair() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [
                D(2025, 1, 1),
                D(2025, 1, 1),
                D(2025, 2, 1),
                D(2025, 3, 1),
                D(2025, 3, 1),
            ],
            "import_country": ["US", "US", "US", "US", "KR"],
            "origin_country": ["TH", "TH", "TH", "TH", "TH"],
            "hs6": [ANTIMONY_OXIDE] * 3 + [GALLIUM_UNWROUGHT, ANTIMONY_OXIDE],
            "exporter_entity": ["X", "X", "X", "Y", "X"],
            "importer_entity": ["A", "B", "B", "A", "B"],
        }
    )
    before = pl.DataFrame(
        {
            "import_country": ["US", "KR"],
            "exporter_entity": ["Y", "X"],
            "first_seen": [D(2024, 6, 1)] * 2,
        }
    )
    jan = D(2025, 1, 1)
    # Shipments of the same day do not see each other; X's first Korean shipment is new to
    # Korea, whatever it shipped to the US.
    assert history.corridor_first_seen(frame).to_list() == [None, None, jan, None, None]
    assert history.pair_first_seen(frame).to_list() == [None, None, jan, None, None]
    assert history.exporter_first_seen(frame).to_list() == [None, None, jan, None, None]
    # Y shipped to the US, and X to Korea, before the frame's first day.
    assert history.exporter_first_seen(frame, before).to_list() == [
        None,
        None,
        jan,
        D(2024, 6, 1),
        D(2024, 6, 1),
    ]


# Frame steps


def test_control_in_force_is_the_latest_licence_or_ban_in_force_for_the_importer() -> None:
    ban_end = D(2025, 11, 8)
    events = pl.DataFrame(
        {
            "effective_date": [D(2023, 8, 1), D(2023, 8, 1), D(2024, 9, 15), D(2024, 12, 3)],
            "end_date": [None, None, None, ban_end],
            "material": ["gallium", "germanium", "antimony", "antimony"],
            "measure": ["licence", "licence", "licence", "ban"],
            "destinations": [["all"], ["all"], ["all"], ["US"]],
        }
    )
    frame = pl.DataFrame(
        {
            "row": list(range(8)),
            "import_country": ["US"] * 6 + ["JP", "US"],
            "hs6": [ANTIMONY_OXIDE] * 5 + [GALLIUM_UNWROUGHT, ANTIMONY_OXIDE, IRON],
            "arrival_date": [
                D(2024, 9, 14),
                D(2024, 9, 15),
                D(2025, 1, 10),
                ban_end,
                D(2025, 11, 9),
                D(2024, 1, 1),
                D(2025, 1, 10),
                D(2025, 1, 10),
            ],
        }
    )
    out = control_in_force(frame, reference(events=events)).sort("row")
    # The day before the licence nothing is in force; the ban on exports to the US is in
    # force to its last day, then the licence again; Japan's imports were never under the
    # ban; iron is never controlled.
    licence, ban = D(2024, 9, 15), D(2024, 12, 3)
    assert out["control_date"].to_list() == [
        None,
        licence,
        ban,
        ban,
        licence,
        D(2023, 8, 1),
        licence,
        None,
    ]
    assert out["control_measure"].to_list() == [
        None,
        "licence",
        "ban",
        "ban",
        "licence",
        "licence",
        "licence",
        None,
    ]


def test_capacity_level_counts_capacity_in_force_for_anything_the_code_holds() -> None:
    capacity = pl.DataFrame(
        {
            "material": ["antimony", "antimony", "gallium", "indium", "antimony", "antimony"],
            "country": ["CN", "MX", "KZ", "PE", "FR", "BO"],
            "stage": ["smelt", "smelt", "refine", "refine", "refine", "mine"],
            "scale": ["major", "minor", "major", "minor", "major", "major"],
            "status": ["operating", "operating", "announced", "operating", "closed", "operating"],
            "start_date": [None, D(2025, 4, 1), D(2026, 7, 1), None, D(2010, 1, 1), None],
            "end_date": [None, None, None, None, D(2020, 12, 31), D(2024, 12, 31)],
            "note": [
                "Chinese smelters",
                "Smelter reopened",
                "Pavlodar",
                "Zinc by-product",
                "Closed",
                "Mine",
            ],
        }
    )
    frame = pl.DataFrame(
        {
            "row": list(range(11)),
            "hs6": [ANTIMONY_OXIDE] * 3
            + [GALLIUM_UNWROUGHT, IRON, GALLIUM_UNWROUGHT, GALLIUM_UNWROUGHT]
            + [ANTIMONY_OXIDE] * 2
            + [GALLIUM_UNWROUGHT] * 2,
            "origin_country": ["CN", "MX", "MX", "KZ", "TH", "PE", "MY", "FR", "BO", "MY", "MY"],
            "arrival_date": [
                D(2025, 1, 10),
                D(2025, 3, 1),
                D(2025, 5, 1),
                D(2026, 8, 1),
                D(2025, 1, 10),
                D(2025, 1, 10),
                D(2025, 1, 10),
                D(2025, 1, 10),
                D(2025, 1, 10),
                D(2025, 1, 10),
                D(2025, 1, 10),
            ],
            "material": ["antimony"] * 3
            + ["gallium/germanium", None, "gallium/germanium", "gallium/germanium"]
            + ["antimony"] * 2
            + ["gallium/germanium"] * 2,
            "unit_value": [1.0, 1.0, 1.0, 300.0, 1.0, 300.0, 30.0, 1.0, 1.0, 300.0, 30.0],
            "described_material": [None] * 10 + ["gallium"],
        }
    )
    prices = pl.DataFrame(
        {
            "material": ["gallium", "germanium"],
            "hs6": [GALLIUM_UNWROUGHT] * 2,
            "usd_per_kg_low": [200.0, 1000.0],
            "usd_per_kg_high": [600.0, 2500.0],
        }
    )
    out = capacity_level(frame, reference(capacity=capacity, unit_values=prices)).sort("row")
    # Mexico's smelter does not count in March 2025, before it reopened; an uncontrolled
    # code has no level at all. Peru refines indium, which 8112.92 also holds; Malaysia
    # produces nothing listed for it, and the code holds unlisted goods (niobium,
    # vanadium): not known to produce, rather than none, at niobium's price; priced as
    # gallium (within 2.5 times 200-2,500 USD/kg) or described as gallium, it is gallium
    # from a country without capacity. A closed refinery, or a mine past its end date, is
    # no capacity.
    assert out["capacity_level"].to_list() == [
        "major",
        "none",
        "minor",
        "major",
        None,
        "minor",
        "unknown",
        "none",
        "none",
        "none",
        "none",
    ]
    assert out["capacity_note"].to_list() == [
        "Chinese smelters",
        None,
        "Smelter reopened",
        "Pavlodar",
        None,
        "Zinc by-product",
        None,
        None,
        None,
        None,
        None,
    ]


def test_code_contents_say_what_a_shared_code_holds() -> None:
    # Niobium is not controlled but its producers are listed: 8112.92 carries it, and
    # only vanadium, listed nowhere, makes the code a basket of unlisted goods.
    capacity = pl.DataFrame({"material": ["antimony", "niobium"], "country": ["CN", "BR"]})
    contents = code_contents(CONTROLLED, capacity).sort("hs6")
    assert contents["code_goods"].to_list() == [
        None,
        None,
        "8112.92 (gallium, germanium; also indium, niobium, vanadium)",
    ]
    assert contents["carried"].to_list() == [
        ["antimony"],
        ["indium"],
        ["gallium", "germanium", "indium", "niobium"],
    ]
    assert contents["holds_unlisted"].to_list() == [False, False, True]
    everything = pl.DataFrame({"material": ["niobium", "vanadium"], "country": ["BR", "ZA"]})
    assert code_contents(CONTROLLED, everything).sort("hs6")["holds_unlisted"].to_list() == [
        False,
        False,
        False,
    ]


def test_unit_value_benchmarks_use_the_year_before_the_month() -> None:
    frame = pl.DataFrame(
        {
            "import_country": ["US"] * 5 + ["KR"],
            "hs6": [ANTIMONY_OXIDE] * 4 + [IRON, ANTIMONY_OXIDE],
            "arrival_date": [
                D(2024, 2, 29),
                D(2024, 6, 1),
                D(2024, 12, 1),
                D(2025, 2, 28),
                D(2025, 3, 1),
                D(2024, 6, 1),
            ],
            "log_unit_value": [9.0, 1.0, 2.0, 4.0, 100.0, 50.0],
        }
    )
    out = unit_value_benchmarks(frame, [D(2025, 3, 1), D(2025, 4, 1)]).sort(
        "month", "import_country", "hs6", descending=[False, True, False]
    )
    # March's year starts on 2024-03-01, so 2024-02-29 is out; iron arrived in March
    # itself, so it is benchmarked from April only. Median of 1, 2, 4 is 2 and the
    # median of the distances 1, 0, 2 is 1. Korea's price is its own.
    expected = pl.DataFrame(
        {
            "import_country": ["US", "KR", "US", "US", "KR"],
            "hs6": [ANTIMONY_OXIDE, ANTIMONY_OXIDE, ANTIMONY_OXIDE, IRON, ANTIMONY_OXIDE],
            "hs6_uv_median": [2.0, 50.0, 2.0, 100.0, 50.0],
            "hs6_uv_mad": [1.0, 0.0, 1.0, 0.0, 0.0],
            "hs6_history": pl.Series([3, 1, 3, 1, 1], dtype=pl.UInt32),
            "month": [D(2025, 3, 1)] * 2 + [D(2025, 4, 1)] * 3,
        }
    )
    assert_frame_equal(out, expected)


def test_unit_value_benchmarks_of_months_without_history_are_empty() -> None:
    frame = pl.DataFrame(
        {
            "import_country": ["US"],
            "hs6": [IRON],
            "arrival_date": [D(2025, 3, 1)],
            "log_unit_value": [0.0],
        }
    )
    out = unit_value_benchmarks(frame, [D(2025, 1, 1), D(2025, 3, 1)])
    assert out.is_empty()
    assert out.columns == [
        "import_country",
        "hs6",
        "hs6_uv_median",
        "hs6_uv_mad",
        "hs6_history",
        "month",
    ]


def test_nearest_controlled_prices_a_misfit_against_recent_named_controlled_shipments() -> None:
    nov, feb, mar = D(2024, 11, 1), D(2025, 2, 1), D(2025, 3, 1)
    frame = pl.DataFrame(
        {
            "row": [0, 1, 2, 3, 4],
            "import_country": ["US"] * 5,
            "hs6": [ANTIMONY_OXIDE, ANTIMONY_OXIDE, ZIRCONIA_OR_GERMANIUM, GALLIUM_UNWROUGHT, IRON],
            "material": ["antimony", "antimony", "germanium", "gallium/germanium", None],
            "described_material": ["antimony", "antimony", None, "gallium", None],
            "arrival_date": [
                D(2024, 11, 15),
                D(2025, 2, 10),
                D(2025, 2, 10),
                D(2025, 2, 15),
                D(2025, 3, 5),
            ],
            "month": [nov, feb, feb, feb, mar],
            "log_unit_value": [
                math.log(20),
                math.log(40),
                math.log(34),
                math.log(600),
                math.log(35),
            ],
            "uv_z": [0.0, 0.0, 0.0, 0.0, 8.0],
        }
    )
    out = nearest_controlled(frame, [nov, feb, mar], min_z=3.0).sort("row")
    # March's prices come from December to February: iron at $35/kg fits antimony oxide
    # at $40/kg best, not the $20/kg of November. The $34/kg shipment of 2825.60 names
    # no germanium (zirconia shares the code), so it sets no germanium price.
    assert out["nearest_controlled_hs6"].to_list() == [None, None, None, None, ANTIMONY_OXIDE]
    assert out["nearest_controlled_material"].to_list() == [None, None, None, None, "antimony"]
    assert out["nearest_controlled_gap"][4] == pytest.approx(math.log(40 / 35))
    assert out["nearest_controlled_uv"][4] == pytest.approx(40.0)
    assert out["nearest_controlled_gap"].null_count() == 4


def test_nearest_controlled_leaves_prices_that_fit_their_code_and_controlled_codes() -> None:
    feb, mar = D(2025, 2, 1), D(2025, 3, 1)
    frame = pl.DataFrame(
        {
            "row": [0, 1, 2],
            "import_country": ["US"] * 3,
            "hs6": [ANTIMONY_OXIDE, IRON, ANTIMONY_OXIDE],
            "material": ["antimony", None, "antimony"],
            "described_material": ["antimony", None, "antimony"],
            "arrival_date": [D(2025, 2, 10), D(2025, 3, 5), D(2025, 3, 6)],
            "month": [feb, mar, mar],
            "log_unit_value": [math.log(40), math.log(0.5), math.log(35)],
            "uv_z": [0.0, 0.2, -4.0],
        }
    )
    out = nearest_controlled(frame, [feb, mar], min_z=3.0)
    # Iron at $0.50/kg is priced like iron; cheap antimony oxide is already controlled.
    assert out["nearest_controlled_hs6"].null_count() == 3
    assert out["nearest_controlled_uv"].null_count() == 3


def test_nearest_controlled_also_prices_misfits_far_below_their_code() -> None:
    feb, mar = D(2025, 2, 1), D(2025, 3, 1)
    frame = pl.DataFrame(
        {
            "row": [0, 1],
            "import_country": ["US"] * 2,
            "hs6": [NATURAL_GRAPHITE, PENCILS],
            "material": ["graphite", None],
            "described_material": ["graphite", None],
            "arrival_date": [D(2025, 2, 10), D(2025, 3, 5)],
            "month": [feb, mar],
            "log_unit_value": [math.log(1.0), math.log(1.5)],
            "uv_z": [0.0, -6.0],
        }
    )
    out = nearest_controlled(frame, [feb, mar], min_z=3.0)
    # "Pencils" at $1.50/kg, far below what pencils cost, are priced like graphite.
    assert out["nearest_controlled_hs6"].to_list() == [None, NATURAL_GRAPHITE]
    assert out["nearest_controlled_gap"][1] == pytest.approx(math.log(1.5))


def test_origin_switch_after_a_control_names_the_main_origin_before_it() -> None:
    control = D(2023, 12, 1)
    frame = pl.DataFrame(
        {
            "row": [0, 1, 2, 3, 4],
            "import_country": ["US"] * 5,
            "importer_entity": ["A"] * 5,
            "material": ["graphite"] * 5,
            "origin_country": ["CN", "MZ", "TZ", "TZ", "IN"],
            "arrival_date": [
                D(2023, 6, 1),
                D(2023, 9, 1),
                D(2023, 12, 1),
                D(2024, 3, 1),
                D(2024, 12, 15),
            ],
            "weight_kg": [1000.0, 200.0, 300.0, 300.0, 50.0],
            "control_date": [None, None, control, control, control],
        }
    )
    out = origin_switch(frame).sort("row")
    # Tanzania is new since the control, first bought on its day and again in March;
    # India comes 380 days after the control, past the year.
    assert out["switched_from"].to_list() == [None, None, "CN", "CN", None]
    assert out["switched_from_kg"].to_list() == [None, None, 1000.0, 1000.0, None]


def test_origin_switch_ignores_origins_used_before_the_control_and_new_importers() -> None:
    control = D(2024, 9, 15)
    frame = pl.DataFrame(
        {
            "row": [0, 1, 2, 3, 4],
            "import_country": ["US"] * 5,
            "importer_entity": ["B", "B", "B", "C", "B"],
            "material": ["antimony"] * 5,
            "origin_country": ["CN", "TH", "TH", "TH", "CN"],
            "arrival_date": [
                D(2024, 3, 1),
                D(2024, 6, 1),
                D(2024, 10, 1),
                D(2024, 10, 1),
                D(2024, 11, 1),
            ],
            "weight_kg": [800.0, 400.0, 400.0, 100.0, 800.0],
            "control_date": [None, None, control, control, control],
        }
    )
    out = origin_switch(frame)
    # B moved to Thailand before the control; C bought nothing before it.
    assert out["switched_from"].null_count() == 5
    assert out["switched_from_kg"].null_count() == 5


def test_structuring_counts_parcels_and_measures_steady_months() -> None:
    frame = pl.DataFrame(
        {
            "import_country": ["US"] * 5,
            "importer_entity": ["A", "A", "A", "A", "B"],
            "hs6": [GALLIUM_UNWROUGHT] * 5,
            "arrival_date": [
                D(2025, 1, 10),
                D(2025, 2, 10),
                D(2025, 3, 10),
                D(2025, 4, 10),
                D(2025, 4, 10),
            ],
            "weight_kg": [100.0, 100.0, 100.0, 100.0, 300.0],
        }
    ).with_columns(columns.month())
    out = structuring(frame)
    # 2025-04-10's 90 days start on 2025-01-10 itself.
    assert out["importer_hs6_count_90d"].to_list() == [1.0, 2.0, 3.0, 4.0, 1.0]
    assert out["importer_hs6_kg_90d"].to_list() == [100.0, 200.0, 300.0, 400.0, 300.0]
    # Monthly totals of the three months before: (0, 0, 0), (100, 0, 0), (100, 100, 0),
    # (100, 100, 100); a consignee with no history has no variation to speak of.
    assert out["importer_monthly_kg"].to_list() == pytest.approx(
        [0.0, 100 / 3, 200 / 3, 100.0, 0.0]
    )
    cv = out["importer_monthly_cv"].to_list()
    assert cv[0] is None
    assert cv[1:4] == pytest.approx([math.sqrt(2), math.sqrt(2) / 2, 0.0])
    assert cv[4] is None


def test_structuring_finds_irregular_months_and_keeps_codes_apart() -> None:
    frame = pl.DataFrame(
        {
            "import_country": ["US"] * 5,
            "importer_entity": ["C"] * 5,
            "hs6": [GALLIUM_UNWROUGHT] * 4 + [ANTIMONY_OXIDE],
            "arrival_date": [
                D(2025, 1, 5),
                D(2025, 2, 5),
                D(2025, 3, 5),
                D(2025, 4, 5),
                D(2025, 4, 5),
            ],
            "weight_kg": [10.0, 500.0, 10.0, 10.0, 10.0],
        }
    ).with_columns(columns.month())
    out = structuring(frame)
    # April looks back on 10, 500 and 10 kg: a mean of 520/3 and deviations of
    # 490/3 x (-1, 2, -1), so a standard deviation of 490/3 x sqrt(2).
    assert out["importer_monthly_cv"][3] == pytest.approx(49 / 52 * math.sqrt(2))
    assert out["importer_hs6_count_90d"][3] == 4.0
    # The same consignee's first antimony parcel has no history of its own.
    assert out["importer_hs6_count_90d"][4] == 1.0
    assert out["importer_monthly_kg"][4] == 0.0
    assert out["importer_monthly_cv"][4] is None


def test_mirror_features_sum_the_legs_before_the_month_preferring_each_legs_own_reporter() -> None:
    def flow(reporter: str, flow: str, partner: str, month: date, usd: float) -> dict[str, object]:
        return {
            "frequency": "monthly",
            "reporter": reporter,
            "flow": flow,
            "partner": partner,
            "hs6": ANTIMONY_OXIDE,
            "period_start": month,
            "value_usd": usd,
        }

    flows = pl.DataFrame(
        [
            flow("CN", "export", "TH", D(2024, 2, 1), 1200.0),
            flow("CN", "export", "TH", D(2025, 2, 1), 100.0),
            flow("TH", "import", "CN", D(2025, 2, 1), 999.0),  # China's own figure wins
            flow("TH", "import", "CN", D(2025, 3, 1), 50.0),  # China reported none
            flow("CN", "export", "TH", D(2025, 5, 1), 7777.0),  # the shipment's own month
            {**flow("CN", "export", "TH", D(2025, 1, 1), 5000.0), "frequency": "annual"},
            flow("US", "import", "TH", D(2024, 12, 1), 60.0),
            flow("US", "import", "TH", D(2025, 4, 1), 80.0),
            flow("US", "import", "CN", D(2024, 6, 1), 120.0),
            flow("US", "import", "CN", D(2025, 3, 1), 40.0),
            flow("CN", "export", "US", D(2025, 3, 1), 400.0),  # the US's own figure wins
            flow("CN", "export", "US", D(2025, 4, 1), 30.0),  # the US reported none
            flow("TH", "export", "KR", D(2025, 4, 1), 9.0),  # Korea reported none
            flow("KR", "import", "CN", D(2025, 4, 1), 5.0),
        ]
    )
    shipments = pl.DataFrame(
        {
            "import_country": ["US", "US", "US", "US", "US", "KR", "KR"],
            "origin_country": ["TH", "TH", "MX", "US", "CN", "TH", "US"],
            "hs6": [ANTIMONY_OXIDE] * 7,
            "month": [D(2025, 3, 1)] + [D(2025, 5, 1)] * 6,
        }
    )
    out = mirror_features(shipments, flows)
    # March looks back on December to February and, for the base, on December 2023 to
    # November 2024 (a quarter of it); May on February to April and February 2024 to
    # January 2025. Annual statistics are not months.
    # Goods of Chinese origin, or of the importing country's own, take no detour: trade
    # between China and the importer is the direct leg, not one through an origin. For
    # Korea, goods of US origin are a detour like any other: China -> US -> Korea.
    assert out["cn_to_origin_recent"].to_list() == [100.0, 150.0, None, None, None, 150.0, 430.0]
    assert out["cn_to_origin_base"].to_list() == [300.0, 300.0, None, None, None, 300.0, 30.0]
    assert out["origin_to_importer_recent"].to_list() == [60.0, 80.0, None, None, None, 9.0, None]
    assert out["origin_to_importer_base"].to_list() == [0.0, 15.0, None, None, None, 0.0, None]
    # China to the importer is one leg for every origin: the US's, or Korea's own.
    assert out["cn_to_importer_recent"].to_list() == [0.0, 70.0, 70.0, 70.0, 70.0, 5.0, 5.0]
    assert out["cn_to_importer_base"].to_list() == [30.0] * 5 + [0.0, 0.0]
