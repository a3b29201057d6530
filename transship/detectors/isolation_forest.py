"""scikit-learn's isolation forest on the shipment feature matrix, scored in numpy.

scikit-learn is imported when a forest is fitted, not with the detector registry:
importing it (with SciPy) takes 1.5-3 s, which commands that never fit, such as ingest,
would pay. A fitted forest keeps only its trees' arrays (``PackedForest``), so a stored
fit is scored without importing scikit-learn either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from transship.detectors.base import Count
from transship.detectors.model import ModelDetector, Tail

COMPILED_ROWS = 5_000
"""From this many rows on, scikit-learn's compiled walk of one tree at a time is faster
than the packed walk of every tree (twice as fast on 200,000 rows), worth importing
scikit-learn for (as a run that scores every row of a day for learning has already)."""


def average_path_length(samples: np.ndarray) -> np.ndarray:
    """scikit-learn's ``_average_path_length`` (the same operations on the same types,
    so the same bits), without its input validation: an isolation tree's average path
    length for each count of ``samples`` (integers) a leaf holds."""
    lengths = np.zeros(samples.shape)
    few = samples <= 1
    two = samples == 2
    more = ~np.logical_or(few, two)
    lengths[two] = 1.0
    lengths[more] = (
        2.0 * (np.log(samples[more] - 1.0) + np.euler_gamma)
        - 2.0 * (samples[more] - 1.0) / samples[more]
    )
    return lengths


@dataclass(frozen=True)
class PackedForest:
    """A fitted isolation forest's trees as flat arrays, every tree's nodes one after
    another, walked a level at a time for all trees at once instead of one
    ``tree.apply`` call per tree (for the few hundred rows a month's models score,
    scikit-learn's Python overhead per tree was most of the time); from ``COMPILED_ROWS``
    rows on, each tree is rebuilt from its state and walked by scikit-learn. Scores equal
    ``-score_samples`` of the scikit-learn forest bit for bit: the rows are compared as
    float32 against the same thresholds, and each row's path lengths are added tree after
    tree in the same order."""

    feature: np.ndarray
    """Per node, the matrix column it splits on (any column at a leaf)."""
    threshold: np.ndarray
    children: np.ndarray
    """Per node, its (left, right) child's position; a leaf's are itself."""
    missing_left: np.ndarray
    """Per node, whether a missing value goes left."""
    path_length: np.ndarray
    """Per node, reached as a leaf: its depth plus the average path length of the
    training rows it holds, less one (scikit-learn's per-tree term)."""
    roots: np.ndarray
    levels: int
    denominator: float
    """The number of trees times the average path length of a training sample."""
    states: list[dict[str, Any]]
    """Each scikit-learn tree's state (plain arrays), to rebuild it for many rows."""
    columns: list[np.ndarray]
    """Each tree's matrix columns."""

    @classmethod
    def of(cls, model: Any) -> PackedForest:
        """The arrays of a fitted ``sklearn.ensemble.IsolationForest``."""
        trees = [estimator.tree_ for estimator in model.estimators_]
        features = model.estimators_features_
        max_samples = model._max_samples
        starts = np.cumsum([0, *(tree.node_count for tree in trees)])
        leaf = -1  # scikit-learn's _TREE_LEAF
        splits, children, lengths = [], [], []
        for tree, start, columns in zip(trees, starts, features, strict=False):
            inner = tree.children_left != leaf
            splits.append(np.asarray(columns)[np.where(inner, tree.feature, 0)])
            own = np.arange(tree.node_count)
            pairs = np.column_stack(
                [
                    np.where(inner, tree.children_left, own),
                    np.where(inner, tree.children_right, own),
                ]
            )
            children.append(pairs + start)
            # As IsolationForest.fit computes them, so the sums are the same to the bit.
            averages = average_path_length(tree.n_node_samples)
            lengths.append(tree.compute_node_depths() + averages - 1.0)
        return cls(
            feature=np.concatenate(splits).astype(np.intp),
            threshold=np.concatenate([tree.threshold for tree in trees]),
            children=np.concatenate(children).astype(np.intp),
            missing_left=np.concatenate([tree.missing_go_to_left for tree in trees]).astype(bool),
            path_length=np.concatenate(lengths),
            roots=starts[:-1].astype(np.intp),
            levels=max(tree.max_depth for tree in trees),
            denominator=float(len(trees) * average_path_length(np.array([max_samples]))[0]),
            states=[tree.__getstate__() for tree in trees],
            columns=[np.asarray(columns) for columns in features],
        )

    def raw_scores(self, matrix: np.ndarray) -> np.ndarray:
        """The anomaly score of each row (higher is more unusual)."""
        rows = np.asarray(matrix, dtype=np.float32)
        if rows.shape[0] >= COMPILED_ROWS:
            return self.scores(self._compiled_depths(rows))
        # Fewer rows than COMPILED_ROWS: the walk holds a node per row and tree.
        return self.scores(self._depths(rows))

    def _compiled_depths(self, rows: np.ndarray) -> np.ndarray:
        """The rows' path lengths summed tree after tree, each tree walked by
        scikit-learn's compiled ``Tree.apply`` (IsolationForest.score_samples's walk)."""
        from sklearn.tree._tree import Tree

        depths = np.zeros(rows.shape[0])
        for state, columns, root in zip(self.states, self.columns, self.roots, strict=True):
            tree = Tree(columns.size, np.array([1], dtype=np.intp), 1)
            tree.__setstate__(state)
            own = rows if columns.size == rows.shape[1] else rows[:, columns]
            depths += self.path_length[root + tree.apply(own)]
        return depths

    def scores(self, depths: np.ndarray) -> np.ndarray:
        """Anomaly scores from the rows' path lengths summed over the trees."""
        return np.asarray(
            2
            ** (
                -np.divide(
                    depths,
                    self.denominator,
                    out=np.ones_like(depths),
                    where=self.denominator != 0,
                )
            )
        )

    def _depths(self, rows: np.ndarray) -> np.ndarray:
        # One flat array of (row, tree) positions, row-major: a row's trees side by side.
        width = rows.shape[1]
        offsets = np.repeat(np.arange(rows.shape[0]) * width, self.roots.size)
        nodes = np.tile(self.roots, rows.shape[0])
        values = rows.ravel()
        children = self.children.ravel()
        missing = bool(np.isnan(values).any())
        for _ in range(self.levels):
            value = values.take(offsets + self.feature.take(nodes))
            right = ~(value <= self.threshold.take(nodes))
            if missing:
                right &= ~(np.isnan(value) & self.missing_left.take(nodes))
            nodes = children.take(2 * nodes + right)
        lengths = self.path_length.take(nodes).reshape(rows.shape[0], self.roots.size)
        depths = np.zeros(rows.shape[0])
        # Tree after tree, as scikit-learn adds them: a sum in another order could
        # differ in the last bit.
        for tree in lengths.T:
            depths += tree
        return depths


class IsolationForest(ModelDetector):
    name = "isolation_forest"
    label = "An isolation forest"

    def __init__(
        self,
        n_estimators: Count = 100,
        training_sample: Count = 5_000,
        tail: Tail = 0.95,
        random_state: int = 0,
    ) -> None:
        super().__init__(training_sample, tail, random_state)
        self.n_estimators = n_estimators

    def _model(self) -> Any:
        from sklearn.ensemble import IsolationForest as SklearnIsolationForest

        return SklearnIsolationForest(
            n_estimators=self.n_estimators, random_state=self.random_state, n_jobs=1
        )

    def _training_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray:
        # A year's sample is thousands of rows: scikit-learn's walk, a tree at a time in
        # compiled code, is faster there than the packed walk (the same scores).
        return np.asarray(-model.score_samples(matrix))

    def _kept(self, model: Any) -> PackedForest:
        return PackedForest.of(model)

    def _raw_scores(self, model: Any, matrix: np.ndarray) -> np.ndarray:
        forest: PackedForest = model
        return forest.raw_scores(matrix)
