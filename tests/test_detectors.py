"""One contract for every detector of every level, then each rule on a few literal rows."""

from __future__ import annotations

import inspect
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from transship.detectors import DETECTORS, LEVELS, DetectorConfig, DetectorError
from transship.detectors.capacity import Capacity
from transship.detectors.corridor_month.flagged_share import FlaggedShare
from transship.detectors.corridor_month.surge import MonthSurge
from transship.detectors.corridor_year.import_surge import ImportSurge
from transship.detectors.corridor_year.mirror_gap import MirrorGap
from transship.detectors.description import DescriptionMismatch
from transship.detectors.relationships import Relationships
from transship.detectors.structuring import Structuring
from transship.detectors.unit_value import UnitValueMisfit
from transship.features.build import Reference, build_features, load_flows, load_shipments
from transship.features.corridor_month import corridor_months
from transship.features.corridor_year import corridor_years
from transship.features.entities import Entities
from transship.run.fusion import fuse
from transship.storage.store import open_store

# Where each level's frame is cut into history and the rows scored after it.
SPLITS = {
    "shipment": pl.col("arrival_date") < date(2025, 1, 1),
    "corridor_year": pl.col("year") < 2025,
    "corridor_month": pl.col("month") < date(2025, 1, 1),
}


@pytest.fixture(scope="module")
def features(tiny_store: Path, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    con = duckdb.connect(tiny_store, read_only=True)
    shipments, flows, reference = (
        load_shipments(con, date(2026, 12, 31)),
        load_flows(con),
        Reference.load(con),
    )
    con.close()
    frame = build_features(shipments, flows, reference)
    # Analysts confirmed a flag on the busiest exporter of controlled goods in 2023, so
    # that the returning-firm detector has a firm to see again.
    exporter = (
        frame.filter(pl.col("controlled") & (pl.col("arrival_date") < date(2024, 1, 1)))
        .group_by("exporter")
        .len()
        .sort("len", "exporter", descending=[True, False])["exporter"][0]
    )
    confirmed = pl.DataFrame(
        {
            "role": ["exporter"],
            "alias": [exporter],
            "flag_id": ["f1"],
            "analyst": ["a.lopez"],
            "decided_on": [date(2023, 12, 31)],
            "valid_from": [date(2024, 1, 1)],
            "valid_to": [None],
        },
        schema_overrides={"valid_to": pl.Date},
    )
    return build_features(shipments, flows, reference, entities=Entities(confirmed=confirmed))


@pytest.fixture(scope="module")
def frames(tiny_store: Path, features: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The tiny world as each level's detectors score it: shipments, the statistics'
    corridor years, and the corridor months with the shipments its backfill flagged."""
    con = duckdb.connect(tiny_store, read_only=True)
    flows, reference = load_flows(con), Reference.load(con)
    flagged = con.sql("SELECT shipment_id FROM flags WHERE level = 'shipment'").pl()
    con.close()
    return {
        "shipment": features,
        "corridor_year": corridor_years(
            flows, reference, DetectorConfig.load().parameters["unit_value"]["max_price_ratio"]
        ),
        "corridor_month": corridor_months(
            features, flagged["shipment_id"], date(2023, 1, 1), date(2026, 12, 31)
        ),
    }


def test_every_level_has_rule_detectors() -> None:
    for level in LEVELS:
        assert [c for c in DETECTORS.values() if c.level == level and c.kind == "rule"], level


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_detector_contract(name: str, frames: dict[str, pl.DataFrame]) -> None:
    cls = DETECTORS[name]
    params = DetectorConfig.load().parameters[name]
    detector = cls(**params)
    # __init__ only stores its parameters, under their own names.
    signature = inspect.signature(cls.__init__)
    assert set(detector.get_params()) == set(signature.parameters) - {"self"}
    assert not [a for a in vars(detector) if a.endswith("_")]
    frame = frames[cls.level]
    history = frame.filter(SPLITS[cls.level])
    target = frame.filter(~SPLITS[cls.level])
    assert history.height and target.height > 7
    with pytest.raises(DetectorError, match="fitted"):
        detector.score(target)
    assert detector.fit(history) is detector
    assert [a for a in vars(detector) if a.endswith("_")]
    scores = detector.score(target)
    assert scores.shape == (target.height,)
    # A row's score never depends on the rows scored with it (point in time).
    assert np.array_equal(detector.score(target.tail(7)), scores[-7:])
    assert np.all((scores >= 0) & (scores <= 1))
    reasons = detector.reasons(target, scores)
    assert len(reasons) == target.height
    for score, reason in zip(scores, reasons, strict=True):
        assert (reason is None) == (score == 0)
        if reason is not None:
            assert reason[0].isupper() and reason.endswith(".") and len(reason) > 20
    with pytest.raises(DetectorError, match="needs feature columns"):
        detector.score(target.drop(cls.requires[0]))
    # A fit reads its ``fits_on`` columns alone (a quarter's fit reads only those).
    narrow = history.select(list(dict.fromkeys([history.columns[0], *cls.fits_on])))
    assert np.array_equal(cls(**params).fit(narrow).score(target), scores)
    if cls.fits_on:
        with pytest.raises(DetectorError, match="needs feature columns"):
            cls(**params).fit(history.drop(cls.fits_on[0]))


def test_every_detector_fires_somewhere_on_the_tiny_world(
    frames: dict[str, pl.DataFrame],
) -> None:
    config = DetectorConfig.load()
    history = frames["shipment"].filter(pl.col("arrival_date") < date(2024, 6, 1))
    target = frames["shipment"].filter(pl.col("arrival_date") >= date(2024, 6, 1))
    for detector in config.build():
        assert detector.fit(history).score(target).max() > 0, detector.name
    for level in ("corridor_year", "corridor_month"):
        for detector in config.build(level):
            assert detector.fit(frames[level]).score(frames[level]).max() > 0, detector.name


def test_capacity_honours_production_and_ignores_goods_returned() -> None:
    shared = "8112.92 (gallium, germanium; also indium, niobium, vanadium)"
    frame = pl.DataFrame(
        {
            "capacity_level": ["none", "minor", "major", "none", None, "unknown", "minor", "none"],
            "capacity_note": [None, "Limited smelting", None, None, None, None, "Indium", None],
            "import_country": ["US", "US", "US", "US", "US", "US", "US", "KR"],
            "origin_country": ["HK", "TH", "BE", "US", "FR", "MY", "PE", "US"],
            "origin_name": [
                "Hong Kong",
                "Thailand",
                "Belgium",
                "United States",
                "France",
                "Malaysia",
                "Peru",
                "United States",
            ],
            "material": ["gallium", "antimony", "antimony", "antimony", None]
            + ["gallium/germanium"] * 2
            + ["antimony"],
            "code_goods": [None] * 5 + [shared, shared, None],
        }
    )
    detector = Capacity().fit(frame)
    scores = detector.score(frame)
    # Goods of US origin are returned goods when the US imports them, not when Korea does;
    # on a basket code, not known to produce it without corroboration scores nothing.
    assert scores.tolist() == [1.0, 0.6, 0.0, 0.0, 0.0, 0.0, 0.6, 1.0]
    reasons = detector.reasons(frame, scores)
    assert reasons[0] == (
        "Hong Kong has no known gallium mining, smelting, refining or recycling capacity."
    )
    assert reasons[5] is None
    assert reasons[6] == f"Peru has only minor capacity for {shared} (Indium)."


def test_unit_value_misfit_needs_a_far_price_a_controlled_fit_and_a_benchmark() -> None:
    frame = pl.DataFrame(
        {
            "hs6": ["720610"] * 4,
            "uv_z": [12.0, 12.0, 1.0, 12.0],
            "unit_value": [40.0, 3.0, 0.6, 40.0],
            "hs6_uv_typical": [0.55] * 4,
            # The fourth's code had two prices in the year: no benchmark to be far from.
            "hs6_history": [386, 386, 386, 2],
            "nearest_controlled_hs6": ["811010", "811010", None, "811010"],
            "nearest_controlled_gap": [0.05, 2.5, None, 0.05],
            "nearest_controlled_uv": [38.0, 38.0, None, 38.0],
            "nearest_controlled_material": ["antimony", "antimony", None, "antimony"],
        }
    )
    detector = UnitValueMisfit().fit(frame)
    scores = detector.score(frame)
    assert scores[0] > 0.9 and scores[1] == 0 and scores[2] == 0 and scores[3] == 0
    reason = detector.reasons(frame, scores)[0]
    assert reason is not None
    assert "over the past year (386 shipments)" in reason
    assert "fits 8110.10 (antimony) at $38.00/kg" in reason
    assert UnitValueMisfit(min_history=2).fit(frame).score(frame)[3] == scores[0]


def test_description_learns_what_is_routine_for_a_code() -> None:
    history = pl.DataFrame(
        {
            "hs6": ["780199"] * 4 + ["720610"] * 4,
            "material": [None] * 8,
            "described_material": ["antimony", "antimony", None, None, None, None, None, None],
            "described_keyword": [None] * 8,
            "description": ["LEAD ANTIMONY ALLOY"] * 2 + ["LEAD"] * 2 + ["IRON"] * 4,
        }
    )
    target = pl.DataFrame(
        {
            "hs6": ["780199", "720610", "282580", "960910"],
            "material": [None, None, "antimony", None],
            "described_material": ["antimony", "antimony", "antimony", "graphite"],
            "described_keyword": ["antimony", "antimonio", "antimony", "graphite"],
            "description": [
                "LEAD ANTIMONY ALLOY",
                "LINGOTES DE ANTIMONIO",
                "ANTIMONY OXIDE",
                "GRAPHITE PENCILS",
            ],
        }
    )
    detector = DescriptionMismatch(min_code_history=4).fit(history)
    # Routine for lead; a slip under iron; carried by its own code; a code never seen.
    assert detector.score(target).tolist() == [0.2, 1.0, 0.0, 0.5]


def test_relationships_sees_an_origin_switch_after_a_control() -> None:
    frame = pl.DataFrame(
        {
            "controlled": [True, True],
            "switched_from": ["CN", None],
            "switched_from_name": ["China", None],
            "switched_from_kg": [120_000.0, None],
            "exporter_age_days": [400, 400],
            "exporter_first_seen": [date(2023, 1, 1), date(2023, 1, 1)],
            "exporter_controlled_kg_90d": [10.0, 10.0],
            "pair_new": [False, False],
            "control_date": [date(2024, 12, 3), date(2024, 12, 3)],
            "importer": ["ACME L.L.C.", "Acme LLC"],
            "importer_name": ["Acme LLC", "Acme LLC"],
            "exporter": ["X Pvt Ltd", "Y Ltd"],
            "exporter_name": ["X Pvt Ltd", "Y Ltd"],
            "material": ["antimony", "antimony"],
            "origin_name": ["India", "Belgium"],
            "arrival_date": [date(2025, 1, 5), date(2025, 1, 5)],
        }
    )
    detector = Relationships().fit(frame)
    scores = detector.score(frame)
    assert scores.tolist() == [1.0, 0.0]
    # The importer is named as its entity, and as this shipment spells it.
    assert detector.reasons(frame, scores)[0].startswith(
        "Importer Acme LLC, written here as ACME L.L.C., bought antimony mainly from China "
        "(120.0 t) before China's control"
    )


def test_structuring_wants_many_small_steady_parcels() -> None:
    frame = pl.DataFrame(
        {
            "controlled": [True, True, True],
            "importer_hs6_count_90d": [12.0, 12.0, 2.0],
            "importer_hs6_kg_90d": [600.0, 60_000.0, 100.0],
            "importer_monthly_kg": [200.0, 20_000.0, 30.0],
            "importer_monthly_cv": [0.1, 0.1, 0.1],
            "transport_mode": ["air", "sea", "air"],
            "importer": ["A", "B", "C"],
            "importer_name": ["A", "B", "C"],
            "hs6": ["811292"] * 3,
        }
    )
    scores = Structuring().fit(frame).score(frame)
    assert scores.tolist() == [1.0, 0.0, 0.0]


def test_pass_through_says_when_the_latest_months_are_not_published_yet() -> None:
    from transship.detectors.pass_through import PassThrough

    frame = pl.DataFrame(
        {
            "controlled": [True] * 3,
            "cn_to_origin_recent": [600_000.0] * 3,
            "cn_to_origin_base": [100_000.0] * 3,
            "cn_to_origin_recent_months": [3, 2, 3],
            "origin_to_importer_recent": [500_000.0] * 3,
            "origin_to_importer_base": [50_000.0] * 3,
            "origin_to_importer_recent_months": [3, 3, 3],
            # Direct trade unpublished (the third) is unknown, not fallen.
            "cn_to_importer_recent": [10_000.0, 10_000.0, None],
            "cn_to_importer_base": [40_000.0, 40_000.0, 40_000.0],
            "cn_to_importer_recent_months": [3, 2, 0],
            "import_country": ["US"] * 3,
            "import_country_name": ["US imports"] * 3,
            "import_country_adjective": ["US"] * 3,
            "hs6": ["282580"] * 3,
            "origin_name": ["Thailand"] * 3,
            "month": [date(2025, 5, 1)] * 3,
        }
    )
    detector = PassThrough().fit(frame)
    scores = detector.score(frame)
    assert scores.tolist() == [1.0, 1.0, 0.0]
    full, partial, _ = detector.reasons(frame, scores)
    assert full is not None and full.startswith("Trade statistics for the 3 months before 2025-05")
    assert partial is not None and partial.startswith(
        "Trade statistics for the 2 of the 3 months published so far (scaled to 3) before 2025-05"
    )


def test_import_surge_weighs_growth_by_materiality_and_capacity() -> None:
    n = 9
    frame = pl.DataFrame(
        {
            "country": ["TH", "BE", "TH", "TH", "CN", "TH", "TH", "MY", "FR"],
            "country_name": [
                *["Thailand", "Belgium", "Thailand", "Thailand", "China"],
                *["Thailand", "Thailand", "Malaysia", "France"],
            ],
            "import_country_name": ["the US"] * 5 + ["Korea"] + ["the US"] * 3,
            "import_country_adjective": ["US"] * 5 + ["Korean"] + ["US"] * 3,
            "hs6": ["811010"] * 8 + ["850511"],
            "year": [2024, 2024, 2023, 2024, 2024, 2024, 2024, 2024, 2024],
            "imp_value_usd": [30.2e6, 30.2e6, 30.2e6, 0.5e6, 30.2e6, 30.2e6, 30.2e6, 9e6, 4.5e6],
            "imp_weight_kg": [1_782_500.0] * 8 + [None],
            "imp_estimated": [False] * 8 + [True],
            "imp_previous_year": [2022] * n,
            "imp_previous_value": [10.2e6] * 7 + [0.0, 1.5e6],
            "imp_previous_kg": [805_000.0] * 7 + [0.0, None],
            "imp_previous_estimated": [False] * 8 + [True],
            "imp_growth": [1_782_500 / 805_000] * 7 + [float("inf"), 3.0],
            # Thailand's gain is a fifth of US imports and half of what China stopped
            # selling; the seventh corridor's gain is immaterial.
            "imp_gain_share": [0.2] * 6 + [0.01, 0.15, 0.3],
            "imp_replaced_share": [0.52] * 6 + [None, None, None],
            "capacity_level": [
                *["minor", "major", "minor", "none", "none", "minor"],
                *["minor", "none", "unknown"],
            ],
            "code_goods": [None] * 8 + ["8505.11 (dysprosium; also other magnets)"],
            "control_in_force": [True, True, False, True, True, True, True, True, True],
        }
    )
    detector = ImportSurge().fit(frame)
    scores = detector.score(frame)
    # Doubled is full growth; more than half of China's loss replaced is fully material
    # (a fifth of the market alone would count 0.875); a minor producer's counts 0.85.
    thai = 1.0 * 1.0 * 0.85
    new = 1.0 * (0.5 + 0.5 * (0.15 - 0.05) / 0.2)
    # A major producer's surge counts 0.35, a year before the control 0.5; small corridors,
    # China itself and immaterial gains are no surges; a basket code's trade not
    # corroborated as the material counts as a producer's.
    expected = [thai, thai / 0.85 * 0.35, 0.5 * thai, 0.0, 0.0, thai, 0.0, new, 0.35 * 1.0]
    assert np.allclose(scores, expected)
    reasons = detector.reasons(frame, scores)
    assert reasons[0] == (
        "US imports of 8110.10 from Thailand in 2024: 1,782.5 t / $30.2M, "
        "against 805.0 t / $10.2M in 2022."
    )
    assert reasons[5].startswith("Korean imports of 8110.10 from Thailand in 2024: ")
    assert reasons[7] == (
        "US imports of 8110.10 from Malaysia in 2024: 1,782.5 t / $9.0M, "
        "against nothing reported in 2022."
    )
    assert reasons[8] == (
        "US imports of 8505.11 from France in 2024: $4.5M, against $1.5M in 2022. "
        "Weights in the 2022 and 2024 statistics are estimates; compared in value. "
        "8505.11 (dysprosium; also other magnets) also holds goods outside the materials "
        "list, and neither side's price places this trade among the controlled ones: "
        "weighed as ordinary trade."
    )


def test_mirror_gap_counts_either_way_and_says_which_sides() -> None:
    frame = pl.DataFrame(
        {
            "country": ["CN", "HK", "CL", "BE", "CN", "HK"],
            "country_name": ["China", "Hong Kong", "Chile", "Belgium", "China", "Hong Kong"],
            "import_country_name": ["the US"] * 4 + ["Japan", "Burkina Faso"],
            "import_country_adjective": ["US"] * 4 + ["Japanese", None],
            "hs6": ["811292"] * 6,
            "year": [2024] * 6,
            "imp_value_usd": [53.3e6, 1.1e6, 17.9e6, 2.0e6, 53.3e6, 1.1e6],
            "p_exp_value_usd": [None, 7.0e6, None, 2.0e6, None, 7.0e6],
            "cn_exp_value_usd": [9.6e6, 240e6, 3800.0, 3.4e6, 9.6e6, 240e6],
            "capacity_level": ["major", "none", "major", "major", "major", "minor"],
            "control_in_force": [True] * 6,
        }
    )
    detector = MirrorGap().fit(frame)
    scores = detector.score(frame)
    gap = (np.log(53.3 / 9.6) - np.log(2.0)) / (np.log(6.0) - np.log(2.0))
    # China's own gap is never damped; a producer's counts 0.35, a minor producer's 0.85.
    assert np.allclose(scores, [gap, 1.0, 0.35, 0.0, gap, 0.85])
    reasons = detector.reasons(frame, scores)
    assert reasons[:3] == [
        "Mirror gap: in 2024 the US reported importing $53.3M of 8112.92 from China while "
        "China reported exporting $9.6M to the US (5.6x).",
        "Mirror gap: US-reported imports are 0.2x what Hong Kong reported exporting to the US.",
        "Mirror gap: US-reported imports are 4,710.5x what China reported exporting to Chile.",
    ]
    # Each importing country's own corridors speak of it.
    assert reasons[4:] == [
        "Mirror gap: in 2024 Japan reported importing $53.3M of 8112.92 from China while "
        "China reported exporting $9.6M to Japan (5.6x).",
        "Mirror gap: imports reported by Burkina Faso are 0.2x what Hong Kong reported "
        "exporting to Burkina Faso.",
    ]


def test_month_surge_counts_a_big_new_corridor_and_damps_producers() -> None:
    frame = pl.DataFrame(
        {
            "origin_name": ["Mexico", "Mexico", "Belgium", "Thailand", "Germany", "Germany"],
            "import_country_name": ["the US", "the US", "the US", "Burkina Faso", "Korea", "Korea"],
            "import_country_adjective": ["US", "US", "US", None, "Korean", "Korean"],
            "hs6": ["282580"] * 6,
            "month": [date(2023, 5, 1)] * 6,
            "shipments": [1, 1, 3, 2, 1, 1],
            "weight_kg": [6_700.0, 600.0, 12_000.0, 2_000.0, 45.0, 1_500.0],
            "value_usd": [90_000.0, 8_000.0, 150_000.0, 30_000.0, 76.0, 76.0],
            "baseline_kg": [0.0, 0.0, 1_000.0, 1_000.0, 7.5, 100.0],
            "surge_ratio": [None, None, 12.0, 2.0, 6.0, 15.0],
            "capacity_level": ["none", "none", "major", "minor", "none", "none"],
        }
    )
    detector = MonthSurge().fit(frame)
    scores = detector.score(frame)
    # 45 kg worth $76 is no corridor case, whatever its ratio; 1.5 t declared at $76 is.
    assert scores.tolist() == [1.0, 0.0, 0.35, 0.0, 0.0, 1.0]
    assert detector.reasons(frame, scores)[0] == (
        "US imports of 2825.80 from Mexico in 2023-05: 6.7 t in 1 shipment, "
        "with no imports in the 12 months before."
    )
    thai = frame.with_columns(surge_ratio=pl.lit(12.0))
    assert detector.reasons(thai, detector.score(thai))[3].startswith(
        "Imports of 2825.80 into Burkina Faso from Thailand in 2023-05: 2.0 t in 2 shipments"
    )


def test_flagged_share_is_the_share_of_the_months_shipments_flagged() -> None:
    frame = pl.DataFrame({"shipments": [4, 2, 1, 19], "flagged": [1, 0, 1, 19]})
    detector = FlaggedShare().fit(frame)
    scores = detector.score(frame)
    # One unflagged shipment more than the month had: a lone flagged shipment is half.
    assert scores.tolist() == [0.2, 0.0, 0.5, 0.95]
    assert FlaggedShare(prior_shipments=0.0).fit(frame).score(frame).tolist() == [
        0.25,
        0.0,
        1.0,
        1.0,
    ]
    assert detector.reasons(frame, scores)[0] == "Flagged: 1 of the month's 4 shipments."


def test_fusion_combines_rules_as_independent_evidence() -> None:
    default = DetectorConfig.load()
    config = replace(
        default,
        weights={**default.weights, "capacity": 0.5, "corridor_surge": 0.5},
        fusion={**default.fusion, "capacity_damping": 0.5, "damped": ["corridor_surge"]},
    )
    detectors = [Capacity(), DETECTORS["corridor_surge"]()]
    scores = {"capacity": np.array([1.0, 0.0]), "corridor_surge": np.array([1.0, 1.0])}
    fused = fuse(detectors, scores, config, damping=np.array([1.0, 0.5]))
    # 1 - (1 - 0.5)(1 - 0.5) = 75; a producer's surge is damped: 0.5 x 0.5 = 25.
    assert fused.risk.tolist() == [75.0, 25.0]
    assert fused.contributions["corridor_surge"].tolist() == [0.5, 0.25]
    # Without a damping factor per row nothing is damped.
    assert fuse(detectors, scores, config).risk.tolist() == [75.0, 50.0]


def test_supporting_evidence_alone_makes_no_flag() -> None:
    config = DetectorConfig.load()
    detectors = config.build("corridor_month")
    scores = {
        "month_surge": np.array([0.0, 1.0, 0.0]),
        "month_capacity": np.array([1.0, 1.0, 0.0]),
        "month_flagged_share": np.array([0.0, 0.0, 1.0]),
    }
    fused = fuse(detectors, scores, config)
    # Capacity alone reaches 45 (and would make a flag at a threshold of 40): not a flag.
    assert fused.risk.tolist() == [45.0, 78.0, 60.0]
    assert fused.supported.tolist() == [False, True, True]
    lower = replace(config, fusion={**config.fusion, "threshold": 40.0})
    assert fused.flags(lower).tolist() == [False, True, True]
    assert fused.flags(config).tolist() == [False, True, True]


def test_detector_version_follows_the_settings(tmp_path: Path) -> None:
    default = DetectorConfig.load()
    changed = tmp_path / "rules.toml"
    changed.write_text(
        (Path(default.source)).read_text().replace("threshold = 50.0", "threshold = 60.0")
    )
    assert DetectorConfig.load(changed).version != default.version
    assert DetectorConfig.load().version == default.version


def test_store_fixture_is_untouched(tiny_store: Path) -> None:
    con = open_store(tiny_store, read_only=True)
    assert con.execute("SELECT count(*) FROM runs").fetchall()[0][0] == 1
    con.close()


@pytest.mark.parametrize("name", ["isolation_forest", "hbos", "pca"])
def test_model_reasons_quote_the_percentile_the_model_computes(
    name: str, features: pl.DataFrame
) -> None:
    detector = DETECTORS[name](**DetectorConfig.load().parameters[name])
    detector.fit(features.filter(pl.col("arrival_date") < date(2025, 1, 1)))
    target = features.filter(pl.col("arrival_date") >= date(2025, 1, 1))
    scores = detector.score(target)
    assert (scores > 0).sum() > 10
    percentiles = detector.percentiles(target)  # type: ignore[attr-defined]
    for reason, score, percentile in zip(
        detector.reasons(target, scores), scores, percentiles, strict=True
    ):
        if reason is not None:
            assert f"more unusual than {percentile:.1%}" in reason, (reason, score)
