"""Checking a numeric-matrix input: dense, real, 2-D, non-empty, finite, >= 0.

The estimators that read named columns also take a documented numeric matrix (a
basket-by-item matrix, a customer-by-period matrix); this is the one check of such
a matrix, with messages in words naming what the matrix holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .exceptions import EmptyDataError, InvalidDtypeError, InvalidValueError

__all__ = ["MatrixKind", "dense_matrix", "where_text"]


@dataclass(frozen=True)
class MatrixKind:
    """What a matrix input is, for the messages.

    ``name`` ("basket matrix"), ``layout`` ("rows: baskets, columns: items"), ``row`` and
    ``column`` (one of each: "basket", "item"), ``holds`` (its values, in words: "quantities"),
    ``zero`` (what a 0 means) and ``other`` (the table the estimator reads instead).
    """

    name: str
    layout: str
    row: str
    column: str
    holds: str
    zero: str
    other: str


def where_text(mask: np.ndarray) -> str:
    """How many entries ``mask`` flags and where the first is, in words."""
    row, col = (int(v) for v in np.argwhere(mask)[0])
    return f"{int(mask.sum())} entries (first at row {row}, column {col})"


def dense_matrix(X: Any, who: str, kind: MatrixKind) -> np.ndarray:
    """``X`` as a 2-D float64 matrix of finite values >= 0, or a custseg error in words."""
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise InvalidDtypeError(
            f"{who}: X is a sparse matrix; a {kind.name} must be dense (X.toarray()), or "
            f"pass {kind.other}.")
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as err:
        raise InvalidDtypeError(
            f"{who}: X must be {kind.other} or a numeric {kind.name} ({kind.layout}); got "
            f"{type(X).__name__}.") from err
    if np.iscomplexobj(arr):
        raise InvalidValueError(
            f"{who}: Complex data not supported; a {kind.name} holds real {kind.holds}.")
    if arr.dtype.kind == "O":  # numbers held as Python objects are numbers
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise InvalidDtypeError(
                f"{who}: X holds values that are not numbers ({err}); a {kind.name} holds "
                f"{kind.holds} ({kind.zero}).") from err
    if arr.dtype.kind not in "biuf":
        raise InvalidDtypeError(
            f"{who}: X must be {kind.other} or a numeric {kind.name} ({kind.layout}); got an "
            f"array of dtype {arr.dtype}.")
    if arr.ndim != 2:
        raise InvalidValueError(
            f"{who}: X is a {arr.ndim}-D array; a {kind.name} is 2-D ({kind.layout}). "
            f"Reshape your data: X.reshape(1, -1) for one {kind.row}, X.reshape(-1, 1) for "
            f"one {kind.column}.")
    if arr.shape[0] == 0:
        raise EmptyDataError(
            f"{who}: X has 0 sample(s) (no {kind.row}); at least one is needed.")
    if arr.shape[1] == 0:
        raise EmptyDataError(
            f"{who}: X has 0 feature(s) (shape=({arr.shape[0]}, 0)) while a minimum of 1 is "
            f"required: a {kind.name} needs at least one {kind.column} (column).")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        raise InvalidValueError(
            f"{who}: X has NaN or inf in {where_text(bad)}; a {kind.name} holds finite "
            f"{kind.holds} ({kind.zero}).")
    negative = arr < 0
    if negative.any():
        raise InvalidValueError(
            f"Negative values in data passed to {who}: {where_text(negative)}; a "
            f"{kind.name} holds {kind.holds} >= 0 ({kind.zero}).")
    return arr
