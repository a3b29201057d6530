"""The queue's filters as an analyst types them, in the terminal (`transship review list`) or
in the browser (the queue page): one clean-up, one date format and one set of messages for
values the queue cannot use, so both refuse the same input in the same words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from transship.errors import ReviewError
from transship.review.queue import QueueFilters

ANY_STATUS = "any"
"""The status that means every status."""

FORM_NAMES = {"since": "from", "until": "to"}
"""How the queue page labels its date fields; a message names a field as its reader knows it."""
OPTION_NAMES = {"since": "--since", "until": "--until"}
"""How `transship review list` names them."""


def blank_to_none(value: str | None) -> str | None:
    """Text as typed, trimmed; blank is no value."""
    return value.strip() or None if value is not None else None


def parse_filters(given: Mapping[str, str | None], names: Mapping[str, str]) -> QueueFilters:
    """The filters in ``given`` (text keyed by QueueFilters' field names; others are ignored),
    cleaned and checked. Blanks mean any; a missing status means open; importing
    countries and origins are upper-cased and HS codes lose their dots, as analysts write
    8112.92.

    Raises ReviewError naming the first value the queue cannot use; ``names`` says how
    the date fields are called where they were typed.
    """
    status = blank_to_none(given.get("status", "open"))
    filters = QueueFilters(
        status=None if status == ANY_STATUS else status,
        import_country=(blank_to_none(given.get("import_country")) or "").upper() or None,
        material=blank_to_none(given.get("material")),
        origin=(blank_to_none(given.get("origin")) or "").upper() or None,
        hs_code=(blank_to_none(given.get("hs_code")) or "").replace(".", "") or None,
        since=_day(given.get("since"), names["since"]),
        until=_day(given.get("until"), names["until"]),
        severity=blank_to_none(given.get("severity")),
        detector=blank_to_none(given.get("detector")),
        level=blank_to_none(given.get("level")),
    )
    filters.check()
    return filters


def _day(value: str | None, name: str) -> date | None:
    """A date written 2025-01-31; blank means no date."""
    value = blank_to_none(value)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ReviewError(f"{name} {value!r} is not a date like 2025-01-31") from exc
