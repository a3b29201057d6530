"""scikit-learn's isolation forest on the shipment feature matrix.

scikit-learn is imported when a forest is built, not with the detector registry: importing
it (with SciPy) takes 1.5-3 s, which commands that never fit, such as ingest, would pay.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
        from sklearn.ensemble import IsolationForest as SklearnIsolationForest

        return SklearnIsolationForest(
            n_estimators=self.n_estimators, random_state=self.random_state, n_jobs=1
        )

    def _raw_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray:
        return np.asarray(-model.score_samples(matrix))
