"""Fitted detectors kept in the store, one set per calendar quarter.

A quarter's detectors are fitted on the year of shipment features before it. A nightly
run would otherwise rebuild that year's features every night; instead it reuses the fit
the backfill (or the quarter's first night) stored, as long as nothing the fit learned
from has changed: the detector version, the code that builds features and fits, the
reference data, every shipment that arrived before the quarter and every
trade-statistics row for a period before it. Their fingerprint is stored with the fit; a
late filing for an earlier date changes it, and the next run refits.

The detectors are stored pickled, so a store is trusted as the code is: only transship
writes it, and whoever can write it can already change the flags.
"""

from __future__ import annotations

import hashlib
import pickle
from datetime import date
from functools import cache
from pathlib import Path

import duckdb

from transship.detectors import DetectorConfig
from transship.detectors.base import Detector
from transship.features.build import Reference
from transship.storage.sql import load, sql_root

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


def history_fingerprints(
    con: duckdb.DuckDBPyConnection,
    quarters: list[date],
    config: DetectorConfig,
    reference: Reference,
) -> dict[date, str]:
    """Per quarter start: a digest of everything a fit for that quarter could learn from."""
    if not quarters:
        return {}
    common = hashlib.sha256(config.version.encode())
    common.update(code_digest().encode())
    for frame in (reference.controlled, reference.capacity, reference.events, reference.hubs):
        common.update(frame.sort(frame.columns, nulls_last=True).write_csv().encode())
    rows = con.execute(load("features/history_fingerprints"), {"quarters": quarters}).fetchall()
    fingerprints = {}
    for quarter, *counts in rows:
        digest = common.copy()
        digest.update(repr(counts).encode())
        fingerprints[quarter] = digest.hexdigest()
    return fingerprints


def cached_fits(
    con: duckdb.DuckDBPyConnection, fingerprints: dict[date, str], detector_version: str
) -> dict[date, list[Detector]]:
    """The stored fits whose history is unchanged, by quarter start."""
    if not fingerprints:
        return {}
    rows = con.execute(
        load("fits/stored_fits"),
        {"detector_version": detector_version, "fingerprints": list(fingerprints.values())},
    ).fetchall()
    fits = {}
    for quarter, fingerprint, blob in rows:
        if fingerprints.get(quarter) != fingerprint:
            continue
        try:
            fits[quarter] = pickle.loads(blob)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            continue  # unreadable: the run fits this quarter again and replaces it
    return fits


def save_fit(
    con: duckdb.DuckDBPyConnection,
    quarter: date,
    detector_version: str,
    fingerprint: str,
    detectors: list[Detector],
) -> None:
    """Keep a quarter's fit, replacing any earlier fit of the same detector version."""
    con.execute(
        load("fits/save_fit"),
        {
            "quarter": quarter,
            "detector_version": detector_version,
            "fingerprint": fingerprint,
            "detectors": pickle.dumps(detectors),
        },
    ).fetchall()


def quarter_label(quarter: date) -> str:
    return f"{quarter.year}-Q{(quarter.month - 1) // 3 + 1}"
