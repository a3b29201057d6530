"""Loading the real public data sets (``../shared/data``) through their adapters."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from transship.errors import InputFileError
from transship.ingest.flows import ingest_flows
from transship.ingest.mapping import ColumnMapping, load_mapping
from transship.ingest.shipments import ingest_shipments

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import duckdb

    from transship.ingest.batch import IngestResult


def korea_customs_mapping() -> ColumnMapping:
    with resources.as_file(
        resources.files("transship.ingest") / "mappings" / "korea_customs.toml"
    ) as path:
        return load_mapping(path)


def _files(folder: Path, pattern: str) -> list[Path]:
    if not folder.is_dir():
        raise InputFileError(f"{folder} is missing: expected the shared data layout")
    found = sorted(folder.glob(pattern))
    if not found:
        raise InputFileError(f"{folder} holds no {pattern} files")
    return found


def load_shared_statistics(
    con: duckdb.DuckDBPyConnection, data_dir: Path
) -> Iterator[IngestResult]:
    """Comtrade annual files and China's monthly exports."""
    yield from ingest_flows(
        con, _files(data_dir / "comtrade_annual", "comtrade_*.csv*"), "comtrade"
    )
    yield from ingest_flows(
        con, _files(data_dir / "china_exports_monthly", "*.csv"), "china-monthly"
    )


def load_shared_data(con: duckdb.DuckDBPyConnection, data_dir: Path) -> Iterator[IngestResult]:
    """Comtrade annual files, China's monthly exports and the Korean declarations."""
    yield from load_shared_statistics(con, data_dir)
    yield from ingest_shipments(
        con,
        _files(data_dir / "korea_customs_declarations", "*.csv"),
        korea_customs_mapping(),
    )
