"""Learning benchmark (``make bench-learning``): the learned ranker on the Korean customs
declarations and the synthetic world, and how long retraining takes on a large store.

- korea-labels: the published protocol. All of train.csv's labels imported as past
  inspection outcomes (`transship review import`), test.csv's period backfilled, its
  declarations ranked by score (`transship scores`): precision at the top 5% and 10% of
  test.csv, and the same on the test rows with no exact (Net Mass, Item Price) twin in
  train.csv (the files are CTGAN output: 83% of test rows have one, whose label agrees 96%
  of the time, so the protocol mostly measures memorising twins).
- korea-replay: `transship evaluate feedback` over all three files' 18 months, a 10% weekly
  budget, starting with no decisions; test.csv's precision at 5% and 10% from the replay's
  scores.
- synthetic: `transship evaluate feedback` on the demo world with 5% of each week's flags
  reviewed: average precision, each scheme's recall at K, the look-alikes, and the top 1%
  (with the clean shipments in it, and the weeks the learner was in use);
  synthetic-arrivals: the same with 2% of each week's shipments reviewed (the rules'
  default review budget).
- retrain: a large world (1.5M shipments) with 10,000 decided shipments; one night's
  decisions (50 of the last week's flags) added, the nightly run: how long the learner
  took (computing the new decisions' inputs, fitting with its held-out check) and the
  nightly run with and without learning.
- models: HistGradientBoosting against LightGBM (when installed) on the protocol's inputs.

Model fits use one thread. Each figure is written to ``<out>/learning.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

KOREA = "korea_customs_declarations"
TEST = (date(2021, 4, 1), date(2021, 6, 30))
PASSWORD = "benchmark password"


def transship(*args: str) -> str:
    """Run a transship command as a user would, failing loudly."""
    done = subprocess.run(
        [sys.executable, "-c", "from transship.cli import main; main()", *args],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"transship {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def precision_at(frame: pl.DataFrame, score: str, share: float) -> float:
    """Precision of the top ``share`` of rows by score (ties in id order)."""
    ranked = frame.sort([score, "shipment_id"], descending=[True, False])
    k = math.ceil(share * ranked.height)
    return share_positive(ranked.head(k))


def share_positive(frame: pl.DataFrame) -> float:
    return round(float(frame["positive"].sum()) / max(frame.height, 1), 3)


def korean_truth(data: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """test.csv's labels with whether each row has a (Net Mass, Item Price) twin in train.csv."""
    columns = ["Declaration ID", "Fraud", "Net Mass", "Item Price"]

    def read(name: str) -> pl.DataFrame:
        return pl.read_csv(
            data / KOREA / f"{name}.csv",
            columns=columns,
            schema_overrides={"Declaration ID": pl.String},
        ).rename({"Declaration ID": "shipment_id", "Fraud": "positive"})

    train, test = read("train"), read("test")
    twins = train.select("Net Mass", "Item Price").unique().with_columns(twin=pl.lit(True))
    test = test.join(twins, on=["Net Mass", "Item Price"], how="left").with_columns(
        pl.col("twin").fill_null(False)
    )
    return train, test.select("shipment_id", "positive", "twin")


def protocol(test: pl.DataFrame, scores: pl.DataFrame, column: str) -> dict[str, Any]:
    ranked = test.join(scores.select("shipment_id", column), on="shipment_id")
    free = ranked.filter(~pl.col("twin"))
    return {
        "test_rows_scored": ranked.height,
        "precision_at_5": precision_at(ranked, column, 0.05),
        "precision_at_10": precision_at(ranked, column, 0.10),
        "twin_free_rows": free.height,
        "twin_free_fraud_rate": share_positive(free),
        "twin_free_precision_at_5": precision_at(free, column, 0.05),
        "twin_free_precision_at_10": precision_at(free, column, 0.10),
    }


def korean_store(data: Path, db: Path) -> None:
    db.unlink(missing_ok=True)
    files = [str(data / KOREA / f"{name}.csv") for name in ("train", "valid", "test")]
    transship("ingest", "shipments", *files, "--mapping", _korean_mapping(), "--db", str(db))


def _korean_mapping() -> str:
    from importlib import resources

    return str(resources.files("transship.ingest") / "mappings" / "korea_customs.toml")


def korea_labels(data: Path, out: Path) -> dict[str, Any]:
    db = out / "korea-labels.duckdb"
    korean_store(data, db)
    from transship.review.users import add_user
    from transship.storage.store import store

    with store(db) as con:
        add_user(con, "bench", PASSWORD)
    train_file = str(data / KOREA / "train.csv")
    transship(
        "review", "import", train_file, "--id-column", "Declaration ID",
        "--label-column", "Fraud", "--analyst", "bench", "--db", str(db),
    )  # fmt: skip
    started = time.perf_counter()
    summary = transship("backfill", "--start", str(TEST[0]), "--end", str(TEST[1]), "--db", str(db))
    backfill_seconds = time.perf_counter() - started
    scores_file = out / "korea-labels-scores.csv"
    transship(
        "scores", "--start", str(TEST[0]), "--end", str(TEST[1]), "--format", "csv",
        "--out", str(scores_file), "--db", str(db),
    )  # fmt: skip
    _, test = korean_truth(data)
    scores = pl.read_csv(scores_file, schema_overrides={"shipment_id": pl.String})
    with store(db, read_only=True) as con:
        fit = con.execute("SELECT max(seconds) FROM learned_models").fetchall()[0][0]
    return {
        **protocol(test, scores, "score"),
        "backfill_seconds": round(backfill_seconds, 1),
        "learned_model_fit_cpu_seconds": round(fit, 1),
        "run": summary.strip().splitlines()[-2:],
    }


def korea_replay(data: Path, out: Path, explore: str | None) -> dict[str, Any]:
    db = out / "korea-replay.duckdb"
    korean_store(data, db)
    files = [data / KOREA / f"{name}.csv" for name in ("train", "valid", "test")]
    scores_file = out / "korea-replay-scores.csv"
    report_file = out / "korea-replay.json"
    started = time.perf_counter()
    transship(
        "evaluate", "feedback", *(arg for f in files for arg in ("--labels", str(f))),
        "--id-column", "Declaration ID", "--label-column", "Fraud", "--budget", "10%",
        "--every", "week", "--start", "2020-01-01", "--end", str(TEST[1]),
        *(("--explore", explore) if explore else ()),
        "--out", str(report_file), "--scores-out", str(scores_file), "--db", str(db),
    )  # fmt: skip
    seconds = time.perf_counter() - started
    _, test = korean_truth(data)
    scores = pl.read_csv(scores_file, schema_overrides={"shipment_id": pl.String})
    report = json.loads(report_file.read_text())
    return {
        "learning": protocol(test, scores, "learning_score"),
        "no_learning": protocol(test, scores, "no_learning_score"),
        "reviewed_precision": {
            arm: report[arm]["reviewed_precision"] for arm in ("learning", "no_learning")
        },
        "chosen_for_learning": report["learning"]["chosen_for_learning"],
        "overall": {arm: report[arm]["precision_at"] for arm in ("learning", "no_learning")},
        "seconds": round(seconds, 1),
    }


def synthetic(out: Path, seed: int, budget: str, of: str) -> dict[str, Any]:
    world = out / f"world-demo-{seed}"
    if not (world / "labels.csv").exists():
        subprocess.run(
            [sys.executable, "-m", "transship.world.generate", "--size", "demo",
             "--seed", str(seed), "--out", str(world)],
            check=True,
        )  # fmt: skip
    db = out / f"synthetic-{seed}.duckdb"
    if not db.exists():
        transship("ingest", "shipments", str(world / "shipments.csv"), "--db", str(db))
        flows = str(world / "flows.csv")
        transship("ingest", "flows", flows, "--format", "canonical", "--db", str(db))
    first, last = json.loads((world / "world.json").read_text())["period"]
    stem = out / f"synthetic-{seed}-{budget.rstrip('%')}-{of}"
    report_file, scores_file = stem.with_suffix(".json"), stem.with_suffix(".csv")
    transship(
        "evaluate", "feedback", "--labels", str(world / "labels.csv"), "--budget", budget,
        "--budget-of", of, "--every", "week", "--start", first, "--end", last,
        "--out", str(report_file), "--scores-out", str(scores_file), "--db", str(db),
    )  # fmt: skip
    report = json.loads(report_file.read_text())
    keep = ("average_precision", "recall_at_k", "scheme_recall_at_k", "look_alike_in_top_k")
    labels = pl.read_csv(world / "labels.csv", schema_overrides={"shipment_id": pl.String})
    scores = pl.read_csv(scores_file, schema_overrides={"shipment_id": pl.String})
    return {
        arm: {
            "precision_at": report[arm]["precision_at"],
            "reviewed": report[arm]["reviewed"],
            "found": report[arm]["found"],
            "chosen_for_learning": report[arm]["chosen_for_learning"]["reviewed"],
            **{k: report[arm]["flags"][k] for k in keep},
            "clean_in_top_1%": clean_at_top(scores, labels, arm, 0.01),
        }
        for arm in ("learning", "no_learning")
    } | {"learner_in_use": learner_weeks(report["periods"])}


def clean_at_top(
    scores: pl.DataFrame, labels: pl.DataFrame, arm: str, share: float
) -> list[dict[str, Any]]:
    """The clean shipments among an arm's top ``share`` of every replayed shipment, ranked
    as the replay ranks them (ties in its fixed order): what learning would have to move."""
    from transship.learning.explore import tiebreak

    ranked = scores.with_columns(
        ties=pl.Series(tiebreak(scores["shipment_id"].to_list()).tolist(), dtype=pl.Int64)
    ).sort([f"{arm}_score", "ties"], descending=[True, False])
    top = ranked.head(math.ceil(share * ranked.height)).with_row_index("rank", offset=1)
    clean = top.filter(pl.col("positive") == 0).join(labels, on="shipment_id", how="left")
    return clean.select(
        "rank", "shipment_id", "arrival_date", "label", score=pl.col(f"{arm}_score").round(2)
    ).to_dicts()


def learner_weeks(periods: list[dict[str, Any]]) -> dict[str, Any]:
    """The periods in which the learning arm's score used a learned model, and its weights."""
    used = [
        (period["start"], period["learning"]["learner"]["weight"])
        for period in periods
        if period.get("learning", {}).get("learner", {}).get("used")
    ]
    return {
        "periods": len(used),
        "of": len(periods),
        "first": used[0][0] if used else None,
        "weights": [min(w for _, w in used), max(w for _, w in used)] if used else None,
    }


def retrain(out: Path, seed: int, decisions: int) -> dict[str, Any]:
    from transship.detectors import DetectorConfig
    from transship.ingest.flows import ingest_flows
    from transship.ingest.shipments import ingest_shipments
    from transship.learning.labels import LabelColumns
    from transship.learning.outcomes import import_outcomes
    from transship.review.users import add_user
    from transship.run.pipeline import detect
    from transship.storage.store import store

    world = out / f"world-large-{seed}"
    if not (world / "labels.csv").exists():
        subprocess.run(
            [sys.executable, "-m", "transship.world.generate", "--size", "large",
             "--seed", str(seed), "--out", str(world)],
            check=True,
        )  # fmt: skip
    db = out / "retrain.duckdb"
    db.unlink(missing_ok=True)
    config = DetectorConfig.load()
    period = json.loads((world / "world.json").read_text())["period"]
    first, last = date.fromisoformat(period[0]), date.fromisoformat(period[1])
    night = last - timedelta(days=1)
    with store(db) as con:
        list(ingest_shipments(con, [world / "shipments.csv"]))
        list(ingest_flows(con, [world / "flows.csv"], "canonical"))
        detect(con, first, night - timedelta(days=1), config)
        analyst = add_user(con, "bench", PASSWORD)
        shipments = con.sql(
            "SELECT shipment_id, arrival_date FROM shipments WHERE arrival_date < $night",
            params={"night": night - timedelta(days=2)},
        ).pl()
        labels = pl.read_csv(world / "labels.csv", schema_overrides={"shipment_id": pl.String})
        # Decided shipments spread over the whole history, a tenth of them confirmed
        # schemes; each decided 30 days after it arrived.
        pool = shipments.join(labels, on="shipment_id")
        chosen = pl.concat(
            [
                pool.filter(pl.col("positive") == 1).sample(decisions // 10, seed=seed),
                pool.filter(pl.col("positive") == 0).sample(decisions - decisions // 10, seed=seed),
            ]
        ).with_columns(
            decided=(pl.col("arrival_date") + pl.duration(days=30))
            .clip(upper_bound=night - timedelta(days=2))
            .dt.strftime("%Y-%m-%d")
        )
        history = out / "retrain-history.csv"
        chosen.select("shipment_id", "positive", "decided").write_csv(history)
        dated = LabelColumns(decided_at_column="decided")
        import_outcomes(con, history, analyst, dated)
        # The first night with decisions computes every decided shipment's inputs once.
        started = time.perf_counter()
        detect(con, night - timedelta(days=1), night - timedelta(days=1), config, "nightly")
        first_night = time.perf_counter() - started
        # One night's decisions: analysts decided 50 of the last week's flags the day before
        # the night (their inputs are computed and kept by that night's run).
        recent = con.sql(
            "SELECT shipment_id FROM flags WHERE level = 'shipment' AND flag_date >= $since",
            params={"since": night - timedelta(days=9)},
        ).pl()
        extra = (
            pool.join(recent, on="shipment_id", how="semi")
            .join(chosen, on="shipment_id", how="anti")
            .sample(50, seed=seed + 1)
        )
        tonight = out / "retrain-tonight.csv"
        extra.with_columns(decided=pl.lit(str(night - timedelta(days=1)))).select(
            "shipment_id", "positive", "decided"
        ).write_csv(tonight)
        import_outcomes(con, tonight, analyst, dated)
        started = time.perf_counter()
        result = detect(con, night, night, config, "nightly")
        with_learning = time.perf_counter() - started
        fit = con.execute(
            "SELECT seconds, decisions FROM learned_models ORDER BY model_id DESC LIMIT 1"
        ).fetchall()[0]
        stored = con.execute("SELECT count(*) FROM shipments").fetchall()[0][0]
    copy = out / "retrain-off.duckdb"
    shutil.copy(db, copy)
    with store(copy) as con:
        off = DetectorConfig.load()
        off = type(off)(**{**off.__dict__, "learning": {**off.learning, "enabled": False}})
        started = time.perf_counter()
        detect(con, night, night, off, "nightly")
        without = time.perf_counter() - started
    copy.unlink()
    return {
        "stored_shipments": stored,
        "decisions": int(fit[1]),
        "retrain_fit_cpu_seconds": round(fit[0], 2),
        "retrain_seconds": round(result.learning_seconds, 2),
        "first_night_with_decisions_seconds": round(first_night, 1),
        "nightly_with_learning_seconds": round(with_learning, 1),
        "nightly_without_learning_seconds": round(without, 1),
        "learning": result.learning,
    }


def models(data: Path, out: Path) -> dict[str, Any]:
    """HistGradientBoosting and LightGBM on the same inputs: train.csv -> test.csv."""
    from transship.detectors import DetectorConfig
    from transship.learning.features import learner_inputs, load_attributes, with_attributes
    from transship.learning.model import LearnedRanker
    from transship.run.fusion import fuse
    from transship.run.pipeline import prepare_range
    from transship.run.scoring import detector_scores, fitted_detectors
    from transship.storage.store import store

    db = out / "korea-models.duckdb"
    korean_store(data, db)
    config = DetectorConfig.load()
    with store(db) as con:
        prepared = prepare_range(con, date(2020, 1, 1), TEST[1], config, [], [])
        assert prepared.features is not None
        frames = []
        for (quarter, country), chunk in prepared.features.group_by(
            pl.col("arrival_date").dt.truncate("3mo").alias("_q"),
            "import_country",
            maintain_order=True,
        ):
            detectors = fitted_detectors(prepared.features, quarter, str(country), config)
            scores, damping, _ = detector_scores(detectors, chunk, config, every_row=True)
            base = fuse(detectors, scores, config, damping).risk
            frames.append(learner_inputs(chunk, scores, base))
        inputs = pl.concat(frames, how="diagonal_relaxed")
        inputs = with_attributes(inputs, load_attributes(con, inputs["shipment_id"]))
    train, test = korean_truth(data)
    training = inputs.join(train.select("shipment_id", "positive"), on="shipment_id")
    testing = inputs.join(test, on="shipment_id")
    y = training["positive"].to_numpy()
    settings = config.learning_settings
    results: dict[str, Any] = {}
    started = time.process_time()
    ranker = LearnedRanker(
        settings.trees, settings.learning_rate, settings.leaves, settings.min_leaf
    ).fit(training.drop("positive"), y)
    fit = time.process_time() - started
    scored = testing.with_columns(hgb=pl.Series(ranker.score(testing.drop("positive", "twin"))))
    results["hist_gradient_boosting"] = {**protocol(test, scored, "hgb"), "fit_cpu_seconds": fit}
    try:
        import lightgbm
    except ImportError:
        results["lightgbm"] = "not installed"
        return results
    matrix = ranker._matrix(training.drop("positive"))
    categorical = list(range(len(ranker.numeric_), matrix.shape[1]))
    started = time.process_time()
    model = lightgbm.LGBMClassifier(
        n_estimators=settings.trees,
        learning_rate=settings.learning_rate,
        num_leaves=settings.leaves,
        min_child_samples=settings.min_leaf,
        n_jobs=1,
        verbose=-1,
        random_state=0,
    ).fit(matrix, y, categorical_feature=categorical)
    fit = time.process_time() - started
    probability = np.asarray(model.predict_proba(ranker._matrix(testing.drop("positive", "twin"))))
    scored = scored.with_columns(lgbm=pl.Series(probability[:, 1]))
    results["lightgbm"] = {**protocol(test, scored, "lgbm"), "fit_cpu_seconds": fit}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument(
        "--only",
        nargs="*",
        default=[
            "korea-labels",
            "korea-replay",
            "synthetic",
            "synthetic-arrivals",
            "retrain",
            "models",
        ],
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explore", help="exploration share for the Korean replay")
    parser.add_argument("--decisions", type=int, default=10_000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    path = args.out / "learning.json"
    if path.exists():
        results = json.loads(path.read_text())
    runs = {
        "korea-labels": lambda: korea_labels(args.data, args.out),
        "korea-replay": lambda: korea_replay(args.data, args.out, args.explore),
        # The target: analysts review 5% of each week's flags.
        "synthetic": lambda: synthetic(args.out, args.seed, "5%", "flags"),
        # The rules' default review budget: 2% of each week's shipments.
        "synthetic-arrivals": lambda: synthetic(args.out, args.seed, "2%", "arrivals"),
        "retrain": lambda: retrain(args.out, args.seed, args.decisions),
        "models": lambda: models(args.data, args.out),
    }
    for name in args.only:
        started = time.perf_counter()
        results[name] = runs[name]()
        print(f"{name} ({time.perf_counter() - started:.0f} s): {json.dumps(results[name])}")
        path.write_text(json.dumps(results, indent=2, default=str))
    print(f"results in {path}")


if __name__ == "__main__":
    main()
