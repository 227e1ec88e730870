"""Reading a BTYD summary (frequency, recency, T, monetary value) into numpy arrays."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import numpy as np

from .._frame import read_table
from ..exceptions import InvalidDtypeError, InvalidValueError, MissingColumnError, names_text

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
