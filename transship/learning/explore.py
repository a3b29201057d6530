"""Exploration: a share of the review budget spent on shipments chosen to learn.

Reviewing only the top of the queue teaches the learner about the top of the queue. Kim et
al. (IEEE TKDE 2022) found that spending about a tenth of each week's inspections on
exploration beat pure exploitation. transship picks half of them where the learned model
is least sure (its probability nearest one half) and half among the shipments least like
anything decided (the most of exporter, importer, HS code, origin and corridor never seen
among decided shipments; ties go to the more unusual by the unsupervised models). Picks
are never flags already: they join the queue marked "chosen for learning".

A day's number of picks carries over within its month, so that a budget of one pick every
few days is spent rather than rounded away: day D of a month gets
floor(rate x arrivals of the month up to D) - floor(rate x arrivals up to the day before),
and the month's picks alternate between the two kinds, the first uncertain.
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from transship.detectors import DETECTORS

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

UNCERTAIN = "uncertain"
NOVEL = "novel"
WHY_CHOSEN = {
    UNCERTAIN: "The learned model is least sure about this shipment: your decision teaches "
    "it most.",
    NOVEL: "Nothing like this shipment (its exporter, importer, code or corridor) has been "
    "decided yet: your decision teaches the learner about shipments like it.",
}
"""Why a shipment was chosen for learning, as the queue, the flag page and the terminal say."""
NOVELTY_KEYS: tuple[tuple[str, ...], ...] = (
    ("exporter",),
    ("importer",),
    ("hs6",),
    ("origin_country",),
    ("origin_country", "hs6"),
)


def daily_quotas(
    arrivals: pl.Series, first: date, last: date, rate: float
) -> dict[date, tuple[int, int]]:
    """Picks per day from ``first`` to ``last`` (uncertain, novel), from the arrival dates
    of every stored shipment of those months (``arrivals``)."""
    if rate <= 0:
        return {}
    counts = (
        arrivals.to_frame("day")
        .filter(pl.col("day").is_between(first.replace(day=1), last))
        .group_by("day")
        .len()
        .sort("day")
        .with_columns(running=pl.col("len").cum_sum().over(pl.col("day").dt.truncate("1mo")))
    )
    quotas = {}
    for day, daily, running in counts.iter_rows():
        before = math.floor(rate * (running - daily))
        upto = math.floor(rate * running)
        if day >= first and upto > before:
            uncertain = math.ceil(upto / 2) - math.ceil(before / 2)
            quotas[day] = (uncertain, upto - before - uncertain)
    return quotas


def tiebreak(ids: list[str]) -> np.ndarray:
    """A fixed order among equals that does not depend on the rows' order."""
    return np.array([int(hashlib.md5(i.encode()).hexdigest()[:12], 16) for i in ids])


def unusualness(scores: Mapping[str, np.ndarray], rows: int) -> np.ndarray:
    """The unsupervised models' mean score of each row: ties among the novel go to the more
    unusual."""
    models = [name for name in scores if name in DETECTORS and DETECTORS[name].kind == "model"]
    if not models:
        return np.zeros(rows)
    return np.asarray(np.mean([scores[name] for name in models], axis=0))


def novelty(rows: pl.DataFrame, decided: pl.DataFrame) -> np.ndarray:
    """Per row: how many of its keys (``NOVELTY_KEYS``) no decided shipment has."""
    out = np.zeros(rows.height)
    for keys in NOVELTY_KEYS:
        seen = decided.select(keys).drop_nulls().unique().with_columns(_seen=pl.lit(True))
        matched = rows.select(keys).join(seen, on=list(keys), how="left", maintain_order="left")
        out += matched["_seen"].is_null().to_numpy()
    return out


def choose(
    candidates: np.ndarray,
    quota: tuple[int, int],
    ids: list[str],
    learned: np.ndarray,
    novel: np.ndarray,
    unusual: np.ndarray,
) -> list[tuple[int, str]]:
    """``quota`` (uncertain, novel) of the ``candidates`` (row positions), each with why:
    those whose learned probability is nearest 0.5, then the most novel (uncertain picks
    without a learned probability go to novel ones)."""
    order = tiebreak([ids[i] for i in candidates])
    sure = np.isfinite(learned[candidates])
    uncertain = min(quota[0], int(sure.sum()))
    count = min(sum(quota), len(candidates))
    picks: list[tuple[int, str]] = []
    if uncertain:
        pool = candidates[sure]
        ranked = np.lexsort((order[sure], np.abs(learned[pool] - 0.5)))
        picks += [(int(pool[i]), UNCERTAIN) for i in ranked[:uncertain]]
    taken = {i for i, _ in picks}
    rest = np.array([i for i in candidates if i not in taken], dtype=np.int64)
    if rest.size and count > len(picks):
        rest_order = tiebreak([ids[i] for i in rest])
        ranked = np.lexsort((rest_order, -unusual[rest], -novel[rest]))
        picks += [(int(rest[i]), NOVEL) for i in ranked[: count - len(picks)]]
    return picks
