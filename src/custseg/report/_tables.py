"""Summary tables of a per-customer table, and their HTML."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

# Column names of the per-customer table (custseg.pipeline.CustomerSegmentation.predict).
RFM_SEGMENT = "rfm_segment"
LIFECYCLE = "lifecycle_stage"
KMEANS_SEGMENT = "kmeans_segment"
KMEANS_NAME = "kmeans_segment_name"
TIER = "tier"
VALUE_SCORE = "value_score"
CHURN_PROBABILITY = "churn_probability"
CHURN_RISK = "churn_risk"
ACTION = "action"
REVENUE = "monetary_total"


def has(df: pd.DataFrame, col: str) -> bool:
    """Whether ``col`` is in ``df`` with at least one value."""
    return col in df.columns and bool(df[col].notna().any())


def ordered_levels(labels: pd.Series) -> list[Any]:
    """Levels in their natural order: categorical order, else by size (largest first)."""
    if isinstance(labels.dtype, pd.CategoricalDtype):
        present = set(labels.dropna().unique())
        return [c for c in labels.cat.categories if c in present]
    counts = labels.value_counts(dropna=True, sort=False)
    return sorted(counts.index, key=lambda v: (-counts[v], str(v)))


def group_summary(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """One row per level of ``col``: size, revenue share, RFM means, churn and action."""
    levels = ordered_levels(df[col])
    keys = df[col].astype(object)
    n_total = len(df)
    revenue_total = float(df[REVENUE].clip(lower=0).sum()) if REVENUE in df.columns else 0.0
    rows = []
    for level in levels:
        g = df[keys == level]
        row: dict[str, Any] = {"group": level, "customers": len(g),
                               "share of customers": len(g) / n_total}
        if REVENUE in df.columns:
            rev = float(g[REVENUE].clip(lower=0).sum())
            row["share of revenue"] = rev / revenue_total if revenue_total > 0 else np.nan
            row["average spend"] = float(g[REVENUE].mean())
        if "frequency" in df.columns:
            row["average purchases"] = float(g["frequency"].mean())
        if "recency_days" in df.columns:
            row["days since last purchase"] = float(g["recency_days"].median())
        if CHURN_PROBABILITY in df.columns and col != CHURN_RISK:
            row["churn risk"] = float(g[CHURN_PROBABILITY].mean())
        if ACTION in df.columns:
            actions = g[ACTION].dropna()
            row["recommended action"] = actions.mode().iloc[0] if len(actions) else ""
        rows.append(row)
    return pd.DataFrame(rows)


def _fmt_pct(v: Any) -> str:
    return "" if pd.isna(v) else f"{100 * float(v):.1f}%"


def _fmt_money(v: Any) -> str:
    return "" if pd.isna(v) else f"{float(v):,.2f}"


def _fmt_num(v: Any) -> str:
    return "" if pd.isna(v) else f"{float(v):,.1f}"


def _fmt_int(v: Any) -> str:
    return "" if pd.isna(v) else f"{int(v):,}"


FORMATS: dict[str, Callable[[Any], str]] = {
    "customers": _fmt_int,
    "share of customers": _fmt_pct,
    "share of revenue": _fmt_pct,
    "average spend": _fmt_money,
    "average purchases": _fmt_num,
    "days since last purchase": _fmt_num,
    "churn risk": _fmt_pct,
    "churn probability": _fmt_pct,
    "spend": _fmt_money,
    "purchases": _fmt_int,
}


def table_html(df: pd.DataFrame, *, first: str = "", numeric: Sequence[str] = ()) -> str:
    """An HTML table; cells are escaped, known columns formatted, numbers right-aligned."""
    head = "".join(
        f"<th>{html.escape(first if i == 0 and first else str(c))}</th>"
        for i, c in enumerate(df.columns)
    )
    body = []
    for _, row in df.iterrows():
        cells = []
        for col in df.columns:
            value = row[col]
            fmt = FORMATS.get(str(col))
            text = fmt(value) if fmt is not None else ("" if _isna(value) else str(value))
            cls = ' class="num"' if fmt is not None or col in numeric else ""
            cells.append(f"<td{cls}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<table class="data"><thead><tr>' + head + "</tr></thead><tbody>"
        + "".join(body) + "</tbody></table>"
    )


def _isna(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
