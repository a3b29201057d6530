from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from transship.store import open_store

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SHARED_DATA = REPO.parent / "shared" / "data"

SHIPMENT_HEADER = (
    "shipment_id,arrival_date,importer,exporter,origin_country,export_country,"
    "port_of_lading,port_of_unlading,hs_code,description,quantity,quantity_unit,"
    "weight_kg,value_usd,transport_mode"
)


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = open_store(tmp_path / "store.duckdb")
    yield connection
    connection.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def count(con: duckdb.DuckDBPyConnection, query: str, params: object = None) -> int:
    return int(con.execute(query, params).fetchall()[0][0])
