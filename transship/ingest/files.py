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
from pathlib import Path
from typing import IO, cast

import duckdb

from transship.errors import InputFileError
from transship.sql import load, scalar

_CHUNK = 1 << 20


@dataclass(frozen=True)
class FileFacts:
    path: Path
    checksum_sha256: str
    encoding: str
    size_bytes: int
    file_format: str


def inspect(path: Path) -> FileFacts:
    """Checksum and encoding in one streaming pass: UTF-8 (with or without BOM), else Latin-1."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    name = path.name.lower()
    file_format = "parquet" if name.endswith(".parquet") else "csv"
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = file_format == "csv"
    size = 0
    with _open_bytes(path) as handle:
        while chunk := handle.read(_CHUNK):
            size += len(chunk)
            digest.update(chunk)
            if utf8:
                utf8 = _decodes(decoder, chunk, final=False)
    if utf8:
        utf8 = _decodes(decoder, b"", final=True)
    encoding = "utf-8" if utf8 or file_format == "parquet" else "latin-1"
    return FileFacts(path, digest.hexdigest(), encoding, size, file_format)


def _open_bytes(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool) -> bool:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


def read_raw(con: duckdb.DuckDBPyConnection, facts: FileFacts) -> list[str]:
    """Load the file into ``raw_text`` and ``raw_rejects``, number its records in
    ``raw_input``, and return the file's column names."""
    drop_working_tables(con)
    con.execute(
        "CREATE TEMP TABLE raw_rejects "
        "(source_line BIGINT, error_type VARCHAR, csv_line VARCHAR, error_message VARCHAR)"
    )
    if facts.size_bytes == 0 or _is_blank(facts):
        con.execute(
            "CREATE TEMP VIEW raw_input AS "
            "SELECT NULL::BIGINT AS record_no, NULL::BIGINT AS source_line WHERE false"
        )
        return []
    try:
        if facts.file_format == "parquet":
            con.execute(load("ingest/raw_text_parquet"), {"path": str(facts.path)})
        else:
            _read_csv(con, facts)
            con.execute(load("ingest/raw_rejects"))
    except duckdb.Error as exc:
        hint = ""
        if facts.file_format == "csv":
            hint = (
                " DuckDB could not split it into the header's columns; a common cause is mixed"
                " line endings (some lines ending in CRLF, others in LF): convert the file to"
                " one line ending and ingest it again."
            )
        first_line = str(exc).splitlines()[0]
        raise InputFileError(
            f"{facts.path}: cannot be read as {facts.file_format.upper()}: {first_line}.{hint} "
            "Nothing was loaded from it."
        ) from exc
    rejected = scalar(con, "SELECT count(*) FROM raw_rejects")
    con.execute(load("ingest/raw_input_lines" if rejected else "ingest/raw_input"))
    return list(con.table("raw_text").columns)


def drop_working_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop one file's working tables and views (its text, numbering and problems)."""
    con.execute("DROP VIEW IF EXISTS raw_input")
    for table in ("raw_text", "raw_rejects", "problem_rows"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _read_csv(con: duckdb.DuckDBPyConnection, facts: FileFacts) -> None:
    params = {"path": str(facts.path), "encoding": facts.encoding}
    try:
        con.execute(load("ingest/raw_text_csv"), params)
    except duckdb.InvalidInputException as exc:
        if "sniffing" not in str(exc):
            raise
        columns = {name: "VARCHAR" for name in _header(facts)}
        con.execute(load("ingest/raw_text_csv_rfc4180"), {**params, "columns": columns})


def _header(facts: FileFacts) -> list[str]:
    with _open_bytes(facts.path) as handle:
        first = io.TextIOWrapper(handle, encoding=facts.encoding, newline="")
        names = next(csv.reader(first), [])
    return [name.strip().lstrip("\ufeff").strip() for name in names]


def _is_blank(facts: FileFacts) -> bool:
    """A file of only whitespace and newlines is an empty file, not a malformed one."""
    if facts.file_format != "csv" or facts.size_bytes > _CHUNK:
        return False
    with _open_bytes(facts.path) as handle:
        return not handle.read().strip(b" \t\r\n\xef\xbb\xbf")
