"""Partition work that fails in the ways workers fail, importable by worker processes
(the tests put the repository on their PYTHONPATH)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from transship.run.partitions import PartitionInputs, PartitionResult, compute_partition


@dataclass(frozen=True)
class DiesOnce:
    """``compute_partition``, except that the worker computing the quarter from ``first``
    dies abruptly the first time (``marker`` records that it did)."""

    first: date
    marker: Path

    def __call__(self, inputs: PartitionInputs) -> PartitionResult:
        if inputs.first == self.first and not self.marker.exists():
            self.marker.touch()
            os._exit(1)
        return compute_partition(inputs)
