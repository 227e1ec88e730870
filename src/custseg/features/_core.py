"""Feature computations on a validated log, written once as narwhals expressions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import narwhals.stable.v2 as nw

from .._frame import to_kind
from .._frame_hooks import epoch_us, with_epoch
from ..exceptions import InvalidValueError, names_text
from ..io._options import LOG_OPTIONS, check_log_keywords
from ..io._validate import (
    AMOUNT,
    CID,
    ORDER,
    PRODUCT,
    QTY,
    TIME,
    Transactions,
    check_transactions,
    parse_date,
)

OCCASIONS = ("day", "order", "row")
UNITS = {"D": 1.0, "days": 1.0, "W": 7.0, "weeks": 7.0, "h": 1.0 / 24.0, "hours": 1.0 / 24.0}
_DAY_US = 86_400_000_000.0

# Columns of the occasion table.
VAL, PURCH = "__val", "__purch"

# Money is summed exactly, as whole integers of 10**-exponent currency units (see
# custseg.io._money): float sums taken in parallel differ in their last bits from run to
# run, integer sums do not, and the log's scale keeps them inside int64.


def micro(expr: nw.Expr, tx: Transactions) -> nw.Expr:
    """An amount in whole units of the log's money scale (int64, cannot overflow)."""
    return (expr * float(10**tx.money.exponent)).round(0).cast(nw.Int64())


def money(expr: nw.Expr, tx: Transactions) -> nw.Expr:
    """A sum of :func:`micro` units back in currency units, exact to the amounts' decimals.

    The division is rounded to the amounts' own number of decimals: an engine may
    divide by multiplying with an inexact reciprocal (156.45999999999998), and
    rounding gives back the closest float to the decimal sum (156.46) on every engine.
    """
    scaled = expr.cast(nw.Float64()) / float(10**tx.money.exponent)
    return scaled.round(tx.money.decimals)


def function_log(transactions: Any, log: Mapping[str, Any], who: str,
                 **overrides: Any) -> Transactions:
    """The validated log of public function ``who``, called with ``**log`` keywords.

    ``log`` holds :class:`~custseg.io.LogOptions` keywords other than those of
    ``overrides``, which the function sets itself (``calibration_holdout`` sets
    ``observation_date`` and ``future``); any other keyword raises the
    ``TypeError`` of an unknown keyword argument.
    """
    allowed = [k for k in LOG_OPTIONS if k not in overrides]
    return as_transactions(transactions, **check_log_keywords(log, who, allowed), **overrides)


def as_transactions(transactions: Any, **kwargs: Any) -> Transactions:
    """The validated log every stage works on: validate a table once, pass the result on.

    A :class:`~custseg.io.Transactions` (what :func:`~custseg.io.check_transactions`
    returns) is taken as it is, without reading the table again: its own column
    names and refund policy hold, and a given ``observation_date`` cuts it there
    (rows after it left out, as ``future="drop"``). Anything else is validated by
    :func:`~custseg.io.check_transactions` with ``kwargs``.
    """
    if isinstance(transactions, Transactions):
        when = kwargs.get("observation_date")
        if when is None:
            return transactions
        obs, date_only = parse_date(when)
        return transactions.before(obs, date_only=date_only)
    return check_transactions(transactions, **kwargs)


def check_occasion(occasion: str, tx: Transactions) -> None:
    if occasion not in OCCASIONS:
        raise InvalidValueError(
            f"occasion={occasion!r} must be one of {names_text(OCCASIONS, last='or')}.")
    if occasion == "order" and tx.order_col is None:
        raise InvalidValueError(
            "occasion='order' needs order_col= naming the column that holds order ids."
        )


def unit_days(unit: str) -> float:
    if unit not in UNITS:
        raise InvalidValueError(
            f"unit={unit!r} must be one of {names_text(list(UNITS), last='or')}.")
    return UNITS[unit]


def reference_time(tx: Transactions, occasion: str) -> dt.datetime:
    """The instant durations are measured from.

    With day occasions every time is a calendar day, so the reference is the
    observation day. With exact-time occasions it is the end of the observation
    day (a date given as a day) or the observation timestamp itself.
    """
    obs = tx.observation_date
    if occasion == "day":
        return obs.replace(hour=0, minute=0, second=0, microsecond=0)
    return tx.cutoff if tx.date_only else obs


def occasions(tx: Transactions, occasion: str) -> nw.LazyFrame[Any]:
    """One row per (customer, purchase occasion).

    Columns: ``__cid``, ``__t`` (the occasion's time: its day, or the first
    timestamp of the order, or the row's timestamp), ``__val`` (sum of amounts,
    refunds included, in millionths: see :func:`micro`) and, when the log has
    refunds, ``__purch`` (whether the occasion has at least one non-negative row:
    a refund-only occasion is not a purchase).
    """
    frame = tx.frame
    has_refunds = tx.n_negative > 0
    if occasion == "row":
        cols = [nw.col(CID), nw.col(TIME), micro(nw.col(AMOUNT), tx).alias(VAL)]
        if has_refunds:
            cols.append((nw.col(AMOUNT) >= 0).alias(PURCH))
        return frame.select(cols)
    if occasion == "day":
        keyed = frame.with_columns(nw.col(TIME).dt.truncate("1d"))
        keys = [CID, TIME]
        aggs = [micro(nw.col(AMOUNT), tx).sum().alias(VAL)]
    else:
        keyed = frame
        keys = [CID, ORDER]
        aggs = [nw.col(TIME).min(), micro(nw.col(AMOUNT), tx).sum().alias(VAL)]
    if has_refunds:
        aggs.append(nw.col(AMOUNT).max().alias("__max"))
    out = keyed.group_by(keys).agg(aggs)
    if has_refunds:
        out = out.with_columns((nw.col("__max") >= 0).alias(PURCH)).drop("__max")
    if occasion == "order":
        out = out.drop(ORDER)
    return out


def days_between(later: nw.Expr, earlier: nw.Expr) -> nw.Expr:
    """(later - earlier) in days, as a float, from two instants in epoch microseconds.

    The integer difference is exact on every engine; timestamps become epoch
    microseconds through :func:`custseg._frame_hooks.with_epoch`.
    """
    return (later - earlier).cast(nw.Float64()) / _DAY_US


def reference_us(tx: Transactions, occasion: str) -> nw.Expr:
    """:func:`reference_time` in epoch microseconds, as a literal."""
    return nw.lit(epoch_us(reference_time(tx, occasion)), nw.Int64())


def per_customer_rfm(tx: Transactions, occasion: str) -> nw.LazyFrame[Any]:
    """RFM columns per customer, in internal names (``__cid`` first), unsorted."""
    ref = reference_us(tx, occasion)
    if tx.n_negative == 0 and occasion == "day":
        # Without refunds every day with a row is a purchase: one pass over the rows,
        # counting distinct days, instead of building the occasion table first.
        day = nw.col(TIME).dt.truncate("1d")
        out = tx.frame.group_by(CID).agg(
            day.n_unique().alias("frequency"),
            nw.col(TIME).min().dt.truncate("1d").alias("first_purchase"),
            nw.col(TIME).max().dt.truncate("1d").alias("last_purchase"),
            micro(nw.col(AMOUNT), tx).sum().alias("monetary_total"),
        )
        return _rfm_columns(out, ref, tx)
    occ = occasions(tx, occasion)
    if PURCH in occ.collect_schema().names():
        occ = occ.with_columns(
            nw.when(nw.col(PURCH)).then(nw.col(TIME)).alias("__tp"),
            nw.col(PURCH).cast(nw.Int64()).alias("__p"),
        )
        aggs = [
            nw.col("__p").sum().alias("frequency"),
            nw.col("__tp").min().alias("first_purchase"),
            nw.col("__tp").max().alias("last_purchase"),
            nw.col(VAL).sum().alias("monetary_total"),
        ]
    else:
        aggs = [
            nw.len().alias("frequency"),
            nw.col(TIME).min().alias("first_purchase"),
            nw.col(TIME).max().alias("last_purchase"),
            nw.col(VAL).sum().alias("monetary_total"),
        ]
    return _rfm_columns(occ.group_by(CID).agg(aggs), ref, tx)


def _rfm_columns(out: nw.LazyFrame[Any], ref: nw.Expr, tx: Transactions) -> nw.LazyFrame[Any]:
    """Final RFM columns from per-customer frequency, first/last purchase and total."""
    freq = nw.col("frequency").cast(nw.Int64())
    total = money(nw.col("monetary_total"), tx)
    out = with_epoch(out, {"first_purchase": "__fp", "last_purchase": "__lp"})
    return out.select(
        nw.col(CID),
        days_between(ref, nw.col("__lp")).alias("recency_days"),
        freq.alias("frequency"),
        total.alias("monetary_total"),
        nw.when(freq > 0)
        .then(total / freq.cast(nw.Float64()))
        .alias("monetary_mean"),
        nw.col("first_purchase"),
        nw.col("last_purchase"),
        days_between(ref, nw.col("__fp")).alias("tenure_days"),
    )


def per_customer_btyd(tx: Transactions, occasion: str, unit: str) -> nw.LazyFrame[Any]:
    """BTYD summary per customer (customers with at least one purchase), unsorted.

    ``monetary_value`` is the mean value of the repeat occasions: the total value
    of all occasions after the first, divided by the number of repeat occasions
    (0 when there is none). Refunds on a purchase occasion lower that
    occasion's value; refund-only occasions are left out.
    """
    per = unit_days(unit)
    if tx.n_negative == 0 and occasion == "day":
        return _btyd_by_day(tx, per)
    occ = occasions(tx, occasion)
    if PURCH in occ.collect_schema().names():
        occ = occ.filter(nw.col(PURCH)).drop(PURCH)
    first = nw.col(TIME).min().over(CID)
    occ = occ.with_columns(
        nw.when(nw.col(TIME) == first).then(nw.col(VAL)).alias("__first_val"),
        (nw.col(TIME) == first).cast(nw.Int64()).alias("__is_first"),
    )
    agg = occ.group_by(CID).agg(
        nw.len().alias("__n"),
        nw.col(TIME).min().alias("__first"),
        nw.col(TIME).max().alias("__last"),
        nw.col(VAL).sum().alias("__total"),
        nw.col("__first_val").sum().alias("__fv"),
        nw.col("__is_first").sum().alias("__nf"),
    )
    return _btyd_columns(agg, tx, occasion, per)


def _btyd_by_day(tx: Transactions, per: float) -> nw.LazyFrame[Any]:
    """:func:`per_customer_btyd` of a log without refunds, by calendar day, from the rows.

    Every day with a row is a purchase occasion, so the summary comes from one
    pass over the rows (distinct days, first and last day, the value of the first
    day through a window on the customer) instead of building the occasion
    table first: 40% less time at 10M rows (benchmarks/bench_scale.py), the
    same integer sums and so the same results.
    """
    day = nw.col(TIME).dt.truncate("1d")
    value = micro(nw.col(AMOUNT), tx)
    rows = tx.frame.with_columns(
        day.alias("__day"),
        value.alias(VAL),
        nw.when(day == day.min().over(CID)).then(value).otherwise(0).alias("__first_val"),
    )
    agg = rows.group_by(CID).agg(
        nw.col("__day").n_unique().alias("__n"),
        nw.col("__day").min().alias("__first"),
        nw.col("__day").max().alias("__last"),
        nw.col(VAL).sum().alias("__total"),
        nw.col("__first_val").sum().alias("__fv"),
    )
    return _btyd_columns(agg.with_columns(nw.lit(1).alias("__nf")), tx, "day", per)


def _btyd_columns(agg: nw.LazyFrame[Any], tx: Transactions, occasion: str,
                  per: float) -> nw.LazyFrame[Any]:
    """The BTYD columns from per-customer occasion counts, first/last time and values."""
    ref = reference_us(tx, occasion)
    repeat = (nw.col("__n") - nw.col("__nf")).cast(nw.Int64())
    repeat_value = money(nw.col("__total") - nw.col("__fv"), tx)
    agg = with_epoch(agg, {"__first": "__first_us", "__last": "__last_us"})
    return agg.select(
        nw.col(CID),
        repeat.alias("frequency"),
        (days_between(nw.col("__last_us"), nw.col("__first_us")) / per).alias("recency"),
        (days_between(ref, nw.col("__first_us")) / per).alias("T"),
        nw.when(repeat > 0)
        .then(repeat_value / repeat.cast(nw.Float64()))
        .otherwise(nw.lit(0.0))
        .alias("monetary_value"),
    )


def per_customer_behaviour(
    tx: Transactions, occasion: str, windows: tuple[int, ...], trend_window: int
) -> nw.LazyFrame[Any]:
    """Behavioural features per customer (every customer), unsorted."""
    occ = with_epoch(occasions(tx, occasion), {TIME: "__us"})
    ref = reference_us(tx, occasion)
    if PURCH in occ.collect_schema().names():
        purch = nw.col(PURCH).cast(nw.Int64())
        bought = occ.filter(nw.col(PURCH))
    else:
        purch = nw.lit(1).cast(nw.Int64())
        bought = occ
    age = days_between(ref, nw.col("__us"))
    window_cols: list[nw.Expr] = []
    for w in windows:
        inside = age < float(w)
        window_cols.append(nw.when(inside).then(purch).otherwise(0).alias(f"__p{w}"))
        window_cols.append(
            nw.when(inside).then(nw.col(VAL)).otherwise(0).alias(f"__s{w}")
        )
    last = age < float(trend_window)
    prev = (age >= float(trend_window)) & (age < 2.0 * float(trend_window))
    window_cols.append(nw.when(last).then(nw.col(VAL)).otherwise(0).alias("__last"))
    window_cols.append(nw.when(prev).then(nw.col(VAL)).otherwise(0).alias("__prev"))
    window_cols.append(purch.alias("__n"))
    aggs: list[nw.Expr] = []
    for w in windows:
        aggs.append(nw.col(f"__p{w}").sum().alias(f"purchases_{w}d"))
        aggs.append(nw.col(f"__s{w}").sum().alias(f"spend_{w}d"))
    aggs += [
        nw.col("__last").sum(),
        nw.col("__prev").sum(),
        nw.col("__n").sum(),
        nw.col(VAL).sum().alias("__total"),
    ]
    per = occ.with_columns(window_cols).group_by(CID).agg(aggs)

    gaps = bought.with_columns(
        days_between(nw.col("__us"), nw.col("__us").shift(1).over(CID, order_by=TIME)).alias(
            "__gap"
        )
    )
    ipt = gaps.group_by(CID).agg(
        nw.col("__gap").mean().alias("ipt_mean_days"),
        nw.col("__gap").median().alias("ipt_median_days"),
        nw.col("__gap").std(ddof=1).alias("ipt_std_days"),
    )
    extra_aggs: list[nw.Expr] = []
    if tx.quantity_col is not None:
        extra_aggs.append(nw.col(QTY).sum().alias("__qty"))
    if tx.product_col is not None:
        extra_aggs.append(nw.col(PRODUCT).n_unique().alias("distinct_products"))
    out = per.join(ipt, on=CID, how="left")
    if extra_aggs:
        out = out.join(tx.frame.group_by(CID).agg(extra_aggs), on=CID, how="left")
    n = nw.col("__n").cast(nw.Float64())
    total_trend = (nw.col("__last") + nw.col("__prev")).cast(nw.Float64())
    cols: list[Any] = [
        nw.col(CID),
        nw.col("ipt_mean_days"),
        nw.col("ipt_median_days"),
        nw.col("ipt_std_days"),
        nw.when(nw.col("ipt_mean_days") > 0)
        .then(nw.col("ipt_std_days") / nw.col("ipt_mean_days"))
        .alias("ipt_cv"),
    ]
    for w in windows:
        cols += [
            nw.col(f"purchases_{w}d").cast(nw.Int64()),
            money(nw.col(f"spend_{w}d"), tx).alias(f"spend_{w}d"),
        ]
    cols += [
        nw.when(total_trend != 0)
        .then((nw.col("__last") - nw.col("__prev")).cast(nw.Float64()) / total_trend.abs())
        .otherwise(0.0)
        .alias("spend_trend"),
        nw.when(n > 0).then(money(nw.col("__total"), tx) / n).alias("avg_order_value"),
    ]
    if tx.quantity_col is not None:
        cols.append(nw.when(n > 0).then(nw.col("__qty") / n).alias("avg_order_quantity"))
    if tx.product_col is not None:
        cols.append(nw.col("distinct_products").cast(nw.Int64()))
    return out.select(cols)


def finish(result: nw.LazyFrame[Any], tx: Transactions) -> Any:
    """Sort by customer id, restore the caller's id column name, return the caller's kind."""
    out = result.sort(CID).rename({CID: tx.customer_col})
    return to_kind(out, tx.info, keep_dtypes=(tx.customer_col,))
