"""The report's figures: one recipe per figure, drawn with custseg.plotting on bare Figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._frame import to_pandas
from ..plotting._labels import column_label
from ._context import figure_to_base64, new_figure
from ._tables import (
    CHURN_RISK,
    KMEANS_NAME,
    LIFECYCLE,
    REVENUE,
    RFM_SEGMENT,
    TIER,
    best_first,
    has,
)

__all__ = ["FIGURES", "figure_to_base64", "report_figures"]

_PROFILE = ("recency_days", "frequency", "monetary_total", "monetary_mean", "tenure_days")


@dataclass(frozen=True)
class Recipe:
    """How to draw one figure of a per-customer table, and when it applies."""

    applies: Callable[[pd.DataFrame, Any], bool]
    draw: Callable[[pd.DataFrame, Any, Any], Any]  # (table, model, ax)
    size: Callable[[pd.DataFrame], tuple[float, float]] = lambda df: (7.0, 4.0)


def _sizes(col: str) -> Recipe:
    def draw(df: pd.DataFrame, model: Any, ax: Any) -> Any:
        from ..plotting import plot_segment_sizes

        spend = pd.to_numeric(df[REVENUE]).sum() if REVENUE in df.columns else 0.0
        value = REVENUE if spend != 0 and np.isfinite(spend) else None  # no spend: no shares
        out = plot_segment_sizes(df, col, value, order=best_first(df[col], col, df), ax=ax)
        ax.set_title(f"{column_label(col)}: share of customers"
                     + (" and of spend" if value else ""))
        return out

    return Recipe(lambda df, m: has(df, col), draw,
                  lambda df: (7.0, max(2.5, 0.42 * df[col].nunique() + 1.3)))


def _lifecycle(df: pd.DataFrame, model: Any, ax: Any) -> Any:
    from ..plotting import plot_lifecycle

    return plot_lifecycle(df, LIFECYCLE, order=best_first(df[LIFECYCLE], LIFECYCLE), ax=ax)


def _profile(df: pd.DataFrame, model: Any, ax: Any) -> Any:
    from ..plotting import plot_segment_profile

    feats = [c for c in _PROFILE if c in df.columns]
    return plot_segment_profile(df, KMEANS_NAME, feats,
                                order=best_first(df[KMEANS_NAME], KMEANS_NAME, df), ax=ax)


def _heatmap(df: pd.DataFrame, model: Any, ax: Any) -> Any:
    from ..plotting import plot_rfm_heatmap

    value = REVENUE if REVENUE in df.columns else None
    return plot_rfm_heatmap(df.dropna(subset=["recency_days"]), value=value, ax=ax)


def _k_scores(model: Any) -> Any:
    return getattr(getattr(model, "kmeans_", None), "k_scores_", None)


def _k_selection(df: pd.DataFrame, model: Any, ax: Any) -> Any:
    from ..plotting import plot_k_selection

    return plot_k_selection(_k_scores(model), ax=ax)


#: The figures of :func:`report_figures`, by name, in the report's order.
FIGURES: dict[str, Recipe] = {
    "rfm_segments": _sizes(RFM_SEGMENT),
    "tiers": _sizes(TIER),
    "lifecycle": Recipe(lambda df, m: has(df, LIFECYCLE), _lifecycle),
    "churn_risk": _sizes(CHURN_RISK),
    "kmeans_profile": Recipe(
        lambda df, m: has(df, KMEANS_NAME) and any(c in df.columns for c in _PROFILE),
        _profile, lambda df: (8.0, 4.0)),
    "rfm_heatmap": Recipe(
        lambda df, m: {"recency_days", "frequency"} <= set(df.columns) and len(df) >= 5,
        _heatmap),
    "k_selection": Recipe(
        lambda df, m: _k_scores(m) is not None and len(_k_scores(m)) > 1, _k_selection,
        lambda df: (8.0, 4.0)),
}


def report_figures(table: Any, *, model: Any = None) -> dict[str, Any]:
    """Draw the report's figures of a per-customer table.

    Each figure is a :class:`matplotlib.figure.Figure` made without pyplot, so
    no global plotting state is touched; a figure appears only when the table
    holds the columns it needs.

    Parameters
    ----------
    table : DataFrame
        The per-customer table of :meth:`custseg.pipeline.CustomerSegmentation.predict`.
    model : CustomerSegmentation, optional
        The fitted model, for figures of what it learnt (k-selection scores).

    Returns
    -------
    dict of str to matplotlib.figure.Figure
        Keyed by a short file-friendly name (``"rfm_segments"``, ``"tiers"``,
        ``"lifecycle"``, ``"churn_risk"``, ``"kmeans_profile"``, ``"rfm_heatmap"``,
        ``"k_selection"``).

    See Also
    --------
    render_report : The HTML report that embeds these figures (and the trend,
        cohort and migration figures drawn from the transaction log).

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.report import report_figures
    >>> table = pd.DataFrame({"customer_id": ["a", "b", "c"],
    ...                       "lifecycle_stage": ["new", "active", "active"],
    ...                       "monetary_total": [10.0, 20.0, 5.0]})
    >>> sorted(report_figures(table))
    ['lifecycle']
    """
    df = table if isinstance(table, pd.DataFrame) else to_pandas(table)
    figs: dict[str, Any] = {}
    for name, recipe in FIGURES.items():
        if recipe.applies(df, model):
            fig, ax = new_figure(*recipe.size(df))
            recipe.draw(df, model, ax)
            figs[name] = fig
    return figs


