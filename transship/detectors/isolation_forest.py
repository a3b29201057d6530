"""scikit-learn's isolation forest on the shipment feature matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import IsolationForest as SklearnIsolationForest

from transship.detectors.base import Count
from transship.detectors.model import ModelDetector, Tail


class IsolationForest(ModelDetector):
    name = "isolation_forest"
    label = "An isolation forest"

    def __init__(
        self,
        n_estimators: Count = 100,
        training_sample: Count = 5_000,
        tail: Tail = 0.95,
        random_state: int = 0,
    ) -> None:
        super().__init__(training_sample, tail, random_state)
        self.n_estimators = n_estimators

    def _model(self) -> Any:
        return SklearnIsolationForest(
            n_estimators=self.n_estimators, random_state=self.random_state, n_jobs=1
        )

    def _raw_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray:
        return np.asarray(-model.score_samples(matrix))
