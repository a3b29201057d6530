"""The demo: the bundled fixtures through everything transship does so far."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from transship.errors import InputFileError
from transship.ingest.batch import IngestResult
from transship.ingest.flows import ingest_flows
from transship.ingest.shipments import ingest_shipments
from transship.settings import Settings
from transship.shared_data import korea_customs_mapping
from transship.store import store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run_demo(settings: Settings, fixtures: Path = FIXTURES) -> Iterator[IngestResult]:
    if not fixtures.is_dir():
        raise InputFileError(f"the demo needs the fixtures folder of a checkout: {fixtures}")
    with store(settings.db, memory_limit=settings.memory_limit) as con:
        yield from ingest_shipments(con, sorted((fixtures / "shipments").glob("*.csv")))
        yield from ingest_shipments(
            con, sorted((fixtures / "korea").glob("*.csv")), korea_customs_mapping()
        )
        yield from ingest_flows(
            con, sorted((fixtures / "flows" / "canonical").glob("*")), "canonical"
        )
        yield from ingest_flows(
            con, sorted((fixtures / "flows" / "comtrade").glob("*")), "comtrade"
        )
        yield from ingest_flows(
            con, sorted((fixtures / "flows" / "china-monthly").glob("*")), "china-monthly"
        )
