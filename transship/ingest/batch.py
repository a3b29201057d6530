"""One file, one batch: every row loaded or quarantined, all in one transaction.

The kind-specific part (shipments or trade flows) builds the temp table ``problem_rows``
(``record_no``, ``source_line`` and a ``problems`` list, for rows with any problem) and
an insert that loads every other row from its staging view: trade flows list the
problems first and insert the rest; shipments insert the rows without a problem first and
then list the problems of the rows left out (``list_problems``), so a large file is typed
once. Everything else - idempotency, counting, quarantine, atomic commit - is shared here.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb

from transship.errors import InputFileError, LostRowsError
from transship.ingest.files import checksum, drop_working_tables, read_raw
from transship.storage.sql import load, scalar

if TYPE_CHECKING:
    from pathlib import Path


@dataclass
class IngestResult:
    path: Path
    kind: str
    batch_id: int
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    already_loaded: bool = False
    reasons: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.already_loaded:
            return f"{self.path}: already ingested as batch {self.batch_id}; nothing new loaded"
        text = (
            f"{self.path}: {self.rows_in} rows in = {self.rows_loaded} loaded"
            f" + {self.rows_quarantined} quarantined (batch {self.batch_id})"
        )
        if self.reasons:
            text += " — " + ", ".join(f"{n} {r}" for r, n in sorted(self.reasons.items()))
        return text


Stage = Callable[[duckdb.DuckDBPyConnection, list[str]], None]
"""Builds ``problem_rows`` from ``raw_input`` (or the views ``list_problems`` reads);
raises InputFileError to refuse the file."""
ListProblems = Callable[[duckdb.DuckDBPyConnection, int, int], None]
"""Builds ``problem_rows`` once the batch (its id given) has inserted its rows (how many
given)."""


def _check_nothing_lost(path: Path, rows_in: int, loaded: int, quarantined: int) -> None:
    """Every row in is loaded or quarantined; otherwise the batch must not commit."""
    if rows_in != loaded + quarantined:
        raise LostRowsError(
            f"{path}: {rows_in} rows in but {loaded} loaded + {quarantined} quarantined; "
            "nothing was loaded from it (please report this as a bug)"
        )


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str,
    input_format: str,
    stage: Stage,
    insert_sql: str,
    mapping: str | None = None,
    insert_params: dict[str, object] | None = None,
    also_insert: tuple[str, ...] = (),
    list_problems: ListProblems | None = None,
) -> IngestResult:
    """Load one file as one batch. ``also_insert`` names SQL files run after ``insert_sql``
    in the same transaction (a shipment's attributes are loaded with it or not at all);
    ``list_problems``, if given, builds ``problem_rows`` right after ``insert_sql``."""
    started = datetime.now()
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    try:
        # The checksum that makes ingest idempotent is computed while DuckDB reads the
        # file (hashing releases the GIL); a file already ingested goes no further.
        with ThreadPoolExecutor(max_workers=1) as pool:
            digest = pool.submit(checksum, path)
            raw = read_raw(con, path)
            file_checksum = digest.result()
        existing = _existing_batch(con, path, kind, file_checksum, input_format)
        if existing is not None:
            return existing
        columns = raw.columns
        notes = []
        if not columns:
            notes.append("the file is empty")
            con.execute(load("ingest/problem_rows_empty"))
        else:
            # The staging views of every kind clean their text fields with it.
            con.execute(load("macros/text_or_null"))
            con.execute(load("macros/column_rules"))
            stage(con, columns)
        con.begin()
        try:
            batch_id = int(scalar(con, load("ingest/next_batch_id")))
            params = {"batch_id": batch_id}
            loaded = 0
            if columns:
                loaded = int(scalar(con, load(insert_sql), {**params, **(insert_params or {})}))
                if list_problems is not None:
                    list_problems(con, batch_id, loaded)
                for extra in also_insert:
                    con.execute(load(extra), params).fetchall()
            quarantined = int(scalar(con, load("ingest/insert_quarantine"), params))
            quarantined += int(scalar(con, load("ingest/insert_rejects"), params))
            rows_in = int(scalar(con, load("ingest/rows_in")))
            _check_nothing_lost(path, rows_in, loaded, quarantined)
            con.execute(
                load("ingest/insert_batch"),
                {
                    "batch_id": batch_id,
                    "kind": kind,
                    "source_path": str(path.resolve()),
                    "file_name": path.name,
                    "checksum": file_checksum,
                    "input_format": input_format,
                    "mapping": mapping,
                    "encoding": raw.encoding,
                    "rows_in": rows_in,
                    "rows_loaded": loaded,
                    "rows_quarantined": quarantined,
                    "started_at": started,
                },
            )
            _commit(con)
        except BaseException:
            con.rollback()
            raise
    finally:
        # The file's text can be hundreds of megabytes: free it for whatever runs next in
        # this process (a nightly run scores right after ingesting its drop).
        drop_working_tables(con)
    return IngestResult(
        path=path,
        kind=kind,
        batch_id=batch_id,
        rows_in=rows_in,
        rows_loaded=loaded,
        rows_quarantined=quarantined,
        reasons=quarantine_reasons(con, batch_id),
        notes=notes,
    )


def _commit(con: duckdb.DuckDBPyConnection) -> None:
    con.commit()


def _existing_batch(
    con: duckdb.DuckDBPyConnection, path: Path, kind: str, file_checksum: str, input_format: str
) -> IngestResult | None:
    rows = con.execute(
        load("ingest/existing_batch"),
        {"kind": kind, "checksum": file_checksum, "input_format": input_format},
    ).fetchall()
    if not rows:
        return None
    row = rows[0]
    return IngestResult(path, kind, row[0], row[1], row[2], row[3], already_loaded=True)


def quarantine_reasons(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, int]:
    rows = con.execute(load("ingest/batch_reasons"), {"batch_id": batch_id}).fetchall()
    return dict(rows)
