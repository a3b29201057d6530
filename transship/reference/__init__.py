"""Reference data shipped with transship, installed into the store's ``ref_*`` tables.

Every table records its source and date in ``ref_sources``. The tables are rebuilt
whenever the shipped data changes, so a store always reasons with the data of the
transship version that opened it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path

import duckdb
import polars as pl
import pycountry

from transship.storage.sql import scalar

DATA = Path(__file__).parent / "data"

SOURCES: dict[str, tuple[str, str]] = {
    "ref_countries": (
        "ISO 3166-1 via the pycountry package, plus UN Comtrade aggregate partner codes",
        f"pycountry {metadata.version('pycountry')}",
    ),
    "ref_country_aliases": (
        "ISO 3166-1 codes and names (pycountry) plus common English variants "
        "(transship/reference/data/country_aliases.csv)",
        f"pycountry {metadata.version('pycountry')}",
    ),
    "ref_comtrade_codes": (
        "UN M49 numeric codes (pycountry) with UN Comtrade's own reporter and "
        "aggregate codes (transship/reference/data/comtrade_codes.csv)",
        "UN Comtrade code list, 2024",
    ),
    "ref_hs": (
        "HS 2022 nomenclature shipped with the ustrade package (harmonized-system.csv)",
        f"ustrade {metadata.version('ustrade')}",
    ),
    "ref_controlled_codes": ("transship domain brief (shared/domain.md), HS 2022", "2025-07"),
    "ref_cover_codes": ("transship domain brief: covers seen in mislabelling", "2025-07"),
    "ref_control_events": ("transship domain brief: China's export-control timeline", "2025-07"),
    "ref_capacity": (
        "USGS Mineral Commodity Summaries 2025 and the domain brief; shares approximate",
        "2025-07",
    ),
    "ref_hubs": ("transship domain brief: transit hubs seen in rerouting", "2025-07"),
}


def countries() -> pl.DataFrame:
    rows = [
        {
            "code": c.alpha_2,
            "kind": "country",
            "alpha3": c.alpha_3,
            "numeric_code": int(c.numeric),
            "name": getattr(c, "common_name", None) or c.name,
        }
        for c in pycountry.countries
    ]
    aggregates = _csv("comtrade_codes.csv").filter(pl.col("kind") == "aggregate")
    rows += [
        {
            "code": r["code"],
            "kind": "aggregate",
            "alpha3": None,
            "numeric_code": r["m49"],
            "name": r["name"],
        }
        for r in aggregates.iter_rows(named=True)
    ]
    return pl.DataFrame(
        rows,
        schema={
            "code": pl.String,
            "kind": pl.String,
            "alpha3": pl.String,
            "numeric_code": pl.Int32,
            "name": pl.String,
        },
    )


def country_aliases() -> pl.DataFrame:
    """Lower-cased spellings accepted for a country: codes, numeric codes and names."""
    pairs: dict[str, str] = {}
    for c in pycountry.countries:
        names = [c.alpha_2, c.alpha_3, c.numeric, str(int(c.numeric)), c.name]
        names += [getattr(c, attr, None) or "" for attr in ("official_name", "common_name")]
        for name in names:
            if name:
                pairs.setdefault(name.strip().lower(), c.alpha_2)
    for row in _csv("country_aliases.csv").iter_rows(named=True):
        pairs[row["alias"].strip().lower()] = row["code"]
    for row in (
        _csv("comtrade_codes.csv").filter(pl.col("kind") == "aggregate").iter_rows(named=True)
    ):
        pairs.setdefault(row["name"].lower(), row["code"])
        pairs.setdefault(row["code"].lower(), row["code"])
    folded = {fold_name(alias): code for alias, code in pairs.items()}
    return pl.DataFrame({"alias": list(folded), "code": list(folded.values())})


def fold_name(name: str) -> str:
    """Lower case without accents, as the ingest SQL folds names with strip_accents(lower())."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def comtrade_codes() -> pl.DataFrame:
    codes = {int(c.numeric): c.alpha_2 for c in pycountry.countries}
    for row in _csv("comtrade_codes.csv").iter_rows(named=True):
        codes[int(row["m49"])] = row["code"]
    return pl.DataFrame(
        {"m49": list(codes), "code": list(codes.values())},
        schema={"m49": pl.Int32, "code": pl.String},
    )


def hs_nomenclature() -> pl.DataFrame:
    table = resources.files("ustrade") / "data" / "harmonized-system.csv"
    with resources.as_file(table) as path:
        frame = pl.read_csv(
            path, schema_overrides={"hscode": pl.String, "parent": pl.String, "level": pl.Int32}
        )
    return frame.filter(pl.col("level").is_in([2, 4, 6])).select(
        hs_code=pl.col("hscode"),
        level=pl.col("level"),
        parent=pl.when(pl.col("parent") == "TOTAL").then(None).otherwise(pl.col("parent")),
        section=pl.col("section"),
        description=pl.col("description"),
    )


def controlled_codes() -> pl.DataFrame:
    return _csv("controlled_codes.csv")


def cover_codes() -> pl.DataFrame:
    return _csv("cover_codes.csv")


def control_events() -> pl.DataFrame:
    return _csv("control_events.csv").with_columns(
        pl.col("event_date", "effective_date").str.to_date()
    )


def capacity() -> pl.DataFrame:
    return _csv("capacity.csv").with_columns(pl.col("start_date").str.to_date())


def hubs() -> pl.DataFrame:
    return _csv("hubs.csv")


TABLES: dict[str, Callable[[], pl.DataFrame]] = {
    "ref_countries": countries,
    "ref_country_aliases": country_aliases,
    "ref_comtrade_codes": comtrade_codes,
    "ref_hs": hs_nomenclature,
    "ref_controlled_codes": controlled_codes,
    "ref_cover_codes": cover_codes,
    "ref_control_events": control_events,
    "ref_capacity": capacity,
    "ref_hubs": hubs,
}


def version() -> str:
    """Changes whenever any shipped reference input changes."""
    digest = hashlib.sha256()
    for path in sorted(DATA.glob("*.csv")):
        digest.update(path.read_bytes())
    for package in ("pycountry", "ustrade"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()[:16]


def install(con: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild the reference tables if the store holds another version. True if rebuilt."""
    wanted = version()
    if scalar(con, "SELECT value FROM store_meta WHERE key = 'reference_version'") == wanted:
        return False
    con.begin()
    try:
        for table, build in TABLES.items():
            frame = build()
            con.execute(f"DELETE FROM {table}")  # noqa: S608 - table names come from TABLES
            con.register("reference_frame", frame)
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM reference_frame")  # noqa: S608
            con.unregister("reference_frame")
            source, as_of = SOURCES[table]
            con.execute(
                "INSERT OR REPLACE INTO ref_sources VALUES (?, ?, ?)", [table, source, as_of]
            )
        con.execute("INSERT OR REPLACE INTO store_meta VALUES ('reference_version', ?)", [wanted])
        con.commit()
    except Exception:
        con.rollback()
        raise
    return True


_NUMERIC_COLUMNS = {"m49": pl.Int32, "share_pct": pl.Float64, "tonnes_per_year": pl.Float64}


def _csv(name: str) -> pl.DataFrame:
    frame = pl.read_csv(DATA / name, infer_schema=False)
    return frame.cast({c: t for c, t in _NUMERIC_COLUMNS.items() if c in frame.columns})
