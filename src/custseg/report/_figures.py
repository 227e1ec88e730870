"""The report's figures, drawn with custseg.plotting on figures that pyplot never sees."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import pandas as pd

from ._tables import (
    CHURN_RISK,
    KMEANS_NAME,
    LIFECYCLE,
    RFM_SEGMENT,
    TIER,
    has,
    ordered_levels,
)

__all__ = ["figure_to_base64", "report_figures"]


def _new_figure(width: float = 7.0, height: float = 4.0) -> Any:
    # A bare Figure (no pyplot): nothing is registered in pyplot's global state.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _draw(draw: Callable[[Any], Any], width: float = 7.0, height: float = 4.0,
          title: str | None = None) -> Any:
    fig, ax = _new_figure(width, height)
    draw(ax)
    if title is not None:
        ax.set_title(title)
    return fig


def report_figures(table: Any, *, model: Any = None) -> dict[str, Any]:
    """Draw the report's figures from a per-customer table.

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
    render_report : The HTML report that embeds these figures.

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
    from .. import plotting

    df = table if isinstance(table, pd.DataFrame) else _to_pandas(table)
    value = "monetary_total" if "monetary_total" in df.columns else None
    figs: dict[str, Any] = {}
    if has(df, RFM_SEGMENT):
        order = ordered_levels(df[RFM_SEGMENT])
        figs["rfm_segments"] = _draw(
            lambda ax: plotting.plot_segment_sizes(
                df, RFM_SEGMENT, value, order=order, ax=ax
            ),
            height=max(3.0, 0.45 * len(order) + 1.2),
            title="RFM segments: share of customers and of spend",
        )
    if has(df, TIER):
        order = ordered_levels(df[TIER])
        figs["tiers"] = _draw(
            lambda ax: plotting.plot_segment_sizes(df, TIER, value, order=order, ax=ax),
            height=max(2.5, 0.45 * len(order) + 1.2),
            title="Value tiers: share of customers and of spend",
        )
    if has(df, LIFECYCLE):
        figs["lifecycle"] = _draw(
            lambda ax: plotting.plot_lifecycle(
                df, LIFECYCLE, order=ordered_levels(df[LIFECYCLE]), ax=ax
            )
        )
    if has(df, CHURN_RISK):
        order = ordered_levels(df[CHURN_RISK])
        figs["churn_risk"] = _draw(
            lambda ax: plotting.plot_segment_sizes(df, CHURN_RISK, value, order=order, ax=ax),
            height=max(2.5, 0.45 * len(order) + 1.2),
            title="Churn risk: share of customers and of spend",
        )
    if has(df, KMEANS_NAME):
        feats = [c for c in ("recency_days", "frequency", "monetary_total", "monetary_mean",
                             "tenure_days") if c in df.columns]
        if feats:
            figs["kmeans_profile"] = _draw(
                lambda ax: plotting.plot_segment_profile(
                    df, KMEANS_NAME, feats, order=ordered_levels(df[KMEANS_NAME]), ax=ax
                ),
                width=8.0,
            )
    if {"recency_days", "frequency"} <= set(df.columns) and len(df) >= 5:
        figs["rfm_heatmap"] = _draw(
            lambda ax: plotting.plot_rfm_heatmap(
                df.dropna(subset=["recency_days"]), value=value, ax=ax
            )
        )
    k_scores = getattr(_segmenter(model), "k_scores_", None)
    plot_k = getattr(plotting, "plot_k_selection", None)
    if k_scores is not None and plot_k is not None and len(k_scores) > 1:
        figs["k_selection"] = _draw(lambda ax: plot_k(k_scores, ax=ax), width=8.0)
    return figs


def _segmenter(model: Any) -> Any:
    return getattr(model, "kmeans_", None) if model is not None else None


def _to_pandas(table: Any) -> pd.DataFrame:
    import narwhals.stable.v2 as nw

    frame = nw.from_native(table)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return frame.to_pandas()


def figure_to_base64(fig: Any, *, dpi: int = 90) -> str:
    """Encode a figure as a base64 PNG (for a ``data:`` URI)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
