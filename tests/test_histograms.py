"""The vectorised HBOS gives PyOD's HBOS exactly: the same bins, histograms and scores."""

from __future__ import annotations

import numpy as np
import pytest
from pyod.models.hbos import HBOS
from pyod.utils.utility import get_optimal_n_bins

from transship.detectors.histograms import AutoBinsHBOS, optimal_bins


def _matrices() -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    n = 1_500
    return [
        rng.lognormal(size=(n, 4)),
        # Whole numbers: many values fall exactly on bin edges.
        rng.integers(0, 7, size=(n, 3)).astype(float),
        np.round(rng.normal(size=(n, 3)), 1),
        # A flag, a skewed amount and a constant column.
        np.column_stack([rng.random(n) < 0.1, rng.exponential(size=n), np.full(n, 3.0)]).astype(
            float
        ),
        rng.normal(size=(7, 2)),
    ]


@pytest.mark.parametrize("matrix", _matrices())
def test_same_bins_histograms_and_scores_as_pyod(matrix: np.ndarray) -> None:
    for column in matrix.T:
        assert optimal_bins(column) == get_optimal_n_bins(column)
    ours, pyods = AutoBinsHBOS().fit(matrix), HBOS(n_bins="auto").fit(matrix)
    for mine, theirs in zip(ours.hist_, pyods.hist_, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    for mine, theirs in zip(ours.bin_edges_, pyods.bin_edges_, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(ours.decision_scores_, pyods.decision_scores_)
    # New rows inside, just outside (within tol of a bin) and far outside the history.
    spread = matrix.max(axis=0) - matrix.min(axis=0) + 1
    new = np.vstack(
        [
            matrix[::3] * 1.1,
            matrix.min(axis=0) - 0.01 * spread,
            matrix.max(axis=0) + 0.01 * spread,
            matrix.min(axis=0) - 5 * spread,
            matrix.max(axis=0) + 5 * spread,
        ]
    )
    np.testing.assert_array_equal(ours.decision_function(new), pyods.decision_function(new))
