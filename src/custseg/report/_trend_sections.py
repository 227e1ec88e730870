"""Report sections from the transaction log: trends per period and cohort retention."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._context import ReportContext
from ._tables import table_html

#: Cohort columns shown (periods after the first purchase).
COHORT_PERIODS = 12
#: Periods listed in the trends table (the latest ones).
TREND_ROWS = 12


def _periods(ctx: ReportContext, freq: str) -> Any:
    """The log's customer x period table, computed once for the trends and the cohorts.

    Each computation is a pass over the log: sharing it took trends and cohorts from
    1.14 s to 0.80 s on the 1.5M-row log of benchmarks/bench_report.py (best of 6, load
    average 1.2-1.4).
    """
    from ..cohorts._periods import customer_periods

    return ctx.cached("periods", lambda: customer_periods(ctx.transactions, freq))


def trend_table(ctx: ReportContext) -> pd.DataFrame | None:
    """The trends of the log (computed once per report), as pandas; None without a log."""
    tx, freq = ctx.transactions, ctx.freq
    if tx is None or freq is None:
        return None

    def compute() -> Any:
        from ..cohorts._trends import trends_from

        return trends_from(tx, freq, _periods(ctx, freq)).to_pandas()

    return ctx.cached("trends", compute)


def trends_section(ctx: ReportContext) -> str | None:
    table = trend_table(ctx)
    if table is None or len(table) == 0:
        return None
    from ..plotting import plot_trends

    per = ctx.freq or "period"
    listed = table.tail(TREND_ROWS).iloc[::-1].copy()
    fmt = "%Y-%m" if per == "month" else "%Y-%m-%d"
    listed["period"] = [p.strftime(fmt) + ("" if done else " (partial)")
                        for p, done in zip(listed["period"], listed["complete"], strict=True)]
    listed = listed.drop(columns="complete")
    return (
        f"<p>Revenue, orders and customers per {per}. <b>Active</b> customers bought in the "
        f"{per}; they are <b>new</b> (first purchase ever), <b>retained</b> (also bought the "
        f"{per} before) or <b>reactivated</b> (back after a pause). <b>Lost</b> customers "
        f"bought the {per} before but not in this one. A {per} the data ends inside of is "
        "marked partial (pale bar, hollow points).</p>"
        + ctx.figure("trend_revenue", lambda ax: plot_trends(table, "revenue", ax=ax),
                     f"Revenue per {per}", width=8.0, height=3.2)
        + ctx.figure("trend_customers", lambda ax: plot_trends(table, ax=ax),
                     f"Active, new and lost customers per {per}", width=8.0, height=3.2)
        + table_html(listed, first=per)
    )


def cohorts_section(ctx: ReportContext) -> str | None:
    if ctx.transactions is None or ctx.freq is None:
        return None
    from ..cohorts._retention import retention_from
    from ..plotting import plot_cohort_retention

    retention = retention_from(ctx.transactions, ctx.freq, COHORT_PERIODS,
                               _periods(ctx, ctx.freq)).to_pandas()
    if len(retention) == 0:
        return None
    per = ctx.freq
    shown = retention.tail(24)
    one = retention["1"].dropna() if "1" in retention.columns else pd.Series(dtype=float)
    weights = retention.loc[one.index, "customers"]
    average = float((one * weights).sum() / weights.sum()) if weights.sum() > 0 else None
    text = (f" On average {100 * average:.1f}% of a cohort buys again in the {per} after "
            "its first purchase." if average is not None else "")
    return (
        f"<p>Customers are grouped by the {per} of their first purchase (their cohort). Each "
        f"cell is the share of the cohort that bought again {COHORT_PERIODS} or fewer "
        f"{per}s later; column 0 is the first {per} itself (100%). Blank cells are not "
        f"observed yet.{text}</p>"
        + ctx.figure("cohort_retention", lambda ax: plot_cohort_retention(shown, ax=ax),
                     f"Share of each cohort buying n {per}s after the first purchase",
                     width=8.0, height=max(3.0, 0.22 * len(shown) + 1.5))
    )
