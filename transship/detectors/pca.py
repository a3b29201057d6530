"""PyOD's PCA outlier detector: how badly a shipment is rebuilt from the main components
of history's feature matrix (weighted by the components' variance).

PyOD fits it (with scikit-learn); a fit keeps only the arrays it scores with
(``PackedPCA``), so a stored fit is scored without importing PyOD, scikit-learn or
SciPy's distances (about 2 s of a nightly run's start).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from transship.detectors.model import PyodDetector


@dataclass(frozen=True)
class PackedPCA:
    """What a fitted ``pyod.models.pca.PCA`` (standardised) scores with; the same scores
    bit for bit (``tests/test_packed_models.py``)."""

    mean: np.ndarray
    scale: np.ndarray
    components: np.ndarray
    """The selected components, one a row."""
    weights: np.ndarray

    @classmethod
    def of(cls, model: Any) -> PackedPCA:
        return cls(
            mean=model.scaler_.mean_,
            scale=model.scaler_.scale_,
            components=model.selected_components_,
            weights=model.selected_w_components_,
        )

    def decision_function(self, matrix: np.ndarray) -> np.ndarray:
        rows = np.array(matrix, dtype=np.float64)
        rows -= self.mean
        rows /= self.scale
        # SciPy's cdist: each distance sums its squared differences feature after feature.
        squares = np.zeros((rows.shape[0], self.components.shape[0]))
        for feature in range(rows.shape[1]):
            difference = rows[:, feature, None] - self.components[None, :, feature]
            squares += difference * difference
        return np.asarray(np.sum(np.sqrt(squares) / self.weights, axis=1).ravel())


class PCA(PyodDetector):
    name = "pca"
    label = "PCA reconstruction"

    def _model(self) -> Any:
        from pyod.models.pca import PCA as PyodPCA

        return PyodPCA(standardization=True, random_state=self.random_state)

    def _kept(self, model: Any) -> PackedPCA:
        return PackedPCA.of(model)
