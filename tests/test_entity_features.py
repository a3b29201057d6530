"""Trader features keyed by entity, point in time, on literal frames: keys as of a day,
names as of a day, the exact grouping across entities that joined later, and spellings
first seen after a day that never change that day's features."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transship.entities.clusters import Link, Spelling, memberships
from transship.features.build import TRADER_OUTPUTS, trader_features
from transship.features.entities import Entities, entity_names, keyed, named_traders, on_arrival

D = date
GOLDEN = "Golden Metals Co Ltd"
UPPER = "GOLDEN METALS CO LTD"
BRIDGE = "Golden Metal Co"
PACIFIC = "Pacific Coral Metals LLC"
MERGED_ON = D(2025, 3, 1)


def membership_frame(rows: list[tuple[str, str, str, date, date | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "role": pl.String,
            "alias": pl.String,
            "entity_id": pl.String,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
        },
        orient="row",
    )


# GOLDEN METALS CO LTD was an entity of its own until a third spelling joined it to
# Golden Metals Co Ltd's on 2025-03-01.
MEMBERSHIPS = membership_frame(
    [
        ("exporter", GOLDEN, "EXa", D(2025, 1, 10), None),
        ("exporter", UPPER, "EXb", D(2025, 2, 1), MERGED_ON),
        ("exporter", UPPER, "EXa", MERGED_ON, None),
        ("exporter", BRIDGE, "EXa", MERGED_ON, None),
        ("importer", PACIFIC, "IMp", D(2025, 1, 10), None),
    ]
)


def shipments(rows: list[tuple[date, str, str, float]]) -> pl.DataFrame:
    """Antimony oxide from Thailand into the US, one row per (day, exporter, importer, kg)."""
    frame = pl.DataFrame(
        rows,
        schema={
            "arrival_date": pl.Date,
            "exporter": pl.String,
            "importer": pl.String,
            "weight_kg": pl.Float64,
        },
        orient="row",
    )
    return (
        frame.sort("arrival_date")
        .with_row_index("row")
        .with_columns(
            import_country=pl.lit("US"),
            origin_country=pl.lit("TH"),
            hs6=pl.lit("282580"),
            material=pl.lit("antimony"),
            controlled=pl.lit(True),
            control_date=pl.lit(D(2024, 9, 15)),
            month=pl.col("arrival_date").dt.truncate("1mo"),
        )
    )


def counts_of(frame: pl.DataFrame) -> pl.DataFrame:
    """Each spelling's shipments per day, as ``load_spelling_counts`` reads them."""
    return pl.concat(
        frame.group_by(role, "arrival_date")
        .len()
        .select(
            role=pl.lit(role),
            alias=pl.col(role),
            day="arrival_date",
            shipments=pl.col("len").cast(pl.Int64),
        )
        for role in ("exporter", "importer")
    )


def features(frame: pl.DataFrame, entities: Entities) -> pl.DataFrame:
    return on_arrival(
        frame,
        entities,
        lambda part, as_of: trader_features(part, as_of, {}, entities),
        TRADER_OUTPUTS,
    ).sort("row")


def brute_force(frame: pl.DataFrame, entities: Entities) -> pl.DataFrame:
    """Each day's rows computed with every shipment keyed by that day's entities."""
    parts = []
    for day in frame["arrival_date"].unique().sort():
        keyed_then = keyed(frame, entities.memberships, day)
        computed = trader_features(keyed_then, day, {}, entities)
        parts.append(
            computed.join(frame.filter(pl.col("arrival_date") == day), on="row", how="semi")
        )
    return pl.concat(parts).sort("row").select(features(frame, entities).columns)


FRAME = shipments(
    [
        (D(2025, 1, 10), GOLDEN, PACIFIC, 1000.0),
        (D(2025, 2, 1), UPPER, PACIFIC, 2000.0),
        (D(2025, 3, 1), BRIDGE, PACIFIC, 500.0),
        (D(2025, 3, 15), UPPER, PACIFIC, 100.0),
    ]
)


def test_keys_are_the_entities_of_a_day_and_unresolved_spellings_are_their_own() -> None:
    frame = pl.DataFrame(
        {
            "arrival_date": [D(2025, 2, 1), D(2025, 3, 15), D(2025, 3, 15)],
            "exporter": [UPPER, UPPER, "Nobody Resolved Ltd"],
            "importer": [PACIFIC, None, PACIFIC],
        }
    )
    own_day = keyed(frame, MEMBERSHIPS)
    assert own_day["exporter_entity"].to_list() == ["EXb", "EXa", "Nobody Resolved Ltd"]
    assert own_day["importer_entity"].to_list() == ["IMp", None, "IMp"]
    # As of the merge, the February shipment's spelling is Golden Metals' too.
    assert keyed(frame, MEMBERSHIPS, MERGED_ON)["exporter_entity"].to_list()[:2] == ["EXa"] * 2
    # Without memberships (a store never resolved), every spelling is its own key.
    bare = keyed(frame, Entities().memberships)
    assert bare["exporter_entity"].to_list() == frame["exporter"].to_list()


def test_a_shipment_counts_the_history_of_every_spelling_its_entity_holds_on_its_day() -> None:
    entities = Entities(MEMBERSHIPS, counts_of(FRAME))
    out = features(FRAME, entities)
    jan = D(2025, 1, 10)
    # In February GOLDEN METALS CO LTD is a firm of its own and new; from March it is
    # Golden Metals', whose January shipment it now counts (the shipments of its own
    # earlier entity included), and it is no new pair with Pacific Coral.
    assert out["exporter_first_seen"].to_list() == [None, None, jan, jan]
    assert out["exporter_controlled_kg_90d"].to_list() == [1000.0, 2000.0, 3500.0, 3600.0]
    assert out["pair_first_seen"].to_list() == [None, None, jan, jan]
    # The consignee received all four parcels, whatever its suppliers were called.
    assert out["importer_hs6_count_90d"].to_list() == [1.0, 2.0, 3.0, 4.0]
    assert_frame_equal(out, brute_force(FRAME, entities))


def test_an_entity_is_named_by_its_most_used_spelling_as_of_the_day() -> None:
    entities = Entities(MEMBERSHIPS, counts_of(FRAME))
    names = features(FRAME, entities)
    # On 2025-03-01 its three spellings have one shipment each: the first seen names it;
    # by 2025-03-15 GOLDEN METALS CO LTD has two (one of them from its own earlier entity).
    assert names["exporter_name"].to_list() == [GOLDEN, UPPER, GOLDEN, UPPER]
    assert names["importer_name"].to_list() == [PACIFIC] * 4
    # Profiles group by each entity's name at the run's end.
    named = named_traders(FRAME, entities, D(2025, 3, 31))
    assert named["exporter"].to_list() == [UPPER] * 4
    # Without memberships names are the spellings.
    bare = entity_names(keyed(FRAME, Entities().memberships), Entities()).sort("row")
    assert bare["exporter_name"].to_list() == FRAME["exporter"].to_list()


def test_without_entities_the_features_key_by_spelling() -> None:
    out = features(FRAME, Entities())
    assert out["exporter_first_seen"].to_list() == [None, None, None, D(2025, 2, 1)]
    assert out["exporter_controlled_kg_90d"].to_list() == [1000.0, 2000.0, 500.0, 2100.0]


def test_a_spelling_first_seen_after_a_day_never_changes_that_days_features() -> None:
    """Memberships from the model's links (``clusters``): BRIDGE, first seen on 2025-03-01,
    links both earlier spellings and joins their entities from that day. Features of the
    shipments before it are those of a store that never saw it."""
    seen = {GOLDEN: D(2025, 1, 10), UPPER: D(2025, 2, 1), BRIDGE: MERGED_ON}
    keys = {alias: i for i, alias in enumerate(seen)}
    links = [Link(keys[GOLDEN], keys[BRIDGE], 0.99), Link(keys[UPPER], keys[BRIDGE], 0.98)]

    def resolved(aliases: list[str]) -> pl.DataFrame:
        periods = memberships(
            [Spelling(keys[a], seen[a], a) for a in aliases],
            [link for link in links if {link.a, link.b} <= {keys[a] for a in aliases}],
        )
        text = {keys[a]: a for a in aliases}
        return pl.concat(
            [
                membership_frame(
                    [
                        ("exporter", text[p.key], "EX" + text[p.founder], p.valid_from, p.valid_to)
                        for p in periods
                    ]
                ),
                MEMBERSHIPS.filter(pl.col("role") == "importer"),
            ]
        )

    everything = resolved([GOLDEN, UPPER, BRIDGE])
    # The model's links did join the two firms on the bridge's first day.
    assert everything.filter(pl.col("alias") == UPPER)["valid_to"].to_list()[0] == MERGED_ON
    before = FRAME.filter(pl.col("arrival_date") < MERGED_ON)
    full = features(FRAME, Entities(everything, counts_of(FRAME)))
    cut = features(before, Entities(resolved([GOLDEN, UPPER]), counts_of(before)))
    assert_frame_equal(full.join(before, on="row", how="semi"), cut)
    assert_frame_equal(full, brute_force(FRAME, Entities(everything, counts_of(FRAME))))


@pytest.mark.parametrize("exact_from", [D(2025, 2, 1), MERGED_ON, D(2025, 3, 15)])
def test_trader_features_exact_from_a_day_equal_those_of_every_row(exact_from: date) -> None:
    """Computed only for the rows from ``exact_from`` on (each from its traders' rows),
    across the day two entities joined: those rows' features are the full build's, and
    only those rows are computed."""
    entities = Entities(MEMBERSHIPS, counts_of(FRAME))
    full = features(FRAME, entities)
    part = on_arrival(
        FRAME,
        entities,
        lambda frame, as_of: trader_features(frame, as_of, {}, entities, exact_from),
        TRADER_OUTPUTS,
    ).sort("row")
    exact = FRAME.filter(pl.col("arrival_date") >= exact_from).select("row")
    assert_frame_equal(
        part.join(exact, on="row", how="semi"), full.join(exact, on="row"), check_exact=True
    )
    assert part.height == exact.height
