"""Monotone grades: ``monotonic_cst`` read per feature, and the exact relabelling of leaves.

A leaf is a box: per feature an interval ``(low, high]``. Raising feature ``k``
alone moves a customer from box ``i`` to box ``j`` only if the two boxes
overlap in every other feature and ``j`` lies above ``i`` along ``k``. For
every such pair the constraint says ``grade(j)`` is not worse than
``grade(i)`` (or not better, for a decreasing constraint). Monotonicity in
each feature alone gives it for any joint increase.

Among all leaf labellings that satisfy the constraints, the one with the
fewest (weighted) misclassified training customers is found exactly: with
``z[i, t] = 1`` meaning "leaf i has value >= t", any per-leaf loss is linear in
``z``, and the constraints (``z[i, t] >= z[i, t+1]``, ``z[j, t] >= z[i, t]``)
have one +1 and one -1 per row, so the matrix is totally unimodular and the
simplex optimum is integral.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from ..exceptions import CustsegError, InvalidValueError
from ._common import labels_text, missing_columns_error
from ._tree import TierTree, leaf_paths


def leaf_boxes(tt: TierTree, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leaf ids and the (low, high] bounds of each leaf, shape (n_leaves, n_features)."""
    paths = leaf_paths(tt)
    leaves = np.asarray(sorted(paths), dtype=np.intp)
    low = np.full((leaves.size, n_features), -np.inf)
    high = np.full((leaves.size, n_features), np.inf)
    for r, leaf in enumerate(leaves):
        for cond in paths[int(leaf)]:
            if cond.low is not None:
                low[r, cond.feature] = cond.low
            if cond.high is not None:
                high[r, cond.feature] = cond.high
    return leaves, low, high


def order_pairs(low: np.ndarray, high: np.ndarray, cst: np.ndarray) -> np.ndarray:
    """Pairs (i, j) of leaf rows with the constraint value(j) >= value(i)."""
    n, n_features = low.shape
    overlap = np.empty((n_features, n, n), dtype=bool)
    for d in range(n_features):
        overlap[d] = np.maximum.outer(low[:, d], low[:, d]) < np.minimum.outer(
            high[:, d], high[:, d]
        )
    n_overlap = overlap.sum(axis=0)
    # a leaf reached only by missing values (a split at +inf) holds no point of the
    # feature space: monotonicity does not constrain it
    real = np.asarray(~(low >= high).any(axis=1), dtype=bool)
    both = real[:, None] & real[None, :]
    pairs = []
    for k in np.flatnonzero(cst):
        others = (n_overlap - overlap[k]) == n_features - 1
        above = low[None, :, k] >= high[:, None, k]  # [i, j]: j above i along k
        i, j = np.nonzero(others & above & both)
        pairs.append(np.column_stack([i, j]) if cst[k] > 0 else np.column_stack([j, i]))
    if not pairs:
        return np.empty((0, 2), dtype=np.intp)
    return np.unique(np.vstack(pairs), axis=0)


def monotone_leaf_labels(tt: TierTree, cst: np.ndarray, n_classes: int) -> None:
    """Relabel the leaves of ``tt`` in place so predictions are monotone in ``cst``.

    ``tt.label`` holds grade positions (0 = best); values are ``K - 1 - pos``.
    """
    leaves, low, high = leaf_boxes(tt, cst.size)
    pairs = order_pairs(low, high, cst)
    k = n_classes
    value = k - 1 - tt.label[leaves]
    if pairs.size == 0 or np.all(value[pairs[:, 1]] >= value[pairs[:, 0]]):
        return
    n = leaves.size
    w = tt.weight[leaves][:, ::-1]  # weight by value 0..K-1
    # loss(v) = total - w[v]; coefficient of z[i, t] is loss(t) - loss(t - 1)
    coef = w[:, :-1] - w[:, 1:]  # (n, K-1), t = 1..K-1
    positive = w[w > 0]
    eps = 1e-6 * (positive.min() if positive.size else 1.0)
    t = np.arange(1, k)
    coef = coef + np.where(t[None, :] <= value[:, None], -eps, eps)  # ties: keep the mode
    var = np.arange(n * (k - 1)).reshape(n, k - 1)
    rows, cols, vals = [], [], []
    r = 0
    for step in range(k - 2):  # z[i, t+1] - z[i, t] <= 0
        rows += [np.arange(r, r + n)] * 2
        cols += [var[:, step + 1], var[:, step]]
        vals += [np.ones(n), -np.ones(n)]
        r += n
    for step in range(k - 1):  # z[i, t] - z[j, t] <= 0 for each pair (i below j)
        m = pairs.shape[0]
        rows += [np.arange(r, r + m)] * 2
        cols += [var[pairs[:, 0], step], var[pairs[:, 1], step]]
        vals += [np.ones(m), -np.ones(m)]
        r += m
    A = coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(r, n * (k - 1)),
    ).tocsr()
    res = linprog(coef.ravel(), A_ub=A, b_ub=np.zeros(r), bounds=(0, 1), method="highs-ds")
    if res.status != 0:  # pragma: no cover - the problem is always feasible (all zeros)
        raise CustsegError(f"monotone relabelling failed: {res.message}")
    z = np.round(res.x).reshape(n, k - 1)
    new_value = z.sum(axis=1).astype(np.intp)
    if np.any(new_value[pairs[:, 1]] < new_value[pairs[:, 0]]):  # pragma: no cover
        raise CustsegError("monotone relabelling returned a non-monotone labelling")
    tt.label[leaves] = k - 1 - new_value


def monotonic_constraints(monotonic_cst: Any, names: list[str],
                          categorical: Any) -> np.ndarray | None:
    """TierClassifier's ``monotonic_cst`` as one of -1, 0, 1 per feature (``None``: none)."""
    if monotonic_cst is None:
        return None
    if isinstance(monotonic_cst, dict):
        cst = np.zeros(len(names), dtype=int)
        for key, value in monotonic_cst.items():
            name = f"x{key}" if isinstance(key, Integral) else str(key)
            if name not in names:
                raise missing_columns_error([str(key)], names, "TierClassifier monotonic_cst")
            cst[names.index(name)] = value
    else:
        cst = np.asarray(monotonic_cst).ravel()
        if cst.size != len(names):
            raise InvalidValueError(
                f"monotonic_cst has {cst.size} values but there are {len(names)} features "
                f"({labels_text(names)}); give one of -1, 0, 1 per feature, or a dict."
            )
    bad = [names[j] for j in np.flatnonzero(~np.isin(cst, [-1, 0, 1]))]
    if bad:
        raise InvalidValueError(
            "monotonic_cst values must be -1, 0 or 1; bad value for "
            f"{labels_text(bad, 'feature')}."
        )
    on_cats = [n for n, c in zip(names, cst, strict=True) if c != 0 and n in categorical]
    if on_cats:
        raise InvalidValueError(
            f"monotonic_cst cannot constrain categorical {labels_text(on_cats, 'feature')}: "
            "categories have no order of their own."
        )
    return cst.astype(int)
