"""Churn labels at a cutoff and rolling-origin time splits, free of future information."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Unpack

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from ..exceptions import DataWarning, EmptyDataError, InvalidValueError, names_text
from ..features._builders import _check_windows, customer_features_from
from ..features._core import UNITS as _UNIT_DAYS
from ..features._core import as_transactions, function_log
from ..features._split import _calibration_holdout_from, _split_dates
from ..io import Transactions, parse_date
from ..io._dates import duration_words, moment_words
from ..io._options import LogOptions, log_options
from ..io._validate import PRODUCT, QTY, _as_of

__all__ = ["RollingOriginSplit", "churn_labels"]

_DROPPED = ("first_purchase", "last_purchase")
_HOLDOUT_ONLY = ("frequency_holdout", "monetary_holdout", "duration_holdout")

# What get_cutoffs reads of the log: its dates (the other columns are checked by churn_labels).
_CUTOFF_KEYS = ("customer_col", "time_col", "amount_col", "returns", "time_format")


def _horizon_delta(horizon: Any, unit: str) -> dt.timedelta:
    if unit not in _UNIT_DAYS:
        raise InvalidValueError(
            f"unit={unit!r} must be one of {names_text(list(_UNIT_DAYS), last='or')}.")
    if isinstance(horizon, dt.timedelta | pd.Timedelta | np.timedelta64):
        delta = pd.Timedelta(horizon).to_pytimedelta()
    elif isinstance(horizon, str):
        try:
            delta = pd.Timedelta(horizon).to_pytimedelta()
        except ValueError as err:
            raise InvalidValueError(
                f"horizon={horizon!r} is not a duration; expected a number of {unit!r} units "
                "or a timedelta such as '90D'."
            ) from err
    elif isinstance(horizon, int | float | np.integer | np.floating) and not isinstance(
        horizon, bool
    ):
        if not np.isfinite(horizon):
            raise InvalidValueError(f"horizon={horizon!r} must be finite.")
        delta = dt.timedelta(days=float(horizon) * _UNIT_DAYS[unit])
    else:
        raise InvalidValueError(
            f"horizon={horizon!r} must be a number of {unit!r} units or a timedelta."
        )
    if delta <= dt.timedelta(0):
        raise InvalidValueError(f"horizon={horizon!r} must be positive.")
    return delta


def _split_log(checked: Transactions) -> Transactions:
    """The validated log without the quantity and product columns.

    :func:`~custseg.features.calibration_holdout` is not given them, so the log it
    validates does not hold them either.
    """
    extra = [col for col, given in ((QTY, checked.quantity_col), (PRODUCT, checked.product_col))
             if given is not None]
    return replace(checked, frame=checked.frame.drop(*extra) if extra else checked.frame,
                   quantity_col=None, product_col=None)


def _check_window(
    cutoff: dt.datetime, date_only: bool, delta: dt.timedelta, first: dt.datetime,
    last: dt.datetime, time_col: str, horizon: Any,
) -> dt.datetime:
    """Check the cutoff and horizon against the data; return the holdout end."""
    cut_day = cutoff.date() if date_only else cutoff
    first_cmp = first.date() if date_only else first
    if cut_day < first_cmp:  # type: ignore[operator]
        raise EmptyDataError(
            f"cutoff={cutoff.date() if date_only else cutoff} is before the first transaction "
            f"in column '{time_col}' ({first}); no customer has any history at the cutoff. "
            "Choose a later cutoff."
        )
    end = cutoff + delta
    too_late = end.date() > last.date() if date_only else end > last
    if too_late:
        raise InvalidValueError(
            f"horizon={horizon!r} after cutoff={cutoff.date() if date_only else cutoff} ends "
            f"on {end.date() if date_only else end}, past the end of the data in column "
            f"'{time_col}' (last transaction {last}); churn labels would count customers who "
            "simply were not observed long enough. Choose an earlier cutoff or a shorter "
            f"horizon (at most {duration_words(last - cutoff)})."
        )
    return end


def churn_labels(
    transactions: Any,
    cutoff: Any,
    horizon: Any,
    *,
    unit: str = "D",
    occasion: str = "day",
    windows: tuple[int, ...] = (30, 90, 365),
    trend_window: int = 90,
    data_end: Any = None,
    **log: Unpack[LogOptions],
) -> Any:
    """Per-customer features at a cutoff and the churn label over the following horizon.

    Features use only transactions up to ``cutoff`` (a calendar day includes the
    whole day); the label ``churned`` is true when the customer makes no purchase
    in the ``horizon`` after it. Adding or removing transactions after the
    cutoff never changes a feature: only the label looks at them.

    Parameters
    ----------
    transactions : dataframe, lazy frame or Transactions
        The transaction log; validated by :func:`custseg.io.check_transactions`.
    cutoff : date-like
        The moment the churn prediction is made.
    horizon : float or timedelta
        Length of the label window: a number of ``unit`` (``39`` with
        ``unit="W"`` is 39 weeks) or a timedelta (``"90D"``). It must end on or
        before the last transaction, or the labels would be incomplete.
    unit : {"D", "W", "h"}, default="D"
        Unit of a numeric ``horizon`` and of the BTYD columns ``recency_cal`` and
        ``T_cal``.
    occasion, windows, trend_window
        As in :func:`custseg.features.customer_features`.
    data_end : date-like, optional
        The date up to which the log is complete (default: its last transaction).
        Pass it when the log is known to cover a later date than its last purchase,
        e.g. an extract taken today: the horizon may then end on that date.
    **log
        The log's columns and policies (:class:`~custseg.io.LogOptions`) but
        ``observation_date`` and ``future``: the whole log is read, the cutoff
        splits it.

    Returns
    -------
    DataFrame
        Same kind as the input, one row per customer with a purchase on or before
        the cutoff, sorted by customer id: the columns of
        :func:`~custseg.features.customer_features` at the cutoff (without the two
        datetime columns, which ``recency_days`` and ``tenure_days`` encode), the
        BTYD summary ``frequency_cal``, ``recency_cal``, ``T_cal``,
        ``monetary_value_cal`` and the boolean label ``churned``. All columns but
        the customer id and ``churned`` are numeric features.

    Raises
    ------
    EmptyDataError
        The cutoff is before the first transaction.
    InvalidValueError
        The horizon ends after the last transaction, or a parameter is invalid.

    Warns
    -----
    DataWarning
        When every customer has the same label (nothing to learn from).

    See Also
    --------
    RollingOriginSplit : Training and test tables at several cutoffs.
    custseg.features.calibration_holdout : The BTYD half with holdout counts.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.churn import churn_labels
    >>> table = churn_labels(load_cdnow(sample=True), "1997-09-30", 39, unit="W")
    >>> table.shape
    (2357, 23)
    >>> round(float(table["churned"].mean()), 2)
    0.71
    """
    checked = function_log(transactions, log, "churn_labels", observation_date=None,
                           future="error")
    cut, date_only = parse_date(cutoff, name="cutoff")
    delta = _horizon_delta(horizon, unit)
    last = checked.max_time
    if data_end is not None:
        complete, complete_day = parse_date(data_end, name="data_end")
        if complete_day:  # a calendar day covers the whole day
            complete = complete + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        last = max(last, complete)
    end = _check_window(cut, date_only, delta, checked.min_time, last, checked.time_col,
                        horizon)
    # The calibration/holdout split from the log validated above, cut at the holdout end
    # exactly as calibration_holdout(transactions, cut, end, ...) would validate and cut
    # it, without reading the table a second time.
    cal_date, cal_day = _split_dates(cut, end)
    # A log the caller validated and cut already (a Transactions) is cut again at the end.
    split_log = (_as_of(_split_log(checked), end) if checked.max_time < checked.cutoff
                 else _split_log(checked).before(end, date_only=parse_date(end)[1]))
    split = _calibration_holdout_from(split_log, cal_date, cal_day, occasion=occasion,
                                      unit=unit)
    # Features at the cutoff from the log validated above (cut there, nothing later).
    wins, trend = _check_windows(windows, trend_window)
    feats = customer_features_from(checked.before(cut, date_only=date_only), occasion, wins,
                                   trend)
    left = nw.from_native(feats).drop(*_DROPPED)
    right = nw.from_native(split.features).drop(*_HOLDOUT_ONLY)
    joined = left.join(right, on=checked.customer_col, how="inner").sort(checked.customer_col)
    out = joined.to_native()
    if isinstance(joined, nw.DataFrame):
        rate = joined["churned"].cast(nw.Float64()).mean()
        if rate in (0.0, 1.0):
            n = len(joined)
            who = "the one customer is" if n == 1 else f"all {n} customers are"
            warnings.warn(
                f"{who} {'churned' if rate == 1.0 else 'retained (none churned)'} over the "
                f"horizon of {duration_words(delta)} after the cutoff "
                f"{moment_words(cut, date_only)}; a churn model cannot learn from one class.",
                DataWarning, stacklevel=2,
            )
    return out


class RollingOriginSplit:
    """Rolling-origin time splits for churn models: train on the past, test on the future.

    For each test cutoff ``c``, the training table is :func:`churn_labels` at
    ``c - horizon`` (its labels are observed by ``c``) and the test table is
    :func:`churn_labels` at ``c``. Nothing the model is trained on happens after
    the test cutoff, so scores measure what a model deployed at ``c`` would
    have achieved.

    Parameters
    ----------
    horizon : float or timedelta
        Churn horizon (see :func:`churn_labels`).
    n_splits : int, default=3
        Number of test cutoffs, when ``cutoffs`` is not given. The last one is
        the latest whose horizon fits in the data; earlier ones go back by
        ``step``.
    step : float or timedelta, optional
        Distance between consecutive test cutoffs (default: ``horizon``), in
        ``unit``.
    cutoffs : sequence of date-like, optional
        Explicit test cutoffs (overrides ``n_splits`` and ``step``).
    unit : {"D", "W", "h"}, default="D"
        Unit of numeric ``horizon`` and ``step``, and of the BTYD columns.
    **label_params : dict
        Passed to :func:`churn_labels` (column names, ``occasion``, ``returns``,
        ``windows``...).

    See Also
    --------
    churn_labels : Features and labels at one cutoff.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.churn import RollingOriginSplit
    >>> splitter = RollingOriginSplit(horizon=90, n_splits=2)
    >>> log = load_cdnow(sample=True)
    >>> [(str(a.date()), str(b.date())) for a, b in splitter.get_cutoffs(log)]
    [('1997-10-03', '1998-01-01'), ('1998-01-01', '1998-04-01')]
    >>> train, test = next(iter(splitter.split(log)))
    >>> bool(train["churned"].mean() > 0.5), len(test) >= len(train)
    (True, True)
    """

    def __init__(
        self,
        horizon: Any,
        *,
        n_splits: int = 3,
        step: Any = None,
        cutoffs: Any = None,
        unit: str = "D",
        **label_params: Any,
    ) -> None:
        self.horizon = horizon
        self.n_splits = n_splits
        self.step = step
        self.cutoffs = cutoffs
        self.unit = unit
        self.label_params = label_params

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.label_params.items())
        return (f"RollingOriginSplit(horizon={self.horizon!r}, n_splits={self.n_splits!r}, "
                f"step={self.step!r}, cutoffs={self.cutoffs!r}, unit={self.unit!r}{extra})")

    def get_n_splits(self, transactions: Any = None) -> int:
        """Number of splits.

        Parameters
        ----------
        transactions : dataframe, optional
            Ignored unless explicit cutoffs are missing.

        Returns
        -------
        int
            The number of (train, test) pairs :meth:`split` yields.

        Examples
        --------
        >>> from custseg.churn import RollingOriginSplit
        >>> RollingOriginSplit(horizon=30, n_splits=4).get_n_splits()
        4
        """
        if self.cutoffs is not None:
            return len(list(self.cutoffs))
        return int(self.n_splits)

    def get_cutoffs(self, transactions: Any) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """The (train cutoff, test cutoff) pairs, oldest first.

        Parameters
        ----------
        transactions : dataframe or lazy frame
            The transaction log.

        Returns
        -------
        list of (Timestamp, Timestamp)
            Training and test cutoffs of each split.

        Examples
        --------
        >>> from custseg.datasets import load_cdnow
        >>> from custseg.churn import RollingOriginSplit
        >>> pairs = RollingOriginSplit(horizon=13, unit="W", n_splits=1).get_cutoffs(
        ...     load_cdnow(sample=True))
        >>> [str(day.date()) for day in pairs[0]]
        ['1997-12-30', '1998-03-31']
        """
        checked = as_transactions(transactions,
                                  **log_options(self.label_params, keys=_CUTOFF_KEYS))
        delta = _horizon_delta(self.horizon, self.unit)
        first, last = checked.min_time, checked.max_time
        if self.cutoffs is not None:
            tests = [parse_date(c, name="cutoffs")[0] for c in self.cutoffs]
            if not tests:
                raise InvalidValueError("cutoffs is empty; expected at least one date.")
        else:
            if isinstance(self.n_splits, bool) or not isinstance(self.n_splits, int | np.integer) \
                    or self.n_splits < 1:
                raise InvalidValueError(f"n_splits={self.n_splits!r} must be an integer >= 1.")
            step = delta if self.step is None else _horizon_delta(self.step, self.unit)
            last_day = dt.datetime(last.year, last.month, last.day, tzinfo=last.tzinfo)
            latest = last_day - delta
            tests = [latest - i * step for i in range(int(self.n_splits))][::-1]
        pairs = []
        for test in sorted(tests):
            train = test - delta
            if train.date() < first.date():
                raise InvalidValueError(
                    f"the training cutoff {train.date()} of test cutoff {test.date()} is before "
                    f"the first transaction ({first}); use fewer splits, a smaller step or a "
                    "shorter horizon."
                )
            _check_window(test, True, delta, first, last,
                          self.label_params.get("time_col", "date"), self.horizon)
            pairs.append((pd.Timestamp(train), pd.Timestamp(test)))
        return pairs

    def split(self, transactions: Any) -> Iterator[tuple[Any, Any]]:
        """Yield (train table, test table) for each cutoff, oldest first.

        Parameters
        ----------
        transactions : dataframe or lazy frame
            The transaction log.

        Yields
        ------
        train, test : DataFrame
            :func:`churn_labels` at the training and at the test cutoff.

        Examples
        --------
        >>> from custseg.datasets import load_cdnow
        >>> from custseg.churn import RollingOriginSplit
        >>> splits = list(RollingOriginSplit(horizon=120, n_splits=1).split(
        ...     load_cdnow(sample=True)))
        >>> len(splits)
        1
        """
        for train_cut, test_cut in self.get_cutoffs(transactions):
            train = churn_labels(transactions, train_cut.to_pydatetime(), self.horizon,
                                 unit=self.unit, **self.label_params)
            test = churn_labels(transactions, test_cut.to_pydatetime(), self.horizon,
                                unit=self.unit, **self.label_params)
            yield train, test
