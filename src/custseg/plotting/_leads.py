"""Plots of lead grading: conversion by grade and the points waterfall of one lead."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidValueError
from ._common import get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_conversion_by_grade", "plot_points_waterfall"]


def plot_conversion_by_grade(report: Any, *, ax: Axes | None = None, **kwargs: Any) -> Axes:
    """Bar chart of the conversion rate of each grade, best grade first, with lead counts.

    Parameters
    ----------
    report : GradeReport or DataFrame
        :func:`custseg.leads.grade_report` (or its ``table``: ``grade``, ``n``,
        ``conversion_rate``).
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.leads import grade_leads, grade_report
    >>> from custseg.plotting import plot_conversion_by_grade
    >>> grades = grade_leads(pd.Series([4, 3, 2, 1], index=list("abcd")), grades="AB")
    >>> report = grade_report(grades, pd.Series([1, 1, 0, 1], index=list("abcd")))
    >>> ax = plot_conversion_by_grade(report)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['A', 'B']
    """
    table = getattr(report, "table", report)
    if not isinstance(table, pd.DataFrame) or not {"grade", "n", "conversion_rate"} <= set(
            table.columns):
        raise InvalidValueError(
            "report must be a grade_report result (or its table with columns grade, n, "
            "conversion_rate)."
        )
    ax = get_ax(ax, figsize=(6, 3.5))
    labels = [str(g) for g in table["grade"]]
    rates = table["conversion_rate"].fillna(0.0).to_numpy(dtype=float)
    kwargs.setdefault("color", "#2f6fae")
    bars = ax.bar(labels, 100 * rates, **kwargs)
    for bar, n, rate in zip(bars, table["n"], rates, strict=True):
        ax.annotate(f"{100 * rate:.1f}%\nn={int(n):,}", (bar.get_x() + bar.get_width() / 2,
                    bar.get_height()), ha="center", va="bottom", fontsize=8)
    overall = getattr(report, "overall_rate", None)
    if overall is not None:
        ax.axhline(100 * overall, color="#52606d", linestyle="--", linewidth=1,
                   label=f"all leads {100 * overall:.1f}%")
        ax.legend(loc="upper right", fontsize=8)
    ax.set_xlabel("grade (best first)")
    ax.set_ylabel("conversion rate (%)")
    ax.set_ylim(0, max(100 * rates.max() * 1.3, 1.0))
    ax.set_title("Conversion by grade")
    return ax


def plot_points_waterfall(
    contributions: Any,
    *,
    base: float = 0.0,
    top: int | None = 10,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Waterfall of one lead's points: from the base, each rule or attribute up or down.

    Parameters
    ----------
    contributions : Series or dict
        One lead's points per rule (a row of :meth:`PointsScorer.transform`
        without the id and total) or per attribute (a row of
        :meth:`LeadScorer.contributions`, with ``base=scorer.intercept_``).
    base : float, default=0.0
        Where the waterfall starts (the rule set's base points).
    top : int or None, default=10
        Show the ``top`` largest parts by size and sum the rest as "other".
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.

    Examples
    --------
    >>> from custseg.plotting import plot_points_waterfall
    >>> ax = plot_points_waterfall({"industry in {ICT}": 15, "employees >= 500": 20,
    ...                             "budget unknown": -5})
    >>> [t.get_text() for t in ax.get_xticklabels()][-1]
    'total'
    """
    parts = pd.Series(contributions, dtype=float)
    if parts.empty or not np.isfinite(parts.to_numpy()).all():
        raise InvalidValueError("contributions must be finite numbers, one per rule or attribute.")
    parts = parts[parts != 0]
    parts = parts.reindex(parts.abs().sort_values(ascending=False, kind="stable").index)
    if top is not None and len(parts) > top:
        rest = parts.iloc[top:].sum()
        parts = pd.concat([parts.iloc[:top], pd.Series({"other": rest})])
    ax = get_ax(ax, figsize=(max(4.0, 0.8 * len(parts) + 2), 3.8))
    starts = base + np.concatenate([[0.0], np.cumsum(parts.to_numpy())])[: len(parts)]
    colours = np.where(parts.to_numpy() >= 0, "#3b8e5a", "#c0504d")
    labels = [str(k) for k in parts.index]
    ax.bar(["base"], [base], color="#9aa5b1", **kwargs)
    ax.bar(labels, parts.to_numpy(), bottom=starts, color=colours, **kwargs)
    total = base + float(parts.sum())
    ax.bar(["total"], [total], color="#2f6fae", **kwargs)
    for x, (value, start) in enumerate(zip(parts.to_numpy(), starts, strict=True), start=1):
        ax.annotate(f"{value:+g}", (x, start + max(value, 0)), ha="center", va="bottom",
                    fontsize=8)
    ax.axhline(0, color="#52606d", linewidth=0.8)
    ax.set_ylabel("points")
    ax.set_title(f"Points of one lead: {total:g}")
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    return ax
