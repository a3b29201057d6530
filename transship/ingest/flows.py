"""Trade statistics: aggregate flows from several publishers, through one contract.

Each adapter turns its publisher's layout into the text columns of ``flows_input``
(period, reporter, partner, flow, hs6, value_usd, weight_kg); validation, duplicate
handling and loading are shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from transship.errors import InputFileError, MissingColumnsError, UnknownFormatError
from transship.ingest.batch import IngestResult, ingest_file
from transship.ingest.contract import (
    FLOW_COLUMNS,
    REQUIRED_FLOW_COLUMNS,
    project_to_contract,
    resolve_columns,
)
from transship.storage.sql import load

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from pathlib import Path

    import duckdb

_ALIAS_EXPECTATION = "ISO 3166 alpha-2, alpha-3 code or country name"
_M49_EXPECTATION = "UN M49 / Comtrade country number"


@dataclass(frozen=True)
class FlowAdapter:
    name: str
    required: tuple[str, ...]
    country_scheme: str
    keep_among_same_key: str
    build_input: Callable[[duckdb.DuckDBPyConnection, list[str], Path], None]


def _require(columns: list[str], required: tuple[str, ...], path: Path, fmt: str) -> None:
    present = {c.lower() for c in columns}
    missing = [c for c in required if c.lower() not in present]
    if missing:
        raise MissingColumnsError(
            f"{path}: missing required columns {', '.join(missing)} for format '{fmt}'; "
            f"the file has {', '.join(columns) or 'no columns'}. Nothing was loaded from it."
        )


def _canonical_input(con: duckdb.DuckDBPyConnection, columns: list[str], path: Path) -> None:
    resolved = resolve_columns(columns, FLOW_COLUMNS, {})
    project_to_contract(con, FLOW_COLUMNS, resolved, {}, "flows_projected")
    con.execute(load("ingest/flows_input_canonical"))


def _comtrade_input(con: duckdb.DuckDBPyConnection, columns: list[str], path: Path) -> None:
    year = None
    if "year" not in columns:
        found = re.search(r"(19|20)\d{2}", path.name)
        if found is None:
            raise InputFileError(
                f"{path}: the file has no year column and its name holds no year; "
                "rename it (e.g. comtrade_2024.csv) or add a year column"
            )
        year = found.group(0)
        con.execute(load("ingest/add_raw_text_column", column="year"))
    if "netwgt" not in columns:
        con.execute(load("ingest/add_raw_text_column", column="netwgt"))
    con.execute(load("ingest/flows_input_comtrade"), {"year": year})


def _china_monthly_input(con: duckdb.DuckDBPyConnection, columns: list[str], path: Path) -> None:
    con.execute(load("ingest/flows_input_china_monthly"))


ADAPTERS: dict[str, FlowAdapter] = {
    adapter.name: adapter
    for adapter in (
        # period, reporter, partner, flow, hs6, value_usd[, weight_kg]
        FlowAdapter(
            "canonical",
            REQUIRED_FLOW_COLUMNS,
            "alias",
            "first",
            _canonical_input,
        ),
        # UN Comtrade records: [year,] reporter, partner, cmd, flow, value[, netwgt]
        FlowAdapter(
            "comtrade",
            ("reporter", "partner", "cmd", "flow", "value"),
            "m49",
            "largest",
            _comtrade_input,
        ),
        # China's monthly exports by partner: period_dt, partner_name, hs6, val, qty
        FlowAdapter(
            "china-monthly",
            ("period_dt", "partner_name", "hs6", "val", "qty"),
            "alias",
            "first",
            _china_monthly_input,
        ),
        # US Census imports saved by `transship ingest census` (canonical columns)
        FlowAdapter(
            "census",
            REQUIRED_FLOW_COLUMNS,
            "alias",
            "first",
            _canonical_input,
        ),
    )
}


def adapter(name: str) -> FlowAdapter:
    try:
        return ADAPTERS[name]
    except KeyError:
        raise UnknownFormatError(
            f"unknown trade-flow format '{name}'; known formats: {', '.join(ADAPTERS)}"
        ) from None


def ingest_flows(
    con: duckdb.DuckDBPyConnection, paths: Iterable[Path], input_format: str
) -> Iterator[IngestResult]:
    """Ingest each file as its own batch, yielding its result once committed."""
    chosen = adapter(input_format)
    for path in paths:
        yield ingest_file(
            con,
            path,
            kind="flows",
            input_format=chosen.name,
            stage=partial(_stage, chosen=chosen, path=path),
            insert_sql="ingest/insert_trade_flows",
            insert_params={"source": chosen.name},
        )


def _stage(
    con: duckdb.DuckDBPyConnection, columns: list[str], *, chosen: FlowAdapter, path: Path
) -> None:
    _require(columns, chosen.required, path, chosen.name)
    chosen.build_input(con, columns, path)
    con.execute(load("staging/stg_trade_flows"), {"country_scheme": chosen.country_scheme})
    expectation = _M49_EXPECTATION if chosen.country_scheme == "m49" else _ALIAS_EXPECTATION
    con.execute(
        load("ingest/problem_rows_flows"),
        {
            "source": chosen.name,
            "country_expectation": expectation,
            "keep": chosen.keep_among_same_key,
        },
    )
