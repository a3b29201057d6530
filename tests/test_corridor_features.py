"""The frames the corridor detectors score, built from a few literal rows."""

from __future__ import annotations

from datetime import date

import polars as pl
from polars.testing import assert_frame_equal

from transship.features.build import Reference
from transship.features.corridor_month import corridor_months
from transship.features.corridor_year import corridor_years, yearly

METALS = ["indium", "niobium", "vanadium"]
PRICE_RATIO = 2.5
REFERENCE = Reference(
    controlled=pl.DataFrame(
        {
            "hs6": ["811010", "811292", "811292"],
            "material": ["antimony", "gallium", "germanium"],
            "other_goods": [None, METALS, METALS],
        }
    ),
    capacity=pl.DataFrame(
        {
            "material": ["antimony", "gallium"],
            "country": ["TH", "KZ"],
            "stage": ["smelting", "refining"],
            "scale": ["minor", "major"],
            "status": ["operating", "announced"],
            "start_date": [None, date(2026, 7, 1)],
            "end_date": [None, None],
            "note": ["Limited smelting", None],
        }
    ),
    events=pl.DataFrame(
        {
            "effective_date": [date(2024, 9, 15), date(2023, 8, 1), date(2024, 12, 3)],
            "end_date": [None, None, date(2025, 11, 8)],
            "material": ["antimony", "gallium", "antimony"],
            "measure": ["licence", "licence", "ban"],
            "target": ["all", "all", "US"],
            "destinations": [["all"], ["all"], ["US"]],
            "description": ["", "", ""],
        }
    ),
    hubs=pl.DataFrame({"country": ["HK"], "note": [""]}),
    countries=pl.DataFrame(
        {
            "code": ["TH", "CN", "US", "KZ", "KR", "MM"],
            "name": ["Thailand", "China", "United States", "Kazakhstan", "South Korea", "Myanmar"],
        }
    ),
    importers=pl.DataFrame(
        {"code": ["US", "KR"], "adjective": ["US", "Korean"], "name": ["the US", "Korea"]}
    ),
)


def flows(rows: list[tuple[str, str, str, str, str, str, float, float]]) -> pl.DataFrame:
    """(period, frequency, reporter, partner, flow, hs6, value_usd, weight_kg) rows."""
    frame = pl.DataFrame(
        rows,
        schema=[
            "period",
            "frequency",
            "reporter",
            "partner",
            "flow",
            "hs6",
            "value_usd",
            "weight_kg",
        ],
        orient="row",
    )
    start = pl.when(pl.col("period").str.len_chars() == 4).then(pl.col("period") + "-01")
    return frame.with_columns(
        source=pl.lit("test"),
        period_start=(start.otherwise(pl.col("period")) + "-01").str.to_date(),
    )


def test_a_year_in_progress_is_compared_with_the_same_months_and_annual_figures_stand() -> None:
    us_thai = ("US", "TH", "import", "811010")
    frame = flows(
        [
            ("2023", "annual", *us_thai, 100.0, 1.0),
            ("2023-05", "monthly", *us_thai, 7.0, 1.0),
            ("2024-01", "monthly", *us_thai, 10.0, 1.0),
            ("2024-02", "monthly", *us_thai, 20.0, 1.0),
            ("2024-03", "monthly", *us_thai, 40.0, 1.0),
            ("2025-01", "monthly", *us_thai, 5.0, 1.0),
            ("2025-02", "monthly", *us_thai, 5.0, 1.0),
        ]
    )
    years = yearly(frame).sort("year")
    # 2025 has January and February: 2024 counts those two months only; 2023's annual
    # figure stands over its monthly one.
    assert years.select("year", "value_usd", "months").rows() == [
        (2023, 100.0, 12),
        (2024, 30.0, 2),
        (2025, 10.0, 2),
    ]


def test_corridor_years_put_each_legs_year_beside_its_previous_one() -> None:
    frame = flows(
        [
            ("2022", "annual", "US", "TH", "import", "811010", 10.2e6, 805_000.0),
            ("2024", "annual", "US", "TH", "import", "811010", 30.2e6, 1_782_500.0),
            ("2024", "annual", "TH", "US", "export", "811010", 22.7e6, 1_118_400.0),
            ("2023", "annual", "CN", "TH", "export", "811010", 2.0e6, 100_000.0),
            ("2024", "annual", "CN", "TH", "export", "811010", 5.0e6, 200_000.0),
            ("2024", "annual", "US", "WLD", "import", "811010", 90.0e6, 5_000_000.0),
            ("2024", "annual", "US", "CN", "import", "811292", 53.3e6, 90_000.0),
            ("2024", "annual", "CN", "US", "export", "811292", 9.6e6, 20_000.0),
            ("2024", "annual", "US", "TH", "import", "720610", 1.0e6, 2_000_000.0),
            # China's exports to Kazakhstan, which trades no antimony with the US: no corridor.
            ("2024", "annual", "CN", "KZ", "export", "811010", 9.0e6, 300_000.0),
        ]
    )
    years = corridor_years(frame, REFERENCE, PRICE_RATIO).sort(
        "import_country", "country", "hs6", "year"
    )
    # China's exports to Thailand in 2023, a year without US-Thai trade, are no US corridor.
    assert years.select("import_country", "country", "hs6", "year").rows() == [
        ("US", "CN", "811292", 2024),
        ("US", "TH", "811010", 2022),
        ("US", "TH", "811010", 2024),
    ]
    thai = years.row(2, named=True)
    assert (thai["imp_value_usd"], thai["imp_previous_year"]) == (30.2e6, 2022)
    assert (thai["cn_exp_value_usd"], thai["cn_exp_previous_value"]) == (5.0e6, 2.0e6)
    assert thai["p_exp_value_usd"] == 22.7e6
    assert (thai["capacity_level"], thai["control_in_force"]) == ("minor", True)
    assert (thai["country_name"], thai["material"]) == ("Thailand", "antimony")
    assert (thai["import_country_name"], thai["import_country_adjective"]) == ("the US", "US")
    assert years.row(1, named=True)["control_in_force"] is False
    china = years.row(0, named=True)
    assert (china["imp_value_usd"], china["cn_exp_value_usd"]) == (53.3e6, 9.6e6)
    assert (china["material"], china["control_in_force"]) == ("gallium/germanium", True)
    assert china["code_goods"] == "8112.92 (gallium, germanium; also indium, niobium, vanadium)"


def test_every_importing_country_has_its_own_corridors() -> None:
    """Korea's antimony: Myanmar fell to nothing while Thailand appeared. Korea's rows use
    Korea's legs, and nothing of Korea's reaches the US's rows."""
    korea = flows(
        [
            ("2022", "annual", "KR", "MM", "import", "811010", 7.1e6, 540_000.0),
            ("2024", "annual", "KR", "TH", "import", "811010", 14.2e6, 628_900.0),
            ("2024", "annual", "TH", "KR", "export", "811010", 3.0e6, 150_000.0),
            ("2022", "annual", "KR", "CN", "import", "811010", 18.2e6, 1_324_000.0),
            ("2024", "annual", "KR", "CN", "import", "811010", 14.2e6, 650_500.0),
            ("2024", "annual", "CN", "KR", "export", "811010", 4.0e6, 200_000.0),
            ("2024", "annual", "CN", "TH", "export", "811010", 5.0e6, 200_000.0),
        ]
    )
    us = flows([("2024", "annual", "US", "TH", "import", "811010", 30.2e6, 1_782_500.0)])
    both = corridor_years(pl.concat([korea, us]), REFERENCE, PRICE_RATIO)
    keys = ["import_country", "country", "hs6", "year"]
    assert both.filter(pl.col("import_country") == "KR").sort(keys).select(keys).rows() == [
        ("KR", "CN", "811010", 2022),
        ("KR", "CN", "811010", 2024),
        ("KR", "MM", "811010", 2022),
        ("KR", "TH", "811010", 2024),
    ]
    thai = both.filter((pl.col("import_country") == "KR") & (pl.col("country") == "TH")).row(
        0, named=True
    )
    assert (thai["imp_value_usd"], thai["p_exp_value_usd"]) == (14.2e6, 3.0e6)
    # China's exports to Thailand are a leg of every importer's Thai corridor.
    assert thai["cn_exp_value_usd"] == 5.0e6
    assert (thai["import_country_adjective"], thai["import_country_name"]) == ("Korean", "Korea")
    # The ban on exports to the US never applied to Korea; the licence did.
    assert thai["control_in_force"] is True
    china = both.filter((pl.col("import_country") == "KR") & (pl.col("country") == "CN")).sort(
        "year"
    )
    assert china["cn_exp_value_usd"].to_list() == [None, 4.0e6]
    # The US's rows are what the statistics give without Korea's own reports.
    without_korea = pl.concat([korea, us]).filter(
        (pl.col("reporter") != "KR") & (pl.col("partner") != "KR")
    )
    alone = corridor_years(without_korea, REFERENCE, PRICE_RATIO)
    assert_frame_equal(both.filter(pl.col("import_country") == "US"), alone, check_dtypes=False)


def test_corridor_months_count_the_flagged_shipments_up_to_the_last_day() -> None:
    features = pl.DataFrame(
        {
            "shipment_id": ["a", "b", "c", "d", "e"],
            "arrival_date": [
                date(2025, 1, 5),
                date(2025, 3, 2),
                date(2025, 3, 9),
                date(2025, 3, 30),
                date(2025, 3, 9),
            ],
            "import_country": ["US"] * 5,
            "origin_country": ["TH", "TH", "TH", "TH", "TH"],
            "hs6": ["282580", "282580", "282580", "282580", "720610"],
            "weight_kg": [1000.0, 3000.0, 8000.0, 500.0, 9000.0],
            "value_usd": [10_000.0, 30_000.0, 160_000.0, 5_000.0, 900.0],
            "origin_name": ["Thailand"] * 5,
            "import_country_name": ["the US"] * 5,
            "import_country_adjective": ["US"] * 5,
            "material": ["antimony"] * 4 + [None],
            "code_goods": [None] * 5,
            "controlled": [True] * 4 + [False],
            "capacity_level": ["minor"] * 4 + [None],
            "capacity_note": ["Limited smelting"] * 4 + [None],
            "control_date": [None, date(2024, 9, 15), date(2024, 9, 15), date(2024, 9, 15), None],
            "control_measure": [None, "licence", "licence", "licence", None],
        }
    ).with_columns(month=pl.col("arrival_date").dt.truncate("1mo"))
    months = corridor_months(
        features, pl.Series(["b", "b", "d", "e"]), date(2025, 3, 1), date(2025, 3, 20)
    )
    # March to the 20th: two shipments (the 30th's is not yet in), one flagged; the
    # uncontrolled code makes no row; January is before the first month asked for.
    assert months.select("hs6", "month", "shipments", "weight_kg", "flagged").rows() == [
        ("282580", date(2025, 3, 1), 2, 11_000.0, 1)
    ]
    march = months.row(0, named=True)
    assert march["baseline_kg"] == 1000.0 / 2  # January's 1 t over the two months before
    assert (march["control_date"], march["capacity_level"]) == (date(2024, 9, 15), "minor")
    assert corridor_months(
        features.filter(~pl.col("controlled")),
        pl.Series([], dtype=pl.String),
        date(2025, 1, 1),
        date(2025, 3, 31),
    ).is_empty()
