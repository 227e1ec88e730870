"""Check the tree structures of a model loaded from skops before anything predicts with them.

scikit-learn's compiled tree code (``sklearn.tree._tree.Tree`` and the predictor of
histogram gradient boosting) follows the child and feature indices stored in a
tree's node array without bounds checks, which is why skops does not trust these
two types: a crafted file could make the first prediction read memory outside
the arrays. A tree is safe to predict with when every split node points to two
children stored after it, inside the array, and splits on a feature the model
has; a leaf is then always reached. :func:`check_trees` verifies exactly that,
with array operations, for every tree held anywhere in a loaded object, so that
a model custseg wrote (tier rules, churn model) loads without extra trust while
a tampered tree is refused before its first use.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .exceptions import ModelFileError

__all__ = ["TREE_TYPES", "check_trees"]

TREE_TYPES = (
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)


def _tree_classes() -> tuple[type, type]:
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.tree._tree import Tree

    return Tree, TreePredictor


def _check_links(left: np.ndarray, right: np.ndarray, split: np.ndarray, what: str) -> None:
    """Split nodes point to two distinct later nodes, each node has at most one parent."""
    n = left.size
    ids = np.arange(n)
    lft, rgt = left[split].astype(np.int64), right[split].astype(np.int64)
    bad = (lft <= ids[split]) | (rgt <= ids[split]) | (lft >= n) | (rgt >= n) | (lft == rgt)
    if bad.any():
        raise ModelFileError(
            f"{what}: {int(bad.sum())} split node(s) point to children outside the tree or "
            "before themselves; the file was altered, so it was refused."
        )
    children = np.concatenate([lft, rgt])
    if np.unique(children).size != children.size:
        raise ModelFileError(f"{what}: a node has two parents; the file was altered.")


def _check_features(feature: np.ndarray, n_features: int, what: str) -> None:
    bad = (feature < 0) | (feature >= n_features)
    if bad.any():
        raise ModelFileError(
            f"{what}: {int(bad.sum())} split(s) on a feature the model does not have "
            f"(it has {n_features}); the file was altered, so it was refused."
        )


def _check_tree(tree: Any, n_features: Any, what: str) -> None:
    """A ``sklearn.tree._tree.Tree`` of a fitted decision tree."""
    if n_features is None or int(tree.n_features) != int(n_features):
        raise ModelFileError(
            f"{what}: the tree reads {tree.n_features} features but its model "
            f"{n_features}; the file was altered, so it was refused."
        )
    if tree.node_count != tree.capacity or tree.node_count < 1:
        raise ModelFileError(f"{what}: inconsistent node count; the file was altered.")
    nodes = tree.__getstate__()["nodes"]
    left, right = nodes["left_child"], nodes["right_child"]
    leaf = (left == -1) & (right == -1)
    _check_links(left, right, ~leaf, what)
    _check_features(nodes["feature"][~leaf], int(n_features), what)
    if not np.isin(nodes["missing_go_to_left"], (0, 1)).all():
        raise ModelFileError(f"{what}: invalid missing-value routing; the file was altered.")
    depth = np.zeros(left.size, dtype=np.int64)
    for i in np.flatnonzero(~leaf):  # parents come before their children (checked above)
        depth[left[i]] = depth[right[i]] = depth[i] + 1
    if int(depth.max()) != int(tree.max_depth):
        raise ModelFileError(f"{what}: the recorded depth is wrong; the file was altered.")


def _check_predictor(pred: Any, n_features: Any, what: str) -> None:
    """A ``TreePredictor`` of histogram gradient boosting (numeric splits only)."""
    from sklearn.ensemble._hist_gradient_boosting.common import PREDICTOR_RECORD_DTYPE

    nodes = getattr(pred, "nodes", None)
    if (not isinstance(nodes, np.ndarray) or nodes.dtype != PREDICTOR_RECORD_DTYPE
            or nodes.ndim != 1 or nodes.size < 1 or n_features is None):
        raise ModelFileError(f"{what}: malformed tree predictor; the file was altered.")
    if nodes["is_categorical"].any():
        raise ModelFileError(
            f"{what}: categorical splits cannot be checked for safety; load the file with "
            f"trusted=['{TREE_TYPES[1]}'] only if you trust its source."
        )
    split = nodes["is_leaf"] == 0
    if not np.isin(nodes["is_leaf"], (0, 1)).all():
        raise ModelFileError(f"{what}: invalid leaf flags; the file was altered.")
    _check_links(nodes["left"], nodes["right"], split, what)
    _check_features(nodes["feature_idx"][split], int(n_features), what)


def _children(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return [*obj.keys(), *obj.values()]
    if isinstance(obj, list | tuple | set | frozenset):
        return list(obj)
    if isinstance(obj, np.ndarray):
        return list(obj.flat) if obj.dtype == object else []
    attrs = getattr(obj, "__dict__", None)
    return list(attrs.values()) if isinstance(attrs, dict) else []


def check_trees(obj: Any, skip: frozenset[str] = frozenset()) -> None:
    """Refuse ``obj`` if any tree it holds could send a prediction outside its arrays.

    Every ``Tree`` must be the ``tree_`` of a fitted estimator and every
    ``TreePredictor`` one of the ``_predictors`` of a fitted gradient boosting
    model, so that the number of input features is known; trees whose type is
    named in ``skip`` (trusted by the caller) are not checked.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from custseg._safe_trees import check_trees
    >>> tree = DecisionTreeClassifier(max_depth=2, random_state=0)
    >>> check_trees(tree.fit(np.arange(8.0).reshape(4, 2), [0, 1, 0, 1]))
    """
    tree_cls, pred_cls = _tree_classes()
    seen: set[int] = set()
    checked: set[int] = set()
    found: list[Any] = []
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, str | bytes | int | float | bool | None):
            continue
        seen.add(id(item))
        if isinstance(item, tree_cls | pred_cls):
            found.append(item)
            continue
        attrs = getattr(item, "__dict__", None)
        if isinstance(attrs, dict):
            name = type(item).__name__
            n_features = attrs.get("n_features_in_")
            tree = attrs.get("tree_")
            if isinstance(tree, tree_cls) and TREE_TYPES[0] not in skip:
                _check_tree(tree, n_features, f"the tree of a {name}")
                checked.add(id(tree))
            predictors = attrs.get("_predictors")
            if isinstance(predictors, list) and TREE_TYPES[1] not in skip:
                for k, pred in enumerate(p for row in predictors for p in row):
                    if isinstance(pred, pred_cls):
                        _check_predictor(pred, n_features, f"tree {k} of a {name}")
                        checked.add(id(pred))
        stack.extend(_children(item))
    for item in found:
        kind = TREE_TYPES[0] if isinstance(item, tree_cls) else TREE_TYPES[1]
        if id(item) not in checked and kind not in skip:
            raise ModelFileError(
                f"the file holds a {kind} outside a fitted model, which cannot be checked; "
                f"load it with trusted=['{kind}'] only if you trust its source."
            )
