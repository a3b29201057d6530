"""What the learner reads of a shipment, and keeping it in the store.

Its inputs are transship's own features as of the shipment's arrival (the same point-in-time
frame the detectors score), each shipment detector's own score, its score before learning,
and the attributes its source's mapping kept (numbers and categories; identifiers never:
as categories they let a model learn the traders by heart). Each input belongs to a group
named in words, which is how the learned part's reasons speak of it ("most alike in unit
value and exporter history").

Inputs of decided shipments are kept in ``learning_features``, one row per shipment and
input, tagged with the version of what computed them, so retraining reads them instead of
rebuilding years of history.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from collections.abc import Mapping

    import duckdb

_DAYS = pl.col("arrival_date")


def _days_since(column: str) -> pl.Expr:
    return (_DAYS - pl.col(column)).dt.total_days().cast(pl.Float64).fill_null(0.0)


def _growth(recent: str, base: str) -> pl.Expr:
    return ((pl.col(recent) + 1.0) / (pl.col(base) + 1.0)).log()


NUMERIC: dict[str, tuple[pl.Expr, str]] = {
    "log_weight": (pl.col("weight_kg").log1p(), "weight"),
    "log_value": (pl.col("value_usd").log1p(), "declared value"),
    "log_unit_value": (pl.col("log_unit_value"), "unit value"),
    "unit_value_deviation": (pl.col("log_unit_value") - pl.col("hs6_uv_median"), "unit value"),
    "unit_value_z": (pl.col("uv_z").clip(-50.0, 50.0), "unit value"),
    "controlled_price_gap": (pl.col("nearest_controlled_gap"), "unit value"),
    "log_code_history": (pl.col("hs6_history").cast(pl.Float64).log1p(), "HS code"),
    "controlled": (pl.col("controlled").cast(pl.Float64), "HS code"),
    "log_corridor_recent_kg": (pl.col("corridor_recent_kg").log1p(), "corridor volume"),
    "log_corridor_surge": (pl.col("corridor_surge_ratio").log(), "corridor volume"),
    "corridor_age_days": (_days_since("corridor_first_seen"), "corridor volume"),
    "origin_share_90d": (pl.col("origin_share_90d"), "corridor volume"),
    "exporter_age_days": (pl.col("exporter_age_days").cast(pl.Float64), "exporter history"),
    "log_exporter_controlled_kg_90d": (
        pl.col("exporter_controlled_kg_90d").log1p(),
        "exporter history",
    ),
    "new_pair": (pl.col("pair_new").cast(pl.Float64), "exporter history"),
    "log_importer_shipments_90d": (pl.col("importer_hs6_count_90d").log1p(), "importer history"),
    "log_importer_kg_90d": (pl.col("importer_hs6_kg_90d").log1p(), "importer history"),
    "importer_monthly_cv": (pl.col("importer_monthly_cv"), "importer history"),
    "origin_switch": (pl.col("switched_from").is_not_null().cast(pl.Float64), "importer history"),
    "export_differs": (pl.col("export_differs").cast(pl.Float64), "route"),
    "origin_is_hub": (pl.col("origin_is_hub").cast(pl.Float64), "route"),
    "export_is_hub": (pl.col("export_is_hub").cast(pl.Float64), "route"),
    "china_to_origin_growth": (
        _growth("cn_to_origin_recent", "cn_to_origin_base"),
        "trade statistics",
    ),
    "origin_to_importer_growth": (
        _growth("origin_to_importer_recent", "origin_to_importer_base"),
        "trade statistics",
    ),
    "china_to_importer_growth": (
        _growth("cn_to_importer_recent", "cn_to_importer_base"),
        "trade statistics",
    ),
}
"""Numeric inputs from the feature frame: name -> (expression, group)."""

CATEGORICAL: dict[str, tuple[pl.Expr, str]] = {
    "origin_country": (pl.col("origin_country"), "origin"),
    "export_country": (pl.col("export_country"), "route"),
    "port_of_lading": (pl.col("port_of_lading"), "route"),
    "hs6": (pl.col("hs6"), "HS code"),
    "hs4": (pl.col("hs6").str.slice(0, 4), "HS code"),
    "hs_chapter": (pl.col("hs6").str.slice(0, 2), "HS code"),
    "material": (pl.col("material"), "HS code"),
    "transport_mode": (pl.col("transport_mode"), "transport"),
    "capacity_level": (pl.col("capacity_level"), "origin capacity"),
    "control_measure": (pl.col("control_measure"), "controls"),
}
"""Categorical inputs from the feature frame: name -> (expression, group)."""

DETECTOR_PREFIX = "score:"
BASE_SCORE = "base_score"
ATTRIBUTE_PREFIX = "attr:"
DETECTORS_GROUP = "what the detectors found"

_SOURCES = [Path(__file__)]


def group_of(name: str) -> str:
    """The words an input's group goes by in the reasons."""
    if name in NUMERIC:
        return NUMERIC[name][1]
    if name in CATEGORICAL:
        return CATEGORICAL[name][1]
    if name.startswith(ATTRIBUTE_PREFIX):
        return name.removeprefix(ATTRIBUTE_PREFIX).replace("_", " ")
    return DETECTORS_GROUP


def findings(inputs: pl.DataFrame) -> pl.Series:
    """Per row, which rules scored it ('unit_value,description'; '' when none): shipments
    with the same findings are those the detectors found suspicious for the same reasons."""
    from transship.detectors import DETECTORS

    rules = [
        column
        for column in inputs.columns
        if column.startswith(DETECTOR_PREFIX)
        and DETECTORS.get(column.removeprefix(DETECTOR_PREFIX)) is not None
        and DETECTORS[column.removeprefix(DETECTOR_PREFIX)].kind == "rule"
    ]
    if not rules:
        return pl.Series("findings", [""] * inputs.height, dtype=pl.String)
    return inputs.select(
        pl.concat_str(
            [
                pl.when(pl.col(c).fill_null(0) > 0).then(pl.lit(c.removeprefix(DETECTOR_PREFIX)))
                for c in sorted(rules)
            ],
            separator=",",
            ignore_nulls=True,
        )
        .fill_null("")
        .alias("findings")
    ).to_series()


def learner_inputs(
    features: pl.DataFrame, scores: Mapping[str, np.ndarray], base: np.ndarray
) -> pl.DataFrame:
    """One row per feature row: ``shipment_id`` and every input but the attributes.

    ``scores`` holds each shipment detector's own score of the rows, ``base`` their fused
    score without learning (0-100).
    """
    frame = features.select(
        "shipment_id",
        *(expr.cast(pl.Float64).alias(name) for name, (expr, _) in NUMERIC.items()),
        *(expr.cast(pl.String).alias(name) for name, (expr, _) in CATEGORICAL.items()),
    ).with_columns(
        *(
            pl.Series(f"{DETECTOR_PREFIX}{name}", np.asarray(values, dtype=np.float64))
            for name, values in scores.items()
        ),
        pl.Series(BASE_SCORE, np.asarray(base, dtype=np.float64)),
    )
    # Infinite logs (a zero surge ratio) carry no more than a missing value.
    return frame.with_columns(
        pl.when(pl.col(pl.Float64).is_finite()).then(pl.col(pl.Float64)).name.keep()
    )


def with_attributes(inputs: pl.DataFrame, attributes: pl.DataFrame) -> pl.DataFrame:
    """The inputs with the shipments' numbers and categories from ``shipment_attributes``
    (``shipment_id, name, kind, text_value, number_value``) as ``attr:<name>`` columns."""
    kept = attributes.filter(pl.col("kind") != "identifier")
    if kept.is_empty():
        return inputs
    columns = []
    for (name, kind), part in kept.group_by("name", "kind", maintain_order=True):
        value = "number_value" if kind == "number" else "text_value"
        columns.append(
            part.select("shipment_id", pl.col(value).alias(f"{ATTRIBUTE_PREFIX}{name}")).unique(
                "shipment_id", keep="first"
            )
        )
    out = inputs
    for column in columns:
        out = out.join(column, on="shipment_id", how="left", maintain_order="left")
    return out


def load_attributes(con: duckdb.DuckDBPyConnection, shipment_ids: pl.Series) -> pl.DataFrame:
    """The stored attributes of the given shipments."""
    con.register("wanted_ids", shipment_ids.unique().to_frame("shipment_id"))
    try:
        return sql_frame(con, load("learning/shipment_attributes"))
    finally:
        con.unregister("wanted_ids")


@cache
def code_digest() -> str:
    """A digest of the code that shapes the inputs: the learner's and the detectors'."""
    from transship.run.fits import code_digest as detector_code

    digest = hashlib.sha256(detector_code().encode())
    for source in _SOURCES:
        digest.update(source.read_bytes())
    return digest.hexdigest()


def inputs_version(detector_version: str) -> str:
    """What stored inputs must carry to be read: same code, same detector settings."""
    return hashlib.sha256(f"{code_digest()}:{detector_version}".encode()).hexdigest()[:16]


def save_inputs(con: duckdb.DuckDBPyConnection, inputs: pl.DataFrame, version: str) -> None:
    """Keep the inputs (without attributes), replacing the shipments' earlier ones. Run inside
    the caller's transaction."""
    if inputs.is_empty():
        return
    inputs = inputs.select(pl.exclude(f"^{ATTRIBUTE_PREFIX}.*$"))
    numbers = [c for c, t in inputs.schema.items() if t.is_numeric()]
    texts = [c for c, t in inputs.schema.items() if t == pl.String and c != "shipment_id"]
    long = pl.concat(
        [
            inputs.unpivot(
                numbers, index="shipment_id", variable_name="feature", value_name="number"
            ).with_columns(text=pl.lit(None, pl.String)),
            inputs.unpivot(texts, index="shipment_id", variable_name="feature", value_name="text")
            .with_columns(number=pl.lit(None, pl.Float64))
            .select("shipment_id", "feature", "number", "text"),
        ]
    ).filter(pl.col("number").is_not_null() | pl.col("text").is_not_null())
    con.register("new_inputs", long.with_columns(version=pl.lit(version)))
    try:
        con.execute(load("learning/replace_inputs")).fetchall()
    finally:
        con.unregister("new_inputs")


def stored_inputs(
    con: duckdb.DuckDBPyConnection, shipment_ids: pl.Series, version: str
) -> pl.DataFrame:
    """The stored inputs of the given shipments computed by this version, one row each
    (shipments without them are absent)."""
    con.register("wanted_ids", shipment_ids.unique().to_frame("shipment_id"))
    try:
        long = sql_frame(con, load("learning/stored_inputs"), {"version": version})
    finally:
        con.unregister("wanted_ids")
    if long.is_empty():
        return pl.DataFrame(schema={"shipment_id": pl.String})
    # Missing values are not stored: a shipment without a row for an input lacks it.
    ids = long.select("shipment_id").unique()
    categorical = pl.col("feature").is_in(list(CATEGORICAL))
    wide = ids
    for part, values in ((long.filter(~categorical), "number"), (long.filter(categorical), "text")):
        if part.height:
            wide = wide.join(
                part.pivot(on="feature", index="shipment_id", values=values),
                on="shipment_id",
                how="left",
            )
    return wide
