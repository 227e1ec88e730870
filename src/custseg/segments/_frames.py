"""Small helpers shared by the estimators that read named columns of a per-customer frame."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw

from .._frame import read_table
from ..base import FrameInputMixin
from ..exceptions import InvalidDtypeError, InvalidValueError, MissingColumnError, names_text


class _CustomerTableInputMixin(FrameInputMixin):
    """Estimators whose ``fit`` reads named columns of a per-customer table.

    Like the transaction-log estimators they read a table with a fixed meaning
    per column (recency, frequency, ...); ``tests/segments`` tests them on
    hand-worked and real tables (``RFMScorer`` also reads a customer-by-period
    matrix, on which scikit-learn's estimator checks run).
    """


def eager_frame(X: Any, argname: str = "X") -> nw.DataFrame[Any]:
    """``X`` as an eager narwhals frame (lazy frames are collected), see :func:`read_table`."""
    return read_table(X, argname=argname, backend="narwhals", allow_arrays=False)[0]


def require_columns(frame: nw.DataFrame[Any], columns: dict[str, str], argname: str = "X") -> None:
    """Raise MissingColumnError naming the parameter, the missing and available columns."""
    available = [str(c) for c in frame.columns]
    missing = {param: col for param, col in columns.items() if col not in available}
    if missing:
        raise MissingColumnError.from_missing_and_available(missing, available, where=argname)


def require_numeric(frame: nw.DataFrame[Any], param: str, col: str) -> None:
    """Raise InvalidDtypeError when column ``col`` is not numeric."""
    dtype = frame.schema[col]
    if not dtype.is_numeric():
        raise InvalidDtypeError(
            f"column {col!r} ({param}) must be numeric; found dtype {dtype}."
        )


def require_unique_ids(frame: nw.DataFrame[Any], col: str) -> None:
    """Every customer must appear once: raise InvalidValueError on duplicated ids."""
    ids = frame[col]
    n_null = int(ids.is_null().sum())
    if n_null:
        raise InvalidValueError(f"column {col!r} (customer_col) has {n_null} missing id(s).")
    dup = ids.is_duplicated()
    n_dup = int(dup.sum())
    if n_dup:
        examples = sorted({str(v) for v in ids.filter(dup).to_list()})[:3]
        raise InvalidValueError(
            f"column {col!r} (customer_col) must hold one row per customer; {n_dup} rows "
            f"share an id with another row, e.g. {names_text(examples)}."
        )
