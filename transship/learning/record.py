"""A trader's record: what analysts decided on the shipments of a shipment's exporter,
importer and every other party its source names (a declarant, a courier), as of a moment.

For each party, how many of its shipments were decided before that moment and the share of
them confirmed, smoothed towards the share confirmed among all the decisions the model
learns from (as if ``strength`` more of its shipments had been decided at that share: a
party with one confirmed shipment is not certain). This is the target encoding of traders
and declarants that Kim et al.'s DATE (KDD 2020) learns from, kept strictly in time: a
decided shipment the model learns from reads its parties' record as of its own arrival,
never its own outcome; a shipment scored on day D reads the decisions the day's model
learns from, all recorded before D. The identifiers themselves are never inputs (as
categories they let a model learn the traders by heart); only their record is.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import polars as pl

RECORD_PREFIX = "record:"
SHARE, DECIDED = "confirmed_share", "decided"
PARTIES = ("exporter", "importer")
"""Every source's parties; a source's identifier attributes are parties too."""


def record_column(party: str, what: str) -> str:
    return f"{RECORD_PREFIX}{party}:{what}"


def party_of(column: str) -> str | None:
    """The party a record input is of, or None for any other input."""
    if not column.startswith(RECORD_PREFIX):
        return None
    return column.removeprefix(RECORD_PREFIX).rsplit(":", 1)[0]


def parties(attributes: pl.DataFrame) -> pl.DataFrame:
    """Per shipment, its identifier attributes as one column each (``declarant``, ...)."""
    named = attributes.filter(pl.col("kind") == "identifier")
    if named.is_empty():
        return pl.DataFrame(schema={"shipment_id": pl.String})
    return (
        named.select("shipment_id", "name", "text_value")
        .unique(["shipment_id", "name"], keep="first")
        .pivot(on="name", index="shipment_id", values="text_value")
    )


def instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def record(
    rows: pl.DataFrame, decided: pl.DataFrame, names: list[str], strength: int
) -> pl.DataFrame:
    """Each row's parties' record as of its ``as_of`` (a datetime: decisions counting from
    before it), one column pair per party in ``names``, in the rows' order.

    ``rows``: ``shipment_id``, ``as_of`` and the party columns; ``decided``:
    ``shipment_id``, ``positive``, ``effective`` and the party columns, the decisions the
    model learns from. A row's own decision never counts in its record. A row without the
    party (an empty or missing value) has no record of it.
    """
    prior = float(decided["positive"].mean()) if decided.height else 0.0  # type: ignore[arg-type]
    out = rows.select("shipment_id", pl.col("as_of").cast(pl.Datetime("us")))
    own = rows.select("shipment_id").join(
        decided.select("shipment_id", "positive", own_from=pl.col("effective")),
        on="shipment_id",
        how="left",
        maintain_order="left",
    )
    # The row's own decision, where it counts before the row's moment, is taken back out.
    counted_own = (own["own_from"] < out["as_of"]).fill_null(False).cast(pl.Float64)
    own_positive = own["positive"].fill_null(0).cast(pl.Float64) * counted_own
    columns = []
    for name in names:
        if name not in rows.columns or name not in decided.columns:
            continue
        key = pl.col(name).cast(pl.String)
        running = (
            decided.filter(key.is_not_null() & (key != ""))
            .group_by(key.alias("_party"), "effective")
            .agg(_n=pl.len().cast(pl.Float64), _p=pl.col("positive").sum().cast(pl.Float64))
            .sort("_party", "effective")
            .with_columns(
                pl.col("_n").cum_sum().over("_party"), pl.col("_p").cum_sum().over("_party")
            )
            .sort("effective")
        )
        asked = rows.select(
            key.alias("_party"),
            pl.col("as_of").cast(pl.Datetime("us")),
            _row=pl.int_range(pl.len()),
        )
        known = asked.filter(pl.col("_party").is_not_null() & (pl.col("_party") != ""))
        found = (
            known.sort("as_of")
            .join_asof(
                running,
                left_on="as_of",
                right_on="effective",
                by="_party",
                strategy="backward",
                allow_exact_matches=False,
                check_sortedness=False,  # sorted by moment above, within each party too
            )
            .sort("_row")
        )
        decided_n = np.full(rows.height, np.nan)
        confirmed = np.full(rows.height, np.nan)
        at = found["_row"].to_numpy()
        decided_n[at] = found["_n"].fill_null(0.0).to_numpy()
        confirmed[at] = found["_p"].fill_null(0.0).to_numpy()
        decided_n = decided_n - counted_own.to_numpy()
        confirmed = confirmed - own_positive.to_numpy()
        columns += [
            pl.Series(
                record_column(name, SHARE), (confirmed + strength * prior) / (decided_n + strength)
            ),
            pl.Series(record_column(name, DECIDED), np.log1p(decided_n)),
        ]
    return out.select("shipment_id").with_columns(columns)
