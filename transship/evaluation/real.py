"""The corridor detectors against what is known to have happened in real trade statistics.

The expectations come from ../shared/data/README.md (UN Comtrade annual records and
China's monthly exports); each check passes or fails with the evidence printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from transship.detectors import DetectorConfig
from transship.features.build import Reference, load_flows
from transship.ingest.shared import load_shared_statistics
from transship.run.corridors import corridor_year_flags


@dataclass(frozen=True)
class Check:
    expectation: str
    passed: bool
    evidence: str


def _find(
    flags: pl.DataFrame, importer: str, origin: str, hs6: str, year: int
) -> dict[str, object] | None:
    rows = flags.filter(
        (pl.col("import_country") == importer)
        & (pl.col("origin_country") == origin)
        & (pl.col("hs6") == hs6)
        & (pl.col("year") == year)
    )
    return rows.row(0, named=True) if rows.height else None


def real_data_checks(flags: pl.DataFrame, threshold: float) -> list[Check]:
    def flagged(
        origin: str, hs6: str, year: int, detector: str | None = None, importer: str = "US"
    ) -> tuple[bool, str]:
        row = _find(flags, importer, origin, hs6, year)
        if row is None:
            return False, "no corridor signal at all"
        ok = float(row["score"]) >= threshold and (  # type: ignore[arg-type]
            detector is None or detector in str(row["detectors"])
        )
        return ok, f"score {row['score']}, detectors {row['detectors']}: {row['reasons']}"

    checks = []
    ok, evidence = flagged("TH", "811010", 2024)
    both_legs = "Thailand reported importing" in evidence and "to the US" in evidence
    checks.append(
        Check(
            "Thailand->US antimony (8110.10) in 2024 is flagged with both legs",
            ok and both_legs,
            evidence,
        )
    )
    mexico = flags.filter(
        (pl.col("import_country") == "US")
        & (pl.col("origin_country") == "MX")
        & (pl.col("hs6") == "811010")
        & (pl.col("score") >= threshold)
    )
    checks.append(
        Check(
            "Mexico->US antimony (8110.10) is not flagged",
            mexico.is_empty(),
            f"{mexico.height} Mexico 8110.10 corridor flags",
        )
    )
    ok, evidence = flagged("CN", "811292", 2024, "mirror_gap")
    checks.append(Check("The US/China 8112.92 mirror gap is surfaced", ok, evidence))
    for origin, name in (("HK", "Hong Kong"), ("MY", "Malaysia"), ("BE", "Belgium")):
        ok, evidence = flagged(origin, "811292", 2024, "china_export_surge")
        checks.append(
            Check(
                f"China's 2024 rise of 8112.92 exports to {name} is a corridor flag", ok, evidence
            )
        )
    return checks


def evaluate_real_data(
    con: duckdb.DuckDBPyConnection, data_dir: Path, config: DetectorConfig | None = None
) -> list[Check]:
    for _ in load_shared_statistics(con, data_dir):
        pass
    config = config or DetectorConfig.load()
    flags = corridor_year_flags(load_flows(con), Reference.load(con), config)
    return real_data_checks(flags, config.fusion["threshold"])
