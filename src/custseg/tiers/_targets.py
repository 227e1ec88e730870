"""TierClassifier's targets: grade labels in their order of meaning, best first."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import column_or_1d
from sklearn.utils.multiclass import check_classification_targets

from .._advice import option
from .._attributes import single_class_error, word_positive
from ..exceptions import EmptyDataError, InvalidValueError, NullValueError, names_text
from ._common import check_grades, labels_text

__all__ = ["default_grade_order", "grade_targets"]


def grade_targets(y: Any, grades: Any) -> tuple[np.ndarray, np.ndarray]:
    """Grade labels (best first) and each row's grade position; ``grades`` as TierClassifier's."""
    if y is None:
        raise InvalidValueError(
            "TierClassifier requires y to be passed, but the target y is None."
        )
    cat = None
    if isinstance(y, pd.Series) and isinstance(y.dtype, pd.CategoricalDtype):
        cat = y.dtype
    y_arr = column_or_1d(y, warn=True) if cat is None else np.asarray(y, dtype=object)
    missing = pd.isna(pd.Series(y_arr, dtype=object)).to_numpy()
    if y_arr.dtype.kind == "f":
        missing = missing | np.isinf(y_arr)
    if missing.any():
        raise NullValueError(
            f"y has {int(missing.sum())} missing (NaN/None) or infinite grade label(s) "
            "(first at positions "
            f"{names_text(np.flatnonzero(missing)[:5].tolist(), quote=False)}); "
            "every customer "
            "needs a grade."
        )
    if grades is not None:
        classes = np.asarray(check_grades(grades))
    elif cat is not None:
        cats = list(cat.categories)
        classes = np.asarray(cats[::-1]) if cat.ordered else default_grade_order(np.asarray(cats))
    else:
        check_classification_targets(y_arr)
        classes = default_grade_order(np.unique(y_arr))
    lookup = {label: k for k, label in enumerate(classes.tolist())}
    try:
        pos = np.asarray([lookup[v] for v in y_arr.tolist()], dtype=np.intp)
    except KeyError:
        labels, counts = np.unique(
            np.asarray(y_arr, dtype=object).astype(str), return_counts=True
        )
        unknown = {
            str(lab): int(c)
            for lab, c in zip(labels, counts, strict=True)
            if lab not in {str(k) for k in lookup}
        }
        unknown_text = ", ".join(f"{lab} ({n} row{'s' * (n != 1)})"
                                 for lab, n in unknown.items())
        raise InvalidValueError(
            f"y holds grade labels that are not grades: {unknown_text}; expected only "
            f"the grades {labels_text(classes.tolist())}."
        ) from None
    present = np.unique(pos)
    if present.size == 0:
        raise EmptyDataError("TierClassifier: y has 0 grades (an empty table).")
    if present.size < 2:
        raise single_class_error(option("tier_labels"), classes[present[0]], pos.size,
                                 option("tier_rules_need"))
    return classes, pos


def default_grade_order(labels: np.ndarray) -> np.ndarray:
    """Grade order (best first) of distinct labels when ``grades`` is not given.

    Two labels of a binary outcome put the positive one first, as every estimator
    reading a binary outcome does (``LeadScorer``, ``ChurnPredictor``): ``1`` of
    0/1, ``True`` of True/False, the Yes-like word of Yes/No, converted/not
    converted... Other numbers are grade positions (0 best, as
    :class:`ValueGrader` numbers grades); other text is sorted (``"A"`` best).

    Examples
    --------
    >>> import numpy as np
    >>> from custseg.tiers._targets import default_grade_order
    >>> default_grade_order(np.array([0, 1])).tolist()
    [1, 0]
    >>> default_grade_order(np.array(["No", "Yes"])).tolist()
    ['Yes', 'No']
    >>> default_grade_order(np.array([0, 1, 2])).tolist()
    [0, 1, 2]
    """
    if labels.size == 2:
        a, b = labels.tolist()
        positive = word_positive(a, b)
        if positive is None and labels.dtype.kind in "iuf" and {a, b} == {0, 1}:
            positive = 1  # a 0/1 outcome
        if positive is not None:
            other = b if a == positive else a
            return np.asarray([positive, other], dtype=labels.dtype)
    return labels
