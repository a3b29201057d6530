"""Rule and model detectors of every level and their validated settings file."""

from __future__ import annotations

from transship.detectors.base import LEVELS, Detector, DetectorError
from transship.detectors.config import DEFAULT_RULES, DetectorConfig, RulesError
from transship.detectors.registry import DETECTORS

__all__ = [
    "DEFAULT_RULES",
    "DETECTORS",
    "LEVELS",
    "Detector",
    "DetectorConfig",
    "DetectorError",
    "RulesError",
]
