"""The playbook section: customers per recommended action, each list a CSV in the page."""

from __future__ import annotations

import base64
import re

import pandas as pd

from ._context import ReportContext, esc
from ._tables import (
    ACTION,
    CHURN_PROBABILITY,
    LIFECYCLE,
    REVENUE,
    RFM_SEGMENT,
    TIER,
    has,
    table_html,
)

#: Columns of each campaign CSV (those present), after the customer id.
CAMPAIGN_COLUMNS = (ACTION, "action_priority", RFM_SEGMENT, TIER, LIFECYCLE, REVENUE,
                    "frequency", "recency_days", CHURN_PROBABILITY, "expected_value",
                    "value_at_stake")


def slug(text: str) -> str:
    """A file-name friendly form of an action's name."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "action"


def campaign_csv(df: pd.DataFrame, customer_col: str, action: str) -> str:
    """The CSV (UTF-8 text) of the customers whose recommended action is ``action``."""
    cols = [customer_col, *[c for c in CAMPAIGN_COLUMNS if c in df.columns
                            and c != customer_col]]
    rows = df.loc[df[ACTION].astype(str) == action, cols]
    if REVENUE in rows.columns:
        rows = rows.sort_values(REVENUE, ascending=False, kind="stable")
    return str(rows.to_csv(index=False, lineterminator="\n"))


def playbook_section(ctx: ReportContext) -> str | None:
    df = ctx.table
    if not has(df, ACTION):
        return None
    actions = df[ACTION].dropna().astype(str)
    counts = actions.value_counts()
    order = list(counts.index)
    if "action_priority" in df.columns:
        priority = df.groupby(df[ACTION].astype(str))["action_priority"].min()
        order = sorted(order, key=lambda a: (priority.get(a, 99), -counts[a], a))
    group_col = next((c for c in (RFM_SEGMENT, LIFECYCLE, TIER) if has(df, c)), None)
    rows = []
    links = []
    for action in order:
        n = int(counts[action])
        groups = ""
        if group_col is not None:
            by = df.loc[df[ACTION].astype(str) == action, group_col].astype(str).value_counts()
            groups = ", ".join(f"{g} ({c:,})" for g, c in by.items())
        rows.append({"recommended action": action, "customers": n, "groups": groups})
        data = base64.b64encode(campaign_csv(df, ctx.customer_col, action).encode()).decode()
        name = f"campaign-{slug(action)}.csv"
        links.append(
            f'<li><a class="csv" download="{esc(name)}" data-action="{esc(action)}" '
            f'data-rows="{n}" href="data:text/csv;charset=utf-8;base64,{data}">'
            f"{esc(action)}</a> ({n:,} customers)</li>")
    return (
        "<p>The recommended action for each group of customers, most urgent first, and how "
        "many customers it concerns. Each list below downloads as a CSV file (one row per "
        "customer, biggest spenders first) to load into a CRM or an e-mail tool; the files "
        "are inside this page, nothing is fetched.</p>"
        + table_html(pd.DataFrame(rows))
        + f'<h3>Campaign lists</h3><ul class="downloads">{"".join(links)}</ul>'
    )
