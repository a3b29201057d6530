"""Fusion: the one place where detector scores become a risk score from 0 to 100, at every
level (shipments, corridor years, corridor months).

Each rule contributes weight x score (``[weights]``), multiplied by a per-row damping
factor for the ``[fusion] damped`` rules where the caller gives one; rules combine as
independent evidence, rules = 1 - prod(1 - contribution); the models' mean normalised
score enters with ``[fusion] model_weight``; risk = 100 x (1 - (1 - rules) x
(1 - model_weight x models)), rounded to 0.01. A row is ``supported`` when a detector
outside ``[fusion] supporting`` scored it: only supported rows become flags.

For shipments, the learned part (transship/learning/) then moves that risk towards what
analysts decided: ``with_learning`` gives (1 - w) x risk + w x 100 x learned, where learned
is the learned probability that analysts confirm the shipment and w the weight its evidence
earned ([learning]); with no learned part (w = 0) the risk is exactly as before.

Every flag, at every level, states its detectors the same way (``explain``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from transship.detectors import Detector, DetectorConfig

NAMED_FROM = 0.05
"""The contribution from which a flag names a detector in ``detectors``. Below it a
detector (a model's small share of nearly every row, a rule's faint signal) is listed in
``contributions`` only."""


@dataclass(frozen=True)
class Explained:
    """What a flag says of its detectors."""

    ranked: list[str]
    """Every detector that contributed, largest contribution first."""
    detectors: str
    """The flag's ``detectors``: those contributing at least NAMED_FROM, ranked, comma-joined."""
    contributions: str
    """The flag's ``contributions``: JSON ``{name: {"score": s, "contribution": c}}`` of every
    detector that contributed, ranked, rounded to 0.001."""


def explain(parts: Iterable[tuple[str, float, float]]) -> Explained:
    """A flag's detectors from each detector's (name as flags show it, own score,
    contribution to the fused risk), the same at every level; ties keep the given order."""
    ranked = sorted((part for part in parts if part[2] > 0), key=lambda part: -part[2])
    return Explained(
        ranked=[name for name, _, _ in ranked],
        detectors=",".join(name for name, _, part in ranked if part >= NAMED_FROM),
        contributions=json.dumps(
            {
                name: {"score": round(score, 3), "contribution": round(part, 3)}
                for name, score, part in ranked
            }
        ),
    )


@dataclass(frozen=True)
class Fused:
    risk: np.ndarray
    """0-100 per row, rounded to 0.01."""
    contributions: dict[str, np.ndarray]
    """Per detector (by ``name``, in the order given): its share of the evidence."""
    supported: np.ndarray
    """Per row: whether a detector that is more than supporting evidence scored it."""

    def flags(self, config: DetectorConfig) -> np.ndarray:
        """The rows that become flags: supported and at or above the threshold."""
        flags: np.ndarray = self.supported & (self.risk >= config.fusion["threshold"])
        return flags


def fuse(
    detectors: Sequence[Detector],
    scores: Mapping[str, np.ndarray],
    config: DetectorConfig,
    damping: np.ndarray | None = None,
) -> Fused:
    """The risk score per row and each detector's contribution to it.

    ``scores`` holds each detector's scores of the same rows; ``damping`` a factor per
    row for the ``damped`` rules (none: nothing is damped).
    """
    rows = len(next(iter(scores.values()))) if scores else 0
    contributions: dict[str, np.ndarray] = {}
    keep = np.ones(rows)
    models = [d for d in detectors if d.kind == "model"]
    for detector in detectors:
        if detector.kind != "rule":
            continue
        part = config.weights[detector.name] * scores[detector.name]
        if damping is not None and detector.name in config.fusion["damped"]:
            part = part * damping
        contributions[detector.name] = part
        keep *= 1 - part
    model_weight = config.fusion["model_weight"]
    model_mean = np.mean([scores[m.name] for m in models], axis=0) if models else np.zeros(rows)
    for model in models:
        contributions[model.name] = model_weight * scores[model.name] / len(models)
    risk = 100 * (1 - keep * (1 - model_weight * model_mean))
    supported = np.zeros(rows, dtype=bool)
    for detector in detectors:
        if detector.name not in config.fusion["supporting"]:
            supported |= scores[detector.name] > 0
    return Fused(np.round(risk, 2), contributions, supported)


def with_learning(base: np.ndarray, learned: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The risk with the learned part, rounded to 0.01: rows whose weight is 0, or that have
    no learned score, keep ``base`` exactly."""
    base = np.asarray(base, dtype=np.float64)
    learned = np.asarray(learned, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    on = (weight > 0) & np.isfinite(learned)
    risk = base.copy()
    risk[on] = np.round((1 - weight[on]) * base[on] + weight[on] * 100 * learned[on], 2)
    return risk


def severity(score: pl.Expr, config: DetectorConfig) -> pl.Expr:
    fusion = config.fusion
    return (
        pl.when(score >= fusion["high"])
        .then(pl.lit("high"))
        .when(score >= fusion["medium"])
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low"))
    )
