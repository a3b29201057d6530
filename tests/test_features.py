"""Feature functions on literal frames, and the point-in-time guarantee on the tiny world."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.conftest import TINY_WORLD
from transship.features import columns
from transship.features.build import (
    EARLIER_KEYS,
    LOOKBACK_DAYS,
    SWITCHES,
    Reference,
    ShipmentHistory,
    build_features,
    load_entities,
    load_flows,
    load_history,
    load_shipments,
    rows_from,
    switch_spans,
    switches_before,
)
from transship.features.entities import Entities
from transship.features.mirror import windowed
from transship.features.windows import (
    Window,
    day_totals,
    first_seen,
    group_ids,
    prior_sum,
    prior_sums,
)
from transship.ingest.flows import ingest_flows
from transship.ingest.shipments import ingest_shipments
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb


def test_unit_value_and_export_differs() -> None:
    frame = pl.DataFrame(
        {
            "value_usd": [100.0, 0.0, 55.0],
            "weight_kg": [4.0, 10.0, 100.0],
            "origin_country": ["TH", "CN", "MY"],
            "export_country": ["TH", "HK", None],
        }
    )
    out = frame.select(columns.unit_value(), columns.export_differs())
    assert out["unit_value"].to_list() == [25.0, 0.0, 0.55]
    assert out["export_differs"].to_list() == [False, True, False]


@pytest.mark.parametrize(
    ("description", "material"),
    [
        ("ANTIMONY TRIOXIDE", "antimony"),
        ("Trióxido de antimonio", "antimony"),
        ("SB2O3 flame retardant", "antimony"),
        ("METAL INGOTS SB 99.65", "antimony"),
        ("GaAs wafers", "gallium"),
        ("galio metálico", "gallium"),
        ("GeO2 powder", "germanium"),
        ("germanium lens blanks", "germanium"),
        ("IRON INGOTS", None),
        ("SBR rubber", None),
        ("GANTRY CRANE PARTS", None),
    ],
)
def test_described_material_reads_names_in_several_languages(
    description: str, material: str | None
) -> None:
    frame = pl.DataFrame({"description": [description]})
    assert frame.select(columns.described_material()).item() == material


def test_prior_sum_sees_only_earlier_days_in_the_window() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [
                date(2025, 1, 1),
                date(2025, 1, 1),
                date(2025, 1, 20),
                date(2025, 4, 15),
            ],
            "corridor": ["a", "a", "a", "a"],
            "kg": [1.0, 2.0, 4.0, 8.0],
        }
    )
    recent = prior_sum(frame, ["corridor"], pl.col("kg"), days=90)
    # Same-day rows do not see each other; 2025-04-15 is 104 days after 1 January.
    assert recent.to_list() == [0.0, 0.0, 3.0, 4.0]
    older = prior_sum(frame, ["corridor"], pl.col("kg"), days=365, skip_days=90)
    assert older.to_list() == [0.0, 0.0, 0.0, 3.0]


def test_prior_sum_of_a_constant_counts_rows_not_days() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [
                date(2025, 1, 1),
                date(2025, 1, 1),
                date(2025, 1, 1),
                date(2025, 1, 5),
            ],
            "importer": ["i", "i", None, None],
        }
    )
    counts = prior_sum(frame, ["importer"], pl.lit(1.0), days=90)
    # Null keys form their own group, as in a group_by.
    assert counts.to_list() == [0.0, 0.0, 0.0, 1.0]
    both = pl.concat([frame, frame.with_columns(pl.lit(date(2025, 1, 2)).alias("arrival_date"))])
    assert prior_sum(both, ["importer"], pl.lit(1.0), days=90).to_list()[4:] == [2.0, 2.0, 1.0, 1.0]


def test_windows_from_a_day_on_equal_windows_over_every_row() -> None:
    # Rows summed per key and day add in frame order: a key's sums are the same, to the
    # bit, whichever other keys and days the frame holds and from whichever day they are
    # wanted (a nightly build reads less context than a backfill).
    days = [date(2025, 1, 1) + timedelta(days=d % 7) for d in range(40)]
    frame = pl.DataFrame(
        {
            "arrival_date": days,
            "corridor": ["a" if d % 3 else "b" for d in range(40)],
            "kg": [0.1 * (d + 1) + 1e6 * (d % 5) for d in range(40)],
        }
    ).sort("arrival_date")
    since = date(2025, 1, 5)
    later = pl.col("arrival_date") >= since
    every = frame.with_columns(
        kg_90d=prior_sum(frame, ["corridor"], pl.col("kg"), days=90),
        first=first_seen(frame, ["corridor"]),
    )
    wanted = frame.with_columns(
        kg_90d=prior_sum(frame, ["corridor"], pl.col("kg"), days=90, since=since),
        first=first_seen(frame, ["corridor"], since=since),
    )
    assert_frame_equal(wanted.filter(later), every.filter(later), check_exact=True)
    context = wanted.filter(~later).select("kg_90d", "first")
    assert context.height == 24
    assert context.null_count().row(0) == (24, 24)
    alone = frame.filter(pl.col("corridor") == "a")
    assert_frame_equal(
        alone.with_columns(kg_90d=prior_sum(alone, ["corridor"], pl.col("kg"), days=90)),
        every.filter(pl.col("corridor") == "a").drop("first"),
        check_exact=True,
    )


def test_day_totals_in_place_of_older_rows_give_the_windows_of_the_rows_bit_for_bit() -> None:
    """A key's older rows summed per day (``day_totals``), in the order a build sorts its
    rows, give every later row the windows the rows give, to the last bit: the running
    totals start on the same day and add the same day totals. Without them the year
    before the last 90 days misses those rows; summed in another order (a group_by), the
    weights' last bits differ."""
    rng = np.random.default_rng(7)
    n = 20_000
    frame = pl.DataFrame(
        {
            "arrival_date": [
                date(2024, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 500, n)
            ],
            "shipment_id": [f"S{i:05d}" for i in rng.permutation(n)],
            "corridor": rng.choice(["a", "b", "c"], n),
            # Weights so large that a sum's last bits show beyond the windows' rounding.
            "weight_kg": rng.random(n) * 1e13,
        }
    ).sort("arrival_date", "shipment_id")
    cut = date(2024, 7, 19)
    since = cut + timedelta(days=150)
    windows = {
        "recent": Window(pl.col("weight_kg"), 90),
        "baseline": Window(pl.col("weight_kg"), 455, 90),
    }
    later = frame["arrival_date"] >= since
    every = prior_sums(frame, ["corridor"], windows, since).filter(later)
    older, recent = (
        frame.filter(pl.col("arrival_date") < cut),
        frame.filter(pl.col("arrival_date") >= cut),
    )
    wanted = pl.col("arrival_date") >= since

    def windows_with(totals: pl.DataFrame | None) -> pl.DataFrame:
        earlier = (
            None
            if totals is None
            else totals.rename({"weight_kg": "recent"}).with_columns(baseline=pl.col("recent"))
        )
        sums = prior_sums(recent, ["corridor"], windows, since, earlier=earlier)
        return sums.filter(recent.select(wanted).to_series())

    totals = day_totals(
        older.sort("corridor", "arrival_date", "shipment_id"), ["corridor"], "weight_kg"
    )
    assert totals.height < older.height
    assert_frame_equal(windows_with(totals), every, check_exact=True)
    assert not windows_with(None)["baseline"].equals(every["baseline"])
    grouped = older.group_by("corridor", "arrival_date").agg(pl.col("weight_kg").sum())
    assert not windows_with(grouped)["baseline"].equals(every["baseline"])


def test_first_seen_is_point_in_time() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [date(2025, 1, 1), date(2025, 1, 1), date(2025, 2, 1)],
            "exporter": ["x", "x", "x"],
        }
    )
    assert first_seen(frame, ["exporter"]).to_list() == [None, None, date(2025, 1, 1)]


def test_mirror_windows_use_months_before_the_shipment() -> None:
    leg = pl.DataFrame(
        {
            "country": ["TH"] * 4,
            "hs6": ["282580"] * 4,
            "period_start": [
                date(2024, 1, 1),
                date(2024, 2, 1),
                date(2024, 3, 1),
                date(2024, 4, 1),
            ],
            "value": [10.0, 20.0, 30.0, 1000.0],
        }
    )
    table = windowed(leg, "cn_to_origin")
    april = table.filter(pl.col("month") == date(2024, 4, 1))
    assert april["cn_to_origin_recent"].item() == 60.0  # January to March, not April
    may = table.filter(pl.col("month") == date(2024, 5, 1))
    assert may["cn_to_origin_recent"].item() == 1050.0
    assert may["cn_to_origin_base"].item() == pytest.approx(10.0 * 3 / 12)


def test_mirror_windows_scale_published_months_and_leave_unpublished_ones_unknown() -> None:
    months = [date(2024, m, 1) for m in range(1, 7)]
    leg = pl.DataFrame(
        {
            "country": ["TH"] * 6,
            "hs6": ["282580"] * 6,
            "period_start": months,
            "value": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0],
            "published": [date(2024, 4, 1)] * 6,  # the leg's reporters' last month
        }
    ).filter(pl.col("period_start") <= date(2024, 4, 1))
    table = windowed(leg, "cn_to_origin").sort("month")

    def at(month: date) -> dict[str, object]:
        return table.filter(pl.col("month") == month).row(0, named=True)

    april = at(date(2024, 4, 1))
    assert april["cn_to_origin_recent"] == 60.0 and april["cn_to_origin_recent_months"] == 3
    may = at(date(2024, 5, 1))
    assert may["cn_to_origin_recent"] == 90.0 and may["cn_to_origin_recent_months"] == 3
    june = at(date(2024, 6, 1))  # May unknown: March and April scaled to three months
    assert june["cn_to_origin_recent"] == pytest.approx((30.0 + 40.0) * 3 / 2)
    assert june["cn_to_origin_recent_months"] == 2
    august = at(date(2024, 8, 1))  # May to July: nothing published
    assert august["cn_to_origin_recent"] is None and august["cn_to_origin_recent_months"] == 0
    # August's base (the 12 months before May) holds no unknown month: as before.
    assert august["cn_to_origin_base"] == pytest.approx(100.0 * 3 / 12)
    # July's base (12 months before April) is known; its recent months April (known) and
    # May, June (not): April alone counts for three.
    july = at(date(2024, 7, 1))
    assert july["cn_to_origin_recent"] == pytest.approx(40.0 * 3)


def test_a_reporter_that_has_published_makes_a_month_without_figures_a_zero() -> None:
    from transship.features.mirror import legs

    def flow(reporter: str, partner: str, month: date, usd: float) -> dict[str, object]:
        return {
            "frequency": "monthly",
            "reporter": reporter,
            "flow": "export",
            "partner": partner,
            "hs6": "282580",
            "period_start": month,
            "value_usd": usd,
        }

    flows = pl.DataFrame(
        [
            flow("CN", "TH", date(2024, 1, 1), 100.0),
            flow("CN", "VN", date(2024, 3, 1), 5.0),  # China has published March
        ]
    )
    table = windowed(legs(flows)["cn_to_origin"], "cn_to_origin")
    april = table.filter((pl.col("country") == "TH") & (pl.col("month") == date(2024, 4, 1)))
    # Thailand had no figure in February or March, but China published both months.
    assert april["cn_to_origin_recent"].item() == 100.0
    assert april["cn_to_origin_recent_months"].item() == 3
    may = table.filter((pl.col("country") == "TH") & (pl.col("month") == date(2024, 5, 1)))
    assert may["cn_to_origin_recent"].item() == 0.0  # February and March zero, April unknown
    assert may["cn_to_origin_recent_months"].item() == 2


@pytest.fixture(scope="module")
def tiny_features_store(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    from transship.storage.store import open_store

    con = open_store(tmp_path_factory.mktemp("features") / "f.duckdb")
    list(ingest_shipments(con, [TINY_WORLD / "shipments.csv"]))
    list(ingest_flows(con, [TINY_WORLD / "flows.csv"], "canonical"))
    return con


def test_later_data_never_changes_earlier_features_or_scores(
    tiny_features_store: duckdb.DuckDBPyConnection,
) -> None:
    from transship.detectors import DetectorConfig
    from transship.run.scoring import score_range

    con = tiny_features_store
    reference = Reference.load(con)
    shipments = load_shipments(con, date(2026, 12, 31))
    flows = load_flows(con)
    cut = date(2025, 3, 12)
    full = build_features(shipments, flows, reference)
    partial = build_features(
        shipments.filter(pl.col("arrival_date") < cut),
        flows.filter(pl.col("period_start") < date(2025, 3, 1)),
        reference,
    )
    earlier = full.filter(pl.col("arrival_date") < cut).drop("row")
    assert_frame_equal(earlier, partial.drop("row"), check_row_order=True)

    config = DetectorConfig.load()
    scored_full = score_range(full, date(2025, 1, 1), cut, config)
    scored_partial = score_range(partial, date(2025, 1, 1), cut, config)
    assert_frame_equal(
        scored_full.filter(pl.col("shipment_id").is_in(partial["shipment_id"].implode())),
        scored_partial,
    )


def bounded_build(
    history: ShipmentHistory,
    flows: pl.DataFrame,
    reference: Reference,
    exact_from: date,
    entities: Entities | None = None,
) -> pl.DataFrame:
    """The features a build over ``history`` (``load_history``) gives, exact from
    ``exact_from``."""
    return build_features(
        history.frame,
        flows,
        reference,
        earlier_first_seen=history.earlier_first_seen,
        entities=entities,
        exact_from=exact_from,
        earlier_origins=history.earlier_origins,
        older=history.older,
    )


def assert_every_switch(earlier: pl.DataFrame, recent: pl.DataFrame, full: pl.DataFrame) -> None:
    """The switches before a bounded build (``switches_before``) and the build's own are
    every switch of the full build."""
    assert earlier.height > 0
    switched = pl.col("switched_from").is_not_null()
    assert_frame_equal(
        pl.concat([earlier, recent.filter(switched).select(SWITCHES)]).sort(SWITCHES),
        full.filter(switched).select(SWITCHES).sort(SWITCHES),
    )


@pytest.mark.parametrize("exact_from", [date(2024, 6, 1), date(2025, 3, 12), date(2026, 10, 30)])
def test_recent_history_gives_recent_rows_their_full_history_features(
    tiny_features_store: duckdb.DuckDBPyConnection, exact_from: date
) -> None:
    """A build over the lookback window, earlier controlled shipments and earlier first
    sightings gives every row from ``exact_from`` on what a build over everything does."""
    con = tiny_features_store
    reference, flows, until = Reference.load(con), load_flows(con), date(2026, 12, 31)
    full = build_features(load_shipments(con, until), flows, reference)
    history = load_history(con, until, exact_from)
    assert history.frame.height < full.height
    recent = bounded_build(history, flows, reference, exact_from)
    exact = pl.col("arrival_date") >= exact_from
    assert recent.filter(exact).height > 0
    assert_frame_equal(
        full.filter(exact).drop("row"), recent.filter(exact).drop("row"), check_row_order=True
    )


@pytest.mark.parametrize("exact_from", [date(2025, 3, 12), date(2026, 7, 1)])
def test_a_narrow_build_reads_older_uncontrolled_shipments_summed_yet_equals_a_full_build(
    tiny_features_store: duckdb.DuckDBPyConnection, exact_from: date
) -> None:
    """Before ``rows_from`` a partition's build reads only the controlled codes' shipments
    as rows: its corridor and code windows add the others' day totals, its unit-value
    benchmarks their prices, its first sightings reach up to ``rows_from``. Its exact rows
    equal a full build's to the last bit, and each summary is needed: without the day
    totals the corridor baselines, without the prices the benchmarks, and with first
    sightings only up to the lookback's start the exporters' first sightings differ."""
    con = tiny_features_store
    reference, flows, until = Reference.load(con), load_flows(con), date(2026, 12, 31)
    full = build_features(load_shipments(con, until), flows, reference)
    exact = pl.col("arrival_date") >= exact_from
    wanted = full.filter(exact).drop("row")
    history = load_history(con, until, exact_from)
    first_row = rows_from(exact_from)
    assert first_row < exact_from - timedelta(days=89)
    older = history.frame.filter(pl.col("arrival_date") < first_row)
    assert older.height > 0
    assert older["hs6"].is_in(reference.controlled["hs6"].implode()).all()
    recent = bounded_build(history, flows, reference, exact_from)
    assert_frame_equal(recent.filter(exact).drop("row"), wanted, check_exact=True)

    def differs(history: ShipmentHistory, column: str) -> bool:
        built = bounded_build(history, flows, reference, exact_from).filter(exact)
        return not built[column].equals(wanted[column], check_names=True)

    totals = history.older
    assert differs(
        replace(history, older=replace(totals, corridor_days=totals.corridor_days.clear())),
        "corridor_baseline_kg",
    )
    assert differs(
        replace(history, older=replace(totals, prices=totals.prices.clear())), "hs6_uv_median"
    )
    firsts = sql_frame(
        con,
        load("features/earlier_first_seen"),
        {"before": exact_from - timedelta(days=LOOKBACK_DAYS)},
    )
    lookback = {
        name: firsts.filter(pl.col("key_set") == name).select(*keys, "first_seen")
        for name, keys in EARLIER_KEYS.items()
    }
    assert differs(replace(history, earlier_first_seen=lookback), "exporter_first_seen")


@pytest.mark.parametrize("exact_from", [date(2024, 6, 1), date(2025, 3, 12)])
def test_switches_before_a_bounded_build_and_its_own_are_every_switch_of_a_full_build(
    tiny_features_store: duckdb.DuckDBPyConnection, exact_from: date
) -> None:
    """The importer profiles list every origin switch: those of the rows before a bounded
    build's exact rows come from the store, the rest from the build."""
    con = tiny_features_store
    reference, flows, until = Reference.load(con), load_flows(con), date(2026, 12, 31)
    full = build_features(load_shipments(con, until), flows, reference)
    recent = bounded_build(load_history(con, until, exact_from), flows, reference, exact_from)
    earlier = switches_before(con, exact_from, reference, Entities())
    assert_every_switch(earlier, recent, full)


@pytest.mark.parametrize("exact_from", [date(2024, 9, 1), date(2025, 6, 1)])
def test_switches_before_read_summed_purchases_yet_equal_a_full_build_under_entities(
    resolved: Path, exact_from: date
) -> None:
    """Only a year after each control is read as rows, the rest summed: on a store whose
    spellings were resolved into entities (changing as links arrive), the switches before
    a bounded build and its own are still every switch of a full build."""
    import duckdb

    con = duckdb.connect(str(resolved), read_only=True)
    reference, flows, until = Reference.load(con), load_flows(con), date(2026, 12, 31)
    entities = load_entities(con, until, exact_from)
    assert entities.resolved
    shipments = load_shipments(con, until)
    spans = switch_spans(reference, exact_from)
    # Some purchases before the first span are read summed only.
    assert shipments["arrival_date"].min() < spans[0][0]
    full = build_features(shipments, flows, reference, entities=entities)
    recent = bounded_build(
        load_history(con, until, exact_from), flows, reference, exact_from, entities
    )
    earlier = switches_before(con, exact_from, reference, entities)
    con.close()
    assert_every_switch(earlier, recent, full)


CONTEXT = [
    "shipment_id",
    "arrival_date",
    "month",
    "weight_kg",
    "value_usd",
    "controlled",
    "material",
    "code_goods",
    "capacity_level",
    "capacity_note",
    "control_date",
    "control_measure",
]
"""What later steps read of the rows before ``exact_from``, all of them."""
CONTROLLED_CONTEXT = ["origin_name", "import_country_name"]
"""... and of the controlled ones (corridor months)."""


@pytest.mark.parametrize("exact_from", [date(2024, 6, 1), date(2025, 3, 12), date(2026, 10, 30)])
def test_a_build_exact_from_a_day_gives_those_rows_every_feature_of_a_full_build(
    tiny_features_store: duckdb.DuckDBPyConnection, exact_from: date
) -> None:
    """Over the same shipments, every column of the rows from ``exact_from`` on is the full
    build's; earlier rows keep what later steps read of them."""
    con = tiny_features_store
    reference, flows, until = Reference.load(con), load_flows(con), date(2026, 12, 31)
    shipments = load_shipments(con, until)
    full = build_features(shipments, flows, reference)
    part = build_features(shipments, flows, reference, exact_from=exact_from)
    exact = pl.col("arrival_date") >= exact_from
    assert part.height == full.height
    assert part.filter(exact).height > 0
    assert_frame_equal(full.filter(exact), part.filter(exact), check_exact=True)
    context = ~exact & pl.col("controlled")
    assert part.filter(context).height > 0
    assert_frame_equal(full.filter(~exact).select(CONTEXT), part.filter(~exact).select(CONTEXT))
    assert_frame_equal(
        full.filter(context).select(CONTROLLED_CONTEXT),
        part.filter(context).select(CONTROLLED_CONTEXT),
    )
    # The costly features are left out of the context rows.
    assert part.filter(~exact)["uv_z"].null_count() == part.filter(~exact).height


def test_first_seen_adds_earlier_first_sightings() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [date(2025, 1, 1), date(2025, 2, 1), date(2025, 2, 1)],
            "exporter": ["x", None, "y"],
        }
    )
    earlier = pl.DataFrame(
        {"exporter": ["x", None], "first_seen": [date(2024, 5, 1), date(2024, 6, 1)]}
    )
    assert first_seen(frame, ["exporter"], earlier).to_list() == [
        date(2024, 5, 1),
        date(2024, 6, 1),
        None,
    ]


def test_feature_build_covers_every_shipment(
    tiny_features_store: duckdb.DuckDBPyConnection,
) -> None:
    con = tiny_features_store
    shipments = load_shipments(con, date(2026, 12, 31))
    features = build_features(shipments, load_flows(con), Reference.load(con))
    assert features.height == shipments.height
    assert features["shipment_id"].is_unique().all()
    controlled = features.filter(pl.col("controlled"))
    assert controlled["capacity_level"].is_in(["major", "minor", "unknown", "none"]).all()
    kazakh = features.filter(pl.col("origin_country") == "KZ")
    if kazakh.height:  # announced supply counts once it starts (2026-07)
        assert (kazakh["capacity_level"] == "major").all()


def test_group_ids_are_equal_exactly_where_the_keys_are() -> None:
    frame = pl.DataFrame(
        {
            "a": ["x", "x", None, "y", None, "x"],
            "b": ["1", "2", "1", "1", "1", None],
        }
    )
    ids = group_ids(frame, ["a", "b"]).to_list()
    assert len(set(ids)) == frame.unique().height == 5
    assert ids[2] == ids[4]  # null keys group together, as in a group_by
    assert max(ids) < 1 << 40
