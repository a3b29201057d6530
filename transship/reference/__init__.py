"""Reference data shipped with transship, installed into the store's ``ref_*`` tables.

Every table records its source and date in ``ref_sources``; the materials tables name a
source for every row (``ref_material_sources``). The tables are rebuilt whenever the
shipped data or the user's materials files change, so a store always reasons with the
data of the transship version, and the materials folder, that opened it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from importlib import metadata, util
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl
import pycountry

from transship.reference import materials
from transship.storage.sql import load, scalar

if TYPE_CHECKING:
    import duckdb

DATA = Path(__file__).parent / "data"

_EACH_ROW = "materials files; each row names its sources, listed in ref_material_sources"

SOURCES: dict[str, str] = {
    "ref_countries": (
        "ISO 3166-1 via the pycountry package, plus UN Comtrade aggregate partner codes"
    ),
    "ref_country_aliases": (
        "ISO 3166-1 codes and names (pycountry) plus common English variants "
        "(transship/reference/data/country_aliases.csv)"
    ),
    "ref_comtrade_codes": (
        "UN M49 numeric codes (pycountry) with UN Comtrade's own reporter and "
        "aggregate codes (transship/reference/data/comtrade_codes.csv)"
    ),
    "ref_hs": "HS 2022 nomenclature shipped with the ustrade package (harmonized-system.csv)",
    "ref_materials": "materials files: which files describe each material",
    "ref_material_sources": "materials files: the sources their rows cite",
    "ref_controlled_codes": f"HS 2022 codes of each controlled material, {_EACH_ROW}",
    "ref_unit_values": f"typical unit values per material and code, {_EACH_ROW}",
    "ref_cover_codes": f"innocuous codes seen in mislabelling, {_EACH_ROW}",
    "ref_control_events": f"China's export-control timeline with destinations, {_EACH_ROW}",
    "ref_capacity": f"who mines, smelts, refines and recycles each material, {_EACH_ROW}",
    "ref_hubs": "transship domain brief: transit hubs seen in rerouting",
    "ref_importers": (
        "how reasons name common importing countries: 'Korean imports', 'to Korea' "
        "(transship/reference/data/importers.csv); others read 'imports into <name>'"
    ),
}
"""What each reference table holds and where it comes from (``ref_sources.source``)."""

AS_OF: dict[str, str] = {
    "ref_countries": f"pycountry {metadata.version('pycountry')}",
    "ref_country_aliases": f"pycountry {metadata.version('pycountry')}",
    "ref_comtrade_codes": "UN Comtrade code list, 2024",
    "ref_hs": f"ustrade {metadata.version('ustrade')}",
    "ref_hubs": "2025-07",
    "ref_importers": "2025-11",
}
"""``ref_sources.as_of`` of the tables not built from the materials files; those take the
date of the newest source their rows cite."""

TABLES = tuple(SOURCES)


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
    # Found without importing ustrade, which imports pandas (about 0.5 s of a first ingest).
    spec = util.find_spec("ustrade")
    assert spec is not None and spec.origin is not None, "ustrade is a dependency"
    path = Path(spec.origin).parent / "data" / "harmonized-system.csv"
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


def hubs() -> pl.DataFrame:
    return _csv("hubs.csv")


def importers() -> pl.DataFrame:
    return _csv("importers.csv")


def catalogue(extra: Path | None = None) -> materials.Catalogue:
    """The shipped materials files plus those in the folder ``extra``, checked against
    HS 2022 and ISO 3166; MaterialsError names the file, line and field of a problem."""
    hs6 = hs_nomenclature().filter(pl.col("level") == 6)["hs_code"]
    return materials.load(extra, hs6, (c.alpha_2 for c in pycountry.countries))


def build(extra: Path | None = None) -> dict[str, pl.DataFrame]:
    """Every reference table's rows, in ``TABLES`` order, the folder ``extra`` included."""
    found = catalogue(extra)
    frames = {
        "ref_countries": countries(),
        "ref_country_aliases": country_aliases(),
        "ref_comtrade_codes": comtrade_codes(),
        "ref_hs": hs_nomenclature(),
        "ref_materials": found.materials,
        "ref_material_sources": found.sources,
        "ref_controlled_codes": found.codes,
        "ref_unit_values": found.unit_values,
        "ref_cover_codes": found.covers,
        "ref_control_events": found.events,
        "ref_capacity": found.capacity,
        "ref_hubs": hubs(),
        "ref_importers": importers(),
    }
    return {table: frames[table] for table in TABLES}


def version(extra: Path | None = None) -> str:
    """Changes whenever any reference input changes: the shipped CSVs, the materials files
    (shipped, and the user's in ``extra``) and the packages the code lists come from."""
    digest = hashlib.sha256()
    for path in sorted(DATA.glob("*.csv")):
        digest.update(path.read_bytes())
    for label, path in materials.files(extra):
        digest.update(f"\0{label}\0".encode())
        digest.update(path.read_bytes())
    for package in ("pycountry", "ustrade"):
        digest.update(metadata.version(package).encode())
    return digest.hexdigest()[:16]


def installed_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The reference version the store holds (None before the first install)."""
    value = scalar(con, load("store/read_meta"), {"key": "reference_version"})
    return None if value is None else str(value)


def install(con: duckdb.DuckDBPyConnection, extra: Path | None = None) -> bool:
    """Rebuild the reference tables if the store holds another version. True if rebuilt.

    ``extra`` is a folder of the user's materials files. Every file is checked before the
    store is touched and the rebuild is one transaction, so a bad file (MaterialsError) or
    any other failure leaves the store as it was.
    """
    wanted = version(extra)
    if installed_version(con) == wanted:
        return False
    frames = build(extra)
    sources = frames["ref_material_sources"]
    con.begin()
    try:
        for table, frame in frames.items():
            con.register("reference_frame", frame)
            con.execute(load("store/replace_table", table=table, frame="reference_frame"))
            con.unregister("reference_frame")
            con.execute(
                load("reference/record_source"),
                {
                    "ref_table": table,
                    "source": _source_text(table, extra),
                    "as_of": _as_of(table, frame, sources),
                },
            )
        con.execute(load("store/write_meta"), {"key": "reference_version", "value": wanted})
        con.commit()
    except Exception:
        con.rollback()
        raise
    return True


def _source_text(table: str, extra: Path | None) -> str:
    if table in AS_OF:
        return SOURCES[table]
    folders = materials.SHIPPED_LABEL + ("" if extra is None else f" and {extra}")
    return f"{SOURCES[table]} ({folders})"


def _as_of(table: str, frame: pl.DataFrame, sources: pl.DataFrame) -> str:
    if table in AS_OF:
        return AS_OF[table]
    if "source" in frame.columns:
        cited = frame.select(pl.col("source").explode().unique()).to_series()
        sources = sources.filter(pl.col("source_id").is_in(cited.implode()))
    newest = sources["published"].max()
    return str(newest) if newest is not None else "no source cited"


_NUMERIC_COLUMNS = {"m49": pl.Int32}


def _csv(name: str) -> pl.DataFrame:
    frame = pl.read_csv(DATA / name, infer_schema=False)
    return frame.cast({c: t for c, t in _NUMERIC_COLUMNS.items() if c in frame.columns})
