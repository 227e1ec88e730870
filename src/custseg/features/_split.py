"""Calibration/holdout split: features before a date, targets after it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Unpack

import narwhals.stable.v2 as nw

from .._frame import collect_small, computed
from ..exceptions import EmptyDataError, InvalidValueError
from ..io._options import LogOptions
from ..io._validate import CID, TIME, Transactions, parse_date
from ._core import (
    check_occasion,
    finish,
    function_log,
    money,
    occasions,
    per_customer_btyd,
    reference_time,
    unit_days,
)

__all__ = ["CalibrationHoldout", "calibration_holdout"]

HOLDOUT_COLUMNS = ("frequency_holdout", "monetary_holdout", "churned", "duration_holdout")


@dataclass(frozen=True)
class CalibrationHoldout:
    """Result of :func:`calibration_holdout`.

    Attributes
    ----------
    features : DataFrame
        One row per customer seen in the calibration period, sorted by customer
        id, same kind of frame as the input. Columns ``frequency_cal``,
        ``recency_cal``, ``T_cal``, ``monetary_value_cal`` (the BTYD summary as of
        the calibration end, from calibration transactions only) and the holdout
        targets ``frequency_holdout`` (purchase occasions in the holdout),
        ``monetary_holdout`` (spend in the holdout, refunds netted), ``churned``
        (no purchase in the holdout) and ``duration_holdout`` (holdout length in
        ``unit``).
    calibration_end, holdout_end : datetime.datetime
        The resolved dates.
    n_calibration_rows, n_holdout_rows : int
        Transaction rows in each period (before any occasion grouping).
    n_customers : int
        Customers in ``features`` (those with a calibration purchase).
    n_new_in_holdout : int
        Customers whose first transaction is in the holdout: left out of
        ``features`` because nothing is known of them at the calibration end.
    n_after_holdout : int
        Rows after ``holdout_end``, left out.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import calibration_holdout
    >>> split = calibration_holdout(load_cdnow(sample=True), "1997-09-30", unit="W")
    >>> split.n_customers, split.n_new_in_holdout
    (2357, 0)
    """

    features: Any
    calibration_end: Any
    holdout_end: Any
    n_calibration_rows: int
    n_holdout_rows: int
    n_customers: int
    n_new_in_holdout: int
    n_after_holdout: int


def calibration_holdout(
    transactions: Any,
    calibration_end: Any,
    holdout_end: Any = None,
    *,
    unit: str = "D",
    occasion: str = "day",
    **log: Unpack[LogOptions],
) -> CalibrationHoldout:
    """Split a log in time: BTYD features as of ``calibration_end``, targets after it.

    Features use only transactions up to ``calibration_end``; the holdout targets
    count what each of those customers did in ``(calibration_end, holdout_end]``.
    This is the time-based holdout every custseg model is evaluated on.

    Parameters
    ----------
    transactions : dataframe, lazy frame or Transactions
        The transaction log (see :func:`rfm`).
    calibration_end : date-like
        Last moment of the calibration period; a calendar day includes the whole day.
    holdout_end : date-like, optional
        Last moment of the holdout (default: the last timestamp in the data). Rows
        after it are left out and counted in ``n_after_holdout``.
    unit : {"D", "W", "h"}, default="D"
        Time unit of ``recency_cal``, ``T_cal`` and ``duration_holdout``.
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`rfm`).
    **log
        The log's columns and policies (:class:`~custseg.io.LogOptions`) but
        ``observation_date`` and ``future``, which the two dates set.

    Returns
    -------
    CalibrationHoldout
        The per-customer table and the row and customer counts.

    See Also
    --------
    btyd_summary : The calibration half on its own.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import calibration_holdout
    >>> split = calibration_holdout(load_cdnow(), "1997-09-30", "1998-06-30", unit="W")
    >>> split.n_calibration_rows, split.n_holdout_rows, split.n_customers
    (49086, 20573, 23570)
    >>> int((~split.features["churned"]).sum())
    7058
    """
    cal_date, cal_day = _split_dates(calibration_end, holdout_end)
    tx_all = function_log(transactions, log, "calibration_holdout", observation_date=holdout_end,
                          future="drop")
    return _calibration_holdout_from(tx_all, cal_date, cal_day, occasion=occasion, unit=unit)


def _split_dates(calibration_end: Any, holdout_end: Any) -> tuple[dt.datetime, bool]:
    """Parse the calibration end; check that the holdout end, when given, is after it.

    Returns the calibration end and whether it names a whole calendar day.
    """
    cal_date, cal_day = parse_date(calibration_end, name="calibration_end")
    if holdout_end is not None:
        hold_date, _ = parse_date(holdout_end, name="holdout_end")
        if hold_date <= cal_date:
            raise InvalidValueError(
                f"holdout_end={hold_date.date()} must be after calibration_end={cal_date.date()}."
            )
    return cal_date, cal_day


def _once(frame: nw.LazyFrame[Any], tx: Transactions) -> nw.LazyFrame[Any]:
    """``frame`` computed once when the log is held in polars (an eager input).

    The summary and the holdout counts are read three and two times below: as lazy
    frames each read recomputed them from the log (1.29 s -> 0.82 s of CPU, 1.85 s ->
    1.07 s of wall time at load 7, on the 1.5M-row log of benchmarks/bench_report.py).
    A lazy engine's frames stay lazy.
    """
    return frame if tx.info.kind == "lazy" else computed(frame)


def _calibration_holdout_from(
    tx_all: Transactions, cal_date: dt.datetime, cal_day: bool, *, occasion: str, unit: str
) -> CalibrationHoldout:
    """:func:`calibration_holdout` from an already validated log.

    ``tx_all`` is the log as ``check_transactions(..., observation_date=holdout_end,
    future="drop")`` returns it (rows after the holdout end dropped, summary facts
    of the whole table); ``cal_date, cal_day`` come from :func:`_split_dates`.
    """
    time_col = tx_all.time_col
    check_occasion(occasion, tx_all)
    per = unit_days(unit)
    cal = tx_all.before(cal_date, date_only=cal_day)
    if cal.cutoff > tx_all.cutoff:
        raise InvalidValueError(
            f"calibration_end={cal_date.date()} is after the holdout end "
            f"{tx_all.observation_date}; the holdout would be empty."
        )
    counts = collect_small(tx_all.frame.select(
        cal=(nw.col(TIME) < nw.lit(cal.cutoff)).cast(nw.Int64()).sum(),
        n=nw.len(),
    )).to_dicts()[0]
    n_cal, n_window = int(counts["cal"] or 0), int(counts["n"] or 0)
    if n_cal == 0:
        raise EmptyDataError(
            f"no transaction in column '{time_col}' is on or before calibration_end="
            f"{cal_date.date()} (first transaction {tx_all.min_time}); choose a later date."
        )
    holdout_tx = replace(tx_all, frame=tx_all.frame.filter(nw.col(TIME) >= nw.lit(cal.cutoff)))
    summary = per_customer_btyd(cal, occasion, unit).rename(
        {c: f"{c}_cal" for c in ("frequency", "recency", "T", "monetary_value")}
    )
    hold_occ = occasions(holdout_tx, occasion)
    if "__purch" in hold_occ.collect_schema().names():
        purchases = nw.col("__purch").cast(nw.Int64())
    else:
        purchases = nw.lit(1).cast(nw.Int64())
    hold = hold_occ.with_columns(purchases.alias("__p")).group_by(CID).agg(
        nw.col("__p").sum().alias("frequency_holdout"),
        money(nw.col("__val").sum(), tx_all).alias("monetary_holdout"),
    )
    summary, hold = _once(summary, tx_all), _once(hold, tx_all)
    duration = (
        reference_time(tx_all, occasion) - reference_time(cal, occasion)
    ).total_seconds() / 86400.0 / per
    joined = summary.join(hold, on=CID, how="left").with_columns(
        nw.col("frequency_holdout").fill_null(0).cast(nw.Int64()),
        nw.col("monetary_holdout").fill_null(0.0),
    ).with_columns(
        (nw.col("frequency_holdout") == 0).alias("churned"),
        nw.lit(duration).alias("duration_holdout"),
    )
    cust_counts = collect_small(
        hold.select(CID).join(summary.select(CID), on=CID, how="anti").select(n=nw.len())
    ).item()
    n_customers = collect_small(summary.select(n=nw.len())).item()
    return CalibrationHoldout(
        features=finish(joined, tx_all),
        calibration_end=cal.observation_date,
        holdout_end=tx_all.observation_date,
        n_calibration_rows=n_cal,
        n_holdout_rows=n_window - n_cal,
        n_customers=int(n_customers),
        n_new_in_holdout=int(cust_counts),
        n_after_holdout=tx_all.n_rows - n_window,
    )
