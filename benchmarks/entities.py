"""Entity-resolution benchmark (``make bench``): how well and how fast trader spellings are
resolved into entities, on synthetic worlds with messy names (``--messy-names``).

- quality: pairwise precision and recall of the resolved entities against the true firm
  ids of the demo world (and of a second seed), at the default threshold and beside it;
- full resolution: ``resolve`` of every spelling of a world of about a million
  shipments, timed in its own process (Splink's import included), several runs;
- nightly increment: ``resolve_new`` of the last day's new spellings against a store
  resolved up to the day before, timed likewise;
- with ``--detection`` (or ``--detection-only``): the detection pipeline's average
  precision on the demo world with messy names and on the same world with clean names
  (each firm written one way), traders resolved into entities in both, over several
  seeds; as scored, and scored again after a simulated analyst confirmed the flags on
  planted shipments (what the returning-firm detector reads).

Results are printed and written to ``entities.json`` (``entities-detection.json`` with
``--detection-only``) in the output folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from transship.entities.listing import spellings
from transship.entities.model import DEFAULT_THRESHOLD
from transship.entities.resolve import resolve
from transship.evaluation.entities import firms_of_spellings, pairwise
from transship.evaluation.labels import evaluate, read_labels
from transship.ingest.contract import SHIPMENT_COLUMNS
from transship.ingest.shipments import ingest_shipments
from transship.storage.store import open_store
from transship.world.generate import END, RETURNING, generate, shipments_with_labels

MILLION_SCALE = 14.0
"""The world scale that gives about a million shipments (1,017,520 for seed 7)."""

_TIMED = """
import json, resource, sys, time
from pathlib import Path
start = time.perf_counter()
from transship.entities.resolve import resolve, resolve_new
from transship.storage.store import open_store
con = open_store(Path(sys.argv[2]))
began = time.perf_counter()
result = resolve(con) if sys.argv[1] == "full" else resolve_new(con)
seconds = time.perf_counter() - began
con.close()
print(json.dumps({
    "seconds": seconds,
    "with_start_seconds": time.perf_counter() - start,
    "spellings": result.spellings,
    "new_spellings": result.new_spellings,
    "links": result.links,
    "entities": result.entities,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""

_DETECT = """
import json, sys
from dataclasses import replace
from datetime import date
from pathlib import Path
import polars as pl
from transship.detectors import DetectorConfig
from transship.entities.resolve import resolve
from transship.ingest.flows import ingest_flows
from transship.ingest.shipments import ingest_shipments
from transship.review.decisions import decide
from transship.review.users import add_user
from transship.run.pipeline import detect
from transship.storage.store import open_store
from transship.evaluation.labels import ranking
world, db, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
con = open_store(db)
list(ingest_shipments(con, [world / "shipments.csv"]))
list(ingest_flows(con, [world / "flows.csv"], "canonical"))
resolve(con)
# The learner would learn the simulated analysts' labels of the very schemes measured.
config = DetectorConfig.load()
config = replace(config, learning={**config.learning, "enabled": False})
start, end = date(2023, 1, 1), date(2026, 10, 31)
detect(con, start, end, config)
confirmed = 0
if mode == "analysts":
    analyst = add_user(con, "bench.analyst", "benchmark analyst password")
    labels = pl.read_csv(world / "labels.csv", infer_schema=False)
    flags = con.sql("SELECT flag_id, shipment_id FROM flags WHERE level = 'shipment'").pl()
    positive = flags.join(labels.filter(pl.col("positive") == "1"), on="shipment_id")
    if positive.height:
        confirmed = decide(con, positive["flag_id"].to_list(), "confirm", "planted", analyst)
        con.execute(
            "UPDATE decisions SET decided_at = (f.flag_date + $lag::INTEGER)::TIMESTAMP "
            "FROM flags AS f WHERE f.flag_id = decisions.flag_id",
            {"lag": int(sys.argv[4])},
        )
        detect(con, start, end, config)
ranking(con).write_csv(world / f"ranking-{mode}.csv")
print(json.dumps({"confirmed": confirmed}))
"""

ANALYST_LAG_DAYS = 14
"""Days after a flag's shipment arrived that the simulated analyst confirms it."""


def _child(script: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _store(path: Path, shipments: Path) -> None:
    path.unlink(missing_ok=True)
    con = open_store(path)
    list(ingest_shipments(con, [shipments]))
    con.close()


def _scores(db: Path, world: Path) -> dict[str, Any]:
    con = duckdb.connect(str(db), read_only=True)
    found = spellings(con)
    con.close()
    joined = found.join(firms_of_spellings(world), on=["role", "alias"])
    out: dict[str, Any] = {}
    for role in ("exporter", "importer", None):
        part = joined if role is None else joined.filter(pl.col("role") == role)
        by_spelling, by_shipment = pairwise(part), pairwise(part, "shipments")
        out[role or "both"] = {
            "precision": round(by_spelling.precision, 4),
            "recall": round(by_spelling.recall, 4),
            "shipment_pairs_precision": round(by_shipment.precision, 4),
            "shipment_pairs_recall": round(by_shipment.recall, 4),
            "spellings": part.height,
            "firms": part["firm"].n_unique(),
        }
    return out


def quality(out: Path, seeds: list[int]) -> dict[str, Any]:
    """Pairwise scores on the demo world of each seed, at the default threshold and
    beside it."""
    results: dict[str, Any] = {}
    for seed in seeds:
        world = out / f"world-demo-messy-{seed}"
        generate(world, "demo", seed, messy_names=True)
        base = out / f"entities-demo-{seed}.duckdb"
        _store(base, world / "shipments.csv")
        thresholds = (0.9, DEFAULT_THRESHOLD, 0.99) if seed == seeds[0] else (DEFAULT_THRESHOLD,)
        for threshold in thresholds:
            db = out / "entities-quality.duckdb"
            shutil.copy(base, db)
            con = open_store(db)
            started = time.perf_counter()
            resolve(con, threshold)
            seconds = time.perf_counter() - started
            con.close()
            results[f"seed {seed}, threshold {threshold}"] = {
                "seconds": round(seconds, 1),
                **_scores(db, world),
            }
    return results


def _spread(values: list[float], digits: int = 2) -> dict[str, float]:
    return {
        "min": round(min(values), digits),
        "median": round(statistics.median(values), digits),
        "max": round(max(values), digits),
    }


def speed(out: Path, seed: int, runs: int) -> dict[str, Any]:
    """Full resolution of a million-shipment world, and a nightly increment of its last
    day, each timed in its own process ``runs`` times."""
    world = out / "world-million-messy"
    world.mkdir(parents=True, exist_ok=True)
    frame = shipments_with_labels(seed, MILLION_SCALE, messy_names=True)
    frame.select(SHIPMENT_COLUMNS).write_csv(world / "shipments.csv")
    frame.select("shipment_id", "label", "positive", "exporter_firm", "importer_firm").write_csv(
        world / "labels.csv"
    )
    base = out / "entities-million.duckdb"
    _store(base, world / "shipments.csv")
    db = out / "entities-timed.duckdb"
    full = []
    for _ in range(runs):
        shutil.copy(base, db)
        full.append(_child(_TIMED, "full", str(db)))
    scores = _scores(db, world)

    # The night of the last day: everything up to the day before resolved.
    last = END
    nightly_base = out / "entities-nightly.duckdb"
    shutil.copy(base, nightly_base)
    con = open_store(nightly_base)
    resolve(con, until=last - timedelta(days=1))
    con.close()
    day = frame.filter(pl.col("arrival_date") == last).height
    nightly = []
    for _ in range(runs):
        shutil.copy(nightly_base, db)
        nightly.append(_child(_TIMED, "new", str(db)))
    return {
        "shipments": frame.height,
        "full": {
            "seconds": _spread([r["seconds"] for r in full]),
            "with_start_seconds": _spread([r["with_start_seconds"] for r in full]),
            "peak_mb": round(max(r["peak_mb"] for r in full)),
            "spellings": full[0]["spellings"],
            "links": full[0]["links"],
            "entities": full[0]["entities"],
            "scores": scores,
        },
        "nightly": {
            "day": str(last),
            "day_shipments": day,
            "new_spellings": nightly[0]["new_spellings"],
            "seconds": _spread([r["seconds"] for r in nightly]),
            "with_start_seconds": _spread([r["with_start_seconds"] for r in nightly]),
            "peak_mb": round(max(r["peak_mb"] for r in nightly)),
        },
    }


def _clean_world(messy: Path, clean: Path) -> None:
    """The messy world with each firm written one way: its true firm id."""
    clean.mkdir(parents=True, exist_ok=True)
    labels = pl.read_csv(messy / "labels.csv", infer_schema=False)
    firms = labels.select("shipment_id", "exporter_firm", "importer_firm")
    pl.read_csv(messy / "shipments.csv", infer_schema=False).join(
        firms, on="shipment_id", maintain_order="left"
    ).with_columns(exporter=pl.col("exporter_firm"), importer=pl.col("importer_firm")).select(
        SHIPMENT_COLUMNS
    ).write_csv(clean / "shipments.csv")
    shutil.copy(messy / "flows.csv", clean / "flows.csv")
    shutil.copy(messy / "labels.csv", clean / "labels.csv")


def detection(out: Path, seeds: list[int]) -> dict[str, Any]:
    """Average precision on the demo world of each seed with messy names and with clean
    ones, traders resolved into entities in both: as scored (``plain``), and scored again
    after a simulated analyst confirmed every flag on a planted shipment
    ``ANALYST_LAG_DAYS`` after it arrived (``analysts``: what the returning-firm detector
    reads). Learning from decisions is off in both, so that the labels the analyst gives
    are not learned and measured at once."""
    results: dict[str, Any] = {}
    for seed in seeds:
        messy = out / f"world-demo-messy-{seed}"
        if not (messy / "labels.csv").exists():
            generate(messy, "demo", seed, messy_names=True)
        clean = out / f"world-demo-clean-names-{seed}"
        _clean_world(messy, clean)
        for mode in ("plain", "analysts"):
            for name, world in (("messy names", messy), ("clean names", clean)):
                db = out / "entities-detection.duckdb"
                db.unlink(missing_ok=True)
                done = _child(_DETECT, str(world), str(db), mode, str(ANALYST_LAG_DAYS))
                ranked = pl.read_csv(
                    world / f"ranking-{mode}.csv", schema_overrides={"shipment_id": pl.String}
                )
                labels = read_labels(world / "labels.csv")
                scored = evaluate(ranked, labels)
                others = labels.filter(pl.col("label") != RETURNING)
                without = evaluate(ranked.join(others, on="shipment_id", how="semi"), others)
                results[f"seed {seed}, {mode}, {name}"] = {
                    "average_precision": round(scored.average_precision, 4),
                    "recall_at_k": round(scored.recall_at_k, 4),
                    "returning_firm_recall_at_k": round(
                        scored.scheme_recall_at_k.get(RETURNING, 0.0), 4
                    ),
                    "average_precision_without_returning_firm": round(without.average_precision, 4),
                    "flags_confirmed": done["confirmed"],
                }
    for mode in ("plain", "analysts"):
        gaps = [
            results[f"seed {seed}, {mode}, clean names"]["average_precision"]
            - results[f"seed {seed}, {mode}, messy names"]["average_precision"]
            for seed in seeds
        ]
        results[f"{mode}: clean minus messy average precision"] = _spread(gaps, 4)
    return results


def _print_detection(results: dict[str, Any]) -> None:
    for name, scored in results.items():
        print(f"detection, demo world, {name}: {scored}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--second-seed", type=int, default=11)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--detection",
        action="store_true",
        help="also run detection on the demo world with messy and with clean names (minutes)",
    )
    parser.add_argument(
        "--detection-only",
        action="store_true",
        help="run only the detection comparison (implies --detection)",
    )
    parser.add_argument(
        "--detection-seeds",
        type=int,
        nargs="+",
        default=[7, 11, 23],
        help="demo-world seeds of the detection comparison",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {"run_on": date.today().isoformat()}
    if args.detection_only:
        report["detection"] = detection(args.out, args.detection_seeds)
        _print_detection(report["detection"])
        (args.out / "entities-detection.json").write_text(json.dumps(report, indent=2) + "\n")
        return
    report["quality"] = quality(args.out, [args.seed, args.second_seed])
    for name, scores in report["quality"].items():
        both = scores["both"]
        print(
            f"demo world, {name}: precision {both['precision']:.4f}, recall "
            f"{both['recall']:.4f} over {both['spellings']:,} spellings of {both['firms']:,} "
            f"firms ({scores['seconds']:.1f} s)"
        )
    report["speed"] = speed(args.out, args.seed, args.runs)
    full, nightly = report["speed"]["full"], report["speed"]["nightly"]
    print(
        f"full resolution, {report['speed']['shipments']:,} shipments, {full['spellings']:,} "
        f"spellings: {full['seconds']} s (with Python and Splink start: "
        f"{full['with_start_seconds']} s), peak {full['peak_mb']} MB; precision "
        f"{full['scores']['both']['precision']:.4f}, recall {full['scores']['both']['recall']:.4f}"
    )
    print(
        f"nightly increment, {nightly['day']} ({nightly['day_shipments']} shipments, "
        f"{nightly['new_spellings']} new spellings): {nightly['seconds']} s (with start: "
        f"{nightly['with_start_seconds']} s), peak {nightly['peak_mb']} MB"
    )
    if args.detection:
        report["detection"] = detection(args.out, args.detection_seeds)
        _print_detection(report["detection"])
    (args.out / "entities.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
