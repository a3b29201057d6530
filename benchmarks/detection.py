"""Detection benchmark (``make bench``): transship against a plain pandas + IsolationForest
pipeline over the same large synthetic world, in one run.

Each side runs in its own process so its peak memory (max RSS) is its own:

- transship: ingest the shipments and trade statistics, backfill the whole period
  (features, detectors, fusion, flags), export the flags as CSV;
- baseline: pandas reads the same CSV, computes unit value and a per-code z-score,
  fits scikit-learn's IsolationForest (100 trees) on every shipment and ranks them all.

Both rankings are then scored against the world's labels with the same review budget.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from transship.evaluation.labels import evaluate, read_labels

_TRANSSHIP = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
from transship.detectors import DetectorConfig
from transship.run.flags import export_flags, list_flags
from transship.ingest.flows import ingest_flows
from transship.ingest.shipments import ingest_shipments
from transship.run.pipeline import detect
from transship.storage.store import open_store

world, db = Path(sys.argv[1]), Path(sys.argv[2])
manifest = json.loads((world / "world.json").read_text())
con = open_store(db)
timings = {}
start = time.perf_counter()
list(ingest_shipments(con, [world / "shipments.csv"]))
list(ingest_flows(con, [world / "flows.csv"], "canonical"))
timings["ingest_seconds"] = time.perf_counter() - start
start = time.perf_counter()
first, last = (date.fromisoformat(d) for d in manifest["period"])
result = detect(con, first, last, DetectorConfig.load())
timings["backfill_seconds"] = time.perf_counter() - start
start = time.perf_counter()
flags = list_flags(con, level="shipment")
export_flags(flags, "csv", world / "transship_flags.csv")
timings["export_seconds"] = time.perf_counter() - start
timings["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
timings["flags"] = result.shipment_flags
print(json.dumps(timings))
"""

_BASELINE = """
import json, resource, sys, time
import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

world = sys.argv[1]
start = time.perf_counter()
frame = pd.read_csv(world + "/shipments.csv", dtype={"hs_code": str, "shipment_id": str})
frame["hs6"] = frame["hs_code"].str[:6]
frame["log_weight"] = np.log1p(frame["weight_kg"])
frame["log_value"] = np.log1p(frame["value_usd"])
frame["log_unit_value"] = np.log(frame["value_usd"] / frame["weight_kg"] + 0.01)
by_code = frame.groupby("hs6")["log_unit_value"]
frame["uv_z"] = (frame["log_unit_value"] - by_code.transform("median")) / (
    by_code.transform("std").fillna(1.0) + 0.1
)
frame["export_differs"] = (frame["export_country"] != frame["origin_country"]).astype(float)
matrix = frame[["log_weight", "log_value", "log_unit_value", "uv_z", "export_differs"]]
model = IsolationForest(n_estimators=100, random_state=0).fit(matrix)
frame["score"] = -model.score_samples(matrix)
frame.sort_values("score", ascending=False)[["shipment_id", "score"]].to_csv(
    world + "/baseline_ranking.csv", index=False
)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def _child(script: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--size", default="large", help="world size: tiny, demo or large")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    world = args.out / f"world-{args.size}"
    db = args.out / "detection.duckdb"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "transship.world.generate",
            "--size",
            args.size,
            "--seed",
            str(args.seed),
            "--out",
            str(world),
        ],
        check=True,
    )
    generated = time.perf_counter() - started
    ours = _child(_TRANSSHIP, str(world), str(db))
    baseline = _child(_BASELINE, str(world))

    labels = read_labels(world / "labels.csv")
    flagged = pl.read_csv(
        world / "transship_flags.csv", schema_overrides={"shipment_id": pl.String}
    )
    ours_eval = evaluate(flagged.select("shipment_id", "score"), labels)
    baseline_eval = evaluate(
        pl.read_csv(world / "baseline_ranking.csv", schema_overrides={"shipment_id": pl.String}),
        labels,
    )
    ours_total = ours["ingest_seconds"] + ours["backfill_seconds"] + ours["export_seconds"]
    report = {
        "world": {
            "size": args.size,
            "seed": args.seed,
            "shipments": labels.height,
            "generate_seconds": round(generated, 1),
        },
        "transship": {
            **{k: round(v, 1) for k, v in ours.items()},
            "total_seconds": round(ours_total, 1),
            "evaluation": ours_eval.to_dict(),
        },
        "pandas_isolation_forest": {
            **{k: round(v, 1) for k, v in baseline.items()},
            "evaluation": baseline_eval.to_dict(),
        },
    }
    (args.out / "detection.json").write_text(json.dumps(report, indent=2))
    print(f"world: {labels.height:,} shipments generated in {generated:.1f} s")
    print(
        f"transship: ingest {ours['ingest_seconds']:.1f} s, backfill {ours['backfill_seconds']:.1f}"
        f" s, export {ours['export_seconds']:.1f} s (total {ours_total:.1f} s), peak "
        f"{ours['peak_mb']:.0f} MB; AP {ours_eval.average_precision:.3f}, precision@K "
        f"{ours_eval.precision_at_k:.3f}, recall@K {ours_eval.recall_at_k:.3f} (K={ours_eval.k})"
    )
    print(
        f"pandas + IsolationForest: {baseline['seconds']:.1f} s, peak {baseline['peak_mb']:.0f} MB;"
        f" AP {baseline_eval.average_precision:.3f}, precision@K "
        f"{baseline_eval.precision_at_k:.3f}, recall@K {baseline_eval.recall_at_k:.3f}"
    )
    for scheme, recall in ours_eval.scheme_recall_at_k.items():
        print(
            f"  recall@K {scheme}: transship {recall:.3f}, "
            f"baseline {baseline_eval.scheme_recall_at_k[scheme]:.3f}"
        )
    print(f"results in {args.out / 'detection.json'}")


if __name__ == "__main__":
    main()
