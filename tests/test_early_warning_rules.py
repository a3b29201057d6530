"""The [early_warning] section of the rules file: validated with the rest of the file, refused
in the same words, one source of defaults, and no part of the detector version."""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING

import pytest

from tests.test_rules import SHIPPED, refusal, rules_with
from transship.detectors import DEFAULT_RULES, DetectorConfig
from transship.early_warning import WarningSettings

if TYPE_CHECKING:
    from pathlib import Path


def test_the_shipped_section_states_the_model_defaults() -> None:
    shipped = tomllib.loads(DEFAULT_RULES.read_text(encoding="utf-8"))["early_warning"]
    # Every setting is written out, with the value the model would take without it.
    assert set(shipped) == set(WarningSettings.model_fields)
    assert DetectorConfig.load().warning_settings == WarningSettings()


def test_a_file_without_the_section_takes_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(SHIPPED[: SHIPPED.index("[early_warning]")], encoding="utf-8")
    assert DetectorConfig.load(path).warning_settings == WarningSettings()


def test_changed_settings_are_read_and_leave_the_detector_version(tmp_path: Path) -> None:
    path = rules_with(
        tmp_path,
        "high = 60.0                  # ... and high",
        "high = 90.0",
    )
    config = DetectorConfig.load(path)
    assert config.warning_settings.high == 90.0
    # Flags do not depend on it: their ids must not change with it.
    assert config.version == DetectorConfig.load().version


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "window_months = 3 ",
            "window_monhts = 3 ",
            "[early_warning] window_monhts is not an early-warning setting; the settings are "
            "window_months, baseline_years,",
        ),
        (
            "drop_fall = { start = 0.5, full = 0.9 }",
            "drop_fall = { start = 0.5, ful = 0.9 }",
            "[early_warning] drop_fall.ful is not allowed: a ramp has start and full",
        ),
        (
            "rise_growth = { start = 1.5, full = 2.0 }",
            "rise_growth = { start = 2.5, full = 2.0 }",
            "[early_warning] rise_growth = {'start': 2.5, 'full': 2.0}: start (2.5) must be "
            "below full (2)",
        ),
        (
            "drop_fall = { start = 0.5, full = 0.9 }",
            "drop_fall = { start = 0.5, full = 1.5 }",
            "[early_warning] drop_fall = {'start': 0.5, 'full': 1.5}: a fall is a share of the "
            "baseline: full (1.5) must be below 1",
        ),
        (
            "kind_weight = { drop = 1.0,",
            "kind_weight = { drops = 1.0,",
            "[early_warning] kind_weight = {'drops': 1.0, 'replacement': 1.0, 'diversion': 0.9, "
            "'concentration': 0.7, 'price': 0.6}: drops is not a kind; drop is missing; give "
            "one value for each of drop, replacement, diversion, concentration, price",
        ),
        (
            "capacity_factor = { none = 1.0, minor = 0.85, major = 0.0 }",
            "capacity_factor = { none = 1.0, minor = 1.85, major = 0.0 }",
            "[early_warning] capacity_factor.minor = 1.85: input should be less than or equal to 1",
        ),
        (
            "window_months = 3 ",
            "window_months = 0 ",
            "[early_warning] window_months = 0: input should be greater than or equal to 1",
        ),
        (
            "medium = 35.0 ",
            "medium = 75.0 ",
            "[early_warning] medium (75) must not be above high (60)",
        ),
        (
            "min_value_usd = 50000.0",
            'min_value_usd = "a lot"',
            "[early_warning] min_value_usd = 'a lot': input should be a valid number",
        ),
    ],
)
def test_bad_settings_are_refused_naming_the_key(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    assert said in refusal(rules_with(tmp_path, old, new))
