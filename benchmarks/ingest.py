"""Benchmarks (``make bench``): validated ingest against a bare DuckDB read of the same file.

Each measurement runs in its own process so that its peak memory (max RSS) is its own.
Results are printed and written as JSON to the output folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

ORIGINS = ["CN", "TH", "MX", "BE", "JP", "DE", "VN", "IN", "KR", "CA", "Malaysia", "HKG"]
HS_CODES = [
    "2825800000",
    "8110100000",
    "8112920000",
    "7206100000",
    "3213100000",
    "8542310000",
    "9403600000",
    "6109100000",
    "0803901000",
    "2504100000",
]


def synthetic_shipments(rows: int, seed: int = 0) -> pl.DataFrame:
    """A canonical shipment file's worth of rows, with about 0.5% bad values."""
    rng = np.random.default_rng(seed)
    weight = np.round(rng.lognormal(6, 1.5, rows), 1).astype(str)
    bad = rng.random(rows) < 0.005
    weight[bad] = "0"
    return pl.DataFrame(
        {
            "shipment_id": [f"B{i:09d}" for i in range(rows)],
            "arrival_date": (
                np.datetime64("2023-01-01") + rng.integers(0, 1095, rows).astype("timedelta64[D]")
            ).astype(str),
            "importer": [f"IMP{i:05d}" for i in rng.integers(0, 20_000, rows)],
            "exporter": [f"EXP{i:05d}" for i in rng.integers(0, 50_000, rows)],
            "origin_country": rng.choice(ORIGINS, rows),
            "export_country": rng.choice(ORIGINS, rows),
            "port_of_lading": "",
            "port_of_unlading": rng.choice(["Long Beach", "Houston", "JFK", "Laredo"], rows),
            "hs_code": rng.choice(HS_CODES, rows),
            "description": rng.choice(["ANTIMONY OXIDE", "IRON INGOTS", "FURNITURE"], rows),
            "quantity": "",
            "quantity_unit": "",
            "weight_kg": weight,
            "value_usd": np.round(rng.lognormal(9, 1.5, rows), 2).astype(str),
            "transport_mode": rng.choice(["sea", "air", "truck"], rows),
        }
    )


# Each child prepares outside the timed part (connection, an initialised store), then
# times only the load itself, and reports its own peak memory.
_CHILD = {
    "bare_read_csv": (
        "import duckdb\n"
        "con = duckdb.connect(sys.argv[2], "
        "config={'memory_limit': sys.argv[3]} if sys.argv[3] else {})\n"
        "start = time.perf_counter()\n"
        "con.execute('CREATE TABLE t AS SELECT * FROM read_csv(?, header=true)', [sys.argv[1]])\n"
    ),
    "transship_ingest": (
        "from pathlib import Path\n"
        "from transship.storage.store import open_store\n"
        "from transship.ingest.shipments import ingest_shipments\n"
        "con = open_store(Path(sys.argv[2]), memory_limit=sys.argv[3] or None)\n"
        "start = time.perf_counter()\n"
        "[result] = ingest_shipments(con, [Path(sys.argv[1])])\n"
        "print(result.summary(), file=sys.stderr)\n"
    ),
}


def _measure(kind: str, csv_path: Path, db_path: Path, memory_limit: str) -> dict[str, float]:
    db_path.unlink(missing_ok=True)
    script = (
        "import json, resource, sys, time\n"
        + _CHILD[kind]
        + "print(json.dumps({'seconds': time.perf_counter() - start, "
        "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(csv_path), str(db_path), memory_limit],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The median time of the runs, and the highest peak memory any of them reached."""
    return {
        "seconds": statistics.median(run["seconds"] for run in runs),
        "peak_mb": max(run["peak_mb"] for run in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--rows", type=int, nargs="+", default=[250_000, 1_000_000, 2_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side per size")
    parser.add_argument(
        "--memory-limit",
        default="1GB",
        help="DuckDB memory limit for both sides ('' for DuckDB's default of 80%% of RAM)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    report = []
    for rows in args.rows:
        csv_path = args.out / f"shipments_{rows}.csv"
        started = time.perf_counter()
        # In a child process: a forked child's max RSS starts at its parent's, so the
        # driver must never hold the generated frame.
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from benchmarks.ingest import synthetic_shipments; "
                "synthetic_shipments(int(sys.argv[1])).write_csv(sys.argv[2])",
                str(rows),
                str(csv_path),
            ],
            check=True,
        )
        generated = time.perf_counter() - started
        # Alternating runs, medians reported: one run of either side varies by 20-30%
        # from one to the next on this kind of machine.
        runs: dict[str, list[dict[str, float]]] = {"bare": [], "ours": []}
        for _ in range(args.repeat):
            runs["bare"].append(
                _measure("bare_read_csv", csv_path, args.out / "bare.duckdb", args.memory_limit)
            )
            runs["ours"].append(
                _measure(
                    "transship_ingest", csv_path, args.out / "transship.duckdb", args.memory_limit
                )
            )
        bare, ours = (_median_run(runs[side]) for side in ("bare", "ours"))
        entry = {
            "rows": rows,
            "runs_each": args.repeat,
            "memory_limit": args.memory_limit or "duckdb default",
            "file_mb": round(csv_path.stat().st_size / 2**20, 1),
            "generate_seconds": round(generated, 2),
            "bare_seconds": round(bare["seconds"], 2),
            "bare_peak_mb": round(bare["peak_mb"]),
            "transship_seconds": round(ours["seconds"], 2),
            "transship_peak_mb": round(ours["peak_mb"]),
            "relative_speed": round(bare["seconds"] / ours["seconds"], 2),
        }
        report.append(entry)
        print(
            f"{rows:>9} rows ({entry['file_mb']} MB): bare read_csv {entry['bare_seconds']} s, "
            f"{entry['bare_peak_mb']} MB peak | transship validated ingest "
            f"{entry['transship_seconds']} s, {entry['transship_peak_mb']} MB peak | "
            f"transship at {entry['relative_speed']:.0%} of bare speed "
            f"(medians of {args.repeat} runs each)"
        )
        csv_path.unlink()
    (args.out / "ingest.json").write_text(json.dumps(report, indent=2))
    print(f"results in {args.out / 'ingest.json'}")


if __name__ == "__main__":
    main()
