"""The decisions known before a day, and the learned model trained on them.

A label is the latest word on a shipment: an analyst's decision on any of its flags
(confirmed and escalated 1, dismissed 0; a reopening makes it undecided again), or an
imported inspection outcome. "Recorded before D" is exact: a decision counts for day D when
``decided_at`` is before D's first instant (a nightly run scoring D after midnight does not
see that day's own decisions), an imported outcome when its ``counts_from`` date is before
D. With ``retrain_every`` "week" or "month" the cut is the day's week (Monday) or month.

``train`` applies the documented checks in order: enough decisions of both outcomes, the
weight the evidence earns, which input groups the model reads (``choose_groups``), a
learner that ranks the latest held-out decisions worse than no learning (average
precision, to three decimals) is not used. A model is stored keyed
by the fingerprint of what it learned from, so a run whose decisions did not change reuses
it, and a backfill fits once per distinct set of decisions.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import time
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from transship.learning.features import BASE_SCORE, code_digest, findings
from transship.learning.model import LearnedRanker, average_precision
from transship.run.fusion import with_learning
from transship.storage.sql import load, sql_frame

if TYPE_CHECKING:
    import duckdb

    from transship.detectors.config import Learning

EVENT_SCHEMA = {
    "shipment_id": pl.String,
    "positive": pl.Int32,
    "effective": pl.Datetime("us"),
    "seq": pl.Int64,
    "source": pl.String,
}
"""Label events: the outcome (null for a reopening), when it counts from, its order."""


def load_events(con: duckdb.DuckDBPyConnection, before: date) -> pl.DataFrame:
    """Every decision on a shipment flag and every imported outcome that counts before
    ``before``, oldest first."""
    frame = sql_frame(con, load("learning/label_events"), {"before": _instant(before)})
    return frame.cast(EVENT_SCHEMA)  # type: ignore[arg-type]


def _instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def cutoff(day: date, every: str) -> date:
    """The first day whose decisions the model for ``day`` may not see."""
    if every == "week":
        return day - timedelta(days=day.weekday())
    if every == "month":
        return day.replace(day=1)
    return day


def decided(events: pl.DataFrame, before: date) -> pl.DataFrame:
    """The label of every shipment decided before ``before``: its latest event (reopened:
    undecided), with when it counts from."""
    latest = (
        events.filter(pl.col("effective") < _instant(before))
        .sort("effective", "seq")
        .group_by("shipment_id", maintain_order=True)
        .last()
    )
    return latest.filter(pl.col("positive").is_not_null()).sort("effective", "seq", "shipment_id")


def support(
    row_findings: pl.Series,
    up: np.ndarray,
    decided_findings: pl.Series,
    decided_positive: np.ndarray,
    min_each: int,
) -> np.ndarray:
    """How far the decisions support moving each row the way the learner would: the share
    of ``min_each`` decided shipments with the same findings (the same rules scored them)
    that analysts confirmed (moving up) or dismissed (moving down), at most 1.

    So a pattern of evidence no analyst has decided on is not overruled by what was learned
    elsewhere: a new scheme the rules catch is not ranked down because analysts dismissed
    other goods, nor a look-alike ranked up because they confirmed other findings.
    """
    counts = (
        pl.DataFrame({"findings": decided_findings, "positive": decided_positive})
        .group_by("findings", "positive")
        .len()
    )
    rows = pl.DataFrame(
        {"findings": row_findings, "positive": np.where(up, 1, 0).astype(decided_positive.dtype)}
    )
    matched = rows.join(counts, on=["findings", "positive"], how="left", maintain_order="left")[
        "len"
    ].fill_null(0)
    return np.minimum(1.0, matched.to_numpy() / min_each)


def evidence_weight(positives: int, negatives: int, settings: Learning) -> float:
    """The learned part's weight, from the count of the rarer outcome: none below
    ``min_each``, then rising on a log scale to ``max_weight`` at ``full_evidence``:
    max_weight x ln(1 + rarer / min_each) / ln(1 + full_evidence / min_each), so each
    doubling of the evidence adds about the same weight."""
    rarer = min(positives, negatives)
    if rarer < settings.min_each:
        return 0.0
    share = math.log1p(rarer / settings.min_each) / math.log1p(
        settings.full_evidence / settings.min_each
    )
    return round(settings.max_weight * min(1.0, share), 4)


@dataclass(frozen=True)
class Trained:
    """The learner for one set of decisions: a model, or why there is none to use."""

    cutoff: date
    decisions: int
    positives: int
    negatives: int
    weight: float
    used: bool
    note: str
    ranker: LearnedRanker | None = None
    fingerprint: str | None = None
    model_id: int | None = None
    holdout_size: int | None = None
    holdout_ap_learned: float | None = None
    holdout_ap_base: float | None = None
    seconds: float = 0.0

    @property
    def active(self) -> bool:
        return self.used and self.weight > 0 and self.ranker is not None

    @property
    def left_out(self) -> tuple[str, ...]:
        """The input groups the model does not read (the held-out check's choice)."""
        return self.ranker.without if self.ranker is not None else ()


def _counted(positives: int, negatives: int) -> str:
    return f"{positives:,} confirmed, {negatives:,} dismissed"


def fingerprint(
    labels: pl.DataFrame, settings: Learning, inputs_version: str, import_country: str
) -> str:
    """What a model learned from: the importing country whose decisions they are, every
    label and when it counts, the settings that shape the model, the code and the inputs'
    version."""
    shaping = settings.model_dump(exclude={"review_budget", "explore_share", "retrain_every"})
    digest = hashlib.sha256(json.dumps(shaping, sort_keys=True).encode())
    digest.update(import_country.encode())
    digest.update(_training_digest().encode())
    digest.update(inputs_version.encode())
    digest.update(
        labels.select("shipment_id", "positive", pl.col("effective").cast(pl.String))
        .sort("shipment_id")
        .write_csv()
        .encode()
    )
    return digest.hexdigest()


@cache
def _training_digest() -> str:
    digest = hashlib.sha256(code_digest().encode())
    for module in ("model.py", "training.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()


def _ranker(settings: Learning, without: tuple[str, ...] = ()) -> LearnedRanker:
    return LearnedRanker(
        trees=settings.trees,
        learning_rate=settings.learning_rate,
        leaves=settings.leaves,
        min_leaf=settings.min_leaf,
        without=without,
    )


def train(labels: pl.DataFrame, inputs: pl.DataFrame, settings: Learning, before: date) -> Trained:
    """The learner for the decisions ``labels`` (``decided``'s frame) whose shipments'
    inputs are ``inputs``; ``before`` is the cutoff, for the words."""
    started = time.process_time()
    rows = labels.join(inputs, on="shipment_id", how="inner").sort("effective", "seq")
    missing = labels.height - rows.height
    y = rows["positive"].to_numpy()
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    counted = Trained(before, len(y), positives, negatives, 0.0, False, "")
    unread = f"; {missing:,} decided shipments had no inputs and were left out" if missing else ""
    if len(y) < settings.min_decisions or min(positives, negatives) < settings.min_each:
        return replace(
            counted,
            note=f"learner off: {len(y):,} decisions before {before} "
            f"({_counted(positives, negatives)}); it needs {settings.min_decisions:,}, with "
            f"{settings.min_each:,} of each outcome{unread}",
        )
    weight = evidence_weight(positives, negatives, settings)
    check, choice = _holdout_check(rows, y, weight, settings)
    ranker = _ranker(settings, choice.dropped).fit(rows.drop(_LABEL_COLUMNS), y)
    seconds = time.process_time() - started
    used = (
        check.ap_learned is None
        or check.ap_base is None
        or round(check.ap_learned, AP_DECIMALS) >= round(check.ap_base, AP_DECIMALS)
    )
    learned_from = (
        f"learned from {len(y):,} decisions before {before} ({_counted(positives, negatives)})"
    )
    chose = f"; {choice.words}" if choice.words else ""
    if used:
        note = f"{learned_from}, weight {weight:.2f}; {check.words}{chose}{unread}"
    else:
        note = f"learner not used: {check.words}; it {learned_from}{chose}{unread}"
    return replace(
        counted,
        weight=weight,
        used=used,
        note=note,
        ranker=ranker,
        holdout_size=check.size,
        holdout_ap_learned=check.ap_learned,
        holdout_ap_base=check.ap_base,
        seconds=seconds,
    )


_LABEL_COLUMNS = ["shipment_id", "positive", "effective", "seq", "source"]
AP_DECIMALS = 3
"""Average precisions are compared to three decimals: a learner is worse than no learning
when it loses at least 0.001, not a rounding error's worth."""


@dataclass(frozen=True)
class HoldoutCheck:
    size: int | None
    ap_learned: float | None
    ap_base: float | None
    words: str


def _holdout_check(
    rows: pl.DataFrame, y: np.ndarray, weight: float, settings: Learning
) -> tuple[HoldoutCheck, GroupChoice]:
    """Train on all but the latest decisions and rank those: which input groups to read
    (``choose_groups``), then the fused score of the chosen model against the score without
    learning, by average precision."""
    size = round(settings.holdout_share * len(y))
    held, kept = y[len(y) - size :], y[: len(y) - size]
    if size < settings.min_holdout or len(np.unique(held)) < 2:
        return HoldoutCheck(
            None,
            None,
            None,
            f"not checked against held-out decisions (the latest {size:,} hold "
            + ("too few" if size < settings.min_holdout else "one outcome only")
            + ")",
        ), EVERY_GROUP
    if min(int(kept.sum()), int(len(kept) - kept.sum())) < settings.min_each:
        return HoldoutCheck(
            None, None, None, "not checked: without the latest decisions too few remain"
        ), EVERY_GROUP
    inputs = rows.drop(_LABEL_COLUMNS)
    head, tail = inputs.head(len(kept)), inputs.tail(size)
    early, choice = choose_groups(head, kept, tail, held, settings)
    learned = early.score(tail)
    base = tail[BASE_SCORE].fill_null(0.0).to_numpy()
    backed = support(
        findings(tail),
        100 * learned > base,
        findings(head),
        kept,
        settings.min_each,
    )
    fused = with_learning(base, learned, weight * backed)
    # Imported here: a run that trains no model need not import scikit-learn.
    from sklearn.metrics import average_precision_score

    ap_base = float(average_precision_score(held, base))
    ap_learned = float(average_precision_score(held, fused))
    return HoldoutCheck(
        size,
        ap_learned,
        ap_base,
        f"on the latest {size:,} decisions held out, average precision {ap_learned:.2f} with "
        f"learning against {ap_base:.2f} without",
    ), choice


@dataclass(frozen=True)
class GroupChoice:
    """Which input groups the model reads, and why."""

    dropped: tuple[str, ...]
    """Groups left out: on the held-out decisions they added nothing, and the model without
    them ranked those decisions better by more than the sampling noise."""
    words: str
    contributions: dict[str, tuple[float, float]] | None = None
    """Each group's held-out contribution (average precision lost when it is shuffled) and
    its sampling noise."""


EVERY_GROUP = GroupChoice((), "")

BOOTSTRAP_DRAWS = 200
NOISE_SDS = 2.0
"""Beyond the noise: more than twice the standard deviation over bootstrap draws of the
held-out decisions (one-sided, about 2.5% of chance differences pass). A group helps when
its contribution is beyond the noise; a model without some groups is chosen only when it
ranks the held-out decisions better by more than the noise of that difference."""


def choose_groups(
    head: pl.DataFrame,
    kept: np.ndarray,
    tail: pl.DataFrame,
    held: np.ndarray,
    settings: Learning,
) -> tuple[LearnedRanker, GroupChoice]:
    """The input groups to read, chosen on the held-out decisions, and the model trained
    without the latest decisions on them.

    Candidates, each trained on ``head`` (all but the latest decisions) and judged on
    ``tail`` (the latest) by the average precision of the learned probability: every group;
    every group but those whose held-out contribution (``LearnedRanker.contributions``) is
    not positive; every group but those whose contribution is not beyond its noise (the
    two are one candidate when they leave out the same groups). Every group stays unless a
    candidate without some ranks better by more than the noise of the difference; of two
    that do, the better. A source's inputs may carry nothing about its outcomes or drift
    with time (a corridor's recent volume in files whose dates mean nothing): the latest
    decisions are the closest to the days the model will score, so they decide.
    """
    draws = np.random.default_rng(0).multinomial(
        len(held), np.full(len(held), 1 / len(held)), size=BOOTSTRAP_DRAWS
    )
    every = _ranker(settings).fit(head, kept)
    contributions = every.contributions(tail, held, draws)
    candidates = {
        tuple(sorted(g for g, (part, noise) in contributions.items() if part <= bound * noise))
        for bound in (0.0, NOISE_SDS)
    }
    scored = every.score(tail)
    ap_every = float(average_precision(held, scored)[0])
    drawn_every = average_precision(held, scored, draws)
    best: tuple[float, tuple[str, ...], LearnedRanker, str] | None = None
    tried = []
    for idle in sorted(candidates, key=len):
        if not idle or len(idle) == len(contributions):
            continue
        reduced = _ranker(settings, idle).fit(head, kept)
        scores = reduced.score(tail)
        ap = float(average_precision(held, scores)[0])
        noise = float(np.nanstd(average_precision(held, scores, draws) - drawn_every))
        figures = f"{ap:.3f} without {_listed(idle)}, sampling noise {noise:.3f}"
        tried.append(figures)
        if ap - ap_every > NOISE_SDS * noise and (best is None or ap > best[0]):
            best = (ap, idle, reduced, figures)
    if not tried:
        return every, replace(EVERY_GROUP, contributions=contributions)
    if best is None:
        words = f"every input kept (held out, average precision {ap_every:.3f} with every "
        return every, GroupChoice((), words + f"input against {'; '.join(tried)})", contributions)
    _, idle, reduced, figures = best
    return reduced, GroupChoice(
        idle,
        f"inputs left out as adding nothing: {_listed(idle)} (held out, average precision "
        f"{figures}, against {ap_every:.3f} with every input)",
        contributions,
    )


def _listed(groups: tuple[str, ...]) -> str:
    return groups[0] if len(groups) == 1 else ", ".join(groups[:-1]) + " and " + groups[-1]


def stored_model(con: duckdb.DuckDBPyConnection, key: str) -> Trained | None:
    """A stored model with this fingerprint, or None (also when it cannot be read)."""
    rows = sql_frame(con, load("learning/stored_model"), {"fingerprint": key})
    if rows.is_empty():
        return None
    row = rows.row(0, named=True)
    try:
        ranker = pickle.loads(row.pop("model"))
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return Trained(ranker=ranker, **row)


def save_model(con: duckdb.DuckDBPyConnection, trained: Trained, import_country: str) -> Trained:
    """Keep a trained model (one that learned: the others have no model) of an importing
    country's decisions and return it with its id."""
    assert trained.ranker is not None and trained.fingerprint is not None
    model_id = con.execute(
        load("learning/save_model"),
        {
            "fingerprint": trained.fingerprint,
            "import_country": import_country,
            "cutoff": trained.cutoff,
            "decisions": trained.decisions,
            "positives": trained.positives,
            "negatives": trained.negatives,
            "weight": trained.weight,
            "used": trained.used,
            "note": trained.note,
            "holdout_size": trained.holdout_size,
            "holdout_ap_learned": trained.holdout_ap_learned,
            "holdout_ap_base": trained.holdout_ap_base,
            "seconds": trained.seconds,
            "model": pickle.dumps(trained.ranker),
        },
    ).fetchall()[0][0]
    return replace(trained, model_id=int(model_id))
