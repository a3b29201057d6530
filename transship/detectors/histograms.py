"""PyOD's HBOS with automatic bins, fitted and scored with whole-array numpy instead of
PyOD's Python loops: the same histograms and bit-identical scores.

PyOD chooses each feature's bins (Birge-Rozenblac) by building a histogram for every
count of bins up to the square root of the rows, 70 ``np.histogram`` calls per feature
on a 5,000-row sample, and scores one row at a time in Python. That was most of a
backfill's HBOS time (about 0.3 s a fit, 16 fits). Here a feature is sorted once and each
candidate histogram counted by searching its edges in it (the counts ``np.histogram``
gives: a value is in the bin whose left edge it reaches, the last bin closed), and rows
are scored a feature at a time. Imported only where a model is built: PyOD imports numba.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from pyod.models.hbos import HBOS
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted

from transship.detectors.hbos import hbos_scores


def optimal_bins(values: np.ndarray, epsilon: float = 1.0) -> int:
    """PyOD's ``get_optimal_n_bins`` of one feature: the Birge-Rozenblac count of bins."""
    n = values.shape[0]
    if n == 0:
        raise ValueError("no values to choose bins for")
    upper_bound = max(2, int(np.sqrt(n)))
    ordered = np.sort(values)
    first, last = _outer_edges(ordered)
    likelihood = np.zeros((upper_bound - 1, 1))
    for i, b in enumerate(range(1, upper_bound)):
        histogram = _counts(ordered, np.linspace(first, last, b + 1))
        likelihood[i] = np.sum(
            histogram * np.log(b * histogram / n + epsilon) - (b - 1 + np.power(np.log(b), 2.5))
        )
    return int(np.argmax(likelihood)) + 1


def _outer_edges(ordered: np.ndarray) -> tuple[float, float]:
    """``np.histogram``'s range for sorted values: their extremes, widened by half a unit
    each way when they are equal."""
    first, last = float(ordered[0]), float(ordered[-1])
    if not (np.isfinite(first) and np.isfinite(last)):
        raise ValueError(f"autodetected range of [{first}, {last}] is not finite")
    if first == last:
        return first - 0.5, last + 0.5
    return first, last


def _counts(ordered: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Values in each bin of ``edges`` (sorted values, all within the edges), as
    ``np.histogram`` counts them: [left, right) and the last bin [left, right]."""
    below = np.searchsorted(ordered, edges[:-1], side="left")
    counts: np.ndarray = np.diff(np.append(below, ordered.shape[0]))
    return counts


class AutoBinsHBOS(HBOS):  # type: ignore[misc]
    """``pyod.models.hbos.HBOS(n_bins="auto")``, the same fit and scores, faster."""

    def __init__(self, alpha: float = 0.1, tol: float = 0.5, contamination: float = 0.1) -> None:
        super().__init__(n_bins="auto", alpha=alpha, tol=tol, contamination=contamination)

    def fit(self, X: Any, y: Any = None) -> Self:
        X = check_array(X)
        self._set_n_classes(y)
        self.hist_, self.bin_edges_ = [], []
        for column in X.T:
            density, edges = np.histogram(column, bins=optimal_bins(column), density=True)
            self.hist_.append(density)
            self.bin_edges_.append(edges)
        self.decision_scores_ = hbos_scores(X, self.bin_edges_, self.hist_, self.alpha, self.tol)
        self._process_decision_scores()
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self, ["hist_", "bin_edges_"])
        return hbos_scores(check_array(X), self.bin_edges_, self.hist_, self.alpha, self.tol)
