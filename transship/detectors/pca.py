"""PyOD's PCA outlier detector: how badly a shipment is rebuilt from the main components
of history's feature matrix (weighted by the components' variance)."""

from __future__ import annotations

from typing import Any

from transship.detectors.model import PyodDetector


class PCA(PyodDetector):
    name = "pca"
    label = "PCA reconstruction"

    def _model(self) -> Any:
        from pyod.models.pca import PCA as PyodPCA

        return PyodPCA(standardization=True, random_state=self.random_state)
