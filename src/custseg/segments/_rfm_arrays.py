"""The numeric-array inputs of :class:`RFMScorer`: a summary array or a period matrix.

``layout="summary"``: an array of exactly three columns, in this order, recency (time
since the last purchase, lower is better), frequency and monetary value; a missing
(NaN) or infinite value scores 1, as in a table. ``layout="periods"``: a
customer-by-period matrix (:mod:`custseg.features._periods`): recency is the number of
periods since the last purchase period (missing for a row without a purchase),
frequency the number of purchase periods and monetary value the row's total.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._frame import is_frame
from ..exceptions import EmptyDataError, InvalidDtypeError, InvalidValueError
from ..features._periods import matrix_width, period_summary

__all__ = ["MATRIX_OUTPUT", "is_array_input", "matrix_values", "matrix_width"]

#: The columns of ``transform``'s output for an array input (numbers only).
MATRIX_OUTPUT = ("r_score", "f_score", "m_score", "rfm_score")
_ORDER = "recency, frequency and monetary value"


def is_array_input(X: Any, layout: str) -> bool:
    """Whether ``X`` is read as an array (a period matrix, or a summary array)."""
    return layout == "periods" or not is_frame(X)


def matrix_values(X: Any, layout: str, n_features: int | None) -> dict[str, np.ndarray]:
    """Recency, frequency and monetary value of an array input (see the module notes)."""
    if layout == "periods":
        s = period_summary(X, "RFMScorer", n_features)
        return {"recency": s.periods_since_last, "frequency": s.occasions,
                "monetary": s.total}
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise InvalidDtypeError(
            "RFMScorer: X is a sparse matrix; pass a dense array (X.toarray()) of three "
            f"columns ({_ORDER}) or a dataframe.")
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InvalidDtypeError(
            f"RFMScorer: X must be a dataframe or a numeric array of three columns ({_ORDER}); "
            f"got {type(X).__name__} holding values that are not numbers.") from err
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise InvalidValueError(
            f"RFMScorer: X has shape {arr.shape}; an array is read as three columns, in the "
            f"order {_ORDER} (or set layout='periods' for a customer-by-period matrix).")
    if arr.shape[0] == 0:
        raise EmptyDataError("RFMScorer: X has 0 sample(s) (no customer); at least one is "
                             "needed.")
    return {"recency": arr[:, 0], "frequency": arr[:, 1], "monetary": arr[:, 2]}
