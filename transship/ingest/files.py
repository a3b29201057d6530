"""Reading one input file into the temp table ``raw_text``: every column as text.

The view ``raw_input`` numbers its records: ``record_no`` (1 for the first data record)
and ``source_line``, the record's line in the file with the header as line 1 and each
record counted as one line, the numbering DuckDB's CSV reader uses for lines it cannot
parse. Unparseable lines (too many or too few fields, bad quoting) land in
``raw_rejects`` with the same numbering.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import io
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, cast

import duckdb

from transship.errors import InputFileError
from transship.storage.sql import load, scalar

if TYPE_CHECKING:
    from pathlib import Path

_CHUNK = 1 << 20


@dataclass(frozen=True)
class RawFile:
    columns: list[str]
    encoding: str


def checksum(path: Path) -> str:
    """SHA-256 of the file's content (of the decompressed content for .gz)."""
    digest = hashlib.sha256()
    with _open_bytes(path) as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _open_bytes(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast("IO[bytes]", gzip.open(path, "rb"))
    return path.open("rb")


def _file_format(path: Path) -> str:
    return "parquet" if path.name.lower().endswith(".parquet") else "csv"


def read_raw(con: duckdb.DuckDBPyConnection, path: Path) -> RawFile:
    """Load the file into ``raw_text`` and ``raw_rejects``, number its records in
    ``raw_input``, and return the file's column names and encoding.

    A CSV is read as UTF-8 (with or without BOM); if any byte sequence is not UTF-8, the
    whole file is read again as Latin-1.
    """
    drop_working_tables(con)
    con.execute(load("ingest/create_raw_rejects"))
    file_format = _file_format(path)
    start = _first_chunk(path) if file_format == "csv" else b""
    if path.stat().st_size == 0 or (file_format == "csv" and _is_blank(start)):
        con.execute(load("ingest/raw_input_empty"))
        return RawFile([], "utf-8")
    # DuckDB quarantines lines that are not UTF-8 (so the whole file is read again as
    # Latin-1), but a header line that is not UTF-8 would be skipped: check the start here.
    # Parquet carries its own (UTF-8) strings.
    encoding = "utf-8" if _decodes_as_utf8(start) else "latin-1"
    _read(con, path, file_format, encoding)
    if file_format == "csv" and encoding == "utf-8" and scalar(con, load("ingest/not_utf8_lines")):
        encoding = "latin-1"
        con.execute(load("ingest/forget_raw_text"))
        _read(con, path, file_format, encoding)
    rejected = scalar(con, load("ingest/rejected_lines"))
    con.execute(load("ingest/raw_input_lines" if rejected else "ingest/raw_input"))
    return RawFile(list(con.table("raw_text").columns), encoding)


def _read(con: duckdb.DuckDBPyConnection, path: Path, file_format: str, encoding: str) -> None:
    try:
        if file_format == "parquet":
            con.execute(load("ingest/raw_text_parquet"), {"path": str(path)})
        else:
            _read_csv(con, path, encoding)
            con.execute(load("ingest/raw_rejects"))
    except duckdb.Error as exc:
        hint = ""
        if file_format == "csv":
            hint = (
                " DuckDB could not split it into the header's columns; a common cause is mixed"
                " line endings (some lines ending in CRLF, others in LF): convert the file to"
                " one line ending and ingest it again."
            )
        first_line = str(exc).splitlines()[0]
        raise InputFileError(
            f"{path}: cannot be read as {file_format.upper()}: {first_line}.{hint} "
            "Nothing was loaded from it."
        ) from exc


def drop_working_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop one file's working tables and views (its text, numbering and problems)."""
    con.execute(load("ingest/drop_working_tables"))


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, encoding: str) -> None:
    params = {"path": str(path), "encoding": encoding}
    try:
        con.execute(load("ingest/raw_text_csv"), params)
    except duckdb.InvalidInputException as exc:
        if "sniffing" not in str(exc):
            raise
        columns = dict.fromkeys(_header(path, encoding), "VARCHAR")
        con.execute(load("ingest/raw_text_csv_rfc4180"), {**params, "columns": columns})


def _header(path: Path, encoding: str) -> list[str]:
    with _open_bytes(path) as handle:
        # A header that is not UTF-8 gets replacement characters here; the read that
        # follows then finds the file is not UTF-8 and is done again as Latin-1.
        first = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
        names = next(csv.reader(first), [])
    return [name.strip().lstrip("\ufeff").strip() for name in names]


def _first_chunk(path: Path) -> bytes:
    with _open_bytes(path) as handle:
        return handle.read(_CHUNK + 1)


def _is_blank(start: bytes) -> bool:
    """A file of only whitespace and newlines is an empty file, not a malformed one."""
    return len(start) <= _CHUNK and not start.strip(b" \t\r\n\xef\xbb\xbf")


def _decodes_as_utf8(start: bytes) -> bool:
    try:
        # Not final: the chunk may end inside a character.
        codecs.getincrementaldecoder("utf-8")().decode(start, final=len(start) <= _CHUNK)
    except UnicodeDecodeError:
        return False
    return True
