"""PyOD's COPOD (copula-based outlier detection): parameter-free."""

from __future__ import annotations

from typing import Any

import numpy as np

from transship.detectors.model import ModelDetector


class COPOD(ModelDetector):
    name = "copod"
    label = "COPOD"

    def _model(self) -> Any:
        from pyod.models.copod import COPOD as PyodCOPOD

        return PyodCOPOD()

    def _raw_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray:
        return np.asarray(model.decision_function(matrix))
