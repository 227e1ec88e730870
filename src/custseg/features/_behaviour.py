"""Behavioural features per customer, with or without the RFM columns, in one aggregation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import narwhals.stable.v2 as nw

from .._frame_hooks import in_customer_parts, with_epoch
from ..io._validate import CID, PRODUCT, QTY, TIME, Transactions
from ._core import (
    PURCH,
    VAL,
    customer_parts,
    days_between,
    money,
    occasions,
    reference_us,
    rfm_exprs,
)


def per_customer_behaviour(
    tx: Transactions, occasion: str, windows: tuple[int, ...], trend_window: int,
    *, with_rfm: bool = False,
) -> nw.LazyFrame[Any]:
    """Behavioural features per customer (every customer), unsorted.

    With ``with_rfm`` the columns of :func:`~custseg.features._core.per_customer_rfm`
    come first, aggregated from the same occasion table: one aggregation of it
    and no join, rather than a second pass over the rows and a join of two
    per-customer tables (:func:`~custseg.features.customer_features`): 20% less
    CPU time at 100M rows, 9% at 10M (benchmarks/bench_scale.py), the same
    integer sums and so the same results.

    A big log is aggregated in parts of the customers where the engine needs it
    (:func:`~custseg._frame_hooks.in_customer_parts`, one part per
    :data:`~custseg.features._core.ROWS_PER_PART` rows).
    """
    return in_customer_parts(
        tx.frame, lambda part: _behaviour(replace(tx, frame=part), occasion, windows,
                                          trend_window, with_rfm),
        key=CID, parts=customer_parts(tx))


def _behaviour(tx: Transactions, occasion: str, windows: tuple[int, ...], trend_window: int,
               with_rfm: bool) -> nw.LazyFrame[Any]:
    """:func:`per_customer_behaviour` of one part of the customers (or all of them)."""
    occ = with_epoch(occasions(tx, occasion), {TIME: "__us"})
    ref = reference_us(tx, occasion)
    refunds = PURCH in occ.collect_schema().names()
    purch = nw.col(PURCH).cast(nw.Int64()) if refunds else nw.lit(1).cast(nw.Int64())
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
    if with_rfm:
        # A purchase's time (refund-only occasions are no purchase).
        window_cols.append((nw.when(nw.col(PURCH)).then(nw.col(TIME)) if refunds
                            else nw.col(TIME)).alias("__pt"))
        aggs += [nw.col("__pt").min().alias("first_purchase"),
                 nw.col("__pt").max().alias("last_purchase")]

    gap = days_between(nw.col("__us"), nw.col("__us").shift(1).over(CID, order_by=TIME))
    ipt_aggs = [
        nw.col("__gap").mean().alias("ipt_mean_days"),
        nw.col("__gap").median().alias("ipt_median_days"),
        nw.col("__gap").std(ddof=1).alias("ipt_std_days"),
    ]
    bought = occ.filter(nw.col(PURCH)) if refunds else occ  # gaps between purchases
    ipt = bought.with_columns(gap.alias("__gap")).group_by(CID).agg(ipt_aggs)
    out = occ.with_columns(window_cols).group_by(CID).agg(aggs).join(ipt, on=CID, how="left")
    extra_aggs: list[nw.Expr] = []
    if tx.quantity_col is not None:
        extra_aggs.append(nw.col(QTY).sum().alias("__qty"))
    if tx.product_col is not None:
        extra_aggs.append(nw.col(PRODUCT).n_unique().alias("distinct_products"))
    if extra_aggs:
        out = out.join(tx.frame.group_by(CID).agg(extra_aggs), on=CID, how="left")
    if with_rfm:
        out = with_epoch(out, {"first_purchase": "__fp", "last_purchase": "__lp"})
    n = nw.col("__n").cast(nw.Float64())
    total_trend = (nw.col("__last") + nw.col("__prev")).cast(nw.Float64())
    cols: list[Any] = [nw.col(CID)]
    if with_rfm:
        cols += rfm_exprs(ref, tx, frequency=nw.col("__n"), total=nw.col("__total"))
    cols += [
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
