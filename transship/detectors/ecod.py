"""PyOD's ECOD (empirical cumulative distribution outlier detection): parameter-free."""

from __future__ import annotations

from typing import Any

import numpy as np

from transship.detectors.model import ModelDetector


class ECOD(ModelDetector):
    name = "ecod"
    label = "ECOD"

    def _model(self) -> Any:
        from pyod.models.ecod import ECOD as PyodECOD

        return PyodECOD()

    def _raw_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray:
        return np.asarray(model.decision_function(matrix))
