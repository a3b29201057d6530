"""A firm that comes back: traders matched against the traders of confirmed flags, point
in time, and the reasons naming the confirmed firm, the analyst, the day and the match."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from transship.detectors.returning_firm import ReturningFirm
from transship.features.entities import Entities
from transship.features.returning import confirmed_matches

if TYPE_CHECKING:
    import numpy as np

D = date
CONFIRMED = "GOLDEN METALS CO LTD"
VARIANT = "Golden Metal Co Ltd"
NEAR = "GOLDN METALS"
OTHER = "Sapphire Export Ltd"
BUYER = "Pacific Coral Metals LLC"

MEMBERSHIPS = pl.DataFrame(
    {
        "role": ["exporter"] * 4 + ["importer"],
        "alias": [CONFIRMED, VARIANT, NEAR, OTHER, BUYER],
        "entity_id": ["EX1", "EX1", "EX2", "EX3", "IM1"],
        "valid_from": [D(2024, 1, 5), D(2025, 3, 1), D(2025, 3, 20), D(2024, 1, 1), D(2024, 1, 1)],
        "valid_to": [None] * 5,
    },
    schema_overrides={"valid_to": pl.Date},
)
LINKS = pl.DataFrame(
    {
        "role": ["exporter", "exporter"],
        "alias_l": [VARIANT, CONFIRMED],
        "alias_r": [CONFIRMED, NEAR],
        "match_probability": [0.97, 0.91],
    }
)


def confirmation(valid_to: date | None = None) -> pl.DataFrame:
    """a.lopez confirmed, on 2 March 2025, a flag on a shipment from CONFIRMED to BUYER."""
    return pl.DataFrame(
        {
            "role": ["exporter", "importer"],
            "alias": [CONFIRMED, BUYER],
            "flag_id": ["f1", "f1"],
            "analyst": ["a.lopez", "a.lopez"],
            "decided_on": [D(2025, 3, 2)] * 2,
            "valid_from": [D(2025, 3, 3)] * 2,
            "valid_to": [valid_to] * 2,
        },
        schema_overrides={"valid_to": pl.Date},
    )


def shipments(rows: list[tuple[date, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "row": list(range(len(rows))),
            "arrival_date": [r[0] for r in rows],
            "exporter": [r[1] for r in rows],
            "importer": [r[2] for r in rows],
        },
        schema_overrides={"row": pl.UInt32},
    )


def entities(valid_to: date | None = None, different: pl.DataFrame | None = None) -> Entities:
    return Entities(
        MEMBERSHIPS,
        links=LINKS,
        confirmed=confirmation(valid_to),
        **({"different": different} if different is not None else {}),
    )


def test_a_trader_matches_the_confirmed_firm_by_spelling_entity_or_close_link() -> None:
    frame = shipments(
        [
            (D(2025, 3, 2), VARIANT, "Someone Else Inc"),  # decided that day: not before it
            (D(2025, 3, 3), VARIANT, "Someone Else Inc"),
            (D(2025, 4, 1), NEAR, "Someone Else Inc"),
            (D(2025, 4, 1), CONFIRMED, BUYER),
            (D(2025, 4, 1), OTHER, "Someone Else Inc"),
        ]
    )
    out = confirmed_matches(frame, entities()).sort("row")
    assert out["exporter_confirmed_match"].to_list() == [None, "entity", "close", "spelling", None]
    assert out["exporter_match_probability"].to_list() == [None, 0.97, 0.91, 1.0, None]
    assert out["exporter_confirmed_as"].to_list() == [None, CONFIRMED, CONFIRMED, CONFIRMED, None]
    assert out["exporter_confirmed_by"][1] == "a.lopez"
    assert out["exporter_confirmed_on"][1] == D(2025, 3, 2)
    assert out["exporter_confirmed_flags"].to_list() == [0, 1, 1, 1, 0]
    assert out["importer_confirmed_match"].to_list() == [None, None, None, "spelling", None]


def test_entities_are_those_of_the_shipments_day() -> None:
    # The variant was its own entity until a later spelling joined it to the confirmed
    # firm's on 1 April 2025: before, it only matches by the model's link.
    memberships = pl.DataFrame(
        {
            "role": ["exporter"] * 3,
            "alias": [CONFIRMED, VARIANT, VARIANT],
            "entity_id": ["EX1", "EX4", "EX1"],
            "valid_from": [D(2024, 1, 5), D(2025, 2, 1), D(2025, 4, 1)],
            "valid_to": [None, D(2025, 4, 1), None],
        },
        schema_overrides={"valid_to": pl.Date},
    )
    later = Entities(memberships, links=LINKS, confirmed=confirmation())
    frame = shipments([(D(2025, 3, 31), VARIANT, "x"), (D(2025, 4, 1), VARIANT, "x")])
    out = confirmed_matches(frame, later).sort("row")
    assert out["exporter_confirmed_match"].to_list() == ["close", "entity"]
    assert out["exporter_match_probability"].to_list() == [0.97, 0.97]


def test_a_later_decision_ends_the_confirmation_and_a_split_ends_a_close_match() -> None:
    frame = shipments([(D(2025, 5, 1), VARIANT, "x"), (D(2025, 5, 2), VARIANT, "x")])
    dismissed = confirmed_matches(frame, entities(valid_to=D(2025, 5, 1))).sort("row")
    assert dismissed["exporter_confirmed_match"].to_list() == ["entity", None]
    split = pl.DataFrame({"role": ["exporter"], "alias_l": [NEAR], "alias_r": [CONFIRMED]})
    near = shipments([(D(2025, 4, 1), NEAR, "x")])
    assert confirmed_matches(near, entities(different=split))[
        "exporter_confirmed_match"
    ].to_list() == [None]


def test_no_confirmations_no_columns_lost() -> None:
    frame = shipments([(D(2025, 4, 1), CONFIRMED, BUYER)])
    out = confirmed_matches(frame, Entities())
    assert out.columns == confirmed_matches(frame, entities()).columns
    assert out["exporter_confirmed_flags"].to_list() == [0]
    assert out["exporter_confirmed_match"].to_list() == [None]


def _scored(frame: pl.DataFrame, matches: pl.DataFrame) -> tuple[np.ndarray, list[str | None]]:
    rows = frame.join(matches, on="row").with_columns(
        controlled=pl.Series([True] * (frame.height - 1) + [False]),
        exporter_name=pl.col("exporter"),
        importer_name=pl.col("importer"),
    )
    detector = ReturningFirm().fit(rows)
    scores = detector.score(rows)
    return scores, detector.reasons(rows, scores)


def test_the_detector_scores_a_returning_firm_and_says_who_confirmed_it() -> None:
    frame = shipments(
        [
            (D(2025, 3, 3), VARIANT, "Someone Else Inc"),
            (D(2025, 4, 1), NEAR, "Someone Else Inc"),
            (D(2025, 4, 1), "Unknown Trading Co", BUYER),
            (D(2025, 4, 1), CONFIRMED, BUYER),
            (D(2025, 4, 1), OTHER, "Someone Else Inc"),
            (D(2025, 4, 1), CONFIRMED, BUYER),  # not controlled goods
        ]
    )
    scores, reasons = _scored(frame, confirmed_matches(frame, entities()))
    assert scores.tolist() == [1.0, 0.7 * 0.91, 0.5, 1.0, 0.0, 0.0]
    assert reasons[0] == (
        f"Exporter {VARIANT} is likely the same firm as {CONFIRMED}, confirmed by a.lopez on "
        "2025-03-02; match probability 0.97."
    )
    assert reasons[1] == (
        f"Exporter {NEAR} is likely the same firm as {CONFIRMED}, confirmed by a.lopez on "
        "2025-03-02; match probability 0.91; not resolved into one entity."
    )
    assert (
        reasons[2] == f"Importer {BUYER} is the firm of a flag confirmed by a.lopez on 2025-03-02."
    )
    assert reasons[3] == (
        f"Exporter {CONFIRMED} is the firm of a flag confirmed by a.lopez on 2025-03-02; "
        f"importer {BUYER} is the firm of a flag confirmed by a.lopez on 2025-03-02."
    )
    assert reasons[4] is None and reasons[5] is None
