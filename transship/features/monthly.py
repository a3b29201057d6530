"""Monthly summaries of the stored shipments, kept as shipments arrive, and the profiles
built from them.

Each ingest recomputes the months its batch touched (``refresh_monthly``) in
``monthly_corridors``, ``monthly_codes`` and ``monthly_traders``, and the months' row
hashes that stored fits are fingerprinted with (``monthly_shipment_hashes``): a month's
rows summarise that month alone, so recomputing one from the store's shipments is
idempotent, and a batch whose months were not recomputed (an ingest stopped after its
commit, a store older than the summaries) is recomputed by the next ingest or run. The
profiles as of a day then read the summaries of the months before the day's month, that
month's shipments up to the day and each importing country's last 180 days of exporter
weights: never every stored shipment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import polars as pl

from transship.features.controls import code_events
from transship.features.profiles import (
    code_profile,
    control_phase,
    corridor_grid,
    corridor_months,
    exporter_profile,
    importer_profile,
    last_days,
    new_pairs,
    trader_months,
    trader_totals,
)
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from collections.abc import Callable

    import duckdb

CODE_LEVELS = ("hs6", "hs4")
PROFILE_KEYS = {
    "profile_corridors": ["import_country", "origin_country", "code_level", "code", "month"],
    "profile_codes": ["import_country", "hs6", "month"],
    "profile_exporters": ["import_country", "exporter"],
    "profile_importers": ["import_country", "importer"],
}
"""Each profile table's primary key (``profile_tables`` gives one frame per table)."""
GROWTH_DAYS = 180
"""How far back of each importing country's last arrival the exporters' growth looks."""


def _summaries(shipments: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The monthly summary tables' rows for ``shipments`` (whole months)."""
    return {**_medians(shipments), "monthly_traders": trader_months(shipments)}


def _medians(shipments: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The monthly summaries that need medians (corridors and codes), for ``shipments``:
    polars computes them (the store refreshes the traders' sums itself,
    ``profiles/months_traders``)."""
    corridors = pl.concat(
        [
            corridor_months(shipments, level)
            .rename({level: "code"})
            .with_columns(code_level=pl.lit(level))
            for level in CODE_LEVELS
        ],
        how="vertical_relaxed",
    )
    return {"monthly_corridors": corridors, "monthly_codes": code_profile(shipments)}


def _month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - timedelta(days=1)


MEDIAN_COLUMNS = (
    "arrival_date",
    "import_country",
    "origin_country",
    "hs6",
    "weight_kg",
    "value_usd",
    "description",
    "transport_mode",
)
"""The shipments' columns the corridor and code summaries read (``_medians``)."""
TRADER_COLUMNS = ("exporter", "importer")
"""The further columns the trader summaries read (``trader_months``)."""
SUMMED_IN_STORE = {
    "monthly_traders": "profiles/months_traders",
    "monthly_shipment_hashes": "profiles/months_shipment_hashes",
}
"""The monthly tables a refresh sums in the store (no medians), and the query of each."""
REFRESH_ROWS = 2_000_000
"""The most stored shipments a refresh reads at once (a month larger alone is read alone):
memory stays bounded on a large store, and a smaller one is summarised in one pass."""


def month_runs(months: pl.DataFrame, rows: int = REFRESH_ROWS) -> list[tuple[date, date]]:
    """The first and last month of each run of consecutive ``months`` (``month``,
    ``shipments``; in order) holding at most ``rows`` shipments together."""
    runs: list[tuple[date, date]] = []
    held = 0
    for month, shipments in months.select("month", "shipments").iter_rows():
        if runs and held + shipments <= rows and runs[-1][1] == _previous(month):
            runs[-1] = (runs[-1][0], month)
            held += shipments
        else:
            runs.append((month, month))
            held = shipments
    return runs


def _previous(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def refresh_monthly(con: duckdb.DuckDBPyConnection, rows: int = REFRESH_ROWS) -> int:
    """Recompute the monthly summaries of every month a batch not yet summarised touched,
    a run of consecutive months of at most ``rows`` shipments at a time (``month_runs``);
    the number of months.

    Each run commits on its own (a file of many years never holds them all in one
    transaction); the batches are marked summarised after the last, so a refresh stopped
    half-way is redone whole by the next one. A month's rows summarise that month alone,
    so they are the same whichever months are read with it.
    """
    batches = [row[0] for row in con.execute(load("profiles/pending_batches")).fetchall()]
    if not batches:
        return 0
    months = sql_frame(con, load("profiles/batch_months"), {"batches": batches})
    for first, last in month_runs(months, rows):
        shipments = sql_frame(
            con,
            load("profiles/shipments_between", columns=MEDIAN_COLUMNS),
            {"since": first, "until": _month_end(last)},
        )
        _replace_months(con, first, last, _medians(shipments))
    con.execute(load("profiles/mark_aggregated"), {"batches": batches})
    return months.height


def _replace_months(
    con: duckdb.DuckDBPyConnection, first: date, last: date, tables: dict[str, pl.DataFrame]
) -> None:
    months = {"first": first, "last": last}
    con.begin()
    try:
        for table, frame in tables.items():
            con.execute(load("profiles/delete_months", table=table), months)
            con.register("summary_frame", frame)
            con.execute(load("profiles/insert_rows", table=table, frame="summary_frame"))
            con.unregister("summary_frame")
        for table, query in SUMMED_IN_STORE.items():
            con.execute(load("profiles/delete_months", table=table), months)
            con.execute(load(query), months)
        con.commit()
    except Exception:
        con.rollback()
        raise


@dataclass(frozen=True)
class Months:
    """The monthly summaries of every shipment up to a day: the stored months before the
    day's month and that month's shipments up to the day; the traders' rows summed over
    those months (``trader_totals``: the trader profiles need no month)."""

    corridors: pl.DataFrame
    codes: pl.DataFrame
    traders: pl.DataFrame

    @classmethod
    def until(cls, con: duckdb.DuckDBPyConnection, day: date) -> Months:
        month = day.replace(day=1)
        current = _summaries(
            sql_frame(
                con,
                load("profiles/shipments_between", columns=(*MEDIAN_COLUMNS, *TRADER_COLUMNS)),
                {"since": month, "until": day},
            )
        )
        stored = {
            "monthly_corridors": load("profiles/stored_months", table="monthly_corridors"),
            "monthly_codes": load("profiles/stored_months", table="monthly_codes"),
            "monthly_traders": load("profiles/trader_totals"),
        }
        parts = {
            table: pl.concat(
                [sql_frame(con, query, {"before": month}), current[table]],
                how="diagonal_relaxed",
            )
            for table, query in stored.items()
        }
        return cls(
            parts["monthly_corridors"],
            parts["monthly_codes"],
            trader_totals(parts["monthly_traders"].drop("month")),
        )


def profile_tables(
    con: duckdb.DuckDBPyConnection,
    until: date,
    reference_controlled: pl.DataFrame,
    reference_events: pl.DataFrame,
    origin_switches: pl.DataFrame,
    name_traders: Callable[[pl.DataFrame], pl.DataFrame],
) -> dict[str, pl.DataFrame]:
    """The profile tables as of ``until`` (every shipment up to it), from the monthly
    summaries (brought up to date first); ``origin_switches`` per importing country and
    importer (``profiles.origin_switches``). ``name_traders`` writes each trader spelling
    as its entity (``entities.named_traders``): the summaries keep spellings, so an entity
    resolved later still adds up from them."""
    refresh_monthly(con)
    months = Months.until(con, until)
    # Spellings written as one entity are summed again.
    traders = trader_totals(name_traders(months.traders))
    controls = code_events(reference_controlled, reference_events)
    corridors = pl.concat(
        [
            control_phase(
                corridor_grid(
                    months.corridors.filter(pl.col("code_level") == level)
                    .drop("code_level")
                    .rename({"code": level}),
                    level,
                ),
                level,
                controls,
            )
            .rename({level: "code"})
            .with_columns(code_level=pl.lit(level))
            for level in CODE_LEVELS
        ],
        how="vertical_relaxed",
    )
    ends = last_days(traders)
    earliest = ends["_last_day"].min()
    after = (earliest if isinstance(earliest, date) else until) - timedelta(days=GROWTH_DAYS)
    recent = name_traders(
        sql_frame(con, load("profiles/exporter_weights"), {"after": after, "until": until})
    )
    return {
        "profile_corridors": corridors,
        "profile_codes": months.codes,
        "profile_exporters": exporter_profile(traders, recent)
        .join(new_pairs(traders), on=["import_country", "exporter"], how="left")
        .with_columns(pl.col("new_pairs_90d").fill_null(0)),
        "profile_importers": importer_profile(traders).join(
            origin_switches, on=["import_country", "importer"], how="left"
        ),
    }
