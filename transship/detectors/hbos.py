"""PyOD's HBOS (histogram-based outlier score): one histogram per feature, fitted on history.

ECOD and COPOD were not chosen: PyOD scores new rows against distributions that include
the rows being scored, so a shipment's score would depend on the others scored with it
(some arriving after it), which breaks the point-in-time guarantee. HBOS scores each row
against the history histograms alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from transship.detectors.base import Count
from transship.detectors.model import PyodDetector, Tail


def feature_scores(
    values: np.ndarray, edges: np.ndarray, density: np.ndarray, alpha: float, tol: float
) -> np.ndarray:
    """PyOD's per-row HBOS score of one feature (``_calculate_outlier_scores_auto``)."""
    bins = np.digitize(values, edges, right=True)
    logs = np.log2(density + alpha)
    count = density.shape[0]
    scores: np.ndarray = logs[np.clip(bins - 1, 0, count - 1)]
    low = bins == 0
    if low.any():
        near = (edges[0] - values[low]) <= (edges[1] - edges[0]) * tol
        scores[low] = np.where(near, logs[0], np.min(logs))
    high = bins == count + 1
    if high.any():
        near = (values[high] - edges[-1]) <= (edges[-1] - edges[-2]) * tol
        scores[high] = np.where(near, logs[count - 1], np.min(logs))
    return scores


def hbos_scores(
    matrix: np.ndarray,
    edges: list[np.ndarray],
    densities: list[np.ndarray],
    alpha: float,
    tol: float,
) -> np.ndarray:
    """PyOD's HBOS score of each row from the features' histograms (higher is more
    unusual: PyOD's ``invert_order`` of the summed log densities)."""
    scores = np.stack(
        [
            feature_scores(matrix[:, i], edge, density, alpha, tol)
            for i, (edge, density) in enumerate(zip(edges, densities, strict=True))
        ],
        axis=1,
    )
    return np.asarray(np.sum(scores, axis=1).ravel() * -1)


@dataclass(frozen=True)
class PackedHBOS:
    """What a fitted HBOS with automatic bins (``histograms.AutoBinsHBOS``) scores with:
    its histograms alone, so a stored fit is scored without importing PyOD or
    scikit-learn (its scores are AutoBinsHBOS's, the same code)."""

    edges: list[np.ndarray]
    densities: list[np.ndarray]
    alpha: float
    tol: float

    @classmethod
    def of(cls, model: Any) -> PackedHBOS:
        return cls(list(model.bin_edges_), list(model.hist_), model.alpha, model.tol)

    def decision_function(self, matrix: np.ndarray) -> np.ndarray:
        return hbos_scores(
            np.asarray(matrix, dtype=np.float64), self.edges, self.densities, self.alpha, self.tol
        )


class HBOS(PyodDetector):
    """``n_bins = "auto"`` (PyOD's Birge-Rozenblac choice per feature) is the default: with
    a fixed number of bins PyOD scores through a numba function whose compilation costs
    about 4 s in every new process, most of a nightly run; the automatic path is plain
    numpy, and the models only score the few rows that could become flags. That path is
    run as ``transship.detectors.histograms`` vectorises it (the same scores, faster)."""

    name = "hbos"
    label = "HBOS"

    def __init__(
        self,
        n_bins: Count | Literal["auto"] = "auto",
        training_sample: Count = 5_000,
        tail: Tail = 0.95,
        random_state: int = 0,
    ) -> None:
        super().__init__(training_sample, tail, random_state)
        self.n_bins = n_bins

    def _model(self) -> Any:
        if self.n_bins == "auto":
            from transship.detectors.histograms import AutoBinsHBOS

            return AutoBinsHBOS()
        from pyod.models.hbos import HBOS as PyodHBOS

        return PyodHBOS(n_bins=self.n_bins)

    def _kept(self, model: Any) -> Any:
        return PackedHBOS.of(model) if self.n_bins == "auto" else model
