"""The one contract every detector follows, rule or model (after scikit-learn and PyOD).

``__init__`` only stores parameters; ``fit(frame)`` learns from history and returns the
detector, setting attributes that end in ``_``; ``score(frame)`` returns one score per
row in [0, 1], higher meaning more suspicious; ``reasons(frame, scores)`` says in plain
words, with numbers, why each scored row scored (None where the detector saw nothing).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Self

import numpy as np
import polars as pl

from transship.errors import TransshipError


class DetectorError(TransshipError):
    """A detector was used against its contract (unfitted, or missing feature columns)."""


class Detector(ABC):
    name: ClassVar[str]
    kind: ClassVar[str]
    """'rule' or 'model'."""
    requires: ClassVar[tuple[str, ...]]
    """Feature columns the detector reads."""

    def get_params(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def fit(self, frame: pl.DataFrame) -> Self:
        self._check(frame)
        self.history_rows_ = frame.height
        return self

    @abstractmethod
    def score(self, frame: pl.DataFrame) -> np.ndarray: ...

    @abstractmethod
    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]: ...

    def _check(self, frame: pl.DataFrame) -> None:
        missing = [c for c in self.requires if c not in frame.columns]
        if missing:
            raise DetectorError(f"{self.name} needs feature columns {', '.join(missing)}")

    def _check_fitted(self, frame: pl.DataFrame) -> None:
        if not hasattr(self, "history_rows_"):
            raise DetectorError(f"{self.name} must be fitted before it scores")
        self._check(frame)


def clip01(values: pl.Series | np.ndarray) -> np.ndarray:
    array = values.to_numpy() if isinstance(values, pl.Series) else values
    clipped: np.ndarray = np.clip(np.nan_to_num(array.astype(float), nan=0.0), 0.0, 1.0)
    return clipped


def ramp(value: pl.Expr, low: float, high: float) -> pl.Expr:
    """0 at ``low`` or below, 1 at ``high`` or above, linear between."""
    return ((value - low) / (high - low)).clip(0.0, 1.0).fill_null(0.0).fill_nan(0.0)


def tonnes(kg: float) -> str:
    return f"{kg / 1000:,.1f} t" if kg >= 1000 else f"{kg:,.0f} kg"


def money(usd: float) -> str:
    if usd >= 1e6:
        return f"${usd / 1e6:,.1f}M"
    if usd >= 1e3:
        return f"${usd / 1e3:,.0f}k"
    return f"${usd:,.0f}"


def code(hs6: str) -> str:
    """HS 6 digits written as analysts read them: 2825.80."""
    return f"{hs6[:4]}.{hs6[4:6]}"


def sentences(frame: pl.DataFrame, scores: np.ndarray, render: Any) -> list[str | None]:
    return [
        render(row) if score > 0 else None
        for row, score in zip(frame.iter_rows(named=True), scores, strict=True)
    ]
