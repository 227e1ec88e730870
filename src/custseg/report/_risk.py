"""Report sections on churn risk: the bands, and every valuable customer at high risk."""

from __future__ import annotations

import pandas as pd

from ._context import ReportContext
from ._customers import draw
from ._decisions import weak_model_notice
from ._tables import (
    ACTION,
    CHURN_PROBABILITY,
    CHURN_RISK,
    LIFECYCLE,
    REVENUE,
    RFM_SEGMENT,
    TIER,
    fmt_pct,
    group_summary,
    has,
    table_html,
)

#: Columns of the at-risk list (those present), in order.
AT_RISK_COLUMNS = (TIER, RFM_SEGMENT, LIFECYCLE, REVENUE, "frequency", "recency_days",
                   CHURN_PROBABILITY, "expected_value", "value_at_stake", ACTION)


def training_high_share(model: object) -> float | None:
    """The share of the training customers in the high band (None if unknown).

    The band's cut point is a churn probability learnt on the model's internal split
    and applied unchanged at later dates, where the band may hold a different share.
    """
    bands = getattr(model, "churn_risk_bands_", None)
    try:
        return float(bands["high"]["share"])  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None


def high_risk_label(ctx: ReportContext, n_high: int) -> str:
    """The KPI card's label: the high band's share now and when the cut point was set."""
    n = len(ctx.table)
    label = "customers at high churn risk"
    if not n:
        return label
    now = fmt_pct(n_high / n)
    then = training_high_share(ctx.model)
    if then is None:
        return f"{label} ({now} of customers)"
    return f"{label} ({now} of customers; {fmt_pct(then)} when the model was fit)"


def _band_note(ctx: ReportContext) -> str:
    """How the bands were set, and the high band's share now against then."""
    cuts = getattr(ctx.model, "churn_risk_cuts_", None)
    then = training_high_share(ctx.model)
    df = ctx.table
    if cuts is None or then is None or not len(df):
        return ""
    now = float((df[CHURN_RISK].astype(str) == "high").mean())
    return (
        f" The bands were set when the model was fit: a probability of {fmt_pct(cuts[0])} "
        f"or more is medium, {fmt_pct(cuts[1])} or more high, which put {fmt_pct(then)} "
        f"of the customers of its training split in the high band. The cut points are "
        f"kept as they are, so at this date the high band holds {fmt_pct(now)} of the "
        "customers."
    )


def at_risk(df: pd.DataFrame) -> tuple[pd.Series, bool]:
    """Customers at high churn risk who have not churned yet (all high-risk ones if none).

    Returns the mask and whether churned customers were left out.
    """
    high = df[CHURN_RISK].astype(str) == "high"
    if has(df, LIFECYCLE):
        still_here = high & (df[LIFECYCLE].astype(str) != "churned")
        if still_here.any():
            return still_here, True
    return high, False


def churn_section(ctx: ReportContext) -> str | None:
    df = ctx.table
    if not has(df, CHURN_RISK):
        return None
    horizon = getattr(ctx.model, "churn_horizon_days", None)
    return (
        weak_model_notice(ctx.model)
        + "<p>The churn risk is the estimated probability that a customer makes no purchase "
        "in the coming period" + (f" ({int(horizon)} days)" if horizon else "")
        + ", learnt from how past customers behaved. Bands: low, medium, high."
        + _band_note(ctx) + "</p>"
        + draw(ctx, "churn_risk", "Share of customers and of spend by churn risk")
        + table_html(group_summary(df, CHURN_RISK), first="churn risk")
    )


def at_risk_section(ctx: ReportContext) -> str | None:
    df = ctx.table
    if not has(df, CHURN_RISK) or REVENUE not in df.columns:
        return None
    mask, without_churned = at_risk(df)
    if not mask.any():
        return None
    cols = [ctx.customer_col, *[c for c in AT_RISK_COLUMNS if c in df.columns
                                and c != ctx.customer_col]]
    listed = df.loc[mask, cols].sort_values(REVENUE, ascending=False, kind="stable")
    n = len(listed)
    return (
        weak_model_notice(ctx.model)
        + f"<p>All {n:,} customers at high churn risk"
        + (" who have not churned yet" if without_churned else "")
        + ", the biggest spenders first: contact them first. Click a column heading to "
        "sort by it (again to reverse); type in the box to keep the rows that contain the "
        "text (a segment, a tier, an id).</p>"
        '<p class="filter"><label>Filter <input type="search" data-filter="at-risk-table" '
        'placeholder="e.g. Champions" aria-label="Filter the customers at risk"></label> '
        f'<span class="count" data-count-for="at-risk-table">{n:,} of {n:,} shown</span></p>'
        + table_html(listed, numeric=(ctx.customer_col,), table_id="at-risk-table",
                     sortable=True)
    )
