"""Where a partitioned backfill's quarters are computed: a local process pool or an
existing Dask cluster. Either yields the quarters' results in quarter order, so the
coordinator commits them in the same order whatever finished first.

A worker that dies mid-quarter loses only that attempt: the pool is restarted and the
unfinished quarters run again (Dask reschedules them itself); a quarter's commit replaces
its range, so a quarter computed twice is stored once.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from transship.errors import TransshipError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from distributed import Client

    from transship.run.partitions import BuildInputs, PartitionInputs

In = TypeVar("In", "BuildInputs", "PartitionInputs")
Out = TypeVar("Out")

ENGINES = ("local", "processes", "dask")
CONNECT_SECONDS = 10
"""How long to wait for a Dask scheduler before giving up (the issue allows 30 s)."""
POOL_RESTARTS = 3
"""How many times a process pool is restarted after a worker died before the run fails."""


class EngineError(TransshipError):
    """An engine's options are unusable (unknown engine, no workers, no address)."""

    exit_code = 2


class EngineUnreachableError(TransshipError):
    """The Dask scheduler did not answer; nothing was written."""

    exit_code = 5


class PartitionFailedError(TransshipError):
    """Workers kept dying on the run's quarters; the quarters committed before stay."""


@dataclass(frozen=True)
class ProcessEngine:
    """A pool of ``workers`` fresh Python processes on this machine (the 'spawn' start
    method: a forked copy of the coordinator would share its DuckDB handle and threads)."""

    workers: int

    def run(self, work: Callable[[In], Out], inputs: list[In]) -> Iterator[Out]:
        finished: dict[int, Out] = {}
        following, restarts = 0, 0
        context = multiprocessing.get_context("spawn")
        while following < len(inputs):
            with ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_exit_with,
                initargs=(os.getpid(),),
            ) as pool:
                futures = {
                    index: pool.submit(work, inputs[index])
                    for index in range(following, len(inputs))
                    if index not in finished
                }
                try:
                    while following < len(inputs):
                        # Popped, not kept: a result the coordinator has committed is
                        # not held until the run ends.
                        outcome = (
                            finished.pop(following)
                            if following in finished
                            else futures.pop(following).result()
                        )
                        following += 1
                        yield outcome
                except BrokenProcessPool as exc:
                    restarts += 1
                    if restarts > POOL_RESTARTS:
                        raise PartitionFailedError(
                            f"a worker process died {restarts} times while computing the "
                            f"partition from {inputs[following].first}; the quarters before it "
                            "are committed, a rerun computes the rest"
                        ) from exc
                    finished |= _succeeded(futures)
                except BaseException:
                    # A failed partition (or a coordinator that stopped taking results)
                    # ends the run: the partitions not started yet are not computed.
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise


def _exit_with(coordinator: int) -> None:
    """Make a pool's worker exit when the coordinator that started it dies (killed, it
    cannot stop its pool), instead of holding a partition's memory for nobody."""

    def watch() -> None:
        while os.getppid() == coordinator:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _succeeded(futures: dict[int, Future[Out]]) -> dict[int, Out]:
    """The results of the futures that finished before the pool broke."""
    return {
        index: future.result()
        for index, future in futures.items()
        if future.done() and not future.cancelled() and future.exception() is None
    }


@dataclass
class DaskEngine:
    """An existing Dask cluster, reached at its scheduler's address."""

    address: str
    client: Client | None = None

    def connect(self) -> DaskEngine:
        """Reach the scheduler, or raise EngineUnreachableError within ``CONNECT_SECONDS``."""
        from distributed import Client

        try:
            self.client = Client(self.address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise EngineUnreachableError(
                f"no Dask scheduler answered at {self.address} within {CONNECT_SECONDS} s "
                f"({type(exc).__name__}); start one (`dask scheduler`) or fix --address. "
                "Nothing was written."
            ) from exc
        return self

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None

    def run(self, work: Callable[[In], Out], inputs: list[In]) -> Iterator[Out]:
        if self.client is None:
            self.connect()
        assert self.client is not None
        # Each quarter is computed once per attempt: pure=False keeps Dask from merging
        # equal-looking tasks, and the scheduler retries a quarter whose worker died.
        futures = [self.client.submit(work, part, pure=False) for part in inputs]
        for future in futures:
            outcome: Out = future.result()
            future.release()
            yield outcome
