"""`transship evaluate`: how well the current flags rank planted schemes.

The ranking is the shipment flags by score; a shipment without a flag is unflagged and
earns nothing. K is the review budget (default twice the number of positives): precision
and recall at K, average precision over the whole ranking, each scheme's recall in the top
K and each look-alike's presence in the top K.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from transship.errors import InputFileError, TransshipError
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

LABEL_COLUMNS = {"shipment_id": pl.String, "label": pl.String, "positive": pl.Int64}


class NoFlagsError(TransshipError):
    """There is nothing to evaluate yet."""


@dataclass
class Evaluation:
    k: int
    positives: int
    flagged: int
    precision_at_k: float
    recall_at_k: float
    average_precision: float
    scheme_recall_at_k: dict[str, float]
    look_alike_in_top_k: dict[str, dict[str, float]]
    background_in_top_k: int
    unlabelled_flags: int

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def read_labels(path: Path) -> pl.DataFrame:
    try:
        labels = pl.read_csv(path, schema_overrides=LABEL_COLUMNS)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputFileError(f"cannot read labels {path}: {exc}") from exc
    missing = set(LABEL_COLUMNS) - set(labels.columns)
    if missing:
        raise InputFileError(f"{path} lacks columns {', '.join(sorted(missing))}")
    if not labels["positive"].is_in([0, 1]).all():
        raise InputFileError(f"{path}: positive must be 0 or 1")
    if labels["shipment_id"].is_duplicated().any():
        raise InputFileError(f"{path}: shipment_id repeats")
    return labels.select(list(LABEL_COLUMNS))


def ranking(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return sql_frame(con, load("evaluation/shipment_ranking"))


def evaluate(ranked: pl.DataFrame, labels: pl.DataFrame, k: int | None = None) -> Evaluation:
    """Metrics of a ranking (shipment_id, score; best first) against labels."""
    positives = int(labels["positive"].sum())
    if positives == 0:
        raise InputFileError("the labels have no positive shipment to find")
    k = k or 2 * positives
    joined = ranked.join(labels, on="shipment_id", how="left", maintain_order="left")
    unlabelled = int(joined["label"].null_count())
    joined = joined.with_columns(
        pl.col("positive").fill_null(0), pl.col("label").fill_null("unlabelled")
    )
    hits = joined["positive"].to_numpy()
    found = np.cumsum(hits)
    ranks = np.arange(1, len(hits) + 1)
    average_precision = float((found / ranks)[hits == 1].sum() / positives) if len(hits) else 0.0
    top = joined.head(k)
    in_top = top.group_by("label").len()
    in_top_counts = dict(in_top.iter_rows())
    sizes = dict(labels.group_by("label").len().iter_rows())
    schemes = sorted(labels.filter(pl.col("positive") == 1)["label"].unique())
    look_alikes = sorted(
        set(labels.filter(pl.col("positive") == 0)["label"].unique()) - {"background"}
    )
    return Evaluation(
        k=k,
        positives=positives,
        flagged=joined.height,
        precision_at_k=float(top["positive"].sum() / k),
        recall_at_k=float(top["positive"].sum() / positives),
        average_precision=average_precision,
        scheme_recall_at_k={s: in_top_counts.get(s, 0) / sizes[s] for s in schemes},
        look_alike_in_top_k={
            name: {
                "in_top_k": in_top_counts.get(name, 0),
                "share_of_top_k": in_top_counts.get(name, 0) / k,
                "share_of_look_alike": in_top_counts.get(name, 0) / sizes[name],
            }
            for name in look_alikes
        },
        background_in_top_k=in_top_counts.get("background", 0),
        unlabelled_flags=unlabelled,
    )


def evaluate_store(
    con: duckdb.DuckDBPyConnection, labels_path: Path, k: int | None = None
) -> Evaluation:
    ranked = ranking(con)
    if ranked.is_empty():
        raise NoFlagsError("the store holds no shipment flags; run `transship backfill` first")
    return evaluate(ranked, read_labels(labels_path), k)
