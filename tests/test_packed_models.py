"""The models as a fit keeps them (plain arrays, scored without PyOD or scikit-learn) score
exactly as the fitted models they were packed from."""

from __future__ import annotations

import numpy as np
import pytest
from pyod.models.pca import PCA
from sklearn.ensemble import IsolationForest
from sklearn.ensemble._iforest import _average_path_length

from transship.detectors.hbos import PackedHBOS
from transship.detectors.histograms import AutoBinsHBOS
from transship.detectors.isolation_forest import (
    COMPILED_ROWS,
    PackedForest,
    average_path_length,
)
from transship.detectors.pca import PackedPCA


def _matrices() -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    n = 3_000
    return [
        rng.lognormal(size=(n, 6)),
        # Whole numbers and flags: many rows fall exactly on a threshold's side.
        np.column_stack(
            [rng.integers(0, 7, size=(n, 3)), rng.random(n) < 0.1, np.full(n, 2.0)]
        ).astype(float),
        # Fewer rows than a tree's sample, so leaves hold one or two rows.
        rng.normal(size=(40, 3)),
    ]


@pytest.mark.parametrize("matrix", _matrices())
@pytest.mark.parametrize("options", [{}, {"max_features": 0.5}, {"bootstrap": True}])
def test_packed_forest_scores_as_scikit_learn(
    matrix: np.ndarray, options: dict[str, object]
) -> None:
    model = IsolationForest(n_estimators=30, random_state=3, **options).fit(matrix)
    rng = np.random.default_rng(8)
    spread = matrix.max(axis=0) - matrix.min(axis=0) + 1
    new = np.vstack(
        [
            matrix,
            matrix[::2] * 1.3 + 1e-9,
            rng.normal(size=(40, matrix.shape[1])) * spread,
            np.full((1, matrix.shape[1]), np.inf),
            np.full((1, matrix.shape[1]), -np.inf),
            # Beyond float32: the row is cast as scikit-learn casts it.
            np.full((1, matrix.shape[1]), 1e300),
        ]
    )
    packed = PackedForest.of(model)
    theirs = -model.score_samples(new)
    # The packed walk (fewer rows than COMPILED_ROWS) and the compiled one.
    assert new.shape[0] < COMPILED_ROWS
    np.testing.assert_array_equal(packed.raw_scores(new), theirs)
    many = np.vstack([new] * (COMPILED_ROWS // new.shape[0] + 1))
    np.testing.assert_array_equal(
        packed.raw_scores(many), np.tile(theirs, many.shape[0] // new.shape[0])
    )


def test_missing_values_go_where_scikit_learn_sends_them() -> None:
    rng = np.random.default_rng(2)
    matrix = rng.normal(size=(500, 3))
    matrix[rng.random(matrix.shape) < 0.1] = np.nan
    model = IsolationForest(n_estimators=20, random_state=0).fit(matrix)
    new = rng.normal(size=(300, 3))
    new[rng.random(new.shape) < 0.3] = np.nan
    np.testing.assert_array_equal(PackedForest.of(model).raw_scores(new), -model.score_samples(new))


@pytest.mark.parametrize("matrix", _matrices())
def test_packed_pca_and_hbos_score_as_pyod(matrix: np.ndarray) -> None:
    # A constant column is dropped before the models see it (``ModelDetector.fit``).
    matrix = matrix[:, matrix.std(axis=0) > 0]
    rng = np.random.default_rng(4)
    spread = matrix.max(axis=0) - matrix.min(axis=0) + 1
    new = np.vstack(
        [matrix, matrix[::2] * 1.3, rng.normal(size=(500, matrix.shape[1])) * 5 * spread]
    )
    pca = PCA(standardization=True, random_state=0).fit(matrix)
    np.testing.assert_array_equal(
        PackedPCA.of(pca).decision_function(new), pca.decision_function(new)
    )
    hbos = AutoBinsHBOS().fit(matrix)
    np.testing.assert_array_equal(
        PackedHBOS.of(hbos).decision_function(new), hbos.decision_function(new)
    )


def test_average_path_length_is_scikit_learns() -> None:
    samples = np.array([0, 1, 2, 3, 4, 17, 255, 256, 5_000, 10**9])
    np.testing.assert_array_equal(average_path_length(samples), _average_path_length(samples))
