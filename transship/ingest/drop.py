"""The drop folder a nightly run picks its files up from.

Layout: ``<drop>/<YYYY-MM-DD>/shipments/*`` (canonical shipment files) and
``<drop>/<YYYY-MM-DD>/flows/*`` (canonical trade statistics), one folder per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from transship.errors import InputFileError

if TYPE_CHECKING:
    from datetime import date
    from pathlib import Path

SUFFIXES = (".csv", ".csv.gz", ".parquet")


@dataclass(frozen=True)
class DropFiles:
    shipments: list[Path]
    flows: list[Path]


def drop_files(drop: Path, day: date) -> DropFiles:
    """The files dropped for ``day``; a missing day folder means nothing arrived."""
    if not drop.is_dir():
        raise InputFileError(f"the drop folder {drop} does not exist")
    folder = drop / day.isoformat()

    def found(kind: str) -> list[Path]:
        return sorted(
            p for p in (folder / kind).glob("*") if p.is_file() and p.name.endswith(SUFFIXES)
        )

    return DropFiles(found("shipments"), found("flows"))
