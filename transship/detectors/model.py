"""What the unsupervised models share: the shipment feature matrix, fitting on a sample of
history, and scores normalised to one scale.

A model's raw score is turned into the share of history shipments it scored lower
(a percentile), then stretched over the top tail: a shipment more unusual than 95% of
history starts to count, one beyond every history shipment counts fully.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Annotated, Any, Self

import numpy as np
import polars as pl
from pydantic import Field

from transship.detectors.base import Count, Detector, clip01

MATRIX = {
    "log_weight": pl.col("weight_kg").log1p(),
    "log_unit_value": pl.col("log_unit_value"),
    "uv_z": pl.col("uv_z").clip(-20, 20),
    "log_surge": pl.col("corridor_surge_ratio").log(),
    "origin_share": pl.col("origin_share_90d"),
    "log_exporter_age": pl.col("exporter_age_days").cast(pl.Float64).log1p(),
    "pair_new": pl.col("pair_new").cast(pl.Float64),
    "export_differs": pl.col("export_differs").cast(pl.Float64),
    "log_importer_shipments": pl.col("importer_hs6_count_90d").log1p(),
    "controlled": pl.col("controlled").cast(pl.Float64),
}
MIN_HISTORY = 200
Tail = Annotated[float, Field(ge=0.0, lt=1.0)]
"""The percentile a model's score starts from: below 1, where it would count fully."""


def feature_matrix(frame: pl.DataFrame) -> np.ndarray:
    return (
        frame.select(**{name: expr.cast(pl.Float64) for name, expr in MATRIX.items()})
        .fill_null(0.0)
        .fill_nan(0.0)
        .to_numpy()
    )


class ModelDetector(Detector):
    kind = "model"
    requires = (
        "weight_kg",
        "log_unit_value",
        "uv_z",
        "corridor_surge_ratio",
        "origin_share_90d",
        "exporter_age_days",
        "pair_new",
        "export_differs",
        "importer_hs6_count_90d",
        "controlled",
    )
    fits_on = requires
    label: str

    def __init__(
        self, training_sample: Count = 5_000, tail: Tail = 0.95, random_state: int = 0
    ) -> None:
        self.training_sample = training_sample
        self.tail = tail
        self.random_state = random_state

    @abstractmethod
    def _model(self) -> Any: ...

    @abstractmethod
    def _raw_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray: ...

    def fit(self, frame: pl.DataFrame) -> Self:
        super().fit(frame)
        if frame.height < MIN_HISTORY:
            self.model_ = None
            return self
        # Only the matrix's columns: a sample draws its rows from the height and seed alone.
        sample = frame.select(self.fits_on)
        if frame.height > self.training_sample:
            sample = sample.sample(self.training_sample, seed=self.random_state)
        matrix = feature_matrix(sample)
        # A feature constant over the history year (no controlled goods yet, say) carries
        # nothing and makes variance-scaled models divide by zero.
        self.columns_ = np.flatnonzero(matrix.std(axis=0) > 0)
        model = self._model().fit(matrix[:, self.columns_])
        self.history_scores_ = np.sort(self._training_scores(model, matrix[:, self.columns_]))
        self.model_ = self._kept(model)
        return self

    def _kept(self, model: Any) -> Any:
        """What of the fitted ``model`` is kept to score with (``_raw_scores`` reads it)."""
        return model

    def _training_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray:
        """Raw scores of the rows the model was fitted on."""
        return self._raw_scores(model, matrix)

    def percentiles(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        if self.model_ is None:
            return np.zeros(frame.height)
        raw = self._raw_scores(self.model_, feature_matrix(frame)[:, self.columns_])
        return np.searchsorted(self.history_scores_, raw, side="right") / len(self.history_scores_)

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        return clip01((self.percentiles(frame) - self.tail) / (1 - self.tail))

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        # A positive score is the percentile stretched over the tail; undoing the stretch
        # saves scoring the rows through the model a second time.
        percentiles = self.tail + scores * (1 - self.tail)
        return [
            f"{self.label} finds it more unusual than {p:.1%} of the previous year's shipments."
            if s > 0
            else None
            for p, s in zip(percentiles, scores, strict=True)
        ]


class PyodDetector(ModelDetector):
    """A PyOD model: it scores with ``decision_function`` and keeps the training rows'
    scores from fitting (``decision_scores_``), so they are not computed twice."""

    def _raw_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray:
        return np.asarray(model.decision_function(matrix))

    def _training_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray:
        return np.asarray(model.decision_scores_)
