"""The rules file is validated whole: every mistake is refused, naming the file and key."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from transship.cli import app
from transship.detectors import DEFAULT_RULES, DETECTORS, DetectorConfig, RulesError
from transship.features.build import Reference, build_features, load_flows, load_shipments

SHIPPED = DEFAULT_RULES.read_text(encoding="utf-8")


def rules_with(tmp_path: Path, old: str, new: str) -> Path:
    """The shipped rules file with one line changed, written to a scratch file."""
    assert SHIPPED.count(old) == 1, old
    path = tmp_path / "rules.toml"
    path.write_text(SHIPPED.replace(old, new), encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(RulesError) as refused:
        DetectorConfig.load(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: "), message
    return message


def test_the_shipped_rules_load_with_every_detector_and_weight() -> None:
    config = DetectorConfig.load()
    assert set(config.parameters) == set(DETECTORS)
    rules = {n for n, c in DETECTORS.items() if c.kind == "rule"}
    assert set(config.weights) == rules
    assert config.source == str(DEFAULT_RULES)


def test_the_version_follows_values_not_layout(tmp_path: Path) -> None:
    default = DetectorConfig.load()
    assert DetectorConfig.load().version == default.version
    # A comment, or a whole number written for a float, is the same setting.
    same = rules_with(tmp_path, "threshold = 50.0", "threshold = 50  # the same")
    assert DetectorConfig.load(same).version == default.version
    other = rules_with(tmp_path, "threshold = 50.0", "threshold = 55.0")
    assert DetectorConfig.load(other).version != default.version


def test_a_misspelt_weight_is_not_a_detector(tmp_path: Path) -> None:
    path = rules_with(tmp_path, "corridor_surge = 0.6", "corridor_surgeX = 0.6")
    message = refusal(path)
    assert "[weights] corridor_surgeX is not a detector; detectors are corridor_surge, " in (
        message
    )
    # The detector it was meant for has lost its weight: that is said too.
    assert "[weights] corridor_surge is missing" in message


def test_a_weight_for_a_model_is_refused(tmp_path: Path) -> None:
    path = rules_with(tmp_path, "structuring = 0.65", "structuring = 0.65\nhbos = 0.2")
    assert "[weights] hbos is a model: the models enter together with [fusion] model_weight" in (
        refusal(path)
    )


def test_an_unknown_section_is_refused(tmp_path: Path) -> None:
    path = rules_with(tmp_path, "[review]", "[no_such_detector]\nx = 1\n\n[review]")
    assert "[no_such_detector] is not a section; sections are fusion, weights, review" in (
        refusal(path)
    )


def test_an_unknown_detector_parameter_is_refused(tmp_path: Path) -> None:
    path = rules_with(tmp_path, "none_score = 1.0             # origin", "none_scroe = 1.0  #")
    assert (
        "[capacity] none_scroe is not a parameter of capacity; its parameters are "
        "none_score, minor_score"
    ) in refusal(path)


def test_a_missing_fusion_key_is_refused(tmp_path: Path) -> None:
    path = rules_with(tmp_path, "model_weight = 0.2\n", "")
    assert "[fusion] model_weight is missing" in refusal(path)


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("capacity = 0.55", "capacity = 1.5", "[weights] capacity = 1.5: input should be less"),
        ("month_surge = 0.6", "month_surge = -0.1", "[weights] month_surge = -0.1: input should"),
        ("medium = 65.0", "medium = 85.0", "[fusion] medium (85) must not be above high (80)"),
        ("threshold = 50.0", "threshold = 150.0", "[fusion] threshold = 150.0: input should be"),
        (
            "full_ratio = 12.0            # ... counts fully\nmin_recent_kg",
            "full_ratio = 2.0\nmin_recent_kg",
            "[corridor_surge] min_ratio (3.0) must be below full_ratio (2.0)",
        ),
        (
            "min_shipments_90d = 6",
            "min_shipments_90d = 0",
            "[structuring] min_shipments_90d = 0: input should be greater than 0",
        ),
        (
            "producer_damping = 0.35      # the score is multiplied by this when the origin",
            "producer_damping = 2.0  #",
            "[month_surge] producer_damping = 2.0: input should be less than or equal to 1",
        ),
        ('n_bins = "auto"', 'n_bins = "many"', "[hbos] n_bins = 'many': "),
        (
            'damped = ["corridor_surge"',
            'damped = ["year_import_surge"',
            "[fusion] damped = ['year_import_surge', 'relationships', 'structuring', "
            "'pass_through']: year_import_surge is not a shipment rule; shipment rules are",
        ),
    ],
)
def test_values_out_of_range_are_refused(tmp_path: Path, old: str, new: str, said: str) -> None:
    assert said in refusal(rules_with(tmp_path, old, new))


def test_an_unreadable_rules_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[fusion\nthreshold = 50\n")
    with pytest.raises(RulesError, match=re.escape(f"cannot read the rules file {path}")):
        DetectorConfig.load(path)


def test_a_config_built_in_code_is_validated_too() -> None:
    config = DetectorConfig.load()
    with pytest.raises(RulesError, match=r"test: \[weights\] capacity = 2.0"):
        replace(config, weights={**config.weights, "capacity": 2.0}, source="test")


def test_the_cli_refuses_a_bad_rules_file(tmp_path: Path) -> None:
    bad = rules_with(tmp_path, "corridor_surge = 0.6", "corridor_surgeX = 0.6")
    runner = CliRunner()
    db = str(tmp_path / "store.duckdb")
    result = runner.invoke(app, ["run", "--date", "2025-01-14", "--rules", str(bad), "--db", db])
    assert result.exit_code == 2, result.output
    assert "corridor_surgeX is not a detector" in result.output
    assert "Traceback" not in result.output
    # The same file through TRANSSHIP_RULES.
    result = runner.invoke(
        app,
        ["backfill", "--start", "2025-01-01", "--end", "2025-01-31", "--db", db],
        env={"TRANSSHIP_RULES": str(bad)},
    )
    assert result.exit_code == 2 and "corridor_surgeX is not a detector" in result.output
    assert not Path(db).exists()


def test_the_feature_build_looks_for_controlled_prices_from_the_unit_value_min_z(
    tiny_store: Path, tmp_path: Path
) -> None:
    con = duckdb.connect(tiny_store, read_only=True)
    shipments, flows = load_shipments(con, date(2026, 12, 31)), load_flows(con)
    reference = Reference.load(con)
    con.close()
    default = build_features(shipments, flows, reference)
    strict = build_features(
        shipments,
        flows,
        reference,
        DetectorConfig.load(rules_with(tmp_path, "min_z = 3.0", "min_z = 6.0")),
    )

    def priced(features: pl.DataFrame) -> pl.Series:
        """|z| of the shipments a controlled code's price was looked for."""
        return features.filter(pl.col("nearest_controlled_hs6").is_not_null())["uv_z"].abs()

    # Below min_z the unit-value detector cannot score, so no price is looked for.
    assert priced(default).min() >= 3.0  # type: ignore[operator]
    assert priced(strict).min() >= 6.0  # type: ignore[operator]
    assert (priced(default) < 6.0).any(), "the stricter rules should leave some out"
