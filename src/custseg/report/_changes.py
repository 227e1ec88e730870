"""The report's first section: what changed since one period earlier."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..plotting._labels import column_label
from ._context import ReportContext, esc
from ._tables import LIFECYCLE, RFM_SEGMENT, TIER, fmt_int, fmt_money, has, table_html
from ._trend_sections import trend_table

#: The labelings compared between the two dates, in the report's order.
COMPARED = (RFM_SEGMENT, LIFECYCLE, TIER)


def _lower(label: str) -> str:
    """"RFM segment" stays, "Lifecycle stage" becomes "lifecycle stage"."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _change(now: float, before: float) -> str:
    if before == 0:
        return ""
    return f" ({100 * (now - before) / abs(before):+.1f}%)"


def period_sentences(trends: pd.DataFrame | None, per: str) -> str:
    """The last complete period against the one before it, in words."""
    if trends is None:
        return ""
    done = trends[trends["complete"]]
    if len(done) < 2:
        return ""
    last, before = done.iloc[-1], done.iloc[-2]
    fmt = "%B %Y" if per == "month" else "the week of %Y-%m-%d"
    when = last["period"].strftime(fmt)
    partial = "" if bool(trends["complete"].iloc[-1]) else (
        f" (the last {per} of the data is partial and left out of this comparison)")
    return (
        f"<p>In {esc(when)}, the last complete {per}{esc(partial)}: revenue "
        f"{fmt_money(last['revenue'])}{_change(last['revenue'], before['revenue'])}, "
        f"{fmt_int(last['active_customers'])} active customers"
        f"{_change(last['active_customers'], before['active_customers'])}, "
        f"{fmt_int(last['new_customers'])} new and {fmt_int(last['lost_customers'])} lost "
        f"(bought the {per} before, not in this one), against the {per} before.</p>"
    )


def migrations(ctx: ReportContext) -> dict[str, Any]:
    """The migration of every compared labeling present in both tables, by column."""
    from ..segments import segment_migration

    if ctx.previous is None:
        return {}
    out = {}
    now, before = ctx.table, ctx.previous
    for col in COMPARED:
        if has(now, col) and has(before, col):
            out[col] = segment_migration(
                before.set_index(ctx.customer_col)[col].dropna(),
                now.set_index(ctx.customer_col)[col].dropna())
    return out


def changes_section(ctx: ReportContext) -> str | None:
    per = ctx.freq or "period"
    text = period_sentences(trend_table(ctx), per)
    moves = migrations(ctx)
    if not text and not moves:
        return None
    body = text
    if moves and ctx.previous_as_of is not None and ctx.as_of is not None:
        rows = [{"grouping": column_label(col), "stayed": m.n_stayed,
                 "moved to a better group": m.n_better, "moved to a worse group": m.n_worse,
                 "new customers": m.n_new, "gone": m.n_gone}
                for col, m in moves.items()]
        body += (
            f"<p>Each customer's groups on {ctx.as_of.date()} against {ctx.previous_as_of.date()} "
            f"(one {per} earlier). Groups are ordered best first (RFM segments from Champions "
            "to Lost, stages from new to churned, tiers from A); <b>new customers</b> made their "
            f"first purchase in the last {per}.</p>"
            + table_html(pd.DataFrame(rows), numeric=[k for k in rows[0] if k != "grouping"])
        )
        main = next(iter(moves))
        from ..plotting import plot_migration

        m = moves[main]
        n = len(m.labels) + 1
        body += ctx.figure(
            "migration",
            lambda ax: plot_migration(m, normalize=True, ax=ax,
                                      title=f"{column_label(main)} migration"),
            f"Where the customers of each {_lower(column_label(main))} went in the last "
            f"{per} (share of each row; the outlined diagonal stayed)",
            width=8.0, height=max(3.5, 0.42 * n + 1.8))
    return body
