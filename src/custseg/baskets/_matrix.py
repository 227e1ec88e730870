"""A basket-by-item matrix read as a transaction log: the array input of the basket estimators.

Besides a transaction log, :class:`AssociationRules` and :class:`ProductRecommender`
take a 2-D numeric array as mlxtend's ``apriori`` does: one row per basket, one
column per item, a positive value (a quantity, or ``True``) when the basket holds
the item. Each row is its own basket and its own customer (the row number); the
items are the column positions ``0 .. n_items - 1``. A row without any item is not
a basket (it adds nothing to the supports) but still gets an output row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from .._frame import is_frame
from .._matrix import MatrixKind, dense_matrix
from ..exceptions import ColumnMismatchError, EmptyDataError, InvalidValueError
from ..io._validate import Transactions, check_transactions

__all__ = ["MATRIX_COLUMNS", "indicator", "is_matrix", "matrix_array", "matrix_transactions",
           "ranking", "record_matrix"]

# The columns of the log built from a matrix (customer = row number, one day).
MATRIX_COLUMNS = {"customer_col": "basket", "time_col": "date", "amount_col": "amount",
                  "product_col": "item"}
_DAY = pd.Timestamp("2000-01-01")


def is_matrix(X: Any) -> bool:
    """Whether ``X`` is array input (not a dataframe, lazy frame or validated log)."""
    return not isinstance(X, Transactions) and not is_frame(X)


BASKETS = MatrixKind(
    name="basket matrix", layout="rows: baskets, columns: items", row="basket",
    column="item", holds="quantities", zero="0 when the basket does not hold the item",
    other="a transaction log")


def matrix_array(X: Any, who: str) -> np.ndarray:
    """``X`` as a 2-D float64 basket matrix, or a custseg error saying what is wrong."""
    return dense_matrix(X, who, BASKETS)


def check_width(arr: np.ndarray, n_items: int, who: str) -> None:
    """Refuse a matrix whose items (columns) differ in number from those seen in fit."""
    if arr.shape[1] != n_items:
        raise ColumnMismatchError(
            f"X has {arr.shape[1]} features, but {who} is expecting {n_items} features as "
            "input (the items of the basket matrix seen in fit).")


def _log(arr: np.ndarray) -> Transactions:
    """The validated log of a basket matrix: one line per held item, customer = row."""
    rows, cols = np.nonzero(arr > 0)
    log = pd.DataFrame({"basket": rows.astype(np.int64), "date": _DAY,
                        "amount": 1.0, "item": cols.astype(np.int64)})
    if not len(log):
        raise EmptyDataError("X holds no item: every entry of the basket matrix is 0.")
    return check_transactions(log, **MATRIX_COLUMNS)


def matrix_transactions(est: Any, X: Any, *, fit: bool) -> Transactions | None:
    """The log of ``X`` when it is a basket matrix (``None`` for a table), checked against
    what ``est`` was fitted on outside ``fit``."""
    who = type(est).__name__
    n_items = getattr(est, "_n_items", None)
    if not is_matrix(X):
        if not fit and n_items is not None:
            raise InvalidValueError(
                f"{who} was fitted on a basket matrix of {n_items} items; pass a basket "
                "matrix of the same items, not a table.")
        return None
    arr = matrix_array(X, who)
    if getattr(est, "by", None) is not None:
        raise InvalidValueError(
            f"{who}: by='{est.by}' needs a transaction log holding the segment column; a "
            "basket matrix has no segments.")
    if not fit:
        if n_items is None:
            raise InvalidValueError(
                f"{who} was fitted on a transaction log; pass a log with the columns seen in "
                "fit, not a basket matrix.")
        check_width(arr, int(n_items), who)
    return _log(arr)


def record_matrix(est: Any, X: Any) -> int | None:
    """At the end of ``fit``: the item count of a basket matrix (``n_features_in_``, no
    ``feature_names_in_``), or ``None`` for a table."""
    if not is_matrix(X):
        return None
    est.n_features_in_ = int(np.shape(X)[1])
    est.__dict__.pop("feature_names_in_", None)
    return int(est.n_features_in_)


def indicator(baskets: pl.DataFrame, n_rows: int, n_items: int) -> np.ndarray:
    """``AssociationRules.predict`` of a basket matrix: 1 where an item is predicted."""
    out = np.zeros((n_rows, n_items), dtype=np.int64)
    pairs = baskets.select(MATRIX_COLUMNS["customer_col"], "predicted_items").explode(
        "predicted_items").drop_nulls()
    out[pairs[:, 0].to_numpy(), pairs[:, 1].to_numpy()] = 1
    return out


def ranking(recommendations: pd.DataFrame, n_rows: int, n: int) -> np.ndarray:
    """``ProductRecommender.predict`` of a basket matrix: the recommended items of each row,
    best first, ``-1`` where fewer than ``n`` are left."""
    out = np.full((n_rows, n), -1, dtype=np.int64)
    rows = recommendations[MATRIX_COLUMNS["customer_col"]].to_numpy(dtype=np.int64)
    ranks = recommendations["rank"].to_numpy(dtype=np.int64) - 1
    out[rows, ranks] = recommendations[MATRIX_COLUMNS["product_col"]].to_numpy(dtype=np.int64)
    return out
