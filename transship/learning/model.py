"""The learned ranker: gradient-boosted trees on the decisions, with its reasons in words.

scikit-learn's ``HistGradientBoostingClassifier``, on one thread (a shared machine makes
OpenMP's extra threads slower, not faster). Measured against LightGBM on the Korean
declarations and the synthetic world (README, Learning from decisions): the two rank as
well as each other, and this one needs no new dependency.

Following the detectors' contract: ``__init__`` stores parameters, ``fit`` sets attributes
ending in ``_``, ``score`` gives each row a value in [0, 1] (the learned probability that
analysts confirm it) that depends on that row alone, ``reasons`` says in words what moved
it. Categories keep their 254 most frequent values (the model's limit is 255), the rest
share one code; an input constant or missing over the training rows is dropped (it carries
nothing, and scikit-learn 1.9 fails on a column missing in every row), and so is every input
of a group in ``without`` (the groups the held-out check found to add nothing, see
``training``): the model never reads them, so its reasons never name them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, Self

import numpy as np
import polars as pl
from threadpoolctl import ThreadpoolController

from transship.learning.features import group_of

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from sklearn.ensemble import HistGradientBoostingClassifier

MAX_CATEGORIES = 254
SIMILARITY_BINS = 10
"""A numeric input's value is alike another's when both fall in the same tenth of the
training values."""
MOVED = 0.05
"""An input group whose part in the learned log-odds is under this played none (the parts
are compared in log-odds, where a confident model's differences do not vanish)."""


@cache
def _controller() -> Any:
    # Finding the loaded thread pools reads the process's memory map: once is enough.
    return ThreadpoolController()


def one_thread() -> AbstractContextManager[Any]:
    """Fit and predict on one thread."""
    limited: AbstractContextManager[Any] = _controller().limit(limits=1)
    return limited


def average_precision(
    positive: np.ndarray, scores: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Average precision of one ranking (``scores``) against the outcomes ``positive``, as
    scikit-learn defines it (tied scores are one threshold), once per row of ``weights``
    (each counting the shipments: a bootstrap draw; one row of ones when None); NaN where
    the counted shipments hold no positive. One sort serves every draw."""
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    counted = (
        np.ones((1, len(scores))) if weights is None else np.atleast_2d(weights)[:, order]
    ).astype(np.float64)
    # A threshold ends where the next score differs.
    ends = np.append(ranked[1:] != ranked[:-1], True)
    true_positives = np.cumsum(counted * np.asarray(positive)[order], axis=1)[:, ends]
    shipments = np.cumsum(counted, axis=1)[:, ends]
    total = true_positives[:, -1]
    precision = true_positives / np.maximum(shipments, 1e-12)
    steps = np.diff(true_positives, axis=1, prepend=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.sum(steps * precision, axis=1) / total, np.nan)


def _log_odds(probability: np.ndarray) -> np.ndarray:
    clipped = np.clip(probability, 1e-9, 1 - 1e-9)
    return np.asarray(np.log(clipped / (1 - clipped)))


class LearnedRanker:
    def __init__(
        self,
        trees: int = 300,
        learning_rate: float = 0.05,
        leaves: int = 31,
        min_leaf: int = 20,
        random_state: int = 0,
        without: tuple[str, ...] = (),
    ) -> None:
        self.trees = trees
        self.learning_rate = learning_rate
        self.leaves = leaves
        self.min_leaf = min_leaf
        self.random_state = random_state
        self.without = without

    def fit(self, inputs: pl.DataFrame, positive: np.ndarray) -> Self:
        """Learn from the inputs of decided shipments (``shipment_id`` and inputs) and their
        outcomes (1 confirmed, 0 dismissed)."""
        columns = [
            name
            for name, dtype in inputs.schema.items()
            if name != "shipment_id"
            and (dtype.is_numeric() or dtype == pl.String)
            and group_of(name) not in self.without
            and inputs[name].drop_nulls().n_unique() > 1
        ]
        self.categorical_ = [c for c in columns if inputs.schema[c] == pl.String]
        self.numeric_ = [c for c in columns if c not in self.categorical_]
        self.codes_ = {
            name: {
                value: code
                for code, value in enumerate(
                    inputs[name]
                    .drop_nulls()
                    .value_counts(sort=True, name="_n")
                    .sort(["_n", name], descending=[True, False])[name]
                    .head(MAX_CATEGORIES)
                    .to_list()
                )
            }
            for name in self.categorical_
        }
        matrix = self._matrix(inputs)
        self.classes_ = np.unique(positive)
        self.model_: HistGradientBoostingClassifier | None = None
        if len(self.classes_) == 2 and matrix.shape[1]:
            # Imported here: a run that trains no model need not import scikit-learn.
            from sklearn.ensemble import HistGradientBoostingClassifier

            self.model_ = HistGradientBoostingClassifier(
                max_iter=self.trees,
                learning_rate=self.learning_rate,
                max_leaf_nodes=self.leaves,
                min_samples_leaf=self.min_leaf,
                categorical_features=self._categorical_mask() or None,
                early_stopping=False,
                random_state=self.random_state,
            )
            with one_thread():
                self.model_.fit(matrix, positive)
        self.prior_ = float(np.mean(positive)) if len(positive) else 0.0
        self.neutral_ = np.array(
            [
                float(np.nanmedian(matrix[:, j])) if np.isfinite(matrix[:, j]).any() else 0.0
                for j in range(len(self.numeric_))
            ]
            # A category made typical is unknown: the most frequent one may be the very
            # pattern the model learned.
            + [np.nan] * len(self.categorical_)
        )
        self.groups_ = sorted({group_of(c) for c in (*self.numeric_, *self.categorical_)})
        self.bins_ = self._bin_edges(matrix)
        self.train_keys_ = self._keys(matrix)
        self.train_positive_ = np.asarray(positive, dtype=np.int8)
        return self

    @property
    def columns(self) -> list[str]:
        return [*self.numeric_, *self.categorical_]

    def _categorical_mask(self) -> list[bool]:
        return [False] * len(self.numeric_) + [True] * len(self.categorical_)

    def _matrix(self, inputs: pl.DataFrame) -> np.ndarray:
        """Numbers as they are, categories as codes (a value outside the kept ones: the
        shared code), missing values NaN; every column of the fit (an input the frame lacks
        is missing)."""
        other = float(MAX_CATEGORIES)
        columns = [
            (pl.col(name).cast(pl.Float64) if name in inputs.columns else pl.lit(None, pl.Float64))
            .fill_nan(None)
            .alias(name)
            for name in self.numeric_
        ] + [
            pl.when(pl.col(name).is_not_null())
            .then(
                pl.col(name)
                .cast(pl.String)
                .replace_strict(self.codes_[name], default=other, return_dtype=pl.Float64)
            )
            .alias(name)
            if name in inputs.columns
            else pl.lit(None, pl.Float64).alias(name)
            for name in self.categorical_
        ]
        if not columns:
            return np.empty((inputs.height, 0))
        return inputs.select(columns).to_numpy().astype(np.float64)

    def score(self, inputs: pl.DataFrame) -> np.ndarray:
        """The learned probability that analysts confirm each row, from 0 to 1."""
        return self._probability(self._matrix(inputs))

    def contributions(
        self, inputs: pl.DataFrame, positive: np.ndarray, draws: np.ndarray
    ) -> dict[str, tuple[float, float]]:
        """Each input group's part in ranking ``inputs`` (decided shipments the model did
        not learn from) by their outcomes: the average precision lost when the group's
        inputs are made typical (their training median, or an unknown category: as the
        reasons read a group's part), with its sampling noise, the standard deviation of
        the loss over ``draws`` (bootstrap weights of the rows). Making a group typical
        rather than shuffling it leaves no chance in the figure but the rows' own. A loss
        within its noise: the group adds nothing the model can be shown to use on them."""
        matrix = self._matrix(inputs)
        variants = [matrix]
        for group in self.groups_:
            in_group = np.array([group_of(c) == group for c in self.columns])
            variants.append(np.where(in_group, self.neutral_, matrix))
        # Every variant in one prediction.
        probability = self._probability(np.concatenate(variants)).reshape(len(variants), -1)
        whole = average_precision(positive, probability[0])[0]
        drawn = average_precision(positive, probability[0], draws)
        parts = {}
        for g, group in enumerate(self.groups_):
            lost = drawn - average_precision(positive, probability[g + 1], draws)
            parts[group] = (
                float(whole - average_precision(positive, probability[g + 1])[0]),
                float(np.nanstd(lost)),
            )
        return parts

    def _probability(self, matrix: np.ndarray) -> np.ndarray:
        if self.model_ is None:
            return np.full(matrix.shape[0], self.prior_)
        with one_thread():
            return np.asarray(self.model_.predict_proba(matrix)[:, 1])

    def _primary(self, group: str) -> int:
        """The column a group is compared by: its first numeric input, else its first
        category."""
        return next(j for j, c in enumerate(self.columns) if group_of(c) == group)

    def _bin_edges(self, matrix: np.ndarray) -> dict[str, np.ndarray]:
        edges = {}
        for group in self.groups_:
            j = self._primary(group)
            if j < len(self.numeric_):
                values = matrix[:, j][np.isfinite(matrix[:, j])]
                edges[group] = (
                    np.unique(np.quantile(values, np.linspace(0, 1, SIMILARITY_BINS + 1)[1:-1]))
                    if values.size
                    else np.array([])
                )
        return edges

    def _keys(self, matrix: np.ndarray) -> np.ndarray:
        """Per row and group: which bin (numbers) or code (categories) its value is; -1 when
        missing."""
        keys = np.full((matrix.shape[0], len(self.groups_)), -1, dtype=np.int32)
        for g, group in enumerate(self.groups_):
            column = matrix[:, self._primary(group)]
            known = np.isfinite(column)
            if group in self.bins_:
                keys[known, g] = np.searchsorted(self.bins_[group], column[known], side="right")
            else:
                keys[known, g] = column[known].astype(np.int32)
        return keys

    def reasons(
        self, inputs: pl.DataFrame, learned: np.ndarray, base: np.ndarray, fused: np.ndarray
    ) -> list[str]:
        """For each row, what the learned part did in words: how many points it moved the
        score, which decided shipments it resembles and in what.

        ``learned`` is each row's learned probability, ``base`` and ``fused`` its score
        (0-100) without and with the learned part.
        """
        matrix = self._matrix(inputs)
        rows, groups = matrix.shape[0], len(self.groups_)
        # Each group's part in the log-odds, as the mean of two marginal contributions
        # (a two-point Shapley value): the row against the row with the group's inputs made
        # typical (their training median, or an unknown category), and a typical
        # shipment with only the group's inputs taken from the row against a typical one.
        # The first misses evidence another group repeats, the second evidence that only
        # counts together. Every variant in one prediction.
        typical = np.broadcast_to(self.neutral_, matrix.shape)
        variants = [typical]
        for group in self.groups_:
            in_group = np.array([group_of(c) == group for c in self.columns])
            variants.append(np.where(in_group, self.neutral_, matrix))
            variants.append(np.where(in_group, matrix, self.neutral_))
        odds = _log_odds(self._probability(np.concatenate(variants))).reshape(2 * groups + 1, rows)
        without, only = odds[1::2], odds[2::2]
        effects = (((_log_odds(learned) - without) + (only - odds[0])) / 2).T
        keys = self._keys(matrix)
        return [
            self._sentence(effects[i], keys[i], float(learned[i]), float(fused[i] - base[i]))
            for i in range(matrix.shape[0])
        ]

    def _sentence(self, effect: np.ndarray, keys: np.ndarray, learned: float, moved: float) -> str:
        chance = f"it puts the chance analysts confirm it at {learned:.0%}"
        if round(moved) == 0:
            return f"What analysts decided barely moved its score ({chance})."
        up = moved > 0
        points = round(abs(moved))
        plural = "s" if points != 1 else ""
        head = f"Ranked {'up' if up else 'down'} {points} point{plural} by what analysts decided"
        # A shipment with no finding at all moves up whenever its chance is above 0: say
        # whom it resembles only when that is why it moved.
        if up != (learned >= self.prior_):
            return f"{head} ({chance}, against {self.prior_:.0%} of the decided shipments)."
        signed = effect if up else -effect
        order = [g for g in np.argsort(-signed, kind="stable") if signed[g] >= MOVED][:2]
        if not order:
            return f"{head} ({chance})."
        names = " and ".join(self.groups_[g] for g in order)
        same_class = self.train_positive_ == (1 if up else 0)
        alike = same_class & np.all(self.train_keys_[:, order] == keys[order], axis=1)
        if not alike.any():
            alike = same_class & (self.train_keys_[:, order[0]] == keys[order[0]])
            names = self.groups_[order[0]] + (
                f" (and its {self.groups_[order[1]]})" if len(order) > 1 else ""
            )
        if not alike.any():
            return f"{head}, mostly for its {names} ({chance})."
        count = int(alike.sum())
        return (
            f"{head}: similar to {count:,} shipment{'s' if count > 1 else ''} you "
            f"{'confirmed' if up else 'dismissed'}, most alike in {names} ({chance})."
        )
