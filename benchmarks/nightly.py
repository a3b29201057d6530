"""Nightly benchmark (``make bench-nightly``): one nightly day on a large store, process
start included.

The store is built once: the world's shipments and statistics ingested (the monthly
summaries with them), then the night before the measured day run once, which fits and
stores its quarter's detectors as a first night of a quarter does. Each measured run is
``transship run --date DAY`` in its own process on a fresh copy of that store, so every
run does the same work: wall time from process start to exit, and the process's peak
memory.

    python -m benchmarks.nightly --size large
    python -m benchmarks.nightly --world path/to/a/generated/world --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from statistics import median

from transship.errors import TransshipError

_CLI = "from transship.cli import app; app()"


class BenchmarkError(TransshipError):
    """The benchmark cannot run as asked (no world where one was named)."""

    exit_code = 2


def _timed(*args: str) -> dict[str, float]:
    """Run ``transship ARGS`` in a new process: wall seconds from start to exit and the
    process's peak memory (MB)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", _CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode() if child.stderr else ""
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, args, stderr=errors)
    return {"seconds": round(seconds, 2), "peak_mb": round(usage.ru_maxrss / 1024)}


def _world(args: argparse.Namespace) -> Path:
    given: Path | None = args.world
    if given is not None:
        if not (given / "world.json").is_file():
            raise BenchmarkError(f"{given} holds no generated world (no world.json)")
        return given
    world: Path = args.out / f"world-{args.size}"
    subprocess.run(
        [
            *(sys.executable, "-m", "transship.world.generate"),
            *("--size", args.size, "--seed", str(args.seed), "--out", str(world)),
        ],
        check=True,
    )
    return world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--size", default="large", help="world size to generate")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--world", type=Path, help="an already generated world instead")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--day",
        type=date.fromisoformat,
        help="the day measured, YYYY-MM-DD (default: the world's second-to-last day)",
    )
    args = parser.parse_args()
    if args.runs < 1:
        raise BenchmarkError(f"--runs must be at least 1, not {args.runs}")
    args.out.mkdir(parents=True, exist_ok=True)
    world = _world(args)
    manifest = json.loads((world / "world.json").read_text())
    # By default the day measured is the world's second-to-last: the large world has
    # arrivals every day, and the night before is in the same quarter.
    day = args.day or date.fromisoformat(manifest["period"][1]) - timedelta(days=1)
    base, store = args.out / "nightly-base.duckdb", args.out / "nightly.duckdb"
    for path in (base, store):
        path.unlink(missing_ok=True)
        Path(f"{path}.wal").unlink(missing_ok=True)
    db = ["--db", str(base)]
    ingest = _timed("ingest", "shipments", str(world / "shipments.csv"), *db)
    _timed("ingest", "flows", str(world / "flows.csv"), *db)
    first = _timed("run", "--date", str(day - timedelta(days=1)), *db)
    runs = []
    for _ in range(args.runs):
        shutil.copy(base, store)
        runs.append(_timed("run", "--date", str(day), "--db", str(store)))
    seconds = sorted(run["seconds"] for run in runs)
    report = {
        "world": {"path": str(world), "shipments": manifest["shipments"], "day": str(day)},
        "ingest_shipments": ingest,
        "night_before_fitting_its_quarter": first,
        "nightly_runs": runs,
        "nightly_seconds": {"min": seconds[0], "median": median(seconds), "max": seconds[-1]},
        "nightly_peak_mb": max(run["peak_mb"] for run in runs),
    }
    (args.out / "nightly.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    try:
        main()
    except TransshipError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
