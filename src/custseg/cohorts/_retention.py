"""Cohort retention: the share of each acquisition cohort still buying n periods later."""

from __future__ import annotations

from typing import Any, Unpack

import polars as pl

from ..exceptions import InvalidValueError
from ..features._core import function_log
from ..io._options import LogOptions
from ..io._validate import CID, Transactions
from ._periods import as_output, customer_periods, observed_periods, resolve_freq, start_of

__all__ = ["cohort_retention"]


def cohort_retention(
    transactions: Any,
    *,
    freq: str | None = None,
    max_periods: int | None = None,
    **log: Unpack[LogOptions],
) -> Any:
    """Retention matrix: share of each acquisition cohort buying n periods after joining.

    A customer's cohort is the period (week or month) of their first purchase.
    Cell ``n`` of a cohort is the share of its customers who made at least one
    purchase in the ``n``-th period after it (``"0"``, the cohort's own period,
    is 1 by definition). A cell the log has not reached yet (a cohort of March
    has no ``"3"`` cell in a log ending in May) is missing, not 0.

    Parameters
    ----------
    transactions : dataframe, lazy frame or Transactions
        The transaction log (see :func:`trends`).
    freq : {"week", "month"}, optional
        Length of a period. Default: months when the log spans at least 180 days,
        else weeks.
    max_periods : int, optional
        Keep the columns ``"0"`` to ``str(max_periods)`` only. Default: all.
    **log
        The log's columns and policies, as in :func:`trends`.

    Returns
    -------
    DataFrame
        One row per cohort (a period in which at least one customer made a first
        purchase), oldest first: ``cohort`` (datetime, first day of its period),
        ``customers`` (cohort size) and one float column per period
        after acquisition, named ``"0"``, ``"1"``, ... A last period the log
        ends inside of counts the purchases made so far. Kind of frame as
        :func:`trends`.

    See Also
    --------
    trends : Active, new and lost customers per period.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.cohorts import cohort_retention
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "c", "c"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20",
    ...                             "2024-02-03", "2024-03-15"]),
    ...     "amount": [10.0, 20.0, 5.0, 7.5, 30.0]})
    >>> cohort_retention(log, freq="month", observation_date="2024-03-31")
          cohort  customers    0    1    2
    0 2024-01-01          2  1.0  0.5  0.0
    1 2024-02-01          1  1.0  1.0  NaN
    """
    if max_periods is not None and (not isinstance(max_periods, int) or max_periods < 0):
        raise InvalidValueError(f"max_periods={max_periods!r} must be an integer >= 0.")
    tx = function_log(transactions, log, "cohort_retention")
    return as_output(retention_from(tx, resolve_freq(freq, tx), max_periods), tx)


def retention_from(tx: Transactions, freq: str, max_periods: int | None = None,
                   cp: pl.DataFrame | None = None) -> pl.DataFrame:
    """:func:`cohort_retention` of a validated log, as polars.

    ``cp``: the log's :func:`~custseg.cohorts._periods.customer_periods` at ``freq``,
    when already computed (the report shares it with the trends).
    """
    cp = customer_periods(tx, freq) if cp is None else cp
    first, last, _ = observed_periods(tx, cp, freq)
    active = cp.filter(pl.col("__n") > 0).select(CID, "__p")
    acquired = active.group_by(CID).agg(pl.col("__p").min().alias("__c"))
    width = last - first if max_periods is None else min(max_periods, last - first)
    cells = (active.join(acquired, on=CID)
             .with_columns((pl.col("__p") - pl.col("__c")).alias("__k"))
             .filter(pl.col("__k") <= width)
             .group_by("__c", "__k").agg(pl.len().alias("__m")))
    sizes = acquired.group_by("__c").agg(pl.len().alias("customers"))
    cohorts = sizes.sort("__c")
    columns: dict[str, pl.Series] = {
        "cohort": pl.Series([start_of(int(c), freq) for c in cohorts["__c"]],
                            dtype=pl.Datetime("us")),
        "customers": cohorts["customers"].cast(pl.Int64),
    }
    lookup = {(int(c), int(k)): int(m) for c, k, m in cells.iter_rows()}
    for k in range(width + 1):
        values: list[float | None] = []
        for c, size in zip(cohorts["__c"], cohorts["customers"], strict=True):
            if c + k > last:
                values.append(None)
            else:
                values.append(lookup.get((int(c), k), 0) / size)
        columns[str(k)] = pl.Series(values, dtype=pl.Float64)
    return pl.DataFrame(columns)
