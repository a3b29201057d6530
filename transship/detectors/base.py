"""The one contract every detector follows, rule or model, at every level (after
scikit-learn and PyOD).

``__init__`` only stores parameters; ``fit(frame)`` learns from history and returns the
detector, setting attributes that end in ``_``; ``score(frame)`` returns one score per
row in [0, 1], higher meaning more suspicious; ``reasons(frame, scores)`` says in plain
words, with numbers, why each scored row scored (None where the detector saw nothing).

A detector's ``level`` says what one row of the frame it scores is: a shipment, a
corridor's year of trade statistics, or a corridor's month of shipments. Its parameters'
annotations say what values the rules file may give them (``Share``, ``Positive``,
``Count``); ``ordered`` names the pairs that must rise (a ramp's start below its end).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Annotated, Any, ClassVar, Self

import numpy as np
import polars as pl
from pydantic import Field

from transship.errors import TransshipError

LEVELS = ("shipment", "corridor_year", "corridor_month")

Share = Annotated[float, Field(ge=0.0, le=1.0)]
"""A score, share or damping factor: from 0 to 1."""
Positive = Annotated[float, Field(gt=0.0)]
"""A ratio, a growth factor or a z-score: above 0."""
Amount = Annotated[float, Field(ge=0.0)]
"""A weight in kg, a value in dollars or a spread: 0 or more."""
Count = Annotated[int, Field(gt=0)]
"""A number of days, shipments or trees: a whole number above 0."""


class DetectorError(TransshipError):
    """A detector was used against its contract (unfitted, or missing feature columns)."""


class Detector(ABC):
    name: ClassVar[str]
    """Unique across levels: the detector's section and weight in the rules file."""
    kind: ClassVar[str]
    """'rule' or 'model'."""
    level: ClassVar[str] = "shipment"
    """One of ``LEVELS``: what one row of the scored frame is."""
    shown_as: ClassVar[str | None] = None
    """The name flags show where it is not ``name``: the corridor detectors keep the names
    their flags carried before they were detectors (``capacity`` at every level)."""
    requires: ClassVar[tuple[str, ...]]
    """Feature columns the detector reads to score and explain rows."""
    fits_on: ClassVar[tuple[str, ...]] = ()
    """Feature columns ``fit`` reads: none for a detector that learns only how many rows
    it saw. A quarter's fit reads its year of features with these columns alone."""
    ordered: ClassVar[tuple[tuple[str, str], ...]] = ()
    """Pairs of parameters whose first must be below its second."""

    @property
    def flag_name(self) -> str:
        return self.shown_as or self.name

    def get_params(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.endswith("_")}

    def fit(self, frame: pl.DataFrame) -> Self:
        self._check(frame, self.fits_on)
        self.history_rows_ = frame.height
        return self

    @abstractmethod
    def score(self, frame: pl.DataFrame) -> np.ndarray: ...

    @abstractmethod
    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]: ...

    def _check(self, frame: pl.DataFrame, columns: tuple[str, ...] | None = None) -> None:
        needed = self.requires if columns is None else columns
        missing = [c for c in needed if c not in frame.columns]
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


def shipments(count: int) -> str:
    """'1 shipment', '2 shipments': analysts read these counts in every corridor month."""
    return f"{count:,} shipment" + ("" if count == 1 else "s")


def flagged_of(flagged: int, count: int) -> str:
    """How many of a month's shipments are flagged, in words that fit one or many."""
    if count == 1:
        return "its one shipment is flagged" if flagged else "its one shipment is not flagged"
    verb = "is" if flagged == 1 else "are"
    return f"{flagged:,} of the {count:,} shipments {verb} flagged"


def money(usd: float) -> str:
    if usd >= 1e6:
        return f"${usd / 1e6:,.1f}M"
    if usd >= 1e3:
        return f"${usd / 1e3:,.0f}k"
    return f"${usd:,.0f}"


def code(hs6: str) -> str:
    """HS 6 digits written as analysts read them: 2825.80."""
    return f"{hs6[:4]}.{hs6[4:6]}"


def trader(row: dict[str, Any], role: str, closed: bool = False) -> str:
    """A trader as a reason names it: its entity's name (``exporter_name``,
    ``importer_name``) and, where this shipment spells it otherwise, the spelling
    ('Golden Metals Co., Ltd., written here as GOLDEN METAL CO LTD'); ``closed`` ends such
    an aside with a comma, for a name in the middle of a sentence."""
    spelling = row[role]
    name = row.get(f"{role}_name") or spelling
    if spelling is None or name == spelling:
        return str(name)
    return f"{name}, written here as {spelling}" + ("," if closed else "")


def sentences(frame: pl.DataFrame, scores: np.ndarray, render: Any) -> list[str | None]:
    return [
        render(row) if score > 0 else None
        for row, score in zip(frame.iter_rows(named=True), scores, strict=True)
    ]
