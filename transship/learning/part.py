"""The learned part of a run: for each day, the model trained on the decisions known before
it, its score and weight for that day's shipments, its reasons, and the day's picks for
learning.

A run builds one ``LearnedPart`` from every label event that counts before its last day
ends (``training.load_events``), the learner's inputs of every decided shipment, and the
attributes of the shipments it reads; ``score_month`` asks it for each month's rows. The
replay (``transship.learning.replay``) builds one per period from the labels it has
revealed, with models kept in memory instead of the store: the two score alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

import numpy as np

from transship.learning.explore import NOVEL, UNCERTAIN, choose, novelty, unusualness
from transship.learning.features import findings, learner_inputs, with_attributes
from transship.learning.training import Trained, cutoff, decided, fingerprint, support, train

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    import polars as pl

    from transship.detectors.config import Learning


class ModelStore(Protocol):
    """Where trained models are kept between runs, by fingerprint."""

    def get(self, key: str) -> Trained | None: ...

    def put(self, trained: Trained) -> Trained: ...


@dataclass
class MemoryModels:
    """Models kept for one process (the replay): nothing is written."""

    models: dict[str, Trained] = field(default_factory=dict)

    def get(self, key: str) -> Trained | None:
        return self.models.get(key)

    def put(self, trained: Trained) -> Trained:
        assert trained.fingerprint is not None
        self.models[trained.fingerprint] = trained
        return trained


@dataclass(frozen=True)
class Learned:
    """The learned part of a frame's rows."""

    score: np.ndarray
    """The learned probability that analysts confirm the row; NaN where no model is used."""
    weight: np.ndarray
    """Its weight in the fused score; 0 where no model is used."""
    model_id: list[int | None]
    inputs: pl.DataFrame
    """The rows' learner inputs (attributes included)."""
    days: list[date]


class LearnedPart:
    def __init__(
        self,
        events: pl.DataFrame,
        inputs: pl.DataFrame,
        keys: pl.DataFrame,
        attributes: pl.DataFrame,
        settings: Learning,
        inputs_version: str,
        models: ModelStore,
        import_country: str,
    ) -> None:
        """The learned part of one importing country. ``events``: label events on its
        shipments (``training.EVENT_SCHEMA``); ``inputs``: the learner's inputs of decided
        shipments (attributes not included); ``keys``: their exporter, importer, hs6 and
        origin (for novelty); ``attributes``: the stored attributes of every shipment the
        part may read."""
        self.inputs = with_attributes(inputs, attributes) if inputs.height else inputs
        self.keys = keys
        self.attributes = attributes
        self.settings = settings
        self.inputs_version = inputs_version
        self.models = models
        self.import_country = import_country
        self.know(events)

    def know(self, events: pl.DataFrame) -> None:
        """Learn from these label events from now on (the replay reveals more each period);
        models already trained stay in ``models``."""
        self.events = events
        self._effective = events["effective"].sort().to_numpy()
        self._by_count: dict[int, tuple[pl.DataFrame, Trained]] = {}
        self._used: dict[int, date] = {}

    def cutoff(self, day: date) -> date:
        return cutoff(day, self.settings.retrain_every)

    def _state(self, day: date) -> tuple[pl.DataFrame, Trained]:
        """The decisions known before the day's cutoff and the learner trained on them;
        days that know the same events share both."""
        cut = self.cutoff(day)
        known = int(np.searchsorted(self._effective, np.datetime64(cut, "us"), side="left"))
        if known not in self._by_count:
            labels = decided(self.events, cut)
            self._by_count[known] = (labels, self._train(labels, cut))
            self._used[known] = cut
        return self._by_count[known]

    def model_for(self, day: date) -> Trained:
        """The learner for a day: trained on the decisions known before the day's cutoff,
        reused when a stored model learned from exactly those."""
        return self._state(day)[1]

    def decided_before(self, day: date) -> pl.DataFrame:
        return self._state(day)[0]

    def _train(self, labels: pl.DataFrame, cut: date) -> Trained:
        if labels.is_empty():
            return Trained(cut, 0, 0, 0, 0.0, False, f"learner off: no decisions before {cut}")
        key = fingerprint(labels, self.settings, self.inputs_version, self.import_country)
        stored = self.models.get(key)
        if stored is not None:
            return stored
        trained = train(labels, self.inputs, self.settings, cut)
        if trained.ranker is None:
            return trained
        return self.models.put(replace(trained, fingerprint=key))

    def has_decisions(self, day: date) -> bool:
        return not self.decided_before(day).is_empty()

    def trained(self) -> list[tuple[date, Trained]]:
        """Every learner this part used, with the first cutoff it served."""
        return [(self._used[n], self._by_count[n][1]) for n in sorted(self._by_count)]

    def needs_every_row(
        self, target: pl.DataFrame, quotas: Mapping[date, tuple[int, int]] | None
    ) -> np.ndarray:
        """Rows whose day uses a learned model or chooses rows for learning: the models must
        score them all."""
        days = target["arrival_date"]
        wanted = {
            day
            for day in days.unique().to_list()
            if self.model_for(day).active
            or (sum((quotas or {}).get(day, (0, 0))) > 0 and self.has_decisions(day))
        }
        return days.is_in(list(wanted)).to_numpy()

    def apply(
        self, target: pl.DataFrame, scores: Mapping[str, np.ndarray], base: np.ndarray
    ) -> Learned:
        """The learned part of ``target``'s rows (feature rows), given each detector's own
        scores of them and their fused score without learning."""
        inputs = with_attributes(learner_inputs(target, scores, base), self.attributes)
        days = target["arrival_date"].to_list()
        learned = np.full(target.height, np.nan)
        weight = np.zeros(target.height)
        model_id: list[int | None] = [None] * target.height
        by_model: dict[int, tuple[Trained, list[int]]] = {}
        for i, day in enumerate(days):
            trained = self.model_for(day)
            if trained.active:
                by_model.setdefault(id(trained), (trained, []))[1].append(i)
        row_findings = findings(inputs)
        for trained, rows in by_model.values():
            assert trained.ranker is not None
            index = np.array(rows)
            learned[index] = trained.ranker.score(inputs[index])
            known, positive = self._decided_findings(days[rows[0]])
            weight[index] = trained.weight * support(
                row_findings[index],
                100 * learned[index] > base[index],
                known,
                positive,
                self.settings.min_each,
            )
            for i in rows:
                model_id[i] = trained.model_id
        return Learned(learned, weight, model_id, inputs, days)

    def _decided_findings(self, day: date) -> tuple[pl.Series, np.ndarray]:
        """The findings and outcomes of the shipments decided before the day's cutoff."""
        labels = self.decided_before(day)
        rows = labels.select("shipment_id", "positive").join(
            self.inputs, on="shipment_id", how="inner", maintain_order="left"
        )
        return findings(rows), rows["positive"].to_numpy()

    def reasons(
        self, learned: Learned, rows: np.ndarray, base: np.ndarray, fused: np.ndarray
    ) -> list[str | None]:
        """The learned part's sentence for each of ``rows`` (positions) where it is in use."""
        sentences: list[str | None] = [None] * len(rows)
        by_model: dict[int, tuple[Trained, list[int]]] = {}
        for k, i in enumerate(rows):
            if learned.weight[i] > 0:
                trained = self.model_for(learned.days[i])
                by_model.setdefault(id(trained), (trained, []))[1].append(k)
        for trained, ks in by_model.values():
            assert trained.ranker is not None
            index = rows[np.array(ks)]
            for k, text in zip(
                ks,
                trained.ranker.reasons(
                    learned.inputs[index], learned.score[index], base[index], fused[index]
                ),
                strict=True,
            ):
                sentences[k] = text
        return sentences

    def explore(
        self,
        target: pl.DataFrame,
        scores: Mapping[str, np.ndarray],
        learned: Learned | None,
        flags: np.ndarray,
        quotas: Mapping[date, tuple[int, int]],
    ) -> dict[int, str]:
        """Each day's quota of rows chosen for learning among those that are not flags:
        position -> 'uncertain' or 'novel'."""
        unusual = unusualness(scores, target.height)
        probability = learned.score if learned is not None else np.full(target.height, np.nan)
        ids = target["shipment_id"].to_list()
        days = target["arrival_date"]
        picks: dict[int, str] = {}
        for day, quota in quotas.items():
            if not sum(quota) or not self.has_decisions(day):
                continue
            candidates = np.flatnonzero((days == day).to_numpy() & ~flags)
            if candidates.size == 0:
                continue
            novel = np.zeros(target.height)
            novel[candidates] = self.novelty(target[candidates], day)
            for i, why in choose(candidates, quota, ids, probability, novel, unusual):
                picks[i] = why
        return picks

    def novelty(self, rows: pl.DataFrame, day: date) -> np.ndarray:
        """How unlike the decisions known on ``day`` each row is (``explore.novelty``)."""
        known = self.decided_before(day).select("shipment_id")
        return novelty(rows, self.keys.join(known, on="shipment_id", how="semi"))

    def pick_reason(self, why: str, learned: Learned | None, row: int) -> str:
        if why == UNCERTAIN:
            assert learned is not None
            return (
                "Chosen for learning: the learned model is least sure about it (it puts the "
                f"chance analysts confirm it at {learned.score[row]:.0%}); your decision "
                "teaches it most."
            )
        assert why == NOVEL
        return (
            "Chosen for learning: it is unlike anything decided so far (its exporter, "
            "importer, code or corridor has no decision yet); your decision teaches the "
            "learner about shipments like it."
        )
