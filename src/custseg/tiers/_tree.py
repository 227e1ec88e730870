"""The tier tree as plain arrays: routing in float64, leaf merging, rule extraction.

A missing value (NaN: a blank, or a category not seen in fit) goes, at each split, to the
side scikit-learn learnt for it (``missing_left``); when no training customer had the
feature missing, to the side that held more training customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.tree import DecisionTreeClassifier


@dataclass
class TierTree:
    """A binary tree: ``feature[i] < 0`` marks a leaf; ``x <= threshold`` goes left.

    A missing (NaN) ``x`` goes left where ``missing_left[i]``, else right.
    """

    feature: np.ndarray  # int, -1 for leaves
    threshold: np.ndarray  # float64
    left: np.ndarray  # int, -1 for leaves
    right: np.ndarray
    label: np.ndarray  # int grade position (0 = best) of each node's prediction
    weight: np.ndarray  # (n_nodes, n_classes) weighted class totals of training samples
    n: np.ndarray  # int, training samples reaching the node
    missing_left: np.ndarray  # bool, where a NaN feature value goes

    @property
    def n_nodes(self) -> int:
        return int(self.feature.size)

    def leaves(self) -> np.ndarray:
        return np.flatnonzero(self.feature < 0)

    def depth(self) -> int:
        depths = np.zeros(self.n_nodes, dtype=int)
        for i in range(self.n_nodes):  # parents come before children
            if self.feature[i] >= 0:
                depths[self.left[i]] = depths[self.right[i]] = depths[i] + 1
        return int(depths.max())

    def apply(self, X: np.ndarray) -> np.ndarray:
        """Leaf reached by each row of ``X`` (float64 comparisons, as the SQL does)."""
        node = np.zeros(X.shape[0], dtype=np.intp)
        while True:
            feat = self.feature[node]
            active = np.flatnonzero(feat >= 0)
            if active.size == 0:
                return node
            cur = node[active]
            values = X[active, feat[active]]
            go_left = np.where(np.isnan(values), self.missing_left[cur],
                               values <= self.threshold[cur])
            node[active] = np.where(go_left, self.left[cur], self.right[cur])

    def proba(self) -> np.ndarray:
        totals = self.weight.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(totals > 0, self.weight / np.where(totals > 0, totals, 1.0), 0.0)
        return out


def from_sklearn(
    tree: Any, X: np.ndarray, y_pos: np.ndarray, sample_weight: np.ndarray, n_classes: int
) -> tuple[TierTree, np.ndarray]:
    """Copy a fitted sklearn tree and count training samples per node (float64 routing)."""
    t = tree.tree_
    feature = np.where(t.children_left < 0, -1, t.feature).astype(np.intp)
    tt = TierTree(
        feature=feature,
        threshold=np.asarray(t.threshold, dtype=np.float64).copy(),
        left=t.children_left.astype(np.intp).copy(),
        right=t.children_right.astype(np.intp).copy(),
        label=np.zeros(t.node_count, dtype=np.intp),
        weight=np.zeros((t.node_count, n_classes)),
        n=np.zeros(t.node_count, dtype=np.int64),
        missing_left=np.asarray(t.missing_go_to_left, dtype=bool).copy(),
    )
    refine_thresholds(tt, X)
    leaf = tt.apply(X)
    np.add.at(tt.weight, (leaf, y_pos), sample_weight)
    np.add.at(tt.n, leaf, 1)
    for i in range(tt.n_nodes - 1, -1, -1):  # children have larger ids than parents
        if tt.feature[i] >= 0:
            tt.weight[i] = tt.weight[tt.left[i]] + tt.weight[tt.right[i]]
            tt.n[i] = tt.n[tt.left[i]] + tt.n[tt.right[i]]
    return tt, leaf


def grow_tier_tree(
    X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, n_classes: int, criterion: str,
    params: dict[str, Any],
) -> tuple[DecisionTreeClassifier, TierTree]:
    """Fit scikit-learn's tree and label each leaf of its :class:`TierTree` with a grade."""
    tree = DecisionTreeClassifier(criterion=criterion, **params)
    tree.fit(X, y, sample_weight=sample_weight)
    tt, _ = from_sklearn(tree, X, y, sample_weight, n_classes)
    leaves = tt.leaves()
    fallback = np.zeros((tt.n_nodes, n_classes))
    fallback[:, tree.classes_] = tree.tree_.value[:, 0, :]
    use = np.where(tt.weight.sum(axis=1, keepdims=True) > 0, tt.weight, fallback)
    tt.label[leaves] = np.argmax(use[leaves], axis=1)
    return tree, tt


def short_midpoint(low: float, high: float) -> float:
    """A threshold between two neighbouring values, printed as briefly as possible.

    The midpoint of ``low`` and ``high``, rounded to the fewest significant
    digits that keep it strictly between them and within 5% of the gap from
    the midpoint (``101.37`` rather than ``101.36999999999999``); ``low``
    itself when no float64 lies strictly between.
    """
    mid = low / 2.0 + high / 2.0
    if not low < mid < high:
        return low
    for digits in range(1, 18):
        cand = float(f"{mid:.{digits}g}")
        if low < cand < high and abs(cand - mid) <= 0.05 * (high - low):
            return cand
    return mid


def refine_thresholds(tt: TierTree, X: np.ndarray) -> None:
    """Move each threshold to the exact float64 midpoint of the training values around it.

    scikit-learn fits on float32 copies, so its thresholds are midpoints of
    float32 values (``81.17000198364258``). The training customers on each
    side stay on the same side; the threshold becomes the (shortly printed)
    midpoint of the nearest float64 values on either side (``81.17``).
    """
    members: dict[int, np.ndarray] = {0: np.arange(X.shape[0])}
    for i in range(tt.n_nodes):  # parents come before children
        idx = members.pop(i, np.empty(0, dtype=np.intp))
        f = tt.feature[i]
        if f < 0:
            continue
        values = X[idx, f]
        known = ~np.isnan(values)
        below = known & (values <= tt.threshold[i])
        above = known & ~below
        if below.any() and above.any():
            low = float(values[below].max())
            high = float(values[above].min())
            tt.threshold[i] = short_midpoint(low, high)
        go_left = np.where(known, below, tt.missing_left[i])
        members[int(tt.left[i])] = idx[go_left]
        members[int(tt.right[i])] = idx[~go_left]


def merge_same_label(tt: TierTree) -> TierTree:
    """Collapse every split whose two sides predict the same grade (predictions unchanged)."""
    feature = tt.feature.copy()
    for i in range(tt.n_nodes - 1, -1, -1):
        if feature[i] >= 0:
            lft, rgt = tt.left[i], tt.right[i]
            if feature[lft] < 0 and feature[rgt] < 0 and tt.label[lft] == tt.label[rgt]:
                feature[i] = -1
                tt.label[i] = tt.label[lft]
    # renumber the nodes still reachable, parents before children
    keep: list[int] = []
    stack = [0]
    while stack:
        i = stack.pop()
        keep.append(i)
        if feature[i] >= 0:
            stack.extend([tt.right[i], tt.left[i]])
    keep.sort()
    new_id = {old: new for new, old in enumerate(keep)}
    idx = np.asarray(keep, dtype=np.intp)
    is_leaf = feature[idx] < 0
    return TierTree(
        feature=np.where(is_leaf, -1, feature[idx]),
        threshold=np.where(is_leaf, np.nan, tt.threshold[idx]),
        left=np.asarray([-1 if is_leaf[k] else new_id[tt.left[i]] for k, i in enumerate(keep)]),
        right=np.asarray([-1 if is_leaf[k] else new_id[tt.right[i]] for k, i in enumerate(keep)]),
        label=tt.label[idx],
        weight=tt.weight[idx],
        n=tt.n[idx],
        missing_left=tt.missing_left[idx],
    )


@dataclass
class Condition:
    """One feature's constraint along a path: ``low < x <= high`` (None = unbounded).

    ``missing``: whether a missing value of the feature follows this path too (it took
    the missing value's side at every split on the feature).
    """

    feature: int
    low: float | None = None
    high: float | None = None
    missing: bool = True


def leaf_paths(tt: TierTree) -> dict[int, list[Condition]]:
    """For each leaf, the per-feature bounds of its path, features in first-use order."""
    out: dict[int, list[Condition]] = {}
    stack: list[tuple[int, dict[int, Condition]]] = [(0, {})]
    while stack:
        node, conds = stack.pop()
        f = int(tt.feature[node])
        if f < 0:
            out[node] = list(conds.values())
            continue
        thr = float(tt.threshold[node])
        left = {k: Condition(v.feature, v.low, v.high, v.missing) for k, v in conds.items()}
        right = {k: Condition(v.feature, v.low, v.high, v.missing) for k, v in conds.items()}
        miss_left = bool(tt.missing_left[node])
        c_left = left.setdefault(f, Condition(f))
        c_left.high = thr if c_left.high is None else min(c_left.high, thr)
        c_left.missing = c_left.missing and miss_left
        c_right = right.setdefault(f, Condition(f))
        c_right.low = thr if c_right.low is None else max(c_right.low, thr)
        c_right.missing = c_right.missing and not miss_left
        stack.append((int(tt.right[node]), right))
        stack.append((int(tt.left[node]), left))
    return out
