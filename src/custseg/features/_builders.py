"""Plain functions that build per-customer features from a transaction log."""

from __future__ import annotations

from typing import Any, Unpack

from ..exceptions import InvalidValueError
from ..io._options import LogOptions
from ..io._validate import Transactions
from ._behaviour import per_customer_behaviour
from ._core import (
    check_occasion,
    finish,
    function_log,
    per_customer_btyd,
    per_customer_rfm,
    unit_days,
)

__all__ = ["behavioural_features", "btyd_summary", "customer_features", "rfm"]

RFM_COLUMNS = (
    "recency_days",
    "frequency",
    "monetary_total",
    "monetary_mean",
    "first_purchase",
    "last_purchase",
    "tenure_days",
)
BTYD_COLUMNS = ("frequency", "recency", "T", "monetary_value")
DEFAULT_WINDOWS = (30, 90, 365)


def _check_windows(windows: Any, trend_window: Any) -> tuple[tuple[int, ...], int]:
    try:
        wins = tuple(int(w) for w in windows)
    except TypeError as err:
        raise InvalidValueError(f"windows={windows!r} must be a sequence of day counts.") from err
    if not wins or any(w <= 0 for w in wins) or len(set(wins)) != len(wins):
        raise InvalidValueError(
            f"windows={windows!r} must be distinct positive day counts, e.g. (30, 90, 365)."
        )
    if int(trend_window) <= 0:
        raise InvalidValueError(f"trend_window={trend_window!r} must be a positive day count.")
    return wins, int(trend_window)


def rfm(transactions: Any, *, occasion: str = "day", **log: Unpack[LogOptions]) -> Any:
    """Recency, frequency and monetary value of every customer.

    Parameters
    ----------
    transactions : dataframe, lazy frame or Transactions
        The transaction log (pandas, polars, pyarrow, polars LazyFrame, DuckDB
        relation, PySpark DataFrame); validated by
        :func:`custseg.io.check_transactions`. An already validated
        :class:`~custseg.io.Transactions` is used as it is (its column names and
        refund policy hold; ``observation_date`` cuts it), so a log is read and
        checked once however many features are built from it.
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase: a distinct customer and calendar day (several
        rows of one customer on one day are one purchase), a distinct order id
        (``order_col``), or every row.
    **log
        The log's column names and policies (``customer_col``, ``time_col``,
        ``amount_col``, ``order_col``, ``observation_date``, ``returns``,
        ``future``, ``time_format``), as :class:`~custseg.io.LogOptions` lists
        them. ``observation_date`` is the date "as of" which recency and tenure
        are measured (default: the last timestamp; a calendar day covers the
        whole day).

    Returns
    -------
    DataFrame
        Same kind as the input (lazy stays lazy), one row per customer, sorted by
        customer id; the id column keeps its name and dtype. Columns:

        - ``recency_days`` (float, days): observation date minus last purchase;
        - ``frequency`` (int, occasions): number of purchase occasions;
        - ``monetary_total`` (float, currency): total spend, refunds netted;
        - ``monetary_mean`` (float, currency per occasion): ``monetary_total /
          frequency``;
        - ``first_purchase``, ``last_purchase`` (datetime): first and last
          purchase occasion (days, with ``occasion="day"``);
        - ``tenure_days`` (float, days): observation date minus first purchase.

        With ``occasion="day"`` durations are whole days between calendar days;
        otherwise exact. A customer whose only rows are refunds has
        ``frequency`` 0 and missing recency, mean and dates. Money is summed
        exactly in millionths of a currency unit, so results are identical from
        run to run.

    See Also
    --------
    btyd_summary : The frequency/recency/T summary of the BTYD models.
    RFMFeatures : The same as a scikit-learn transformer.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.features import rfm
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-11", "2024-01-06"]),
    ...     "amount": [10.0, 5.0, 20.0, 8.0]})
    >>> rfm(log, observation_date="2024-01-31")[["customer_id", "recency_days", "frequency",
    ...                                          "monetary_total", "tenure_days"]]
      customer_id  recency_days  frequency  monetary_total  tenure_days
    0           a          20.0          2            35.0         30.0
    1           b          25.0          1             8.0         25.0
    """
    return rfm_from(function_log(transactions, log, "rfm"), occasion)


def rfm_from(tx: Transactions, occasion: str) -> Any:
    """RFM from an already validated log (shared by the function and the transformer)."""
    check_occasion(occasion, tx)
    return finish(per_customer_rfm(tx, occasion), tx)


def btyd_summary(transactions: Any, *, unit: str = "D", occasion: str = "day",
                 **log: Unpack[LogOptions]) -> Any:
    """Frequency, recency, T and monetary value in the BTYD (lifetimes) convention.

    The input of the "buy till you die" models (BG/NBD, Pareto/NBD, Gamma-Gamma),
    identical to ``lifetimes.utils.summary_data_from_transaction_data`` with
    ``freq="D"`` (and ``freq_multiplier`` for other units).

    Parameters
    ----------
    transactions : dataframe, lazy frame or Transactions
        The transaction log (see :func:`rfm`).
    unit : {"D", "W", "h"} or {"days", "weeks", "hours"}, default="D"
        Time unit of ``recency`` and ``T``.
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`rfm`).
    **log
        The log's columns and policies (:class:`~custseg.io.LogOptions`);
        ``observation_date`` ends the observation period (default: the last
        timestamp).

    Returns
    -------
    DataFrame
        Same kind as the input, one row per customer with at least one purchase,
        sorted by customer id (customers whose only rows are refunds are left out:
        they have no first purchase). Columns:

        - ``frequency`` (int): repeat purchase occasions (occasions minus one);
        - ``recency`` (float, ``unit``): last minus first purchase occasion;
        - ``T`` (float, ``unit``): observation date minus first purchase occasion;
        - ``monetary_value`` (float, currency): mean value of the repeat occasions
          (0 when there is none).

        Note that BTYD ``recency`` is the customer's age at the last purchase, not
        the time since it (RFM's ``recency_days``).

    See Also
    --------
    rfm : RFM features.
    calibration_holdout : The same summary at a calibration date, with holdout targets.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.features import btyd_summary
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-06"]),
    ...     "amount": [10.0, 5.0, 20.0, 8.0]})
    >>> btyd_summary(log, observation_date="2024-01-29", unit="W")
      customer_id  frequency  recency         T  monetary_value
    0           a          2      2.0  4.000000            12.5
    1           b          0      0.0  3.285714             0.0
    """
    return btyd_from(function_log(transactions, log, "btyd_summary"), occasion, unit)


def btyd_from(tx: Transactions, occasion: str, unit: str) -> Any:
    """BTYD summary from an already validated log."""
    check_occasion(occasion, tx)
    unit_days(unit)
    return finish(per_customer_btyd(tx, occasion, unit), tx)


def behavioural_features(
    transactions: Any,
    *,
    windows: tuple[int, ...] = DEFAULT_WINDOWS,
    trend_window: int = 90,
    occasion: str = "day",
    **log: Unpack[LogOptions],
) -> Any:
    """Behavioural features: purchase rhythm, recent activity and spend trend.

    Parameters
    ----------
    transactions : dataframe, lazy frame or Transactions
        The transaction log (see :func:`rfm`).
    windows : tuple of int, default=(30, 90, 365)
        Trailing windows in days; a window of ``w`` days covers the ``w`` days up
        to and including the observation day.
    trend_window : int, default=90
        Length in days of the two windows compared by ``spend_trend``.
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`rfm`).
    **log
        The log's columns and policies (:class:`~custseg.io.LogOptions`):
        ``quantity_col`` and ``product_col`` add ``avg_order_quantity`` and
        ``distinct_products``; ``observation_date`` is the "as of" date
        (default: the last timestamp).

    Returns
    -------
    DataFrame
        Same kind as the input, one row per customer, sorted by customer id:

        - ``ipt_mean_days``, ``ipt_median_days``, ``ipt_std_days`` (float, days):
          mean, median and standard deviation (ddof=1) of the inter-purchase times,
          the gaps between consecutive purchase occasions; missing with fewer than
          two occasions (std: fewer than three);
        - ``ipt_cv`` (float): coefficient of variation, std / mean (missing when
          undefined);
        - ``purchases_{w}d`` (int, occasions) and ``spend_{w}d`` (float, currency)
          for each window ``w``;
        - ``spend_trend`` (float in [-1, 1]): ``(last - previous) / (last +
          previous)`` of the spend in the last ``trend_window`` days and the
          ``trend_window`` days before; 0 when both are 0;
        - ``avg_order_value`` (float, currency per occasion);
        - ``avg_order_quantity`` (float, units per occasion) with ``quantity_col``;
        - ``distinct_products`` (int) with ``product_col``.

    See Also
    --------
    customer_features : RFM and behavioural features together.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.features import behavioural_features
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-06"]),
    ...     "amount": [10.0, 5.0, 20.0, 8.0]})
    >>> feats = behavioural_features(log, windows=(30,), trend_window=15)
    >>> feats[["customer_id", "ipt_mean_days", "purchases_30d", "spend_30d", "spend_trend"]]
      customer_id  ipt_mean_days  purchases_30d  spend_30d  spend_trend
    0           a           15.0              2       25.0          0.6
    1           b            NaN              1        8.0         -1.0
    """
    wins, trend = _check_windows(windows, trend_window)
    tx = function_log(transactions, log, "behavioural_features")
    return behaviour_from(tx, occasion, wins, trend)


def behaviour_from(tx: Transactions, occasion: str, windows: tuple[int, ...], trend: int) -> Any:
    """Behavioural features from an already validated log."""
    check_occasion(occasion, tx)
    return finish(per_customer_behaviour(tx, occasion, windows, trend), tx)


def customer_features(
    transactions: Any,
    *,
    windows: tuple[int, ...] = DEFAULT_WINDOWS,
    trend_window: int = 90,
    occasion: str = "day",
    **log: Unpack[LogOptions],
) -> Any:
    """RFM and behavioural features of every customer in one table.

    The table most models in custseg start from: the columns of :func:`rfm`
    followed by those of :func:`behavioural_features`.

    Parameters
    ----------
    transactions : dataframe, lazy frame or Transactions
        The transaction log (see :func:`rfm`).
    windows, trend_window
        As in :func:`behavioural_features`.
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`rfm`).
    **log
        The log's columns and policies (:class:`~custseg.io.LogOptions`), as in
        :func:`rfm` and :func:`behavioural_features`.

    Returns
    -------
    DataFrame
        Same kind as the input, one row per customer, sorted by customer id.

    See Also
    --------
    CustomerFeatures : The same as a scikit-learn transformer.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import customer_features
    >>> feats = customer_features(load_cdnow(sample=True))
    >>> feats.shape
    (2357, 20)
    >>> feats.columns[:4].tolist()
    ['customer_id', 'recency_days', 'frequency', 'monetary_total']
    """
    wins, trend = _check_windows(windows, trend_window)
    tx = function_log(transactions, log, "customer_features")
    return customer_features_from(tx, occasion, wins, trend)


def customer_features_from(
    tx: Transactions, occasion: str, windows: tuple[int, ...], trend: int
) -> Any:
    """RFM + behavioural features from an already validated log."""
    check_occasion(occasion, tx)
    return finish(per_customer_behaviour(tx, occasion, windows, trend, with_rfm=True), tx)

