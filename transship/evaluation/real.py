"""The corridor detectors against what is known to have happened in real trade statistics.

The expectations come from ../shared/data/README.md (UN Comtrade annual records and
China's monthly exports) and from what the files show for other importing countries than
the US: Korea's antimony (8110.10) from Myanmar, 540 t in 2022, is gone in 2024 while
Thailand appears with 629 t; Japan refines gallium; Japan's own report of its 8112.92
imports from China. Each check passes or fails with the evidence printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from transship.detectors import DetectorConfig
from transship.features.build import Reference, load_flows
from transship.features.corridor_year import corridor_years
from transship.ingest.shared import load_shared_statistics
from transship.run.corridors import corridor_year_flags

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb


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
    return checks + ranking_checks(flags, threshold) + other_importer_checks(flags, threshold)


RANKING_TOP = 5
"""The known rerouting must be among the first corridor flags an analyst reads."""


def ranking_checks(flags: pl.DataFrame, threshold: float) -> list[Check]:
    """Thailand->US 8110.10 in 2024, the rerouting the press documented, ranks among the
    first ``RANKING_TOP`` US corridor flags of 2024 and above every one whose country
    produces a material of its code (``producer``, see ``producers``)."""
    us = flags.filter(
        (pl.col("import_country") == "US")
        & (pl.col("year") == 2024)
        & (pl.col("score") >= threshold)
    ).sort("score", descending=True)
    thai = us.with_row_index("rank", offset=1).filter(
        (pl.col("origin_country") == "TH") & (pl.col("hs6") == "811010")
    )
    if thai.is_empty():
        return [
            Check("Thailand->US 8110.10 in 2024 ranks in the top US flags", False, "not flagged")
        ]
    rank, score = int(thai["rank"][0]), float(thai["score"][0])
    listing = "; ".join(
        f"{i}. {r['origin_country']} {r['hs6']} {r['score']:.1f}"
        for i, r in enumerate(us.head(RANKING_TOP + 3).iter_rows(named=True), start=1)
    )
    above = us.filter(pl.col("score") > score)
    producing = above.filter(pl.col("producer"))
    brazil = flags.filter(
        (pl.col("import_country") == "US")
        & (pl.col("origin_country") == "BR")
        & (pl.col("hs6") == "811292")
        & pl.col("reasons").str.contains("no known|not known to produce")
    )
    return [
        Check(
            "Brazil->US 8112.92 (Brazil mines most of the world's niobium) is never called "
            "a non-producer",
            brazil.is_empty(),
            f"{brazil.height} Brazil 8112.92 statements calling it a non-producer",
        ),
        Check(
            f"Thailand->US antimony (8110.10) in 2024 ranks in the top {RANKING_TOP} US "
            "corridor flags, above every corridor from a producer of the code's materials",
            rank <= RANKING_TOP and producing.is_empty(),
            f"rank {rank} of {us.height} ({score:.1f}); "
            f"producers above it: {producing['origin_country'].to_list()}; top: {listing}",
        ),
    ]


def other_importer_checks(flags: pl.DataFrame, threshold: float) -> list[Check]:
    """Korea's and Japan's corridors, from their own statistics and in their own words."""
    checks = []
    thai = _find(flags, "KR", "TH", "811010", 2024)
    evidence = (
        "no corridor signal at all"
        if thai is None
        else f"score {thai['score']}, detectors {thai['detectors']}: {thai['reasons']}"
    )
    said = "" if thai is None else str(thai["reasons"])
    checks.append(
        Check(
            "Thailand->Korea antimony (8110.10) in 2024, as Korea's imports from Myanmar "
            "stopped, is flagged with both legs, in Korea's words",
            thai is not None
            and float(thai["score"]) >= threshold  # type: ignore[arg-type]
            and said.startswith("Korean imports of 8110.10 from Thailand in 2024")
            and "Thailand reported importing" in said
            and "to Korea" in said,
            evidence,
        )
    )
    refiner = flags.filter(
        (pl.col("import_country") == "KR")
        & (pl.col("origin_country") == "JP")
        & (pl.col("hs6") == "811292")
        & (pl.col("score") >= threshold)
    )
    checks.append(
        Check(
            "Japan->Korea gallium/germanium (8112.92), from a refiner, is not flagged",
            refiner.is_empty(),
            f"{refiner.height} Japan 8112.92 corridor flags for Korea",
        )
    )
    china = _find(flags, "JP", "CN", "811292", 2024)
    mirror = "" if china is None else str(china["reasons"])
    checks.append(
        Check(
            "The Japan/China 8112.92 mirror gap is scored from Japan's own report",
            china is not None
            and "mirror_gap" in str(china["detectors"])
            and mirror.startswith("Mirror gap: in 2024 Japan reported importing"),
            "no corridor signal at all"
            if china is None
            else f"score {china['score']} (flags from {threshold:g}): {mirror}",
        )
    )
    others = flags.filter(pl.col("import_country").is_in(["KR", "JP"]))
    us_words = others.filter(
        pl.col("reasons").str.contains("US imports|US-reported|to the US|the US reported")
    )
    checks.append(
        Check(
            "No Korean or Japanese corridor statement speaks of the US as the importer",
            others.height > 0 and us_words.is_empty(),
            f"{others.height} Korean and Japanese corridor statements, "
            f"{us_words.height} naming the US as the importer",
        )
    )
    return checks


def evaluate_real_data(
    con: duckdb.DuckDBPyConnection, data_dir: Path, config: DetectorConfig | None = None
) -> list[Check]:
    for _ in load_shared_statistics(con, data_dir):
        pass
    config = config or DetectorConfig.load()
    reference = Reference.load(con)
    flags = corridor_year_flags(load_flows(con), reference, config).join(
        producers(con, reference, config), on=KEYS, how="left"
    )
    return real_data_checks(flags, config.fusion["threshold"])


KEYS = ["import_country", "origin_country", "hs6", "year"]


def producers(
    con: duckdb.DuckDBPyConnection, reference: Reference, config: DetectorConfig
) -> pl.DataFrame:
    """Per corridor year: whether its country produces a material of the code (major or
    minor capacity for anything the code carries, the materials that are not controlled
    included)."""
    frame = corridor_years(
        load_flows(con), reference, config.parameters["unit_value"]["max_price_ratio"]
    )
    return frame.select(
        "import_country",
        origin_country="country",
        hs6="hs6",
        year="year",
        producer=pl.col("capacity_level").is_in(["major", "minor"]),
    )
