"""Controlled materials as data: TOML files, one per material, checked whole on load.

The shipped files live in ``transship/reference/materials/``; a user folder
(``TRANSSHIP_MATERIALS``) adds files of the same format: a new material, or more rows for
a shipped one. Every file is checked before anything is installed, and the first problem
refuses the whole set with a message naming the file, the line and the field. The format
is described in the README, section "Materials".
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from transship.errors import MaterialsError

SHIPPED = Path(__file__).parent / "materials"
SHIPPED_LABEL = "transship/reference/materials"

ALL = "all"
"""The material of a file whose controls and covers apply to every material, and the
destination of a control that applies to every importing country."""

ROLES = frozenset(
    {
        "ore",
        "oxide",
        "unwrought",
        "powder",
        "scrap",
        "wrought",
        "compound",
        "alloy",
        "magnet",
        "wafer",
        "natural",
        "artificial",
        "other",
    }
)
STAGES = frozenset({"mine", "smelt", "refine", "recycle"})
SCALES = frozenset({"major", "minor"})
STATUSES = frozenset({"operating", "announced", "closed"})
MEASURES = frozenset(
    {
        "export-control-law",
        "licence",
        "ban",
        "end-use-review",
        "technology-control",
        "enforcement",
    }
)

_MATERIAL_NAME = re.compile(r"^[a-z][a-z0-9 -]*[a-z0-9]$")
_SOURCE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_PUBLISHED = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_HS6 = re.compile(r"^\d{6}$")


# Where things are in a file. tomllib gives no positions, so the text is scanned for table
# headers and keys: every ``[[name]]`` opens entry n of array ``name``; ``key =`` lines
# belong to the table opened last (the top level before any header).

_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]\s*(#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\"' -]+?)\s*\]\s*(#.*)?$")
_KEY_LINE = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")
_TOML_ERROR_LINE = re.compile(r"\(at line (\d+), column \d+\)")

Section = tuple[str, int] | None
"""None for the top level, (array name, index) for its index-th ``[[name]]`` entry."""


@dataclass
class _Positions:
    headers: dict[tuple[str, int], int] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    keys: dict[tuple[Section, str], int] = field(default_factory=dict)

    @classmethod
    def scan(cls, text: str) -> _Positions:
        found = cls()
        counts: dict[str, int] = {}
        section: Section = None
        in_string: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if match := _ARRAY_HEADER.match(line):
                name = match[1]
                section = (name, counts.get(name, 0))
                counts[name] = section[1] + 1
                found.headers[section] = number
            elif match := _TABLE_HEADER.match(line):
                name = match[1].strip("\"'")
                found.tables.setdefault(name, number)
                section = (name, -1)
            elif match := _KEY_LINE.match(line):
                key = match[1] or match[2] or match[3]
                found.keys.setdefault((section, key), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_string = quote
                    break
        return found

    def line(self, section: Section, key: str | None = None) -> int:
        """The line of ``key`` in ``section``, else of the section's header, else 1."""
        if key is not None and (section, key) in self.keys:
            return self.keys[(section, key)]
        if section is None:
            return 1
        return self.headers.get(section, self.tables.get(section[0], 1))


@dataclass(frozen=True)
class Where:
    """A row's place: the file it came from and the line of its table header."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}"


@dataclass
class _File:
    label: str
    positions: _Positions

    def fail(self, section: Section, key: str | None, problem: str) -> MaterialsError:
        line = self.positions.line(section, key)
        if section is None:
            where = f"`{key}`" if key else "the file"
        else:
            name, index = section
            entry = f"[{name}]" if index < 0 else f"[[{name}]] #{index + 1}"
            where = f"{entry}, field `{key}`" if key else entry
        return MaterialsError(f"{self.label}, line {line}: {where}: {problem}")

    def where(self, section: Section) -> Where:
        return Where(self.label, self.positions.line(section))


# What each table may hold. A checker turns the TOML value into the stored value or
# returns a problem (a string) to report.

Checker = Callable[[Any], Any]


class _Problem(str):
    """A checker's verdict that the value is wrong, and why."""


def _text(value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        return _Problem(f"expected non-empty text, got {value!r}")
    return value.strip()


def _flag(value: Any) -> Any:
    return value if isinstance(value, bool) else _Problem(f"expected true or false, got {value!r}")


def _day(value: Any) -> Any:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    return _Problem(f"expected a date such as 2025-02-04 (unquoted), got {value!r}")


def _number(minimum: float, maximum: float | None = None) -> Checker:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _Problem(f"expected a number, got {value!r}")
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum:g}" if maximum is not None else ""
            return _Problem(f"expected at least {minimum:g}{upper}, got {value!r}")
        return float(value)

    return check


def _one_of(allowed: frozenset[str]) -> Checker:
    def check(value: Any) -> Any:
        if value not in allowed:
            return _Problem(f"expected one of {', '.join(sorted(allowed))}; got {value!r}")
        return value

    return check


def _texts(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        return _Problem(f"expected a non-empty list of text, got {value!r}")
    checked = [_text(item) for item in value]
    bad = [item for item in checked if isinstance(item, _Problem)]
    return bad[0] if bad else checked


def _sources(value: Any) -> Any:
    ids = [value] if isinstance(value, str) else value
    checked = _texts(ids)
    if isinstance(checked, _Problem):
        return _Problem(f"expected a source id or a list of source ids, got {value!r}")
    return checked


def _published(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, str) and _PUBLISHED.match(value):
        return value
    return _Problem(f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")


def _source_id(value: Any) -> Any:
    if isinstance(value, str) and _SOURCE_ID.match(value):
        return value
    return _Problem(f"expected lower-case letters, digits, '.', '_' or '-', got {value!r}")


@dataclass(frozen=True)
class Spec:
    check: Checker
    required: bool = False


def _hs6_format(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return _Problem(
            f'write the code as quoted text ("{value:06d}"): a number loses leading zeros'
        )
    if not isinstance(value, str) or not _HS6.match(value):
        return _Problem(f'expected six digits such as "811292", got {value!r}')
    return value


def _country_format(value: Any) -> Any:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Z]{2}", value):
        return _Problem(f'expected an ISO 3166 alpha-2 code such as "KZ", got {value!r}')
    return value


TABLES: dict[str, dict[str, Spec]] = {
    "source": {
        "id": Spec(_source_id, required=True),
        "title": Spec(_text, required=True),
        "publisher": Spec(_text, required=True),
        "date": Spec(_published, required=True),
        "url": Spec(_text),
        "note": Spec(_text),
    },
    "code": {
        "hs6": Spec(_hs6_format, required=True),
        "role": Spec(_one_of(ROLES), required=True),
        "note": Spec(_text),
        "other_goods": Spec(_texts),
        "source": Spec(_sources, required=True),
        "uncertain": Spec(_flag),
    },
    "unit_value": {
        "hs6": Spec(_hs6_format, required=True),
        "usd_per_kg_low": Spec(_number(0.0), required=True),
        "usd_per_kg_high": Spec(_number(0.0), required=True),
        "period_start": Spec(_day, required=True),
        "period_end": Spec(_day, required=True),
        "note": Spec(_text),
        "source": Spec(_sources, required=True),
        "uncertain": Spec(_flag),
    },
    "cover": {
        "hs6": Spec(_hs6_format, required=True),
        "cover": Spec(_text, required=True),
        "note": Spec(_text),
        "source": Spec(_sources, required=True),
        "uncertain": Spec(_flag),
    },
    "capacity": {
        "country": Spec(_country_format, required=True),
        "stage": Spec(_one_of(STAGES), required=True),
        "scale": Spec(_one_of(SCALES), required=True),
        "status": Spec(_one_of(STATUSES), required=True),
        "start_date": Spec(_day),
        "end_date": Spec(_day),
        "share_pct": Spec(_number(0.0, 100.0)),
        "tonnes_per_year": Spec(_number(0.0)),
        "note": Spec(_text),
        "source": Spec(_sources, required=True),
        "uncertain": Spec(_flag),
    },
    "control": {
        "event_date": Spec(_day, required=True),
        "effective_date": Spec(_day, required=True),
        "end_date": Spec(_day),
        "measure": Spec(_one_of(MEASURES), required=True),
        "destinations": Spec(_texts, required=True),
        "description": Spec(_text, required=True),
        "note": Spec(_text),
        "source": Spec(_sources, required=True),
        "uncertain": Spec(_flag),
    },
}
TOP_LEVEL = {"material", "note", "controlled", *TABLES}
ONLY_FOR_ALL = frozenset({"source", "control", "cover"})
"""What a file of material ``all`` may hold: nothing that needs one material."""
NOT_CONTROLLED = "Not controlled: other goods of controlled codes."
"""How ``ref_materials`` marks a material described with ``controlled = false``."""
ONLY_FOR_UNCONTROLLED = frozenset({"source", "code", "capacity"})
"""What a file of a material that is not controlled (``controlled = false``) may hold: it
describes the other goods of controlled codes (8112.92's niobium) so that their producers
count as capacity for the code; it has no controls, covers or unit values of its own."""


@dataclass(frozen=True)
class Row:
    """One checked table entry: its values, the material it belongs to, where it is."""

    table: str
    material: str
    values: dict[str, Any]
    file: _File
    section: tuple[str, int]

    @property
    def where(self) -> Where:
        return self.file.where(self.section)

    def fail(self, key: str | None, problem: str) -> MaterialsError:
        return self.file.fail(self.section, key, problem)


@dataclass(frozen=True)
class Catalogue:
    """Every material file, checked, as the frames the reference tables are built from."""

    materials: pl.DataFrame
    codes: pl.DataFrame
    unit_values: pl.DataFrame
    covers: pl.DataFrame
    capacity: pl.DataFrame
    events: pl.DataFrame
    sources: pl.DataFrame


def files(extra: Path | None = None) -> list[tuple[str, Path]]:
    """(label, path) of the shipped files, then of the user's, each set in name order."""
    found = [(f"{SHIPPED_LABEL}/{p.name}", p) for p in sorted(SHIPPED.glob("*.toml"))]
    if extra is None:
        return found
    if not extra.is_dir():
        raise MaterialsError(f"no materials folder at {extra} (TRANSSHIP_MATERIALS / --materials)")
    user = sorted(extra.glob("*.toml"))
    if not user:
        raise MaterialsError(f"the materials folder {extra} holds no *.toml file")
    return found + [(str(p), p) for p in user]


def load(extra: Path | None, hs_codes: Iterable[str], countries: Iterable[str]) -> Catalogue:
    """Read and check every materials file; raise MaterialsError at the first problem.

    ``hs_codes`` are the HS 2022 six-digit codes and ``countries`` the ISO alpha-2 codes
    the store knows; every code and country in the files must be one of them.
    """
    known_hs = frozenset(hs_codes)
    known_countries = frozenset(countries)
    rows: list[Row] = []
    notes: dict[str, list[tuple[str, str | None]]] = {}
    uncontrolled: dict[str, str] = {}
    controlled_in: dict[str, str] = {}
    for label, path in files(extra):
        parsed, rows_of_file = _read(label, path)
        rows += rows_of_file
        if parsed is None:
            continue
        material, note, controlled = parsed
        notes.setdefault(material, []).append((label, note))
        # Every file of one material says the same of its control.
        mine, other = (controlled_in, uncontrolled) if controlled else (uncontrolled, controlled_in)
        if material in other:
            said = "is controlled" if material in controlled_in else "is not controlled"
            raise MaterialsError(
                f"{label}: `controlled`: {material} {said} in {other[material]}; "
                "every file of a material says the same"
            )
        mine.setdefault(material, label)
    _check_values(rows, known_hs, known_countries)
    sources = _check_sources(rows)
    _check_codes(rows)
    _check_uncontrolled_codes(rows, frozenset(uncontrolled))
    _check_overlaps(rows)
    return _catalogue(rows, notes, sources, frozenset(uncontrolled))


def _read(label: str, path: Path) -> tuple[tuple[str, str | None, bool] | None, list[Row]]:
    """The file's (material, note, controlled), or None for a file of sources only, and its
    rows."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MaterialsError(f"{label}: cannot be read as UTF-8 text: {exc}") from exc
    file = _File(label, _Positions.scan(text))
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_ERROR_LINE.search(str(exc))
        line = match[1] if match else "?"
        raise MaterialsError(f"{label}, line {line}: not valid TOML: {exc}") from exc
    for key in document:
        if key not in TOP_LEVEL:
            raise _fail_at(file, key, f"unknown key; expected {', '.join(sorted(TOP_LEVEL))}")
    material = document.get("material")
    tables = [name for name in TABLES if name in document]
    if material is None:
        if any(name != "source" for name in tables) or "note" in document:
            raise file.fail(
                None, "material", "missing: every file but a sources-only one names its material"
            )
        if not tables:
            raise file.fail(None, None, "holds no material and no [[source]]")
    elif not isinstance(material, str) or not _MATERIAL_NAME.match(material):
        raise file.fail(
            None, "material", f'expected a lower-case name such as "gallium", got {material!r}'
        )
    elif material == ALL and (extra := [t for t in tables if t not in ONLY_FOR_ALL]):
        raise _fail_at(
            file, extra[0], f'a file of material "all" holds only {", ".join(sorted(ONLY_FOR_ALL))}'
        )
    note = document.get("note")
    if note is not None and isinstance(_text(note), _Problem):
        raise file.fail(None, "note", _text(note))
    controlled = document.get("controlled", True)
    if not isinstance(controlled, bool):
        raise file.fail(None, "controlled", f"expected true or false, got {controlled!r}")
    if not controlled and (material is None or material == ALL):
        raise file.fail(None, "controlled", "only a named material can be not controlled")
    if not controlled and (extra := [t for t in tables if t not in ONLY_FOR_UNCONTROLLED]):
        raise _fail_at(
            file,
            extra[0],
            "a material that is not controlled holds only "
            f"{', '.join(sorted(ONLY_FOR_UNCONTROLLED))}: it describes other goods of "
            "controlled codes and who produces them",
        )
    rows = []
    for table in tables:
        entries = document[table]
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise _fail_at(file, table, f"write each entry as a [[{table}]] table")
        for index, entry in enumerate(entries):
            section = (table, index)
            rows.append(Row(table, material or "", _entry(file, section, entry), file, section))
    return ((material, note, controlled) if material is not None else None), rows


def _fail_at(file: _File, key: str, problem: str) -> MaterialsError:
    """A problem with a top-level key, written ``key = ...``, ``[key]`` or ``[[key]]``."""
    if (key, 0) in file.positions.headers:
        return file.fail((key, 0), None, problem)
    if key in file.positions.tables:
        return file.fail((key, -1), None, problem)
    return file.fail(None, key, problem)


def _entry(file: _File, section: tuple[str, int], entry: dict[str, Any]) -> dict[str, Any]:
    specs = TABLES[section[0]]
    for key in entry:
        if key not in specs:
            raise file.fail(section, key, f"unknown field; expected {', '.join(specs)}")
    values: dict[str, Any] = {}
    for key, spec in specs.items():
        if key not in entry:
            if spec.required:
                raise file.fail(section, key, "missing (required)")
            values[key] = False if key == "uncertain" else None
            continue
        checked = spec.check(entry[key])
        if isinstance(checked, _Problem):
            raise file.fail(section, key, str(checked))
        values[key] = checked
    return values


def _check_values(rows: list[Row], hs_codes: frozenset[str], countries: frozenset[str]) -> None:
    """Checks that need the nomenclature, the country list or two fields of one row."""
    for row in rows:
        v = row.values
        if "hs6" in v and v["hs6"] not in hs_codes:
            raise row.fail("hs6", f"{v['hs6']} is not an HS 2022 six-digit code")
        if row.table == "capacity":
            if v["country"] not in countries:
                raise row.fail("country", f"{v['country']} is not an ISO 3166 alpha-2 country")
            _check_period(row, "start_date", "end_date")
            if v["status"] == "announced" and v["start_date"] is None:
                raise row.fail("start_date", "missing: announced capacity needs its start date")
            if v["status"] == "closed" and v["end_date"] is None:
                raise row.fail("end_date", "missing: closed capacity needs the date it closed")
        elif row.table == "control":
            _check_period(row, "event_date", "effective_date")
            _check_period(row, "effective_date", "end_date")
            destinations = v["destinations"]
            if ALL in destinations and len(destinations) > 1:
                raise row.fail("destinations", '"all" stands alone: it means every destination')
            for code in destinations:
                if code != ALL and code not in countries:
                    raise row.fail(
                        "destinations", f'{code!r} is neither "all" nor an ISO alpha-2 country'
                    )
            if len(set(destinations)) != len(destinations):
                raise row.fail("destinations", "a destination is listed twice")
        elif row.table == "unit_value":
            _check_period(row, "period_start", "period_end")
            if v["usd_per_kg_low"] > v["usd_per_kg_high"]:
                raise row.fail("usd_per_kg_high", "is below usd_per_kg_low")
            if v["usd_per_kg_low"] <= 0:
                raise row.fail("usd_per_kg_low", "a unit value must be above 0")


def _check_period(row: Row, first: str, last: str) -> None:
    start, end = row.values[first], row.values[last]
    if start is not None and end is not None and end < start:
        raise row.fail(last, f"{end} is before {first} {start}")


def _check_sources(rows: list[Row]) -> dict[str, Row]:
    """Source ids are unique across all files, and every row's sources exist."""
    sources: dict[str, Row] = {}
    for row in rows:
        if row.table != "source":
            continue
        key = row.values["id"]
        if key in sources:
            raise row.fail("id", f"source {key!r} is already defined at {sources[key].where}")
        sources[key] = row
    for row in rows:
        for key in row.values.get("source") or ():
            if key not in sources:
                raise row.fail("source", f"unknown source {key!r}; define it in a [[source]] table")
    return sources


def _check_codes(rows: list[Row]) -> None:
    """No code, cover or unit-value period twice for one material; unit values of its codes."""
    codes: dict[tuple[str, str], Row] = {}
    covers: dict[tuple[str, str], Row] = {}
    for row in rows:
        seen = codes if row.table == "code" else covers if row.table == "cover" else None
        if seen is None:
            continue
        key = (row.material, row.values["hs6"])
        if key in seen:
            raise row.fail(
                "hs6", f"{key[1]} is already a {row.table} of {key[0]} at {seen[key].where}"
            )
        seen[key] = row
    for row in rows:
        if row.table == "unit_value" and (row.material, row.values["hs6"]) not in codes:
            raise row.fail(
                "hs6", f"{row.values['hs6']} is not one of {row.material}'s [[code]] entries"
            )


def _check_uncontrolled_codes(rows: list[Row], uncontrolled: frozenset[str]) -> None:
    """A material that is not controlled names only codes of controlled materials (the
    codes it shares with them), and leaves their other goods to the controlled files."""
    controlled_codes = {
        r.values["hs6"] for r in rows if r.table == "code" and r.material not in uncontrolled
    }
    for row in rows:
        if row.table != "code" or row.material not in uncontrolled:
            continue
        if row.values["hs6"] not in controlled_codes:
            raise row.fail(
                "hs6",
                f"{row.values['hs6']} is no controlled material's code: {row.material} is not "
                "controlled, so its codes are those it shares with controlled materials",
            )
        if row.values["other_goods"] is not None:
            raise row.fail(
                "other_goods",
                "a material that is not controlled is itself other goods of the code; "
                "name the rest in the controlled materials' files",
            )


def _check_overlaps(rows: list[Row]) -> None:
    """Refuse two rows that state the same thing for overlapping periods."""
    _refuse_overlaps(
        [r for r in rows if r.table == "capacity"],
        key=lambda r: (r.material, r.values["country"], r.values["stage"]),
        period=("start_date", "end_date"),
        what="capacity for the same material, country and stage",
    )
    _refuse_overlaps(
        [r for r in rows if r.table == "control"],
        key=lambda r: (r.material, r.values["measure"]),
        period=("effective_date", "end_date"),
        what="control of the same material and measure for an overlapping set of destinations",
        also=lambda a, b: _destinations_meet(a.values["destinations"], b.values["destinations"]),
    )
    _refuse_overlaps(
        [r for r in rows if r.table == "unit_value"],
        key=lambda r: (r.material, r.values["hs6"]),
        period=("period_start", "period_end"),
        what="unit value of the same material and code",
    )


def _refuse_overlaps(
    rows: list[Row],
    key: Callable[[Row], tuple[str, ...]],
    period: tuple[str, str],
    what: str,
    also: Callable[[Row, Row], bool] = lambda a, b: True,
) -> None:
    first, last = period
    earlier: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        start = row.values[first] or date.min
        end = row.values[last] or date.max
        for other in earlier.get(key(row), []):
            other_start = other.values[first] or date.min
            other_end = other.values[last] or date.max
            if start <= other_end and other_start <= end and also(row, other):
                raise row.fail(
                    first,
                    f"its period {_span(row, period)} overlaps {_span(other, period)} of the "
                    f"{what} at {other.where}",
                )
        earlier.setdefault(key(row), []).append(row)


def _span(row: Row, period: tuple[str, str]) -> str:
    start, end = (row.values[name] for name in period)
    return f"{start or 'always'}..{end or 'open'}"


def _destinations_meet(a: list[str], b: list[str]) -> bool:
    return ALL in a or ALL in b or bool(set(a) & set(b))


def _catalogue(
    rows: list[Row],
    notes: dict[str, list[tuple[str, str | None]]],
    sources: dict[str, Row],
    uncontrolled: frozenset[str] = frozenset(),
) -> Catalogue:
    def of(table: str) -> list[Row]:
        return [r for r in rows if r.table == table]

    code_rows = [r for r in of("code") if r.material not in uncontrolled]
    holders: dict[str, list[str]] = {}
    for row in code_rows:
        holders.setdefault(row.values["hs6"], []).append(row.material)
    # A material that is not controlled is one of the other goods of every code it shares.
    described: dict[str, list[str]] = {}
    for row in of("code"):
        if row.material in uncontrolled:
            described.setdefault(row.values["hs6"], []).append(row.material)

    def other_goods(row: Row) -> list[str] | None:
        given = row.values["other_goods"] or []
        more = [m for m in sorted(described.get(row.values["hs6"], [])) if m not in given]
        return given + more or None

    codes = [
        {
            "material": r.material,
            "hs6": r.values["hs6"],
            "role": r.values["role"],
            "note": r.values["note"],
            "shared_with": sorted(m for m in holders[r.values["hs6"]] if m != r.material),
            "other_goods": other_goods(r),
            "source": r.values["source"],
            "uncertain": r.values["uncertain"],
        }
        for r in code_rows
    ]
    for code in codes:
        code["shared"] = bool(code["shared_with"] or code["other_goods"])
    events = [
        {
            **{k: r.values[k] for k in TABLES["control"]},
            "material": r.material,
            "target": ",".join(r.values["destinations"]),
        }
        for r in of("control")
    ]
    return Catalogue(
        materials=pl.DataFrame(
            [
                {
                    "material": material,
                    "note": " ".join(
                        [NOT_CONTROLLED] * (material in uncontrolled) + [n for _, n in entries if n]
                    )
                    or None,
                    "files": [label for label, _ in entries],
                }
                for material, entries in notes.items()
            ],
            schema={"material": pl.String, "note": pl.String, "files": pl.List(pl.String)},
        ),
        codes=_frame(codes, CODE_SCHEMA),
        unit_values=_frame(
            [{"material": r.material, **r.values} for r in of("unit_value")], UNIT_VALUE_SCHEMA
        ),
        covers=_frame([{"material": r.material, **r.values} for r in of("cover")], COVER_SCHEMA),
        capacity=_frame(
            [{"material": r.material, **r.values} for r in of("capacity")], CAPACITY_SCHEMA
        ),
        events=_frame(events, EVENT_SCHEMA),
        sources=_frame(
            [
                {
                    "source_id": r.values["id"],
                    "title": r.values["title"],
                    "publisher": r.values["publisher"],
                    "published": r.values["date"],
                    "url": r.values["url"],
                    "note": r.values["note"],
                    "file": r.file.label,
                }
                for r in sources.values()
            ],
            SOURCE_SCHEMA,
        ),
    )


_SOURCES = pl.List(pl.String)
CODE_SCHEMA = {
    "material": pl.String,
    "hs6": pl.String,
    "role": pl.String,
    "note": pl.String,
    "shared": pl.Boolean,
    "shared_with": pl.List(pl.String),
    "other_goods": pl.List(pl.String),
    "source": _SOURCES,
    "uncertain": pl.Boolean,
}
UNIT_VALUE_SCHEMA = {
    "material": pl.String,
    "hs6": pl.String,
    "usd_per_kg_low": pl.Float64,
    "usd_per_kg_high": pl.Float64,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "note": pl.String,
    "source": _SOURCES,
    "uncertain": pl.Boolean,
}
COVER_SCHEMA = {
    "material": pl.String,
    "hs6": pl.String,
    "cover": pl.String,
    "note": pl.String,
    "source": _SOURCES,
    "uncertain": pl.Boolean,
}
CAPACITY_SCHEMA = {
    "material": pl.String,
    "country": pl.String,
    "stage": pl.String,
    "scale": pl.String,
    "status": pl.String,
    "start_date": pl.Date,
    "end_date": pl.Date,
    "share_pct": pl.Float64,
    "tonnes_per_year": pl.Float64,
    "note": pl.String,
    "source": _SOURCES,
    "uncertain": pl.Boolean,
}
EVENT_SCHEMA = {
    "event_date": pl.Date,
    "effective_date": pl.Date,
    "end_date": pl.Date,
    "material": pl.String,
    "measure": pl.String,
    "target": pl.String,
    "destinations": pl.List(pl.String),
    "description": pl.String,
    "note": pl.String,
    "source": _SOURCES,
    "uncertain": pl.Boolean,
}
SOURCE_SCHEMA = {
    "source_id": pl.String,
    "title": pl.String,
    "publisher": pl.String,
    "published": pl.String,
    "url": pl.String,
    "note": pl.String,
    "file": pl.String,
}


def _frame(records: list[dict[str, Any]], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(
        [{name: record.get(name) for name in schema} for record in records], schema=schema
    )
