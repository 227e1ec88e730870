"""The two class labels of a churn target, checked once for every churn classifier."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.utils.multiclass import type_of_target

from .._attributes import single_class_error
from ..exceptions import EmptyDataError, InvalidValueError

__all__ = ["binary_classes"]


def binary_classes(y: Any) -> np.ndarray:
    """Return the two sorted class labels of ``y``, or raise a clear error.

    Raises a ``ValueError`` (an :class:`~custseg.exceptions.InvalidValueError`)
    for one class only ("Only one class ...") and for more than two classes
    ("Only binary classification is supported ...").
    """
    y_arr = np.asarray(y)
    if y_arr.ndim != 1:
        y_arr = y_arr.ravel() if y_arr.ndim == 2 and y_arr.shape[1] == 1 else y_arr
    if y_arr.size == 0:
        raise EmptyDataError("y has 0 labels; expected one churn label per customer.")
    if y_arr.dtype.kind in "fc" and not np.isfinite(y_arr).all():
        bad = int((~np.isfinite(y_arr)).sum())
        raise InvalidValueError(
            f"y has {bad} of {y_arr.size} labels that are missing, NaN or infinite; expected "
            "a churn label for every customer (for example 0 or 1, False or True).")
    kind = type_of_target(y_arr, input_name="y", raise_unknown=True)
    classes = np.unique(y_arr)
    if len(classes) < 2:
        raise single_class_error("y", classes[0], len(y_arr), "a churn model needs both "
                                 "churned and retained customers. Check the cutoff and "
                                 "horizon of the labels.")
    if kind != "binary":
        raise InvalidValueError(
            f"Only binary classification is supported. The type of the target is {kind} "
            f"({len(classes)} classes); expected churned / not churned."
        )
    return classes
