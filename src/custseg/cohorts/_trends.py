"""Trends of a transaction log: revenue, orders and customer flows per week or month."""

from __future__ import annotations

from typing import Any, Unpack

import polars as pl

from ..features._core import VAL, function_log
from ..io._options import LogOptions
from ..io._validate import CID, Transactions
from ._periods import (
    as_output,
    customer_periods,
    observed_periods,
    resolve_freq,
    start_of,
    to_money,
)

__all__ = ["TREND_COLUMNS", "trends"]

#: The columns of :func:`trends`, in order.
TREND_COLUMNS = (
    "period",
    "revenue",
    "orders",
    "active_customers",
    "new_customers",
    "retained_customers",
    "reactivated_customers",
    "lost_customers",
    "complete",
)
"""The columns of :func:`trends`, in order."""


def trends(transactions: Any, *, freq: str | None = None, **log: Unpack[LogOptions]) -> Any:
    """Revenue, orders and active, new and lost customers per week or month.

    Every period from the one of the first transaction to the one holding the
    observation date gets a row, also periods without any sale. A customer is
    *active* in a period when they made at least one purchase in it; the active
    customers split into *new* (first purchase ever), *retained* (also active in
    the period before) and *reactivated* (back after at least one period without
    a purchase): ``active = new + retained + reactivated``. *Lost* customers were
    active in the period before and bought nothing in this one, so
    ``lost[t] = active[t - 1] - retained[t]``.

    Parameters
    ----------
    transactions : dataframe, lazy frame or Transactions
        The transaction log, validated by :func:`custseg.io.check_transactions`
        (or an already validated :class:`~custseg.io.Transactions`).
    freq : {"week", "month"}, optional
        Length of a period: calendar months, or weeks starting on Monday.
        Default: months when the log spans at least 180 days, else weeks.
    **log
        The log's columns and policies (:class:`~custseg.io.LogOptions`). With
        ``order_col`` an order is one purchase; without it, a customer's
        purchases on one calendar day are one order. ``observation_date`` is the
        last day summarised (default: the last timestamp).

    Returns
    -------
    DataFrame
        One row per period, oldest first, with the columns of
        :data:`TREND_COLUMNS`: ``period`` (datetime, first day of the period),
        ``revenue`` (currency, refunds netted, by the date of each row),
        ``orders`` (purchases; a refund-only order is not one), the customer
        counts above and ``complete`` (False for a last period the log ends
        inside of: its figures cover part of the period only). pandas, polars and
        pyarrow inputs get the same kind back; a lazy input gets a polars
        DataFrame (a few hundred rows, computed where the log lives).

    See Also
    --------
    cohort_retention : The share of each acquisition cohort still buying later.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.cohorts import trends
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20",
    ...                             "2024-03-03", "2024-03-15"]),
    ...     "amount": [10.0, 20.0, 5.0, 7.5, 30.0]})
    >>> t = trends(log, freq="month", observation_date="2024-03-31")
    >>> t[["revenue", "active_customers", "new_customers", "lost_customers"]]
       revenue  active_customers  new_customers  lost_customers
    0     15.0                 2              2               0
    1     20.0                 1              0               1
    2     37.5                 2              1               1
    """
    tx = function_log(transactions, log, "trends")
    return as_output(trends_from(tx, resolve_freq(freq, tx)), tx)


def trends_from(tx: Transactions, freq: str, cp: pl.DataFrame | None = None) -> pl.DataFrame:
    """:func:`trends` of a validated log, as polars.

    ``cp``: the log's :func:`~custseg.cohorts._periods.customer_periods` at ``freq``,
    when already computed (the report shares it with the cohorts).
    """
    cp = customer_periods(tx, freq) if cp is None else cp
    first, last, complete = observed_periods(tx, cp, freq)
    grid = pl.DataFrame({"__p": pl.int_range(first, last + 1, eager=True)})
    active = cp.filter(pl.col("__n") > 0).select(CID, "__p")
    acquired = active.group_by(CID).agg(pl.col("__p").min().alias("__first"))
    flagged = active.join(acquired, on=CID).join(
        active.with_columns((pl.col("__p") + 1), __was=pl.lit(True)), on=[CID, "__p"],
        how="left")
    flows = flagged.group_by("__p").agg(
        pl.len().alias("active_customers"),
        (pl.col("__p") == pl.col("__first")).sum().alias("new_customers"),
        pl.col("__was").is_not_null().sum().alias("retained_customers"),
    )
    money = cp.group_by("__p").agg(pl.col(VAL).sum(), pl.col("__n").sum().alias("orders"))
    out = (grid.join(money, on="__p", how="left").join(flows, on="__p", how="left")
           .fill_null(0).sort("__p"))
    out = out.with_columns(
        (pl.col("active_customers") - pl.col("new_customers")
         - pl.col("retained_customers")).alias("reactivated_customers"),
        (pl.col("active_customers").shift(1, fill_value=0)
         - pl.col("retained_customers")).alias("lost_customers"),
    )
    starts = [start_of(int(p), freq) for p in out["__p"]]
    counts = ["orders", "active_customers", "new_customers", "retained_customers",
              "reactivated_customers", "lost_customers"]
    return out.select(
        pl.Series("period", starts, dtype=pl.Datetime("us")),
        to_money(pl.col(VAL), tx).alias("revenue"),
        *[pl.col(c).cast(pl.Int64) for c in counts],
        (pl.col("__p") < last).or_(pl.lit(complete)).alias("complete"),
    )
