"""How well resolved entities match the true firms of a synthetic world with messy names.

Pairwise: of the pairs of spellings (of one role) put in one entity, the share that are
one true firm (precision); of the pairs of spellings of one true firm, the share put in
one entity (recall). Counted over distinct spellings, and again over shipments (pairs of
shipments, so a firm's busy spellings weigh more).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from transship.errors import InputFileError

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    predicted_pairs: int
    true_pairs: int


def _pairs(n: pl.Expr) -> pl.Expr:
    return (n * (n - 1) / 2).sum()


def pairwise(resolved: pl.DataFrame, weight: str | None = None) -> PairScores:
    """Pairwise precision and recall of ``resolved`` (role, alias, entity_id, firm and,
    with ``weight``, a count per spelling: pairs of shipments instead of spellings)."""
    n = pl.col(weight).sum() if weight else pl.len()

    def count(keys: list[str]) -> int:
        sizes = resolved.group_by(keys).agg(n.alias("n"))
        return int(sizes.select(_pairs(pl.col("n").cast(pl.Float64))).item() or 0)

    predicted = count(["role", "entity_id"])
    true = count(["role", "firm"])
    both = count(["role", "entity_id", "firm"])
    return PairScores(
        both / predicted if predicted else 1.0,
        both / true if true else 1.0,
        predicted,
        true,
    )


def firms_of_spellings(world: Path) -> pl.DataFrame:
    """role, alias, firm: the true firm behind each spelling of a world generated with
    ``--messy-names`` (its labels.csv holds exporter_firm and importer_firm)."""
    shipments = pl.read_csv(world / "shipments.csv", infer_schema=False)
    labels = pl.read_csv(world / "labels.csv", infer_schema=False)
    if "exporter_firm" not in labels.columns:
        raise InputFileError(
            f"{world / 'labels.csv'} has no exporter_firm column: generate the world with "
            "--messy-names"
        )
    joined = shipments.join(labels, on="shipment_id")
    return (
        pl.concat(
            [
                joined.select(role=pl.lit(role), alias=pl.col(role), firm=pl.col(f"{role}_firm"))
                for role in ("exporter", "importer")
            ]
        )
        .unique()
        .sort("role", "alias")
    )
