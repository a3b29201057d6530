"""Fitted detectors kept in the store, one set per calendar quarter and importing country.

A quarter's detectors for an importing country are fitted on the year of that country's
shipment features before it (a store may hold several importing countries; no fit mixes
them). A nightly
run would otherwise rebuild that year's features every night; instead it reuses the fit
the backfill (or the quarter's first night) stored, as long as nothing the fit learned
from has changed: the detector version, the code that builds features and fits, the
reference data, every shipment into the country that arrived before the quarter (through
the row hashes ingest keeps per month, ``monthly_shipment_hashes``), every
trade-statistics row for a period before it and the trader entities before it. Their
fingerprint is stored with the fit; a late filing for an earlier date changes it, and the
next run refits.

The detectors are stored pickled, so a store is trusted as the code is: only transship
writes it, and whoever can write it can already change the flags.
"""

from __future__ import annotations

import hashlib
import pickle
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from transship.features.monthly import refresh_monthly
from transship.storage.sql import load, sql_root

if TYPE_CHECKING:
    import duckdb

    from transship.detectors import DetectorConfig
    from transship.detectors.base import Detector
    from transship.features.build import Reference

_PACKAGE = Path(__file__).parent.parent


@cache
def code_digest() -> str:
    """A digest of the source that shapes a fit, so that a changed feature or detector
    (even within one release, as in development) never reuses an older fit."""
    sources = [
        *sorted((_PACKAGE / "features").glob("*.py")),
        *sorted((_PACKAGE / "detectors").glob("*.py")),
        _PACKAGE / "run" / "scoring.py",
        *sorted((sql_root() / "features").glob("*.sql")),
    ]
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


FitKey = tuple[date, str]
"""A fit's quarter start and importing country."""


def history_fingerprints(
    con: duckdb.DuckDBPyConnection,
    quarters: list[date],
    countries: list[str],
    config: DetectorConfig,
    reference: Reference,
) -> dict[FitKey, str]:
    """Per quarter start and importing country: a digest of everything a fit for them
    could learn from."""
    if not quarters or not countries:
        return {}
    # The shipments' part reads the months' hashes: a batch whose months were never
    # summarised (an ingest stopped after its commit) is summarised first.
    refresh_monthly(con)
    common = hashlib.sha256(config.version.encode())
    common.update(code_digest().encode())
    for frame in (reference.controlled, reference.capacity, reference.events, reference.hubs):
        flat = frame.with_columns(pl.col(pl.List(pl.String)).list.join(","))
        common.update(flat.sort(flat.columns, nulls_last=True).write_csv().encode())
    rows = con.execute(
        load("features/history_fingerprints"), {"quarters": quarters, "countries": countries}
    ).fetchall()
    fingerprints = {}
    for quarter, country, *counts in rows:
        digest = common.copy()
        digest.update(repr(counts).encode())
        fingerprints[(quarter, country)] = digest.hexdigest()
    return fingerprints


def cached_fits(
    con: duckdb.DuckDBPyConnection, fingerprints: dict[FitKey, str], detector_version: str
) -> dict[FitKey, list[Detector]]:
    """The stored fits whose history is unchanged, by quarter start and importing country."""
    if not fingerprints:
        return {}
    rows = con.execute(
        load("fits/stored_fits"),
        {"detector_version": detector_version, "fingerprints": list(fingerprints.values())},
    ).fetchall()
    fits = {}
    for quarter, country, fingerprint, blob in rows:
        if fingerprints.get((quarter, country)) != fingerprint:
            continue
        try:
            fits[(quarter, country)] = pickle.loads(blob)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            continue  # unreadable: the run fits this quarter again and replaces it
    return fits


def save_fit(
    con: duckdb.DuckDBPyConnection,
    key: FitKey,
    detector_version: str,
    fingerprint: str,
    detectors: list[Detector],
) -> None:
    """Keep a quarter's fit for an importing country, replacing any earlier fit of the same
    detector version."""
    quarter, country = key
    con.execute(
        load("fits/save_fit"),
        {
            "quarter": quarter,
            "import_country": country,
            "detector_version": detector_version,
            "fingerprint": fingerprint,
            "detectors": pickle.dumps(detectors),
        },
    ).fetchall()


def quarter_label(quarter: date) -> str:
    return f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}"


def fit_label(key: FitKey, several_countries: bool) -> str:
    """'2025-Q2', or '2025-Q2 KR' where a run scores several importing countries."""
    quarter, country = key
    return f"{quarter_label(quarter)} {country}" if several_countries else quarter_label(quarter)
