"""US Census Bureau international trade API, through the ``ustrade`` client.

Fetched imports are written to a dated CSV snapshot in the canonical flow layout and
ingested like any other file, so every Census row has a batch, a checksum and a line.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import polars as pl
import requests
import ustrade

from transship.errors import TransshipError

if TYPE_CHECKING:
    from pathlib import Path


class CensusUnavailableError(TransshipError):
    """The Census API could not be reached or refused the query."""


def census_imports(
    partners: list[str],
    products: list[str],
    start: str,
    end: str,
    client: Any | None = None,
) -> pl.DataFrame:
    """US general imports by partner and HS6 per month, in the canonical flow columns."""
    client = client or ustrade.CensusClient(timeout=60)
    try:
        frame = client.get_imports_on_period(partners, products, start, end)
    except (requests.RequestException, ustrade.EmptyResult) as exc:
        raise CensusUnavailableError(
            f"the Census API did not answer for partners {partners}, HS {products}, "
            f"{start} to {end}: {exc}"
        ) from exc
    except ValueError as exc:
        raise CensusUnavailableError(f"the Census query was refused: {exc}") from exc
    rows = pl.from_pandas(
        frame[["date", "country_code", "product_code", "import_value"]].astype(
            {"date": "string", "country_code": "string", "product_code": "string"}
        )
    )
    iso2 = {code: client.get_country_by_code(code).iso2 for code in rows["country_code"].unique()}
    return (
        rows.with_columns(
            period=pl.col("date").str.slice(0, 7),
            partner=pl.col("country_code").replace_strict(iso2),
            hs6=pl.col("product_code").str.slice(0, 6),
        )
        .group_by("period", "partner", "hs6")
        .agg(value_usd=pl.col("import_value").sum())
        .select(
            "period",
            reporter=pl.lit("US"),
            partner="partner",
            flow=pl.lit("import"),
            hs6="hs6",
            value_usd="value_usd",
            weight_kg=pl.lit(None, dtype=pl.Float64),
        )
        .sort("period", "partner", "hs6")
    )


def fetch_census_snapshot(
    partners: list[str],
    products: list[str],
    start: str,
    end: str,
    out_dir: Path,
    client: Any | None = None,
) -> Path:
    """Fetch and write a snapshot CSV; its name says what it holds."""
    flows = census_imports(partners, products, start, end, client=client)
    query = hashlib.sha256(repr((sorted(partners), sorted(products))).encode()).hexdigest()[:8]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"census_imports_{start}_{end}_{query}.csv"
    flows.write_csv(path)
    return path
