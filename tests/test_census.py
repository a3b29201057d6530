"""The Census adapter, through ustrade, against a recorded API response (no network)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.conftest import FIXTURES
from transship.ingest.census import CensusUnavailableError, census_imports, fetch_census_snapshot
from transship.ingest.flows import ingest_flows

if TYPE_CHECKING:
    from pathlib import Path

    import duckdb

RECORDED = FIXTURES / "census" / "imports_811010_2024-11_2024-12.json"


class RecordedResponse:
    def __init__(self, url: str, payload: Any) -> None:
        self.url = url
        self._payload = payload

    def raise_for_status(self) -> None:
        return None

    def json(self) -> Any:
        return self._payload


@pytest.fixture
def recorded_api(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def fake_get(url: str, timeout: float) -> RecordedResponse:
        asked.append(url)
        return RecordedResponse(url, json.loads(RECORDED.read_text()))

    monkeypatch.setattr("ustrade.client.requests.get", fake_get)
    return asked


def test_census_imports_become_canonical_flows(recorded_api: list[str]) -> None:
    flows = census_imports(["TH", "MX"], ["811010"], "2024-11", "2024-12")
    assert "CTY_CODE=5490" in recorded_api[0] and "I_COMMODITY=811010" in recorded_api[0]
    assert flows.rows() == [
        ("2024-11", "US", "MX", "import", "811010", 8120.0, None),
        ("2024-11", "US", "TH", "import", "811010", 2710342.0, None),
        ("2024-12", "US", "MX", "import", "811010", 0.0, None),
        ("2024-12", "US", "TH", "import", "811010", 3981007.0, None),
    ]


def test_snapshot_is_ingested_as_census_flows(
    recorded_api: list[str], con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    snapshot = fetch_census_snapshot(["TH", "MX"], ["811010"], "2024-11", "2024-12", tmp_path)
    [result] = ingest_flows(con, [snapshot], "census")
    assert (result.rows_in, result.rows_loaded) == (4, 4)
    assert con.execute(
        "SELECT source, sum(value_usd) FROM trade_flows WHERE partner = 'TH' GROUP BY 1"
    ).fetchall() == [("census", 6691349.0)]


def test_unreachable_api_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(url: str, timeout: float) -> None:
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr("ustrade.client.requests.get", offline)
    with pytest.raises(CensusUnavailableError, match="did not answer"):
        census_imports(["TH"], ["811010"], "2024-11", "2024-12")
