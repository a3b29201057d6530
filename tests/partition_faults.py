"""Partition work that fails in the ways workers fail, importable by worker processes
(the tests put the repository on their PYTHONPATH)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from transship.run.partitions import PartitionInputs, PartitionResult, compute_partition

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path


@dataclass(frozen=True)
class DiesOnce:
    """``compute_partition``, except that the worker computing the quarter from ``first``
    dies abruptly the first ``times`` times (``marker`` counts them, a line each)."""

    first: date
    marker: Path
    times: int = 1

    def __call__(self, inputs: PartitionInputs) -> PartitionResult:
        if inputs.first == self.first and self.deaths() < self.times:
            with self.marker.open("a") as deaths:
                deaths.write("died\n")
            os._exit(1)
        return compute_partition(inputs)

    def deaths(self) -> int:
        return len(self.marker.read_text().splitlines()) if self.marker.exists() else 0
