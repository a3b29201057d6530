"""PyOD's HBOS (histogram-based outlier score): one histogram per feature, fitted on history.

ECOD and COPOD were not chosen: PyOD scores new rows against distributions that include
the rows being scored, so a shipment's score would depend on the others scored with it
(some arriving after it), which breaks the point-in-time guarantee. HBOS scores each row
against the history histograms alone.
"""

from __future__ import annotations

from typing import Any, Literal

from transship.detectors.base import Count
from transship.detectors.model import PyodDetector, Tail


class HBOS(PyodDetector):
    """``n_bins = "auto"`` (PyOD's Birge-Rozenblac choice per feature) is the default: with
    a fixed number of bins PyOD scores through a numba function whose compilation costs
    about 4 s in every new process, most of a nightly run; the automatic path is plain
    numpy, and the models only score the few rows that could become flags. That path is
    run as ``transship.detectors.histograms`` vectorises it (the same scores, faster)."""

    name = "hbos"
    label = "HBOS"

    def __init__(
        self,
        n_bins: Count | Literal["auto"] = "auto",
        training_sample: Count = 5_000,
        tail: Tail = 0.95,
        random_state: int = 0,
    ) -> None:
        super().__init__(training_sample, tail, random_state)
        self.n_bins = n_bins

    def _model(self) -> Any:
        if self.n_bins == "auto":
            from transship.detectors.histograms import AutoBinsHBOS

            return AutoBinsHBOS()
        from pyod.models.hbos import HBOS as PyodHBOS

        return PyodHBOS(n_bins=self.n_bins)
