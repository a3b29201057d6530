"""A backfill on the chosen engine: ``local`` is ``pipeline.detect`` in this process;
``processes`` and ``dask`` compute the quarters as self-contained partitions
(``transship.run.partitions``) in other processes or on other machines, with the same
flags and scores.

The learned part is trained and applied where the store is (it reads analysts'
decisions and keeps learner inputs and models): while the store holds decisions, a
backfill runs in this process whatever the engine, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from transship.learning.pipeline import learning_needs
from transship.run.engines import ENGINES, DaskEngine, EngineError, ProcessEngine
from transship.run.partitions import Engine, detect_partitioned
from transship.run.pipeline import RunResult, detect

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

    import duckdb

    from transship.detectors import DetectorConfig
    from transship.run.scoring import Progress


@dataclass(frozen=True)
class EngineChoice:
    """``--engine``, ``--workers`` and ``--address`` as given."""

    name: str = "local"
    workers: int = 2
    address: str | None = None
    quarters: int = 1
    """Consecutive quarters per partition: more share one feature build (less work
    repeated over their lookback) and take more memory each."""

    def check(self) -> None:
        """Refuse unusable options before anything is opened or written."""
        if self.name not in ENGINES:
            raise EngineError(f"--engine {self.name!r} is not one of {', '.join(ENGINES)}")
        if self.name == "processes" and self.workers < 1:
            raise EngineError(f"--workers must be at least 1, not {self.workers}")
        if self.quarters < 1:
            raise EngineError(f"--partition-quarters must be at least 1, not {self.quarters}")
        if self.name == "dask" and not self.address:
            raise EngineError("--engine dask needs --address, e.g. tcp://scheduler:8786")


def default_exchange(db: Path) -> Path:
    """The export folder beside the store: data/transship.partitions for
    data/transship.duckdb."""
    return db.with_name(f"{db.stem}.partitions")


def run_backfill(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    config: DetectorConfig,
    choice: EngineChoice,
    exchange: Path,
    progress: Progress | None = None,
) -> RunResult:
    """Score every shipment that arrived in [start, end] on the chosen engine and replace
    the range's flags. A Dask scheduler that does not answer raises
    EngineUnreachableError before anything is written."""
    choice.check()
    if choice.name == "local":
        return detect(con, start, end, config, "backfill", progress)
    engine: Engine
    dask = None
    if choice.name == "dask":
        assert choice.address is not None
        engine = dask = DaskEngine(choice.address).connect()
    else:
        engine = ProcessEngine(choice.workers)
    try:
        if learning_needs(con, config, end) is not None:
            result = detect(con, start, end, config, "backfill", progress)
            result.warnings.append(
                "the store holds analysts' decisions: the learned part is applied where the "
                f"store is, so this backfill ran in this process, not on --engine {choice.name}"
            )
            return result
        return detect_partitioned(
            con,
            start,
            end,
            config,
            engine,
            exchange,
            progress,
            quarters_per_partition=choice.quarters,
        )
    finally:
        if dask is not None:
            dask.close()
