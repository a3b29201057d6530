"""Detection over a date range: features, scores, flags and a runs-ledger entry.

``detect`` is what the nightly run (one day), a backfill (a range) and the demo call. A
run writes its flags in one transaction: a failure leaves the flags as they were and the
run marked failed with its error.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import duckdb
import polars as pl

from transship.corridors import corridor_flags
from transship.detectors import DetectorConfig
from transship.errors import TransshipError
from transship.features.build import Reference, build_features, load_flows, load_shipments
from transship.scoring import Progress, score_range, severity
from transship.sql import load


class DateRangeError(TransshipError):
    """A run's dates make no sense (end before start)."""

    exit_code = 2


@dataclass
class RunResult:
    run_id: int
    kind: str
    start: date
    end: date
    detector_version: str
    shipments_scored: int = 0
    shipment_flags: int = 0
    corridor_flags: int = 0
    new_high: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    by_detector: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        severities = ", ".join(f"{n} {s}" for s, n in sorted(self.by_severity.items()))
        return (
            f"run {self.run_id} ({self.kind} {self.start} to {self.end}): "
            f"{self.shipments_scored:,} shipments scored, {self.shipment_flags:,} shipment flags "
            f"and {self.corridor_flags:,} corridor flags ({severities or 'none'}), "
            f"{self.new_high} new high-severity, in {self.seconds:.1f} s"
        )


FLAG_COLUMNS = {
    "level": pl.String,
    "shipment_id": pl.String,
    "flag_date": pl.Date,
    "period": pl.String,
    "origin_country": pl.String,
    "hs_code": pl.String,
    "hs6": pl.String,
    "material": pl.String,
    "score": pl.Float64,
    "severity": pl.String,
    "detectors": pl.String,
    "contributions": pl.String,
    "reasons": pl.String,
}


def shipment_flags(
    features: pl.DataFrame, scored: pl.DataFrame, config: DetectorConfig
) -> pl.DataFrame:
    flagged = scored.filter(pl.col("score") >= config.fusion["threshold"])
    return flagged.join(features, on="shipment_id").select(
        level=pl.lit("shipment"),
        shipment_id="shipment_id",
        flag_date="arrival_date",
        period=pl.col("arrival_date").dt.strftime("%Y-%m"),
        origin_country="origin_country",
        hs_code="hs_code",
        hs6="hs6",
        material="material",
        score="score",
        severity=severity(pl.col("score"), config),
        detectors="detectors",
        contributions="contributions",
        reasons="reasons",
    )


def statistics_flags(
    flows: pl.DataFrame, reference: Reference, config: DetectorConfig
) -> pl.DataFrame:
    corridors = corridor_flags(flows, reference).filter(
        pl.col("score") >= config.fusion["threshold"]
    )
    return corridors.select(
        level=pl.lit("corridor"),
        shipment_id=pl.lit(None, pl.String),
        flag_date=pl.date(pl.col("year"), 1, 1),
        period=pl.col("year").cast(pl.String),
        origin_country="origin_country",
        hs_code="hs6",
        hs6="hs6",
        material="material",
        score="score",
        severity=severity(pl.col("score"), config),
        detectors="detectors",
        contributions="contributions",
        reasons="reasons",
    )


def detect(
    con: duckdb.DuckDBPyConnection,
    start: date,
    end: date,
    config: DetectorConfig,
    kind: str = "backfill",
    progress: Progress | None = None,
) -> RunResult:
    """Score every shipment that arrived in [start, end] and replace that range's flags."""
    if end < start:
        raise DateRangeError(f"the end date {end} is before the start date {start}")
    began = time.perf_counter()
    parameters = json.dumps({"start": str(start), "end": str(end), "rules": config.source})
    run_id = con.execute(
        load("runs/start_run"),
        {"kind": kind, "parameters": parameters, "detector_version": config.version},
    ).fetchall()[0][0]
    result = RunResult(run_id, kind, start, end, config.version)
    try:
        reference = Reference.load(con)
        shipments = load_shipments(con, end)
        flows = load_flows(con)
        in_range = shipments.filter(pl.col("arrival_date") >= start).height
        if in_range == 0:
            result.warnings.append(f"no stored shipments arrived between {start} and {end}")
        frames = [pl.DataFrame(schema=FLAG_COLUMNS)]
        if in_range:
            features = build_features(shipments, flows, reference)
            scored = score_range(features, start, end, config, progress)
            result.shipments_scored = scored.height
            frames.append(shipment_flags(features, scored, config))
        frames.append(statistics_flags(flows, reference, config))
        new_flags = pl.concat(frames, how="vertical_relaxed")
        _write(con, new_flags, result, config)
    except Exception as exc:
        _finish(con, result, "failed", f"{type(exc).__name__}: {exc}")
        raise
    result.shipment_flags = new_flags.filter(pl.col("level") == "shipment").height
    result.corridor_flags = new_flags.filter(pl.col("level") == "corridor").height
    result.by_severity = dict(Counter(new_flags["severity"].to_list()))
    result.by_detector = dict(
        Counter(
            name for names in new_flags["detectors"].to_list() for name in names.split(",") if name
        )
    )
    result.seconds = time.perf_counter() - began
    _finish(con, result, "completed", None)
    return result


def _write(
    con: duckdb.DuckDBPyConnection,
    new_flags: pl.DataFrame,
    result: RunResult,
    config: DetectorConfig,
) -> None:
    version = {"detector_version": config.version}
    con.register("new_flags", new_flags)
    con.begin()
    try:
        con.execute(
            load("flags/delete_stale_flags"),
            {**version, "start_date": result.start, "end_date": result.end},
        )
        con.execute(load("flags/delete_stale_corridor_flags"), version)
        con.execute(load("flags/upsert_flags"), {**version, "run_id": result.run_id})
        result.new_high = con.execute(
            "SELECT count(*) FROM flags WHERE run_id = ? AND severity = 'high' "
            "AND first_flagged_at = updated_at",
            [result.run_id],
        ).fetchall()[0][0]
        con.commit()
    except Exception:
        con.rollback()
        raise
    finally:
        con.unregister("new_flags")


def _finish(
    con: duckdb.DuckDBPyConnection, result: RunResult, status: str, error: str | None
) -> None:
    counts = json.dumps(
        {
            "by_severity": result.by_severity,
            "by_detector": result.by_detector,
            "new_high": result.new_high,
            "warnings": result.warnings,
        }
    )
    con.execute(
        load("runs/finish_run"),
        {
            "status": status,
            "shipments_scored": result.shipments_scored,
            "flags_written": result.shipment_flags + result.corridor_flags,
            "counts": counts,
            "error": error,
            "run_id": result.run_id,
        },
    ).fetchall()
