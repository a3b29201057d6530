"""The corridor detectors on the real shared trade statistics (skipped without them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.conftest import SHARED_DATA
from transship.evaluation.real import evaluate_real_data
from transship.storage.store import open_store

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "comtrade_annual").is_dir(), reason="needs ../shared/data"
)


def test_known_real_corridors_are_found(tmp_path: Path) -> None:
    con = open_store(tmp_path / "real.duckdb")
    checks = evaluate_real_data(con, SHARED_DATA)
    con.close()
    failed = [f"{c.expectation}: {c.evidence}" for c in checks if not c.passed]
    assert not failed
    assert len(checks) == 12
