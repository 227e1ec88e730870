"""Summary tables of a per-customer table, their order (best first) and their HTML."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..plotting._labels import COLUMN_LABELS, column_label

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
EXPECTED_VALUE = "expected_value"  # expected future value (decisions stage of the pipeline)
VALUE_AT_STAKE = "value_at_stake"  # expected_value x churn_probability
RISK_ORDER = ("low", "medium", "high")


def has(df: pd.DataFrame, col: str) -> bool:
    """Whether ``col`` is in ``df`` with at least one value."""
    return col in df.columns and bool(df[col].notna().any())


def best_first(labels: pd.Series, col: str | None = None,
               df: pd.DataFrame | None = None) -> list[Any]:
    """The levels of ``labels`` best first: known orders, categories, else largest first.

    RFM names follow :data:`~custseg.segments.DEFAULT_SEGMENT_MAP`, stages
    :data:`~custseg.segments.STAGES`, churn risk low to high, tiers their (ordered
    categorical or alphabetical) grade order, clusters their number (0 = most valuable).
    """
    from ..segments._migration import known_order

    present = list(pd.unique(labels.dropna()))
    if col == CHURN_RISK:
        return [r for r in RISK_ORDER if r in present] + sorted(
            str(r) for r in present if r not in RISK_ORDER)
    if col == KMEANS_NAME and df is not None and KMEANS_SEGMENT in df.columns:
        first = df.groupby(labels.astype(object), observed=True)[KMEANS_SEGMENT].min()
        return sorted(present, key=lambda v: (first.get(v, np.inf), str(v)))
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return [c for c in labels.cat.categories if c in set(present)]
    known = known_order(present)
    if known is not None:
        return known
    if col == TIER:
        return sorted(present, key=str)
    counts = labels.value_counts(dropna=True, sort=False)
    return sorted(present, key=lambda v: (-counts[v], str(v)))


def ordered_levels(labels: pd.Series) -> list[Any]:
    """Levels best first (see :func:`best_first`), guessing the column from its name."""
    return best_first(labels, str(labels.name) if labels.name is not None else None)


def group_summary(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """One row per level of ``col``, best first: size, revenue share, RFM, churn, action."""
    levels = best_first(df[col], col, df)
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
        if EXPECTED_VALUE in df.columns:
            row["expected future value"] = float(g[EXPECTED_VALUE].sum())
        if VALUE_AT_STAKE in df.columns:
            row["value at stake"] = float(g[VALUE_AT_STAKE].sum())
        if CHURN_PROBABILITY in df.columns and col != CHURN_RISK:
            row["churn risk"] = float(g[CHURN_PROBABILITY].mean())
        if ACTION in df.columns:
            actions = g[ACTION].dropna()
            row["recommended action"] = actions.mode().iloc[0] if len(actions) else ""
        rows.append(row)
    return pd.DataFrame(rows)


def fmt_pct(v: Any) -> str:
    """A share as a percentage with one decimal (the same in cards and tables)."""
    return "" if _isna(v) else f"{100 * float(v):.1f}%"


def fmt_money(v: Any) -> str:
    """An amount with two decimals and thousands separators."""
    return "" if _isna(v) else f"{float(v):,.2f}"


def _fmt_num(v: Any) -> str:
    return "" if _isna(v) else f"{float(v):,.1f}"


def fmt_int(v: Any) -> str:
    """A count (or a number of days) as a whole number."""
    return "" if _isna(v) else f"{round(float(v)):,}"


FORMATS: dict[str, Callable[[Any], str]] = {
    "customers": fmt_int,
    "share of customers": fmt_pct,
    "share of revenue": fmt_pct,
    "average spend": fmt_money,
    "average purchases": _fmt_num,
    "days since last purchase": fmt_int,
    "churn risk": fmt_pct,
    "churn probability": fmt_pct,
    "spend": fmt_money,
    "expected future value": fmt_money,
    "value at stake": fmt_money,
    "expected_value": fmt_money,
    "value_at_stake": fmt_money,
    "purchases": fmt_int,
    "revenue": fmt_money,
    "orders": fmt_int,
    # raw columns of the customer table
    "recency_days": fmt_int,
    "tenure_days": fmt_int,
    "frequency": fmt_int,
    "monetary_total": fmt_money,
    "monetary_mean": fmt_money,
    "churn_probability": fmt_pct,
    "value_score": _fmt_num,
}
for _col in ("active_customers", "new_customers", "retained_customers",
             "reactivated_customers", "lost_customers",
             # the movement table's counts (report/_changes.py)
             "stayed", "moved to a better group", "moved to a worse group",
             "new customers", "gone"):
    FORMATS[_col] = fmt_int


def _header(col: Any) -> str:
    name = str(col)
    return column_label(name) if "_" in name or name in COLUMN_LABELS else name


def table_html(df: pd.DataFrame, *, first: str = "", numeric: Sequence[str] = (),
               table_id: str | None = None, sortable: bool = False,
               caption: str | None = None) -> str:
    """An HTML table in a scrolling wrapper (never wider than a phone screen).

    Cells are escaped, known columns formatted (shares with one decimal, days as whole
    numbers), numbers right-aligned, raw column names shown with their human label.
    With ``sortable`` every header sorts the rows by a click (the embedded script of
    the report); each cell then carries its raw value in ``data-v``.
    """
    head = "".join(
        f'<th scope="col">{html.escape(first if i == 0 and first else _header(c))}</th>'
        for i, c in enumerate(df.columns))
    # Cells are made a column at a time, with one missing-value test per cell and no
    # escaping of formatted numbers: the at-risk table of CDNOW (11,868 rows) 0.25 s ->
    # 0.16 s of CPU, of the 1.5M-row benchmark log (15,974 rows) 0.36 s -> 0.26 s.
    columns = [_cells(list(df.iloc[:, j]), FORMATS.get(str(col)),
                      FORMATS.get(str(col)) is not None or col in numeric, sortable)
               for j, col in enumerate(df.columns)]
    body = ["<tr>" + "".join(cells) + "</tr>" for cells in zip(*columns, strict=True)]
    ident = f' id="{html.escape(table_id)}"' if table_id else ""
    cls = "data sortable" if sortable else "data"
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table class="{cls}"{ident}>{cap}<thead><tr>{head}'
        "</tr></thead><tbody>" + "".join(body) + "</tbody></table></div>"
    )


def _cells(values: list[Any], fmt: Callable[[Any], str] | None, num: bool,
           sortable: bool) -> list[str]:
    """The ``<td>`` of each value of a column (see :func:`table_html`)."""
    attrs = ' class="num"' if num else ""
    out = []
    for value in values:
        if _isna(value):
            out.append(f"<td{attrs}></td>")
            continue
        # A formatted number is digits, signs, separators and "%": nothing to escape.
        text = (fmt(value) if fmt is not None and not isinstance(value, str)
                else html.escape(str(value)))
        if sortable and num:
            try:
                out.append(f'<td{attrs} data-v="{float(value):.10g}">{text}</td>')
                continue
            except (TypeError, ValueError):
                pass
        out.append(f"<td{attrs}>{text}</td>")
    return out


def _isna(value: Any) -> bool:
    if isinstance(value, (str, int)):  # the common cells, without pandas' general test
        return False
    if isinstance(value, float):
        return value != value
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
