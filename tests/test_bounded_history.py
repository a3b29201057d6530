"""A build reads no shipment older than its lookback: what its rows need of older ones
comes as aggregates (what importers bought before a control, each importing country's
first month of corridors), and its rows' origin switches and corridor months stay those
of a build over every shipment, across entities that merged spellings."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from tests.test_entity_features import counts_of, membership_frame
from transship.features.build import (
    LOOKBACK_DAYS,
    TRADER_OUTPUTS,
    Reference,
    switches_before,
    trader_features,
)
from transship.features.controls import ALL_DESTINATIONS
from transship.features.corridor_month import SHIPMENT_COLUMNS, corridor_months
from transship.features.entities import Entities, on_arrival
from transship.importers import ADJECTIVE, NAME
from transship.storage.sql import load, sql_frame

D = date
CONTROL = D(2025, 6, 1)
EXACT_FROM = D(2026, 1, 1)
SINCE = EXACT_FROM - timedelta(days=LOOKBACK_DAYS)  # 2024-10-03
ALPHA, ALPHA_2, BETA, GAMMA, DELTA = "Alpha Ltd", "ALPHA LIMITED", "Beta Corp", "Gamma", "Delta"
MERGED_ON = D(2026, 3, 1)

MEMBERSHIPS = membership_frame(
    [
        ("importer", ALPHA, "IM1", D(2023, 5, 1), None),
        ("importer", ALPHA_2, "IM2", D(2024, 2, 1), MERGED_ON),
        ("importer", ALPHA_2, "IM1", MERGED_ON, None),
    ]
)
"""ALPHA LIMITED was a firm of its own until it joined Alpha Ltd's on ``MERGED_ON``."""


def purchases(rows: list[tuple[date, str, str, float]]) -> pl.DataFrame:
    """Antimony oxide into the US, one row per (day, importer, origin, kg); the antimony
    control in force from ``CONTROL``."""
    frame = pl.DataFrame(
        rows,
        schema={
            "arrival_date": pl.Date,
            "importer": pl.String,
            "origin_country": pl.String,
            "weight_kg": pl.Float64,
        },
        orient="row",
        strict=False,
    )
    return (
        frame.sort("arrival_date")
        .with_row_index("row")
        .with_columns(
            import_country=pl.lit("US"),
            exporter=pl.lit("Trader X"),
            hs6=pl.lit("282580"),
            material=pl.lit("antimony"),
            controlled=pl.lit(True),
            control_date=pl.when(pl.col("arrival_date") >= CONTROL).then(pl.lit(CONTROL)),
            month=pl.col("arrival_date").dt.truncate("1mo"),
        )
    )


HISTORY = purchases(
    [
        # Long before the lookback: Alpha from China and Thailand, its later partner from
        # Vietnam (as a firm of its own then), Delta from Thailand.
        (D(2023, 1, 5), DELTA, "TH", 800.0),
        (D(2023, 5, 10), ALPHA, "CN", 5000.0),
        (D(2023, 6, 10), ALPHA, "TH", 1000.0),
        (D(2024, 2, 10), ALPHA_2, "VN", 6000.0),
        # Within the lookback, before the control: Beta from China.
        (D(2025, 1, 15), BETA, "CN", 700.0),
        # After the control: Gamma's first purchase (not a switch: new buyer).
        (D(2025, 7, 1), GAMMA, "CN", 300.0),
        # The rows the build is exact for.
        (D(2026, 1, 10), BETA, "LA", 400.0),
        (D(2026, 2, 1), ALPHA, "IN", 900.0),
        (D(2026, 2, 5), GAMMA, "TH", 250.0),
        (D(2026, 2, 6), DELTA, "TH", 600.0),
        (D(2026, 4, 1), ALPHA_2, "VN", 450.0),
        (D(2026, 4, 15), ALPHA, "KR", 350.0),
    ]
)


def switches(
    frame: pl.DataFrame, entities: Entities, origins: pl.DataFrame | None = None
) -> pl.DataFrame:
    exact_from = None if origins is None else EXACT_FROM
    return (
        on_arrival(
            frame,
            entities,
            lambda part, as_of: trader_features(part, as_of, {}, entities, exact_from, origins),
            TRADER_OUTPUTS,
        )
        .join(HISTORY.select("row", "arrival_date", "importer", "origin_country"), on="row")
        .filter(pl.col("arrival_date") >= EXACT_FROM)
        .select("arrival_date", "importer", "origin_country", "switched_from", "switched_from_kg")
        .sort("arrival_date")
    )


def earlier_origins(shipments: pl.DataFrame, memberships: pl.DataFrame) -> pl.DataFrame:
    """What the store's SQL aggregates of the shipments before the lookback."""
    con = duckdb.connect()
    con.register("shipments", shipments)
    con.register(
        "ref_controlled_codes", pl.DataFrame({"hs6": ["282580"], "material": ["antimony"]})
    )
    con.register("entity_memberships", memberships)
    return sql_frame(con, load("features/earlier_importer_origins"), {"before": SINCE})


def test_switches_of_a_bounded_build_equal_those_of_a_build_over_every_shipment() -> None:
    entities = Entities(MEMBERSHIPS, counts_of(HISTORY))
    full = switches(HISTORY, entities)
    assert full.rows() == [
        (D(2026, 1, 10), BETA, "LA", "CN", 700.0),
        # Alpha's own purchases before the control: China the most.
        (D(2026, 2, 1), ALPHA, "IN", "CN", 5000.0),
        (D(2026, 2, 5), GAMMA, "TH", None, None),
        (D(2026, 2, 6), DELTA, "TH", None, None),
        # Once merged, the partner's Vietnamese purchases are Alpha's: not a new origin,
        # and Vietnam is what Alpha bought most before the control.
        (D(2026, 4, 1), ALPHA_2, "VN", None, None),
        (D(2026, 4, 15), ALPHA, "KR", "VN", 6000.0),
    ]
    recent = HISTORY.filter(pl.col("arrival_date") >= SINCE)
    origins = earlier_origins(HISTORY, MEMBERSHIPS)
    assert origins.height == 4
    assert_frame_equal(switches(recent, entities, origins), full, check_exact=True)
    # Without the aggregates the bounded rows would lose the older purchases.
    assert switches(recent, entities, origins.head(0)).rows() != full.rows()


def test_earlier_purchases_key_to_the_entity_of_the_day_they_are_read_on() -> None:
    """A spelling that moved to another entity before the lookback: its purchases before
    the move count for the entity it joined, as a build over every shipment counts them
    (a shipment is grouped with every earlier one whose spelling is in its entity on its
    day), though the aggregate keeps them apart."""
    moved = membership_frame(
        [
            ("importer", ALPHA, "IM1", D(2024, 5, 1), None),
            ("importer", ALPHA_2, "IM2", D(2023, 1, 1), D(2024, 3, 1)),
            ("importer", ALPHA_2, "IM1", D(2024, 3, 1), None),
        ]
    )
    history = purchases(
        [
            (D(2023, 2, 1), ALPHA_2, "VN", 100.0),
            (D(2024, 4, 1), ALPHA_2, "CN", 200.0),
            (D(2024, 5, 1), ALPHA, "TH", 50.0),
            (D(2026, 1, 5), ALPHA_2, "LA", 10.0),
            (D(2026, 1, 6), ALPHA, "VN", 10.0),
        ]
    )
    origins = earlier_origins(history, moved)
    assert origins.height == 3
    entities = Entities(moved, counts_of(history))
    columns = ["row", "switched_from", "switched_from_kg"]
    whole = (
        on_arrival(
            history,
            entities,
            lambda part, as_of: trader_features(part, as_of, {}, entities),
            TRADER_OUTPUTS,
        )
        .filter(pl.col("row") >= 3)
        .select(columns)
        .sort("row")
    )
    assert whole.rows() == [(3, "CN", 200.0), (4, None, None)]
    bounded = on_arrival(
        history.filter(pl.col("arrival_date") >= SINCE),
        entities,
        lambda part, as_of: trader_features(part, as_of, {}, entities, EXACT_FROM, origins),
        TRADER_OUTPUTS,
    )
    assert_frame_equal(bounded.select(columns).sort("row"), whole, check_exact=True)


def test_profiles_earlier_switches_read_summed_purchases_keyed_as_the_build_keys_them() -> None:
    """The profiles' switches before a run's rows (``switches_before``) read as rows only
    the year after the control: what came before comes summed per spelling, and a
    spelling that moved to another entity counts for the one it joined, as in
    the build above: Alpha's Vietnamese purchase (as its partner's, then a firm of its
    own) makes Vietnam no new origin for Alpha."""
    moved = membership_frame(
        [
            ("importer", ALPHA, "IM1", D(2024, 5, 1), None),
            ("importer", ALPHA_2, "IM2", D(2023, 1, 1), D(2024, 3, 1)),
            ("importer", ALPHA_2, "IM1", D(2024, 3, 1), None),
        ]
    )
    history = purchases(
        [
            (D(2023, 2, 1), ALPHA_2, "VN", 100.0),
            (D(2024, 4, 1), ALPHA_2, "CN", 200.0),
            (D(2024, 5, 1), ALPHA, "TH", 50.0),
            (D(2025, 9, 5), ALPHA_2, "LA", 10.0),
            (D(2025, 9, 6), ALPHA, "VN", 10.0),
            # More than a year after the control: no switch.
            (D(2026, 7, 1), ALPHA, "KR", 10.0),
        ]
    )
    con = duckdb.connect()
    con.register("shipments", history.with_columns(shipment_id=pl.col("row").cast(pl.String)))
    con.register(
        "ref_controlled_codes", pl.DataFrame({"hs6": ["282580"], "material": ["antimony"]})
    )
    con.register("entity_memberships", moved)
    reference = Reference(
        controlled=pl.DataFrame({"hs6": ["282580"], "material": ["antimony"]}),
        capacity=pl.DataFrame(),
        events=pl.DataFrame(
            {
                "effective_date": [CONTROL],
                "end_date": [None],
                "material": ["antimony"],
                "measure": ["licence"],
                "destinations": [[ALL_DESTINATIONS]],
            },
            schema_overrides={"end_date": pl.Date},
        ),
        hubs=pl.DataFrame(),
        countries=pl.DataFrame(),
    )
    switched = switches_before(con, D(2026, 12, 1), reference, Entities(moved, counts_of(history)))
    assert switched.rows() == [("US", ALPHA_2, "antimony", "CN", "LA", CONTROL)]


def corridor_rows(rows: list[tuple[date, str, float]]) -> pl.DataFrame:
    """Controlled shipments into the US of antimony oxide: (day, origin, kg)."""
    frame = pl.DataFrame(
        rows,
        schema={"arrival_date": pl.Date, "origin_country": pl.String, "weight_kg": pl.Float64},
        orient="row",
    )
    return frame.with_columns(
        shipment_id=pl.int_range(pl.len()).cast(pl.String),
        import_country=pl.lit("US"),
        month=pl.col("arrival_date").dt.truncate("1mo"),
        hs6=pl.lit("282580"),
        value_usd=pl.col("weight_kg") * 10,
        origin_name=pl.col("origin_country"),
        material=pl.lit("antimony"),
        code_goods=pl.lit("antimony oxide"),
        capacity_level=pl.lit("none"),
        capacity_note=pl.lit(None, pl.String),
        control_date=pl.lit(None, pl.Date),
        control_measure=pl.lit(None, pl.String),
        controlled=pl.lit(True),
        **{NAME: pl.lit("United States"), ADJECTIVE: pl.lit("US")},
    ).select(*SHIPMENT_COLUMNS, "controlled")


def test_corridor_months_of_a_bounded_build_start_at_the_country_first_month() -> None:
    """The country's first corridor month lies before the lookback, and nothing arrived in
    the lookback's first months: the trailing average still counts the empty months."""
    every = corridor_rows(
        [
            (D(2022, 3, 4), "CN", 900.0),
            (D(2025, 3, 4), "TH", 1200.0),
            (D(2025, 9, 9), "TH", 600.0),
            (D(2025, 11, 2), "TH", 5000.0),
        ]
    )
    first, last = D(2025, 10, 1), D(2025, 12, 31)
    since = first - timedelta(days=LOOKBACK_DAYS)
    bounded = every.filter(pl.col("arrival_date") >= since)
    firsts = pl.DataFrame({"import_country": ["US"], "first_month": [D(2022, 3, 1)]})
    none = pl.Series("shipment_id", [], pl.String)
    full = corridor_months(every, none, first, last)
    assert full["baseline_kg"].to_list() == [1800.0 / 12]
    assert_frame_equal(corridor_months(bounded, none, first, last, firsts), full)
    assert corridor_months(bounded, none, first, last)["baseline_kg"].to_list() != [1800.0 / 12]
