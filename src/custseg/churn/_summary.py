"""Reading a BTYD summary (frequency, recency, T, monetary value) into numpy arrays.

Also what the BTYD models (BG/NBD, Gamma-Gamma) share about their input: the
summary checks, the period-matrix layout, sample weights and the horizon.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np

from .._frame import is_frame, read_table
from ..base import FrameInputMixin
from ..exceptions import InvalidDtypeError, InvalidValueError, MissingColumnError, names_text
from ..features._periods import matrix_width, period_summary

__all__ = ["check_column_names", "read_columns"]


def check_column_names(columns: Any, n: int, name: str = "columns") -> tuple[str, ...]:
    """Validate a tuple of ``n`` column names."""
    if isinstance(columns, str) or len(tuple(columns)) != n:
        raise InvalidValueError(f"{name}={columns!r} must be a sequence of {n} column names.")
    cols = tuple(columns)
    if any(not isinstance(c, str) for c in cols):
        raise InvalidValueError(f"{name}={columns!r} must hold column names (str).")
    return cols


def read_columns(X: Any, columns: tuple[str, ...], *, argname: str = "X") -> list[np.ndarray]:
    """Return the named columns of a frame, or the columns of an array in that order.

    A dataframe (pandas, polars, pyarrow, lazy) is read by column name; a 2-D
    array must have exactly ``len(columns)`` columns, taken in that order.
    Every value must be a finite number.
    """
    frame, info = read_table(X, argname=argname, backend="narwhals")
    if info is not None:
        available = [str(c) for c in frame.columns]
        missing = [c for c in columns if c not in available]
        if missing:
            raise MissingColumnError.from_missing_and_available(
                missing, available, where=argname,
                hint=f" Expected the columns {names_text(columns)} (set them with the estimator's "
                "column parameters).")
        arrays = []
        for col in columns:
            series = frame[col]
            if not series.dtype.is_numeric() and series.dtype != nw.Boolean():
                raise InvalidDtypeError(
                    f"column '{col}' of {argname} has dtype {series.dtype}; expected a number."
                )
            arrays.append(series.cast(nw.Float64()).to_numpy())
    else:
        try:
            arr = np.asarray(X, dtype=float)
        except (TypeError, ValueError) as err:
            raise InvalidDtypeError(
                f"{argname} must be a dataframe with columns {names_text(columns)} or a numeric "
                "array "
                f"of {len(columns)} columns; got {type(X).__name__}."
            ) from err
        if arr.ndim != 2 or arr.shape[1] != len(columns):
            raise InvalidValueError(
                f"{argname} has shape {arr.shape}; expected a 2-D array of {len(columns)} "
                f"columns in the order {names_text(columns)}."
            )
        arrays = [arr[:, j] for j in range(arr.shape[1])]
    n = len(arrays[0]) if arrays else 0
    if n == 0:
        from ..exceptions import EmptyDataError

        raise EmptyDataError(f"{argname} has 0 rows; expected at least one customer.")
    for col, values in zip(columns, arrays, strict=True):
        bad = ~np.isfinite(values)
        if bad.any():
            raise InvalidValueError(
                f"column '{col}' of {argname} has {int(bad.sum())} of {n} rows that are missing, "
                "NaN or infinite; expected finite numbers."
            )
    return arrays


def _check_summary(x: np.ndarray, tx: np.ndarray, T: np.ndarray, cols: tuple[str, ...]) -> None:
    """Check that (frequency, recency, T) is a valid BTYD summary."""
    n = len(x)
    fcol, rcol, tcol = cols
    checks = [
        ((x < 0) | (x != np.round(x)), f"column '{fcol}' has {{k}} of {n} rows that are not "
         "whole numbers >= 0; expected repeat-purchase counts"),
        (tx < 0, f"column '{rcol}' has {{k}} of {n} negative rows; expected the time between "
         "the first and the last purchase (>= 0)"),
        (T < tx - 1e-9 * np.maximum(tx, 1.0), f"column '{tcol}' has {{k}} of {n} rows smaller than "
         f"'{rcol}'; expected the customer's age T >= recency"),
        ((x == 0) & (tx > 1e-9 * np.maximum(T, 1.0)), f"column '{rcol}' has {{k}} of {n} rows "
         f"that are positive while '{fcol}' is 0; a one-time buyer has recency 0"),
    ]
    for bad, msg in checks:
        k = int(np.count_nonzero(bad))
        if k:
            raise InvalidValueError(msg.format(k=k) + ".")


def _summary(
    X: Any, columns: Any, layout: str = "summary", who: str = "BetaGeoModel",
    n_periods: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) of a summary table, a summary array or a period matrix."""
    if layout == "periods":
        s = period_summary(X, who, n_periods)
        return s.frequency, s.recency, s.T
    cols = check_column_names(columns, 3)
    x, tx, T = read_columns(X, cols)
    _check_summary(x, tx, T, cols)
    return x, tx, T

def _compress(*columns: np.ndarray, weights: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Merge identical customers into one row with a summed weight (same likelihood)."""
    stacked = np.column_stack(columns)
    uniq, inverse = np.unique(stacked, axis=0, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=weights, minlength=len(uniq))
    return [uniq[:, j] for j in range(uniq.shape[1])], w


def _check_horizon(horizon: Any) -> float:
    if isinstance(horizon, bool) or not isinstance(horizon, Real) \
            or not math.isfinite(float(horizon)):
        raise InvalidValueError(
            f"horizon={horizon!r} must be a finite number of time units (those of recency and T)."
        )
    if horizon < 0:
        raise InvalidValueError(f"horizon={horizon!r} must be >= 0.")
    return float(horizon)


class _SummaryInputMixin(FrameInputMixin):
    """Estimators whose ``fit`` reads named columns of a per-customer BTYD summary.

    With ``layout="summary"`` a dataframe is read by column name and an array by
    position (the summary columns in order); with ``layout="periods"`` ``X`` is a
    customer-by-period matrix (:mod:`custseg.features._periods`), on which any
    matrix of finite values >= 0 is a valid history: scikit-learn's estimator
    checks run on that reading (``tests/test_common.py``).
    """

    layout: str

    def _n_periods(self) -> int | None:
        """The width of the period matrix seen in fit (``None`` before or for a table)."""
        if self.layout != "periods":
            return None
        return getattr(self, "n_features_in_", None)

    def _record_width(self, X: Any) -> None:
        """At the end of ``fit``: ``n_features_in_`` of a matrix (none for a summary table)."""
        if self.layout == "summary" and is_frame(X):
            self.__dict__.pop("n_features_in_", None)
        else:
            self.n_features_in_ = matrix_width(X)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.positive_only = True  # counts, ages, spends and period values >= 0
        return tags


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=float).ravel()
    if w.shape != (n,):
        raise InvalidValueError(
            f"sample_weight has {w.shape[0]} values; expected one per customer ({n})."
        )
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise InvalidValueError(
            f"sample_weight has {int(bad.sum())} of {n} values that are negative, NaN or "
            "infinite; expected finite weights >= 0."
        )
    if w.sum() <= 0:
        raise InvalidValueError(
            "sample_weight sums to 0 (every weight is zero); expected a positive total weight.")
    return w
