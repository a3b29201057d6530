"""The shipment feature build: profiles of corridors, codes, entities and trade legs.

Every feature of a shipment arriving on day D is computed from shipments that arrived
before D (plus the shipment itself) and trade statistics for months before D's month,
so loading later data never changes an earlier shipment's features.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import polars as pl

from transship.detectors import DetectorConfig
from transship.features import columns, history
from transship.features.capacity import (
    capacity_levels,
    code_contents,
    material_prices,
    priced_as,
)
from transship.features.controls import code_events, latest_in_force
from transship.features.entities import (
    DATE,
    KEY,
    Entities,
    Outputs,
    entity_names,
    keyed,
    on_arrival,
)
from transship.features.history import (
    BASELINE_DAYS,
    CODE,
    CORRIDOR,
    FIRST_SEEN_KEYS,
    IMPORTER,
    RECENT_DAYS,
)
from transship.features.mirror import mirror_features
from transship.features.returning import confirmed_matches
from transship.features.windows import KeyCodes, Window, day_totals, first_seen, prior_sums
from transship.importers import import_country_names
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from collections.abc import Callable

    import duckdb

BENCHMARK_DAYS = 365
SWITCH_WINDOW_DAYS = 365
CONTROLLED_PRICE_DAYS = 90
LOOKBACK_DAYS = RECENT_DAYS + BASELINE_DAYS
"""How far back a shipment's features look, first-seen dates and what importers bought
before a control aside: the corridor baseline's year before the last 90 days. Unit-value
benchmarks (a year before the month), the structuring lags (three months) and the origin
switches' year after a control fall within it."""
assert SWITCH_WINDOW_DAYS < LOOKBACK_DAYS, "a switch's control must lie within the lookback"
EARLIER_KEYS = {
    "corridor": CORRIDOR,
    "exporter": ["import_country", "exporter"],
    "pair": ["import_country", "exporter", "importer"],
}
"""The keys of the first sightings read from SQL: corridors, and traders by spelling (each
build keys the spellings by the entities of its days, ``earlier_by_entity``)."""
TRADER_OUTPUTS = Outputs(
    exporter=("exporter_first_seen", "exporter_controlled_kg_90d", "exporter_name"),
    importer=(
        "switched_from",
        "switched_from_kg",
        "importer_hs6_count_90d",
        "importer_hs6_kg_90d",
        "importer_monthly_kg",
        "importer_monthly_cv",
        "importer_name",
    ),
    both=("pair_first_seen",),
)
"""The features keyed by a trader entity, by the role whose entity keys them."""


def _no_importers() -> pl.DataFrame:
    return pl.DataFrame(schema={"code": pl.String, "adjective": pl.String, "name": pl.String})


def _no_unit_values() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "material": pl.String,
            "hs6": pl.String,
            "usd_per_kg_low": pl.Float64,
            "usd_per_kg_high": pl.Float64,
        }
    )


@dataclass(frozen=True)
class Reference:
    """The reference tables the features reason with, as polars frames."""

    controlled: pl.DataFrame  # hs6, material, other_goods
    capacity: pl.DataFrame  # material, country, stage, scale, status, start_date, end_date, note
    events: pl.DataFrame  # effective_date, end_date, material, measure, destinations, description
    hubs: pl.DataFrame  # country, note
    countries: pl.DataFrame  # code, name
    importers: pl.DataFrame = field(default_factory=_no_importers)  # code, adjective, name
    unit_values: pl.DataFrame = field(default_factory=_no_unit_values)  # material, hs6, low, high

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> Reference:
        return cls(
            controlled=sql_frame(con, load("features/reference_controlled_codes")),
            capacity=sql_frame(con, load("features/reference_capacity")),
            events=sql_frame(con, load("features/reference_control_events")),
            hubs=sql_frame(con, load("features/reference_hubs")),
            countries=sql_frame(con, load("features/reference_countries")),
            importers=sql_frame(con, load("features/reference_importers")),
            unit_values=sql_frame(con, load("features/reference_unit_values")),
        )


def load_shipments(con: duckdb.DuckDBPyConnection, until: date) -> pl.DataFrame:
    """Every stored shipment that arrived on or before ``until``, oldest first."""
    return sql_frame(con, load("features/shipments_until"), {"until": until})


def rows_from(exact_from: date) -> date:
    """The first day whose every shipment a build exact from ``exact_from`` reads as a
    row: its rows' 90-day windows, and the three months before its first month that
    structuring's lags read (and the 90 days before it that a controlled code's price
    reads). Before it, the shipments of uncontrolled codes are read only summed
    (``OlderTotals``)."""
    month = exact_from.replace(day=1)
    lags = date(month.year - (month.month <= 3), (month.month - 4) % 12 + 1, 1)
    return min(lags, month - timedelta(days=RECENT_DAYS))


@dataclass(frozen=True)
class OlderTotals:
    """What a build reads of the uncontrolled codes' shipments from its lookback's start to
    ``rows_from``, the rest of its rows read as rows: each corridor's and each code's
    weight per day (``corridor_days``, ``code_days``: ``windows.day_totals``, added as a
    build over those rows adds them), and each shipment's price for the codes'
    unit-value benchmarks (``prices``: ``CODE``, ``arrival_date``, ``log_unit_value``,
    from a year before the first exact month)."""

    corridor_days: pl.DataFrame
    code_days: pl.DataFrame
    prices: pl.DataFrame


@dataclass(frozen=True)
class ShipmentHistory:
    """The shipments a feature build reads when only recent rows need exact features.

    ``frame`` holds every shipment from ``rows_from`` the first row that needs exact
    features up to the end, and the controlled codes' from ``LOOKBACK_DAYS`` before that
    row; what those rows read of older shipments comes as aggregates:
    ``earlier_first_seen`` the first arrival of each corridor, exporter spelling and pair
    of spellings (``EARLIER_KEYS``) before the frame's first day of every shipment,
    ``earlier_origins`` each importer spelling's first arrival and weight per material and
    origin (``earlier_importer_origins``), ``older`` the uncontrolled codes' totals and
    prices. Rows from that first day on get the features a build over all history would
    give them; earlier rows are context only, read without the columns only a row's own
    features read (``recent_shipments``).
    """

    frame: pl.DataFrame
    earlier_first_seen: dict[str, pl.DataFrame]
    earlier_origins: pl.DataFrame
    older: OlderTotals


def load_history(con: duckdb.DuckDBPyConnection, until: date, exact_from: date) -> ShipmentHistory:
    """What a build needs for exact features of the shipments from ``exact_from`` to
    ``until`` (``con`` holds ``shipments``, ``ref_controlled_codes`` and
    ``entity_memberships``). The uncontrolled codes' shipments before ``rows_from`` come
    as ``OlderTotals``, so a build lacks their context rows: what later steps read of the
    context (corridor months, the first month's review quotas) lies in the rows kept."""
    since = exact_from - timedelta(days=LOOKBACK_DAYS)
    first_row = rows_from(exact_from)
    frame = sql_frame(
        con,
        load("features/recent_shipments"),
        {"since": since, "rows_from": first_row, "until": until, "exact_from": exact_from},
    )
    firsts = sql_frame(con, load("features/earlier_first_seen"), {"before": first_row})
    earlier = {
        name: firsts.filter(pl.col("key_set") == name).select(*keys, "first_seen")
        for name, keys in EARLIER_KEYS.items()
    }
    origins = sql_frame(con, load("features/earlier_importer_origins"), {"before": since})
    return ShipmentHistory(frame, earlier, origins, older_totals(con, since, exact_from))


def older_totals(con: duckdb.DuckDBPyConnection, since: date, exact_from: date) -> OlderTotals:
    """The uncontrolled codes' shipments from ``since`` to ``rows_from(exact_from)`` as a
    build exact from ``exact_from`` reads them (``OlderTotals``)."""
    rows = sql_frame(
        con,
        load("features/uncontrolled_shipments"),
        {"since": since, "before": rows_from(exact_from)},
    )
    corridors = day_totals(rows.drop("value_usd"), CORRIDOR, "weight_kg")
    codes = day_totals(
        rows.select(*CODE, DATE, "shipment_id", "weight_kg").sort(*CODE, DATE, "shipment_id"),
        CODE,
        "weight_kg",
    )
    prices_from = exact_from.replace(day=1) - timedelta(days=BENCHMARK_DAYS)
    prices = rows.filter(pl.col(DATE) >= prices_from).select(*CODE, DATE, columns.log_unit_value())
    return OlderTotals(corridors, codes, prices)


def origins_by_entity(
    origins: pl.DataFrame | None, entities: Entities, as_of: date | None
) -> pl.DataFrame | None:
    """What importer spellings bought before a build's rows (``earlier_importer_origins``)
    as what importer entities bought, each spelling keyed by its entity on ``as_of``
    (None: on the days it bought)."""
    if origins is None:
        return None
    return (
        keyed(origins, entities.memberships, as_of, "first_seen", {"importer": "importer"})
        .group_by(*IMPORTER, "material", "origin_country")
        .agg(pl.col("first_seen").min(), pl.col("kg").sum())
    )


def load_entities(
    con: duckdb.DuckDBPyConnection, until: date, exact_from: date, counts: bool = True
) -> Entities:
    """The entities as resolution left them (none in a store never resolved), the
    spellings' shipments that name them (unless not ``counts``: a partition counts them
    from its own export, ``spelling_counts``), the model's links, analysts' splits and the
    traders of confirmed flags, for a build up to ``until`` whose rows from ``exact_from``
    on need exact features."""
    memberships = sql_frame(con, load("features/entity_memberships"), {"until": until})
    return Entities(
        memberships,
        spelling_counts(con, until, exact_from, memberships) if counts else Entities().counts,
        links=sql_frame(con, load("features/entity_links")),
        different=sql_frame(con, load("features/different_spellings")),
        confirmed=sql_frame(con, load("features/confirmed_traders"), {"until": until}),
    )


def spelling_counts(
    con: duckdb.DuckDBPyConnection, until: date, exact_from: date, memberships: pl.DataFrame
) -> pl.DataFrame:
    """Each trader spelling's shipments per day up to ``until``, those before
    ``exact_from`` summed into one row (``Entities.counts``)."""
    # Counts name entities: a store never resolved names every trader by its spelling.
    if memberships.is_empty():
        return Entities().counts
    return sql_frame(
        con, load("features/spelling_counts"), {"until": until, "exact_from": exact_from}
    )


def earlier_by_entity(
    earlier: dict[str, pl.DataFrame], entities: Entities, as_of: date | None
) -> dict[str, pl.DataFrame]:
    """First sightings by spelling (``EARLIER_KEYS``) as first sightings by entity
    (``FIRST_SEEN_KEYS``), each spelling keyed by its entity on ``as_of`` (None: on the day
    of the sighting)."""
    by_entity = {}
    for name, sightings in earlier.items():
        if name == "corridor":
            by_entity[name] = sightings
            continue
        roles = [role for role in ("exporter", "importer") if role in sightings.columns]
        by_entity[name] = (
            keyed(
                sightings,
                entities.memberships,
                as_of,
                day="first_seen",
                aliases={role: role for role in roles},
            )
            .group_by(FIRST_SEEN_KEYS[name])
            .agg(pl.col("first_seen").min())
        )
    return by_entity


SWITCHES = [
    "import_country",
    "importer",
    "material",
    "switched_from",
    "origin_country",
    "control_date",
]
"""What the importer profiles read of an origin switch (``profiles.origin_switches``)."""


def switches_before(
    con: duckdb.DuckDBPyConnection, before: date, reference: Reference, entities: Entities
) -> pl.DataFrame:
    """The origin switches (``SWITCHES``) of the controlled codes' shipments before
    ``before``, as a build over every shipment gives them: the importer profiles list
    every switch, and a build reads only its lookback (``load_history``).

    A switch arrives within a year after its control (``switch_spans``): only those days'
    shipments are read as rows, what the importers bought before each span summed
    (``earlier_importer_origins``), so the rows read do not grow with the history."""
    parts = [
        _switches_in(con, start, min(end, before), reference, entities)
        for start, end in switch_spans(reference, before)
    ]
    return pl.concat(parts) if parts else pl.DataFrame(schema=_SWITCH_SCHEMA)


_SWITCH_SCHEMA = {
    "import_country": pl.String,
    "importer": pl.String,
    "material": pl.String,
    "switched_from": pl.String,
    "origin_country": pl.String,
    "control_date": pl.Date,
}


def switch_spans(reference: Reference, before: date) -> list[tuple[date, date]]:
    """The days a switch can arrive on before ``before``: from each control's start to a
    year after it, overlapping years joined into one span (start, end exclusive)."""
    starts = code_events(reference.controlled, reference.events)["control_date"]
    spans: list[tuple[date, date]] = []
    for start in sorted(day for day in starts.unique().to_list() if day < before):
        end = start + timedelta(days=SWITCH_WINDOW_DAYS + 1)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((start, end))
    return spans


def _switches_in(
    con: duckdb.DuckDBPyConnection,
    since: date,
    before: date,
    reference: Reference,
    entities: Entities,
) -> pl.DataFrame:
    """The switches arriving from ``since`` to before ``before``, a span of
    ``switch_spans``: every control of such a switch starts on ``since`` or later, so
    what its importer bought before ``since`` counts only summed."""
    frame = sql_frame(con, load("features/controlled_before"), {"since": since, "before": before})
    origins = sql_frame(con, load("features/earlier_importer_origins"), {"before": since})
    frame = beside(
        frame.sort(DATE, "shipment_id").with_row_index("row"), materials(reference), "hs6"
    )
    frame = control_in_force(frame, reference)
    switches = on_arrival(
        frame,
        entities,
        lambda part, as_of: origin_switch(
            part.select(
                "row", DATE, *IMPORTER, "material", "origin_country", "weight_kg", "control_date"
            ),
            origins_by_entity(origins, entities, as_of),
        ).select("row", "switched_from", "switched_from_kg"),
        Outputs(importer=("switched_from", "switched_from_kg")),
    )
    return (
        beside(frame, switches.select("row", "switched_from"), "row")
        .filter(pl.col("switched_from").is_not_null())
        .select(SWITCHES)
    )


def load_flows(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return sql_frame(con, load("features/trade_flows"))


def materials(reference: Reference) -> pl.DataFrame:
    """hs6 -> the controlled materials it can carry, joined as 'gallium/germanium'."""
    return reference.controlled.group_by("hs6").agg(
        material=pl.col("material").sort().str.join("/")
    )


def code_goods(reference: Reference) -> pl.DataFrame:
    """hs6 -> the materials it carries and what a shared code holds in words
    (``code_goods``, see ``capacity.code_contents``)."""
    return materials(reference).join(
        code_contents(reference.controlled, reference.capacity).select("hs6", "code_goods"),
        on="hs6",
    )


def beside(
    frame: pl.DataFrame, other: pl.DataFrame, on: str, nulls_equal: bool = False
) -> pl.DataFrame:
    """``frame`` left-joined to ``other`` on ``on``, in ``frame``'s order: only the key
    column is joined, and ``other``'s columns are set beside ``frame``'s own, which a
    join of the whole frame would copy (millions of rows in a backfill)."""
    joined = frame.select(on).join(
        other, on=on, how="left", nulls_equal=nulls_equal, maintain_order="left"
    )
    return frame.hstack(joined.drop(on).get_columns())


def per_distinct(
    rows: pl.DataFrame, keys: list[str], compute: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """``compute`` (a frame with ``row`` and ``keys`` in, ``row`` and its columns out) for
    each of ``rows``, computed once per distinct combination of ``keys`` when it depends on
    nothing else: the controlled rows of a nightly's history share a few ten thousand
    codes, countries and days."""
    distinct = rows.select(keys).unique().with_row_index("row")
    found = distinct.join(compute(distinct), on="row", how="left").drop("row")
    return rows.select("row", *keys).join(found, on=keys, how="left", nulls_equal=True).drop(keys)


def control_in_force(frame: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """The latest licence or ban on the row's material in force for its importing country
    on its arrival date (``control_date``, ``control_measure``)."""
    events = code_events(reference.controlled, reference.events)
    rows = frame.filter(pl.col("hs6").is_in(events["hs6"].implode()))
    controls = per_distinct(
        rows,
        ["hs6", "import_country", "arrival_date"],
        lambda distinct: latest_in_force(distinct, events, "arrival_date", "hs6"),
    )
    return beside(frame, controls, "row")


def capacity_level(
    frame: pl.DataFrame, reference: Reference, price_ratio: float = 2.5
) -> pl.DataFrame:
    """The origin's capacity for what the declared controlled code holds on the arrival
    date: 'major', 'minor', 'unknown' or 'none' (``transship.features.capacity``), and a
    note on it; null for uncontrolled codes. On a basket code a shipment is the controlled
    material only with corroboration: priced within ``price_ratio`` times its materials'
    typical range, or described as one of them; then a country not known to produce the
    code is one without capacity for the material ('none'), otherwise it stays 'unknown'."""
    controlled = frame.filter(pl.col("material").is_not_null()).select(
        "row",
        "hs6",
        "origin_country",
        "arrival_date",
        "unit_value",
        "material",
        "described_material",
    )
    found = per_distinct(
        controlled,
        ["hs6", "origin_country", "arrival_date"],
        lambda distinct: capacity_levels(
            distinct.select(
                "row", "hs6", country="origin_country", first="arrival_date", last="arrival_date"
            ),
            reference.controlled,
            reference.capacity,
        ),
    )
    prices = material_prices(reference.controlled, reference.unit_values)
    described = pl.col("described_material").is_not_null() & pl.col("material").str.contains(
        pl.col("described_material"), literal=True
    )
    corroborated = priced_as(pl.col("unit_value"), price_ratio) | described.fill_null(False)
    levels = (
        beside(beside(controlled, found, "row"), prices, "hs6")
        .with_columns(
            capacity_level=pl.when((pl.col("capacity_level") == "unknown") & corroborated)
            .then(pl.lit("none"))
            .otherwise(pl.col("capacity_level"))
        )
        .select(found.columns)
    )
    # Only controlled rows have a level: the rest of the frame is never joined or copied.
    return beside(frame, levels, "row")


def unit_value_benchmarks(
    frame: pl.DataFrame, months: list[date], days: int = BENCHMARK_DAYS
) -> pl.DataFrame:
    """Per importing country, code and month M: median and MAD of log unit value over the
    days before M (prices differ by market: a benchmark is the country's own)."""
    parts = []
    for month in months:
        start = pl.lit(month).dt.offset_by(f"-{days}d")
        window = frame.filter(
            (pl.col("arrival_date") >= start) & (pl.col("arrival_date") < pl.lit(month))
        )
        if window.is_empty():
            continue
        parts.append(
            window.group_by(CODE)
            .agg(
                hs6_uv_median=pl.col("log_unit_value").median(),
                hs6_uv_mad=(pl.col("log_unit_value") - pl.col("log_unit_value").median())
                .abs()
                .median(),
                hs6_history=pl.len(),
            )
            .with_columns(month=pl.lit(month))
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "import_country": pl.String,
                "hs6": pl.String,
                "hs6_uv_median": pl.Float64,
                "hs6_uv_mad": pl.Float64,
                "hs6_history": pl.UInt32,
                "month": pl.Date,
            }
        )
    return pl.concat(parts)


def nearest_controlled(
    frame: pl.DataFrame, months: list[date], min_z: float, target: pl.DataFrame | None = None
) -> pl.DataFrame:
    """For rows of ``target`` (default: ``frame``) priced unlike their own code: the
    controlled code whose price they fit best in the same importing country, priced from
    the shipments of ``frame``.

    A controlled code's price comes only from its shipments whose description names its
    material, because shared codes also carry other goods (2825.60 is zirconia too), and
    from the last quarter, because controls move these prices fast.
    """
    target = frame if target is None else target
    named = frame.filter(
        pl.col("material").is_not_null()
        & pl.col("material").str.contains(pl.col("described_material"), literal=True)
    )
    controlled = frame.select("hs6", "material").drop_nulls().unique()
    bench = (
        unit_value_benchmarks(named, months, CONTROLLED_PRICE_DAYS)
        .join(controlled, on="hs6")
        .select(
            "import_country",
            "month",
            nearest_controlled_hs6="hs6",
            nearest_controlled_material="material",
            nearest_controlled_log_uv="hs6_uv_median",
        )
    )
    misfits = target.filter((pl.col("uv_z").abs() >= min_z) & pl.col("material").is_null()).select(
        "row", "import_country", "month", "log_unit_value"
    )
    best = (
        misfits.join(bench, on=["import_country", "month"])
        .with_columns(
            nearest_controlled_gap=(
                pl.col("log_unit_value") - pl.col("nearest_controlled_log_uv")
            ).abs()
        )
        .sort("row", "nearest_controlled_gap")
        .group_by("row", maintain_order=True)
        .first()
        .select(
            "row",
            "nearest_controlled_hs6",
            "nearest_controlled_material",
            "nearest_controlled_gap",
            nearest_controlled_uv=pl.col("nearest_controlled_log_uv").exp(),
        )
    )
    return target.join(best, on="row", how="left")


def origin_switch(
    frame: pl.DataFrame, earlier: pl.DataFrame | None = None, since: date | None = None
) -> pl.DataFrame:
    """An importer entity that bought a material from one origin before a control took
    effect and, within a year after it, buys it from an origin it had never used before
    (an importer is a firm of its importing country). ``earlier`` (``origins_by_entity``)
    adds what the importers bought before ``frame``'s rows; with ``since``, only the rows
    from that day on get their switches, every row still counting in them. Its controls
    must then lie after every earlier purchase: ``frame`` starts more than a switch's
    year before ``since``."""
    buyer = [*IMPORTER, "material"]
    controlled = frame.filter(pl.col("material").is_not_null())
    codes = KeyCodes(controlled)
    importer_first = first_seen(
        controlled,
        buyer,
        None if earlier is None else earlier.group_by(buyer).agg(pl.col("first_seen").min()),
        since,
        codes=codes,
    )
    origin_first = first_seen(
        controlled,
        [*buyer, "origin_country"],
        None if earlier is None else earlier.drop("kg"),
        since,
        codes=codes,
    )
    candidates = controlled.with_columns(
        importer_first=importer_first, origin_first=origin_first
    ).filter(
        pl.col("control_date").is_not_null()
        & (pl.col("importer_first") < pl.col("control_date"))
        & (pl.col("origin_first").is_null() | (pl.col("origin_first") >= pl.col("control_date")))
        & ((pl.col("arrival_date") - pl.col("control_date")).dt.total_days() <= SWITCH_WINDOW_DAYS)
        & (pl.lit(True) if since is None else pl.col("arrival_date") >= since)
    )
    if candidates.is_empty():
        return frame.with_columns(
            switched_from=pl.lit(None, pl.String), switched_from_kg=pl.lit(None, pl.Float64)
        )
    controls = candidates.select(*buyer, "control_date").unique()
    bought = controls.join(
        controlled.select(*buyer, "origin_country", "arrival_date", "weight_kg"), on=buyer
    ).filter(pl.col("arrival_date") < pl.col("control_date"))
    if earlier is not None:
        # Every earlier purchase precedes the controls of the rows that get switches.
        bought = pl.concat(
            [
                controls.join(earlier.select(*buyer, "origin_country", "kg"), on=buyer)
                .rename({"kg": "weight_kg"})
                .select(bought.drop("arrival_date").columns),
                bought.drop("arrival_date"),
            ]
        )
    # Rounded: the same purchases summed in another order (the older ones summed first)
    # differ in their last bits, and a weight on a half kilogram then reads otherwise.
    before = (
        bought.group_by(*buyer, "control_date", "origin_country")
        .agg(kg=pl.col("weight_kg").sum().round(6))
        .sort("kg", "origin_country", descending=[True, False])
        .group_by(*buyer, "control_date", maintain_order=True)
        .first()
        .rename({"origin_country": "switched_from", "kg": "switched_from_kg"})
    )
    switched = (
        candidates.join(before, on=[*buyer, "control_date"])
        .filter(pl.col("switched_from") != pl.col("origin_country"))
        .select("row", "switched_from", "switched_from_kg")
    )
    return frame.join(switched, on="row", how="left")


def structuring(
    frame: pl.DataFrame, since: date | None = None, codes: KeyCodes | None = None
) -> pl.DataFrame:
    """Parcels of one code to one consignee entity: count and weight over 90 days, and how
    steady the consignee's monthly totals were over the three months before this one. With
    ``since``, only the rows from that day on, every row still counting in them; ``codes``
    as ``windows.group_ids`` takes them."""
    keys = [*IMPORTER, "hs6"]
    recent = prior_sums(
        frame,
        keys,
        {"count": Window(pl.lit(1.0), RECENT_DAYS), "kg": Window(pl.col("weight_kg"), RECENT_DAYS)},
        since,
        codes,
    )
    count_90d = recent["count"] + 1
    kg_90d = recent["kg"] + frame["weight_kg"]
    # The lags are found per consignee, code and month, then joined to the rows once:
    # far fewer rows to join than one join per lag over every shipment.
    monthly = frame.group_by([*keys, "month"]).agg(kg=pl.col("weight_kg").sum())
    rows = frame.with_columns(importer_hs6_count_90d=count_90d, importer_hs6_kg_90d=kg_90d)
    if since is not None:
        rows = rows.filter(pl.col("arrival_date") >= since)
    # Only the consignees, codes and months of the rows wanted need their lags.
    steadiness = (
        monthly.select(*keys, "month")
        if since is None
        else rows.select(*keys, "month").unique(maintain_order=True)
    )
    for lag in (1, 2, 3):
        lagged = monthly.with_columns(pl.col("month").dt.offset_by(f"{lag}mo")).rename(
            {"kg": f"kg_lag{lag}"}
        )
        steadiness = steadiness.join(lagged, on=[*keys, "month"], how="left")
    lag_cols = [pl.col(f"kg_lag{lag}").fill_null(0.0) for lag in (1, 2, 3)]
    mean = pl.mean_horizontal(lag_cols)
    std = (pl.sum_horizontal([(c - mean) ** 2 for c in lag_cols]) / 3).sqrt()
    steadiness = steadiness.select(
        *keys,
        "month",
        importer_monthly_kg=mean,
        importer_monthly_cv=pl.when(mean > 0).then(std / mean),
    )
    return rows.join(
        steadiness, on=[*keys, "month"], how="left", nulls_equal=True, maintain_order="left"
    )


def trader_features(
    frame: pl.DataFrame,
    as_of: date | None,
    earlier: dict[str, pl.DataFrame],
    entities: Entities,
    exact_from: date | None = None,
    origins: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The features keyed by trader entities (``TRADER_OUTPUTS``) of a frame keyed by the
    entities of ``as_of`` (None: of each row's own day), by ``row``, for the rows from
    ``exact_from`` on (every row when None). ``earlier`` and ``origins`` hold first
    sightings and purchases older than ``frame`` (``load_history``)."""
    switches = origin_switch(
        frame.select(
            "row", DATE, *IMPORTER, "material", "origin_country", "weight_kg", "control_date"
        ).filter(pl.col("material").is_not_null()),
        origins_by_entity(origins, entities, as_of),
        exact_from,
    ).select("row", "switched_from", "switched_from_kg")
    narrow = frame.select(
        "row", DATE, "month", *IMPORTER, KEY["exporter"], "hs6", "weight_kg", "controlled"
    )
    target = narrow if exact_from is None else narrow.filter(pl.col(DATE) >= exact_from)
    # Every other feature is keyed by the row's exporter or importer entity: its windows
    # and first sightings read only the rows of the target rows' traders.
    traded = (
        narrow
        if exact_from is None
        else narrow.filter(
            pl.col(KEY["exporter"]).is_in(target[KEY["exporter"]].implode(), nulls_equal=True)
            | pl.col(KEY["importer"]).is_in(target[KEY["importer"]].implode(), nulls_equal=True)
        )
    )
    firsts = earlier_by_entity(earlier, entities, as_of)
    codes = KeyCodes(traded)
    out = structuring(
        traded.with_columns(
            history.exporter_first_seen(traded, firsts.get("exporter"), exact_from, codes),
            history.exporter_controlled_kg_90d(traded, exact_from, codes),
            history.pair_first_seen(traded, firsts.get("pair"), exact_from, codes),
        ),
        exact_from,
        codes,
    )
    names = entity_names(
        frame if exact_from is None else frame.filter(pl.col(DATE) >= exact_from),
        entities,
        as_of,
    )
    computed = [c for c in TRADER_OUTPUTS.columns if c not in names.columns]
    return out.join(switches, on="row", how="left").select("row", *computed).join(names, on="row")


def corridor_history(
    frame: pl.DataFrame,
    earlier: dict[str, pl.DataFrame],
    exact_from: date | None,
    older: OlderTotals | None = None,
) -> pl.DataFrame:
    """The corridor windows and first sightings beside ``frame``; their key codes are let
    go before the trader features, the build's peak, begin."""
    codes = KeyCodes(frame)
    frame = frame.hstack(
        history.corridor_volumes(
            frame, exact_from, codes, None if older is None else older.corridor_days
        )
    )
    return frame.with_columns(
        columns.corridor_surge_ratio(),
        history.corridor_first_seen(frame, earlier.get("corridor"), exact_from, codes),
        history.origin_share_90d(
            frame, exact_from, codes, None if older is None else older.code_days
        ),
    )


def build_features(
    shipments: pl.DataFrame,
    flows: pl.DataFrame,
    reference: Reference,
    config: DetectorConfig | None = None,
    earlier_first_seen: dict[str, pl.DataFrame] | None = None,
    entities: Entities | None = None,
    exact_from: date | None = None,
    earlier_origins: pl.DataFrame | None = None,
    older: OlderTotals | None = None,
) -> pl.DataFrame:
    """One row per shipment with every feature the detectors use.

    ``config`` (the shipped rules when None) sets which prices look for a controlled code
    they fit: those the unit-value detector can score, ``[unit_value] min_z``; and which
    prices corroborate a basket code's shipment as its material: within
    ``[unit_value] max_price_ratio`` of the material's typical range.
    ``earlier_first_seen`` holds first arrivals of corridors, exporter spellings and pairs
    of spellings (``EARLIER_KEYS``) among shipments older than ``shipments``
    (``load_history``), ``earlier_origins`` what importer spellings bought before them,
    ``older`` the uncontrolled codes' totals and prices before ``shipments`` holds them
    (``ShipmentHistory``). ``entities`` (``load_entities``) key the traders; without them
    every spelling is its own trader.

    With ``exact_from``, only the rows from that day on get every feature, exactly as a
    build without it gives them. Earlier rows are context: their windows and prices feed
    the later rows' features, and they keep only what is read of them later: the
    shipment's columns and those computed per row, controls and capacity, and for
    controlled rows (corridor months) the countries' names; other features may be null
    there.
    """
    rules = (config or DetectorConfig.load()).parameters["unit_value"]
    misfit_z = rules["min_z"]
    earlier = earlier_first_seen or {}
    entities = entities or Entities()
    hubs = reference.hubs["country"]
    frame = (
        shipments.sort("arrival_date", "shipment_id")
        .with_row_index("row")
        .with_columns(
            columns.unit_value(),
            columns.log_unit_value(),
            columns.hs4(),
            columns.month(),
            columns.export_differs(),
        )
    )
    # Descriptions repeat: read each distinct one once.
    described = (
        frame.select("description")
        .unique()
        .with_columns(columns.described_material(), columns.described_keyword())
    )
    frame = beside(
        beside(frame, described, "description", nulls_equal=True), code_goods(reference), "hs6"
    ).with_columns(columns.controlled(), columns.origin_is_hub(hubs), columns.export_is_hub(hubs))
    frame = control_in_force(frame, reference)
    frame = capacity_level(frame, reference, rules["max_price_ratio"])
    frame = corridor_history(frame, earlier, exact_from, older)
    # Rows are in arrival order: the context is the slice before the first exact row.
    split = 0 if exact_from is None else frame["arrival_date"].search_sorted(exact_from)
    context, exact = frame.slice(0, split), frame.slice(split)
    months = exact["month"].unique().sort().to_list()
    prices = frame.select(*CODE, "arrival_date", "log_unit_value", "material", "described_material")
    # A median reads its values in any order: the older prices are simply added.
    benchmarks = unit_value_benchmarks(
        prices.select(*CODE, "arrival_date", "log_unit_value")
        if older is None
        else pl.concat([prices.select(older.prices.columns), older.prices]),
        months,
    )
    exact = exact.join(benchmarks, on=[*CODE, "month"], how="left").with_columns(
        columns.uv_z(), columns.hs6_uv_typical()
    )
    exact = nearest_controlled(prices, months, misfit_z, exact)
    traders = on_arrival(
        frame,
        entities,
        lambda part, as_of: trader_features(
            part, as_of, earlier, entities, exact_from, earlier_origins
        ),
        TRADER_OUTPUTS,
    )
    exact = (
        keyed(exact, entities.memberships)
        .join(traders, on="row", how="left")
        .join(confirmed_matches(exact, entities), on="row", how="left")
        .with_columns(columns.exporter_age_days(), columns.pair_new())
    )
    exact = country_names(mirror_features(exact, flows), reference).sort("row")
    if context.is_empty():
        return exact
    # Only controlled rows make corridor months, which name their countries.
    named = country_names(
        context.filter(pl.col("controlled")).select(
            "row", "import_country", "origin_country", "export_country"
        ),
        reference,
    ).drop("import_country", "origin_country", "export_country")
    return pl.concat([beside(context, named, "row"), exact], how="diagonal").select(exact.columns)


def country_names(frame: pl.DataFrame, reference: Reference) -> pl.DataFrame:
    """Readable names for the reasons: 'Thailand', not 'TH'; the importing country as
    sentences name it ('US imports', 'Korean imports', 'to Korea'); of the countries
    ``frame`` has."""
    frame = import_country_names(frame, reference.importers, reference.countries)
    names = reference.countries.select("code", "name")
    for column, named in (
        ("origin_country", "origin_name"),
        ("export_country", "export_name"),
        ("switched_from", "switched_from_name"),
    ):
        if column not in frame.columns:
            continue
        frame = frame.join(
            names.rename({"code": column, "name": named}), on=column, how="left"
        ).with_columns(pl.coalesce(named, column).alias(named))
    return frame
