"""A firm that comes back: controlled goods shipped by, or to, a trader that is, or is
likely to be, a firm whose shipment analysts confirmed as evasion before this shipment
arrived (``transship.features.returning``: the confirmed spelling, its entity, or a
spelling the model links to that entity). Evasion uses new spellings: a firm caught once
ships again under a variant of its name."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from transship.detectors.base import Detector, Share, clip01, trader


def _strength(role: str, close_score: float) -> pl.Expr:
    """1 for the confirmed spelling or its entity, ``close_score`` times the match
    probability for a spelling the model links to it, 0 for no match."""
    kind = pl.col(f"{role}_confirmed_match")
    return (
        pl.when(kind.is_in(["spelling", "entity"]))
        .then(1.0)
        .when(kind == "close")
        .then(close_score * pl.col(f"{role}_match_probability").fill_null(0.0))
        .otherwise(0.0)
    )


def _probability(value: float) -> str:
    """Two decimals, but never '1.00' for a probability below 1."""
    for decimals in (2, 3):
        text = f"{value:.{decimals}f}"
        if value >= 1 or float(text) < 1:
            return text
    return "above 0.999"


class ReturningFirm(Detector):
    name = "returning_firm"
    kind = "rule"
    requires = (
        *(
            f"{role}_{column}"
            for role in ("exporter", "importer")
            for column in (
                "confirmed_as",
                "confirmed_by",
                "confirmed_on",
                "confirmed_match",
                "match_probability",
                "confirmed_flags",
            )
        ),
        "controlled",
        "exporter_name",
        "importer_name",
    )

    def __init__(self, close_score: Share = 0.7, importer_share: Share = 0.5) -> None:
        self.close_score = close_score
        self.importer_share = importer_share

    def _roles(self) -> tuple[pl.Expr, pl.Expr]:
        return (
            _strength("exporter", self.close_score),
            self.importer_share * _strength("importer", self.close_score),
        )

    def score(self, frame: pl.DataFrame) -> np.ndarray:
        self._check_fitted(frame)
        exporter, importer = self._roles()
        score = frame.select(
            pl.when(pl.col("controlled")).then(pl.max_horizontal(exporter, importer)).otherwise(0.0)
        ).to_series()
        return clip01(score)

    def reasons(self, frame: pl.DataFrame, scores: np.ndarray) -> list[str | None]:
        exporter, importer = self._roles()
        strengths = frame.select(exporter.alias("exporter"), importer.alias("importer"))

        def render(r: dict[str, Any], role: str) -> str:
            confirmed = f"confirmed by {r[f'{role}_confirmed_by']} on {r[f'{role}_confirmed_on']}"
            more = r[f"{role}_confirmed_flags"] - 1
            if more > 0:
                confirmed += f" (and {more} more confirmed flag{'s' if more > 1 else ''})"
            spelling = r[role]
            match = r[f"{role}_confirmed_match"]
            probability = r[f"{role}_match_probability"]
            if match == "spelling":
                return f"{role} {trader(r, role)} is the firm of a flag {confirmed}"
            if probability is None:
                return (
                    f"{role} {spelling} is the same firm as {r[f'{role}_confirmed_as']} by "
                    f"an analyst's correction, {confirmed}"
                )
            kept_apart = "; not resolved into one entity" if match == "close" else ""
            return (
                f"{role} {spelling} is likely the same firm as {r[f'{role}_confirmed_as']}, "
                f"{confirmed}; match probability {_probability(probability)}{kept_apart}"
            )

        out: list[str | None] = []
        for r, (ex, im), score in zip(
            frame.iter_rows(named=True), strengths.iter_rows(), scores, strict=True
        ):
            if score <= 0:
                out.append(None)
                continue
            parts = [render(r, role) for role, s in (("exporter", ex), ("importer", im)) if s > 0]
            text = "; ".join(parts)
            out.append(text[0].upper() + text[1:] + ".")
        return out
