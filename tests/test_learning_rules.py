"""The rules file's [learning] section: validated with the rest, outside the version."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from transship.detectors import DEFAULT_RULES, DetectorConfig, RulesError
from transship.detectors.config import Learning

if TYPE_CHECKING:
    from pathlib import Path

SHIPPED = DEFAULT_RULES.read_text(encoding="utf-8")


def rules_with(tmp_path: Path, old: str, new: str) -> Path:
    assert SHIPPED.count(old) == 1, old
    path = tmp_path / "rules.toml"
    path.write_text(SHIPPED.replace(old, new), encoding="utf-8")
    return path


def test_the_shipped_section_is_the_model_defaults() -> None:
    assert DetectorConfig.load().learning_settings == Learning()


def test_learning_settings_do_not_change_the_detector_version(tmp_path: Path) -> None:
    changed = rules_with(tmp_path, "max_weight = 0.8", "max_weight = 0.5")
    config = DetectorConfig.load(changed)
    assert config.learning_settings.max_weight == 0.5
    assert config.version == DetectorConfig.load().version


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "max_weight = 0.8",
            "max_weight = 0.8\nweight = 1",
            "[learning] weight is not a learning setting; the settings are enabled, min_decisions",
        ),
        ("max_weight = 0.8", "max_weight = 1.5", "[learning] max_weight = 1.5: input should be"),
        (
            "full_evidence = 500",
            "full_evidence = 5",
            "min_each (5) must be below full_evidence (5)",
        ),
        (
            "min_decisions = 30",
            "min_decisions = 8",
            "min_decisions (8) must be at least twice min_each (5)",
        ),
        ('retrain_every = "day"', 'retrain_every = "hour"', "[learning] retrain_every = 'hour'"),
    ],
)
def test_a_bad_learning_setting_is_refused(tmp_path: Path, old: str, new: str, said: str) -> None:
    path = rules_with(tmp_path, old, new)
    with pytest.raises(RulesError) as refused:
        DetectorConfig.load(path)
    assert said in str(refused.value)
