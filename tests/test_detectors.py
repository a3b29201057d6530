"""One contract for every detector, then each rule on a few literal rows."""

from __future__ import annotations

import inspect
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from transship.detectors import DETECTORS, DetectorConfig, DetectorError
from transship.detectors.capacity import Capacity
from transship.detectors.description import DescriptionMismatch
from transship.detectors.relationships import Relationships
from transship.detectors.structuring import Structuring
from transship.detectors.unit_value import UnitValueMisfit
from transship.features.build import Reference, build_features, load_flows, load_shipments
from transship.run.scoring import fuse
from transship.storage.store import open_store


@pytest.fixture(scope="module")
def features(tiny_store: Path, tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    con = duckdb.connect(tiny_store, read_only=True)
    frame = build_features(
        load_shipments(con, date(2026, 12, 31)), load_flows(con), Reference.load(con)
    )
    con.close()
    return frame


@pytest.mark.parametrize("name", sorted(DETECTORS))
def test_detector_contract(name: str, features: pl.DataFrame) -> None:
    cls = DETECTORS[name]
    params = DetectorConfig.load().parameters[name]
    detector = cls(**params)
    # __init__ only stores its parameters, under their own names.
    signature = inspect.signature(cls.__init__)
    assert set(detector.get_params()) == set(signature.parameters) - {"self"}
    assert not [a for a in vars(detector) if a.endswith("_")]
    history = features.filter(pl.col("arrival_date") < date(2025, 1, 1))
    target = features.filter(pl.col("arrival_date") >= date(2025, 1, 1))
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
        cls(**params).fit(target.drop(cls.requires[0]))


def test_every_detector_fires_somewhere_on_the_tiny_world(features: pl.DataFrame) -> None:
    history = features.filter(pl.col("arrival_date") < date(2024, 6, 1))
    target = features.filter(pl.col("arrival_date") >= date(2024, 6, 1))
    config = DetectorConfig.load()
    for detector in config.build():
        assert detector.fit(history).score(target).max() > 0, detector.name


def test_capacity_honours_production_and_ignores_the_us() -> None:
    frame = pl.DataFrame(
        {
            "capacity_level": ["none", "minor", "major", "none", None],
            "capacity_note": [None, "Limited smelting", None, None, None],
            "origin_country": ["HK", "TH", "BE", "US", "FR"],
            "origin_name": ["Hong Kong", "Thailand", "Belgium", "United States", "France"],
            "material": ["gallium", "antimony", "antimony", "antimony", None],
        }
    )
    detector = Capacity().fit(frame)
    scores = detector.score(frame)
    assert scores.tolist() == [1.0, 0.6, 0.0, 0.0, 0.0]
    assert detector.reasons(frame, scores)[0] == (
        "Hong Kong has no known gallium mining, smelting, refining or recycling capacity."
    )


def test_unit_value_misfit_needs_both_a_far_price_and_a_controlled_fit() -> None:
    frame = pl.DataFrame(
        {
            "hs6": ["720610", "720610", "720610"],
            "uv_z": [12.0, 12.0, 1.0],
            "unit_value": [40.0, 3.0, 0.6],
            "hs6_uv_typical": [0.55, 0.55, 0.55],
            "nearest_controlled_hs6": ["811010", "811010", None],
            "nearest_controlled_gap": [0.05, 2.5, None],
            "nearest_controlled_uv": [38.0, 38.0, None],
            "nearest_controlled_material": ["antimony", "antimony", None],
        }
    )
    detector = UnitValueMisfit().fit(frame)
    scores = detector.score(frame)
    assert scores[0] > 0.9 and scores[1] == 0 and scores[2] == 0
    assert "fits 8110.10 (antimony) at $38.00/kg" in detector.reasons(frame, scores)[0]


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
            "importer": ["Acme LLC", "Acme LLC"],
            "exporter": ["X Pvt Ltd", "Y Ltd"],
            "material": ["antimony", "antimony"],
            "origin_name": ["India", "Belgium"],
            "arrival_date": [date(2025, 1, 5), date(2025, 1, 5)],
        }
    )
    detector = Relationships().fit(frame)
    scores = detector.score(frame)
    assert scores.tolist() == [1.0, 0.0]
    assert detector.reasons(frame, scores)[0].startswith(
        "Importer Acme LLC bought antimony mainly from China (120.0 t) before China's control"
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
            "hs6": ["811292"] * 3,
        }
    )
    scores = Structuring().fit(frame).score(frame)
    assert scores.tolist() == [1.0, 0.0, 0.0]


def test_fusion_combines_rules_as_independent_evidence() -> None:
    config = DetectorConfig(
        parameters={},
        weights={"capacity": 0.5, "corridor_surge": 0.5},
        fusion={"capacity_damping": 0.5, "damped": ["corridor_surge"], "model_weight": 0.0},
        source="test",
    )
    detectors = [Capacity(), DETECTORS["corridor_surge"]()]
    frame = pl.DataFrame({"capacity_level": ["none", "major"]})
    scores = {"capacity": np.array([1.0, 0.0]), "corridor_surge": np.array([1.0, 1.0])}
    risk, contributions = fuse(frame, scores, detectors, config)
    # 1 - (1 - 0.5)(1 - 0.5) = 75; a producer's surge is damped: 0.5 x 0.5 = 25.
    assert risk.tolist() == [75.0, 25.0]
    assert contributions["corridor_surge"].tolist() == [0.5, 0.25]


def test_rules_file_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text("[no_such_detector]\nx = 1\n")
    with pytest.raises(DetectorError, match="unknown sections no_such_detector"):
        DetectorConfig.load(bad)
    bad.write_text("[capacity]\nnone_scroe = 1\n")
    with pytest.raises(DetectorError, match=r"\[capacity\]"):
        DetectorConfig.load(bad).build()


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
