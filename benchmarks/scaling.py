"""Scaling benchmark (``make bench-scaling``): ingest, a full backfill and a flag export of
1M-, 4M- and 10M-shipment worlds (generated on demand) on a chosen engine, against the
pandas + IsolationForest peer of ``benchmarks.detection`` on the first world.

Every step is its own ``transship`` command, as a user runs it. A monitor samples the
resident memory of the command and all its child processes every 0.1 s: the table gives
the wall time, the largest single process's peak and the peak of their sum.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from benchmarks.detection import _BASELINE

if TYPE_CHECKING:
    from collections.abc import Iterator

SAMPLE_SECONDS = 0.1


@dataclass
class Measured:
    seconds: float = 0.0
    peak_process_mb: float = 0.0
    peak_total_mb: float = 0.0
    processes: int = 0
    per_process_mb: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0
    load: list[float] = field(default_factory=list)


def monitored(command: list[str], also: list[psutil.Process] | None = None) -> Measured:
    """Run ``command``; its wall time and the peaks of its process tree's memory, with the
    trees of ``also`` (a Dask cluster's processes) counted too. Also its CPU time (user +
    system, of the command and the children it waited for; not ``also``'s) and the
    one-minute load average at its start and end, as the machine may be shared."""
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = psutil.Popen(command)
    peaks: dict[int, float] = {}
    total_peak = 0.0
    while process.poll() is None:
        total = 0.0
        try:
            tree = [process, *process.children(recursive=True)]
            for other in also or []:
                tree += [other, *other.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for member in tree:
            try:
                rss = member.memory_info().rss / 2**20
            except psutil.NoSuchProcess:
                continue
            peaks[member.pid] = max(peaks.get(member.pid, 0.0), rss)
            total += rss
        total_peak = max(total_peak, total)
        time.sleep(SAMPLE_SECONDS)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    seconds = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    per_process = sorted(peaks.values(), reverse=True)
    return Measured(
        round(seconds, 1),
        round(per_process[0] if per_process else 0.0),
        round(total_peak),
        len(per_process),
        [round(mb) for mb in per_process[:8]],
        round(cpu, 1),
        [round(load_before, 1), round(os.getloadavg()[0], 1)],
    )


def transship(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "transship"), *args]


def world(out: Path, size: str, seed: int) -> Path:
    folder = out / f"world-{size}"
    if not (folder / "world.json").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "transship.world.generate",
                "--size",
                size,
                "--seed",
                str(seed),
                "--out",
                str(folder),
            ],
            check=True,
        )
    return folder


def run_size(
    folder: Path, out: Path, engine: list[str], cluster: list[psutil.Process]
) -> dict[str, object]:
    """Ingest, backfill and export one world into a fresh store; each step measured (the
    backfill with the ``cluster``'s processes)."""
    manifest = json.loads((folder / "world.json").read_text())
    db = out / f"scaling-{folder.name}.duckdb"
    for stale in out.glob(f"{db.name}*"):
        stale.unlink()
    store = ["--db", str(db)]
    steps = {
        "ingest": monitored(
            transship("ingest", "shipments", str(folder / "shipments.csv"), *store)
        ),
    }
    flows = monitored(
        transship("ingest", "flows", str(folder / "flows.csv"), "--format", "canonical", *store)
    )
    steps["ingest"].seconds = round(steps["ingest"].seconds + flows.seconds, 1)
    steps["ingest"].cpu_seconds = round(steps["ingest"].cpu_seconds + flows.cpu_seconds, 1)
    first, last = manifest["period"]
    steps["backfill"] = monitored(
        transship("backfill", "--start", first, "--end", last, *engine, *store), cluster
    )
    steps["export"] = monitored(
        transship(
            "flags",
            "--level",
            "shipment",
            "--format",
            "csv",
            "--out",
            str(out / f"flags-{folder.name}.csv"),
            *store,
        )
    )
    return {
        "shipments": manifest["shipments"],
        "seconds": round(sum(step.seconds for step in steps.values()), 1),
        "cpu_seconds": round(sum(step.cpu_seconds for step in steps.values()), 1),
        "peak_process_mb": max(step.peak_process_mb for step in steps.values()),
        "peak_total_mb": max(step.peak_total_mb for step in steps.values()),
        "steps": {name: asdict(step) for name, step in steps.items()},
    }


@contextmanager
def local_cluster(out: Path, workers: int) -> Iterator[tuple[str, list[psutil.Process]]]:
    """A Dask scheduler and ``workers`` single-threaded worker processes started as the
    commands a cluster's machines run; their address and processes."""
    scheduler_file = out / "dask-scheduler.json"
    scheduler_file.unlink(missing_ok=True)
    dask = str(Path(sys.executable).parent / "dask")
    started = [
        psutil.Popen(
            [dask, "scheduler", "--scheduler-file", str(scheduler_file), "--port", "0"],
            stderr=subprocess.DEVNULL,
        )
    ]
    while not scheduler_file.exists():
        time.sleep(0.2)
    address = json.loads(scheduler_file.read_text())["address"]
    started.append(
        psutil.Popen(
            [dask, "worker", address, "--nworkers", str(workers), "--nthreads", "1"],
            stderr=subprocess.DEVNULL,
        )
    )
    try:
        yield address, started
    finally:
        for process in reversed(started):
            process.terminate()
            process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--sizes", nargs="+", default=["1m", "4m", "10m"])
    parser.add_argument("--engine", default="processes", help="local | processes | dask")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--address",
        help="the Dask scheduler, for --engine dask [default: a local cluster of --workers "
        "processes, started here and measured]",
    )
    parser.add_argument("--partition-quarters", type=int, default=1)
    parser.add_argument("--label", help="names the results file [default: the engine]")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-peer", action="store_true", help="skip the pandas peer")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    engine = ["--engine", args.engine]
    if args.engine == "processes":
        engine += ["--workers", str(args.workers)]
    if args.engine != "local":
        engine += ["--partition-quarters", str(args.partition_quarters)]
    with ExitStack() as stack:
        cluster: list[psutil.Process] = []
        if args.engine == "dask":
            address = args.address
            if address is None:
                address, cluster = stack.enter_context(local_cluster(args.out, args.workers))
            engine += ["--address", address]
        _measure(args, engine, cluster)


def _measure(args: argparse.Namespace, engine: list[str], cluster: list[psutil.Process]) -> None:
    report: dict[str, object] = {
        "engine": args.engine,
        "workers": args.workers,
        "partition_quarters": args.partition_quarters,
        "sizes": {},
    }
    results = args.out / f"scaling-{args.label or args.engine}.json"
    sizes: dict[str, object] = {}
    for index, size in enumerate(args.sizes):
        folder = world(args.out, size, args.seed)
        if index == 0 and not args.no_peer:
            peer = monitored([sys.executable, "-c", _BASELINE, str(folder)])
            report["peer"] = {"world": size, **asdict(peer)}
            print(
                f"peer (pandas + IsolationForest) on {size}: {peer.seconds} s "
                f"(CPU {peer.cpu_seconds} s, load {peer.load}), peak {peer.peak_total_mb} MB"
            )
        sizes[size] = run_size(folder, args.out, engine, cluster)
        measured = sizes[size]
        assert isinstance(measured, dict)
        print(
            f"{size}: {measured['shipments']:,} shipments, {measured['seconds']} s "
            f"(CPU {measured['cpu_seconds']} s), peak "
            f"{measured['peak_process_mb']} MB in one process, {measured['peak_total_mb']} MB "
            "all processes",
            flush=True,
        )
        report["sizes"] = sizes
        results.write_text(json.dumps(report, indent=2))
    print(f"results in {results}")


if __name__ == "__main__":
    main()
