"""Report sections about who the customers are: segments, tiers, stages, clusters, RFM map."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._context import ReportContext, esc
from ._figures import FIGURES
from ._tables import (
    KMEANS_NAME,
    LIFECYCLE,
    RFM_SEGMENT,
    TIER,
    group_summary,
    has,
    table_html,
)


def draw(ctx: ReportContext, name: str, caption: str) -> str:
    """The recipe ``name`` of :data:`FIGURES`, drawn for the context's table, as HTML."""
    recipe = FIGURES[name]
    if not recipe.applies(ctx.table, ctx.model):
        return ""
    width, height = recipe.size(ctx.table)
    return ctx.figure(name, lambda ax: recipe.draw(ctx.table, ctx.model, ax), caption,
                      width=width, height=height)


def segments_section(ctx: ReportContext) -> str | None:
    df = ctx.table
    if not has(df, RFM_SEGMENT):
        return None
    return (
        "<p>Every customer is placed in one segment by how recently, how often and how much "
        "they bought (RFM scores from 1 to 5, 5 being best), best segments first. The chart "
        "compares each segment's share of customers with its share of spend.</p>"
        + draw(ctx, "rfm_segments", "Share of customers and of spend by RFM segment")
        + table_html(group_summary(df, RFM_SEGMENT), first="segment")
    )


def _tier_rules_html(df: pd.DataFrame, model: Any) -> str:
    """The tier rules learnt by the model's decision tree, with their agreement."""
    rules = getattr(model, "tier_rules_", None) if model is not None else None
    if rules is None or not hasattr(rules, "export_rules"):
        return ""
    features = [str(c) for c in getattr(rules, "feature_names_in_", [])]
    if not features or not set(features) <= set(df.columns):
        return ""
    X = df[features].astype("float64")
    if "recency_days" in X.columns and "tenure_days" in df.columns:
        X["recency_days"] = X["recency_days"].fillna(df["tenure_days"])
    agree = float((pd.Series(rules.predict(X.fillna(0.0))).astype(str).to_numpy()
                   == df[TIER].astype(str).to_numpy()).mean())
    return (
        "<h3>Why is a customer in a tier?</h3>"
        f"<p>These rules, learnt from the customers' recency, purchases and spend, give "
        f"the same tier as the table for {100 * agree:.1f}% of the customers listed here. "
        "They can be pasted into a CRM or, as SQL, into a warehouse query.</p>"
        f'<pre class="rules">{esc(rules.export_rules("text"))}</pre>'
    )


def tiers_section(ctx: ReportContext) -> str | None:
    df = ctx.table
    if not has(df, TIER):
        return None
    return (
        "<p>Tiers grade customers by value, A being the most valuable. Use them to decide "
        "where account managers and service effort go first.</p>"
        + draw(ctx, "tiers", "Share of customers and of spend by value tier")
        + table_html(group_summary(df, TIER), first="tier")
        + _tier_rules_html(df, ctx.model)
    )


def lifecycle_section(ctx: ReportContext) -> str | None:
    df = ctx.table
    if not has(df, LIFECYCLE):
        return None
    return (
        "<p>Where each customer stands today: <b>new</b> (first purchase recently), "
        "<b>active</b> (buying at their usual pace), <b>dormant</b> (overdue, at risk) or "
        "<b>churned</b> (gone quiet for much longer than usual).</p>"
        + draw(ctx, "lifecycle", "Customers by lifecycle stage")
        + table_html(group_summary(df, LIFECYCLE), first="stage")
    )


def clusters_section(ctx: ReportContext) -> str | None:
    df = ctx.table
    if not has(df, KMEANS_NAME):
        return None
    k = getattr(getattr(ctx.model, "kmeans_", None), "n_clusters_", None)
    return (
        "<p>K-means groups customers with similar buying behaviour, found from the data "
        "rather than from fixed rules" + (f" ({k} clusters)" if k else "") + ", most "
        "valuable first. The lines show how each cluster differs from the average customer "
        "(0 = average) on each measure.</p>"
        + draw(ctx, "kmeans_profile", "Cluster profiles (standardised means)")
        + table_html(group_summary(df, KMEANS_NAME), first="cluster")
    )


def rfm_map_section(ctx: ReportContext) -> str | None:
    if not FIGURES["rfm_heatmap"].applies(ctx.table, ctx.model):
        return None
    return (
        "<p>Average spend for customers grouped by days since their last purchase and by "
        "number of purchases.</p>"
        + draw(ctx, "rfm_heatmap", "Average total spend by recency and purchases")
    )
