"""Rule and model detectors, their settings file, and the fusion into one risk score."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from transship.detectors.base import Detector, DetectorError
from transship.detectors.capacity import Capacity
from transship.detectors.corridor_surge import CorridorSurge
from transship.detectors.description import DescriptionMismatch
from transship.detectors.hbos import HBOS
from transship.detectors.isolation_forest import IsolationForest
from transship.detectors.pass_through import PassThrough
from transship.detectors.pca import PCA
from transship.detectors.relationships import Relationships
from transship.detectors.routing import Routing
from transship.detectors.structuring import Structuring
from transship.detectors.unit_value import UnitValueMisfit

DETECTORS: dict[str, type[Detector]] = {
    cls.name: cls
    for cls in (
        CorridorSurge,
        Capacity,
        PassThrough,
        UnitValueMisfit,
        DescriptionMismatch,
        Routing,
        Relationships,
        Structuring,
        IsolationForest,
        HBOS,
        PCA,
    )
}
DEFAULT_RULES = Path(__file__).parent / "rules.toml"


@dataclass(frozen=True)
class DetectorConfig:
    """The parsed rules file: detector parameters, weights and fusion settings."""

    parameters: dict[str, dict[str, Any]]
    weights: dict[str, float]
    fusion: dict[str, Any]
    source: str
    review: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> DetectorConfig:
        path = path or DEFAULT_RULES
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise DetectorError(f"cannot read the rules file {path}: {exc}") from exc
        unknown = set(data) - set(DETECTORS) - {"fusion", "weights", "review"}
        if unknown:
            raise DetectorError(f"{path}: unknown sections {', '.join(sorted(unknown))}")
        return cls(
            parameters={name: data.get(name, {}) for name in DETECTORS},
            weights=data.get("weights", {}),
            fusion=data.get("fusion", {}),
            source=str(path),
            review=data.get("review", {}),
        )

    @property
    def reopen_margin(self) -> float:
        """Points a dismissed flag's score must rise by in a rerun before it reopens."""
        return float(self.review.get("reopen_margin", 15.0))

    def build(self) -> list[Detector]:
        """Fresh, unfitted detectors with this configuration's parameters."""
        built = []
        for name, cls in DETECTORS.items():
            try:
                built.append(cls(**self.parameters[name]))
            except TypeError as exc:
                raise DetectorError(f"[{name}] in {self.source}: {exc}") from exc
        return built

    @property
    def version(self) -> str:
        """Same detectors, same settings, same transship: same version (and same flag ids).

        The review policy is left out: it changes what happens to decisions, not scores.
        """
        payload = json.dumps(
            [
                self.parameters,
                self.weights,
                self.fusion,
                sorted(DETECTORS),
                metadata.version("transship"),
            ],
            sort_keys=True,
        )
        return "d" + hashlib.sha256(payload.encode()).hexdigest()[:11]


__all__ = ["DETECTORS", "Detector", "DetectorConfig", "DetectorError"]
