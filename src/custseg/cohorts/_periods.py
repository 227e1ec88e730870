"""Calendar periods (weeks, months) of a validated log, and its customer x period table.

A period is numbered by an integer index: months as ``12 * year + month - 1``,
weeks (starting on Monday, as ISO weeks) by the number of whole weeks since the
Monday 1969-12-29. Consecutive periods have consecutive indices, so "the period
before" is ``index - 1`` on every engine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

from .._frame import collect_small, to_kind
from .._frame_hooks import epoch_us, with_epoch
from ..exceptions import InvalidValueError, names_text
from ..features._core import PURCH, VAL, occasions
from ..io._validate import CID, TIME, Transactions

#: The period lengths of :func:`trends` and :func:`cohort_retention`.
FREQS = ("week", "month")
"""The period lengths of :func:`~custseg.cohorts.trends` and its cohorts."""
#: A log spanning at least this many days is summarised by month, a shorter one by week.
MONTHLY_FROM_DAYS = 180
"""Days of span from which a log is summarised by month (a shorter one by week)."""
_DAY_US = 86_400_000_000
_MONDAY = dt.datetime(1969, 12, 29)


def as_output(table: pl.DataFrame, tx: Transactions) -> Any:
    """A summary table in the kind of the log: polars for a lazy log (a few hundred rows)."""
    return table if tx.info.kind == "lazy" else to_kind(table, tx.info)


def resolve_freq(freq: str | None, tx: Transactions) -> str:
    """``freq`` checked, or chosen from the log's span when None (see MONTHLY_FROM_DAYS)."""
    if freq is None:
        span = (min(tx.max_time, tx.observation_date) - tx.min_time).days
        return "month" if span >= MONTHLY_FROM_DAYS else "week"
    if freq not in FREQS:
        raise InvalidValueError(
            f"freq={freq!r} must be one of {names_text(FREQS, last='or')} (or None to choose).")
    return freq


def index_of(when: dt.datetime, freq: str) -> int:
    """The period index of a (naive) instant."""
    if freq == "month":
        return 12 * when.year + when.month - 1
    return (epoch_us(when.replace(tzinfo=None)) // _DAY_US + 3) // 7


def start_of(index: int, freq: str) -> dt.datetime:
    """The first instant of period ``index``."""
    if freq == "month":
        return dt.datetime(index // 12, index % 12 + 1, 1)
    return _MONDAY + dt.timedelta(weeks=index)


def _with_index(frame: nw.LazyFrame[Any], freq: str) -> nw.LazyFrame[Any]:
    if freq == "month":
        t = nw.col(TIME)
        return frame.with_columns(
            (t.dt.year().cast(nw.Int64()) * 12 + t.dt.month().cast(nw.Int64()) - 1).alias("__p"))
    frame = with_epoch(frame, {TIME: "__us"})
    return frame.with_columns(
        ((nw.col("__us") // _DAY_US + 3) // 7).cast(nw.Int64()).alias("__p")).drop("__us")


def customer_periods(tx: Transactions, freq: str) -> pl.DataFrame:
    """One row per customer and period with a row: the period's money and purchases.

    Columns ``__cid``, ``__p`` (period index), ``__val`` (amounts in the log's
    money units, refunds netted) and ``__n`` (purchase occasions: distinct order
    ids when the log has them, else distinct days; a refund-only occasion is not
    a purchase). Computed where the log lives; the result (at most one row per
    customer-period) is collected into polars.
    """
    occ = occasions(tx, "order" if tx.order_col is not None else "day")
    occ = _with_index(occ, freq)
    bought = (nw.col(PURCH).cast(nw.Int64()) if PURCH in occ.collect_schema().names()
              else nw.lit(1, nw.Int64()))
    per = occ.with_columns(bought.alias("__b")).group_by(CID, "__p").agg(
        nw.col(VAL).sum().alias(VAL), nw.col("__b").sum().alias("__n"))
    return collect_small(per)


def observed_periods(tx: Transactions, cp: pl.DataFrame, freq: str) -> tuple[int, int, bool]:
    """First and last period index of the log, and whether the last one is complete.

    The last period is the one holding the observation date; it is complete when the
    log covers it to its end: the period after starts at or before the cutoff, or the
    observation date is midnight of the period's last day (a log of calendar days whose
    default observation date is its last timestamp covers that day).
    """
    obs = tx.observation_date.replace(tzinfo=None)
    last = index_of(obs, freq)
    first = int(cp["__p"].min()) if cp.height else last  # type: ignore[arg-type]
    end = start_of(last + 1, freq)
    midnight = obs == obs.replace(hour=0, minute=0, second=0, microsecond=0)
    complete = end <= tx.cutoff.replace(tzinfo=None) or (
        midnight and end - obs <= dt.timedelta(days=1))
    return first, last, complete


def to_money(micro_units: pl.Expr, tx: Transactions) -> pl.Expr:
    """Integer money units back in currency, rounded to the amounts' decimals."""
    return (micro_units.cast(pl.Float64) / float(10**tx.money.exponent)).round(tx.money.decimals)
