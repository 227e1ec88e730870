"""A customer-by-period matrix read as a purchase history: the summaries it gives.

The BTYD models (:class:`~custseg.churn.BetaGeoModel`, :class:`~custseg.churn.GammaGammaModel`,
:class:`~custseg.churn.BetaGeoChurnClassifier`) and :class:`~custseg.segments.RFMScorer`
take, with ``layout="periods"``, a customer-by-period matrix: a 2-D numeric array (or
a dataframe, its columns in their order) with one row per customer and one column per
period of equal length, oldest first, the last being the period of the observation
date; each value is what the customer spent (or the number of purchases) in that
period, 0 for none. Any matrix of finite values >= 0 is a valid history.

Periods are the time unit: period ``j`` is time ``j`` and the observation ends at time
``n_periods - 1``. A period with a value > 0 is one purchase occasion (several
purchases in one period count once, as :func:`~custseg.features.btyd_summary` counts
purchase days). For a customer whose first purchase period is ``f``, last ``l``, with
``k`` purchase periods:

- ``frequency = k - 1`` (repeat occasions), ``recency = l - f`` (age at the last
  purchase), ``T = n_periods - 1 - f`` (age at the end), as the BTYD convention;
- ``monetary_value``: the mean value of the repeat periods (0 with no repeat);
- ``periods_since_last = n_periods - 1 - l`` (RFM recency), ``occasions = k`` (RFM
  frequency) and ``total``, the row's sum (RFM monetary value).

A row without any value > 0 is a customer with no purchase yet: frequency, recency and
T are 0 (the BTYD models start a customer's clock at the first purchase, so the row
adds nothing to their likelihood and is predicted as a customer who has just bought),
and the RFM recency is missing (scored 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from .._frame import is_frame, read_table
from .._matrix import MatrixKind, dense_matrix
from ..exceptions import ColumnMismatchError, InvalidDtypeError

__all__ = ["PERIODS", "PeriodSummary", "matrix_width", "period_summary"]

PERIODS = MatrixKind(
    name="customer-by-period matrix", layout="rows: customers, columns: periods, oldest first",
    row="customer", column="period", holds="purchase values",
    zero="0 when the customer bought nothing in the period",
    other="a dataframe of the named columns")


@dataclass(frozen=True)
class PeriodSummary:
    """The per-customer summaries of a customer-by-period matrix (see the module notes)."""

    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary_value: np.ndarray
    periods_since_last: np.ndarray
    occasions: np.ndarray
    total: np.ndarray


def _values(X: Any, who: str) -> Any:
    """A dataframe's values, its columns in their order (an array is returned as it is)."""
    if not is_frame(X):
        return X
    frame, _ = read_table(X, backend="polars")
    for name, dtype in frame.schema.items():
        if not (dtype.is_numeric() or dtype == pl.Boolean):
            raise InvalidDtypeError(
                f"{who}: column '{name}' of X has dtype {dtype}; a customer-by-period matrix "
                "holds numbers (0 when the customer bought nothing in the period).")
    return frame.cast(pl.Float64).to_numpy()


def matrix_width(X: Any) -> int:
    """The number of columns of an array or dataframe ``X`` (already validated)."""
    if is_frame(X):
        return len(read_table(X, backend="polars")[0].columns)
    return int(np.asarray(X).shape[1])


def period_summary(X: Any, who: str, n_periods: int | None = None) -> PeriodSummary:
    """Summaries of a customer-by-period matrix; ``n_periods``: the width seen in fit."""
    arr = dense_matrix(_values(X, who), who, PERIODS)
    n_rows, width = arr.shape
    if n_periods is not None and width != n_periods:
        raise ColumnMismatchError(
            f"X has {width} features, but {who} is expecting {n_periods} features as input "
            "(the periods of the customer-by-period matrix seen in fit).")
    bought = arr > 0
    k = bought.sum(axis=1)
    any_bought = k > 0
    first = np.argmax(bought, axis=1)
    last = width - 1 - np.argmax(bought[:, ::-1], axis=1)
    first_value = arr[np.arange(n_rows), first]
    total = arr.sum(axis=1)
    frequency = np.maximum(k - 1, 0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        monetary = np.where(frequency > 0, (total - first_value) / frequency, 0.0)
    return PeriodSummary(
        frequency=frequency,
        recency=np.where(any_bought, last - first, 0).astype(np.float64),
        T=np.where(any_bought, width - 1 - first, 0).astype(np.float64),
        monetary_value=monetary,
        periods_since_last=np.where(any_bought, width - 1 - last, np.nan).astype(np.float64),
        occasions=k.astype(np.float64),
        total=total,
    )
