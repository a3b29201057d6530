"""Counts in reasons read as an analyst would write them."""

from __future__ import annotations

import pytest

from transship.detectors.base import flagged_of, shipments


@pytest.mark.parametrize(
    ("count", "words"), [(1, "1 shipment"), (2, "2 shipments"), (1200, "1,200 shipments")]
)
def test_shipments_are_counted_in_the_singular_or_plural(count: int, words: str) -> None:
    assert shipments(count) == words


@pytest.mark.parametrize(
    ("flagged", "count", "words"),
    [
        (1, 1, "its one shipment is flagged"),
        (0, 1, "its one shipment is not flagged"),
        (1, 2, "1 of the 2 shipments is flagged"),
        (2, 2, "2 of the 2 shipments are flagged"),
        (0, 3, "0 of the 3 shipments are flagged"),
    ],
)
def test_a_months_flagged_share_fits_one_or_many(flagged: int, count: int, words: str) -> None:
    assert flagged_of(flagged, count) == words
