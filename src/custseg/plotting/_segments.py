"""Plots of segment labels: sizes, profiles, lifecycle stages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidDtypeError, InvalidValueError, names_text
from ._common import get_ax, is_frame_like, require_columns, require_rows, to_pandas, to_series
from ._labels import column_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_lifecycle", "plot_segment_profile", "plot_segment_sizes"]


def _ordered_levels(labels: pd.Series, order: Sequence[Any] | None, argname: str) -> list[Any]:
    """Levels in ``order``, the categorical order, a known best-first order (RFM names,
    stages, letter grades), or by count (largest first)."""
    present = labels.dropna().unique().tolist()
    if order is not None:
        order = list(order)
        unknown = [v for v in present if v not in order]
        if unknown:
            raise InvalidValueError(
                f"order does not list the {argname} values {names_text(unknown, limit=5)} "
                f"found in the data (it lists {names_text(order, limit=5)})."
            )
        return order
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return list(labels.cat.categories)
    from ..segments._migration import known_order

    known = known_order(present)  # RFM names, lifecycle stages: best first
    if known is not None:
        return known
    if present and all(isinstance(v, str) and len(v) == 1 and v.isupper() for v in present):
        return sorted(present)  # grades: A first
    counts = labels.value_counts(sort=False)
    return sorted(present, key=lambda v: (-counts[v], str(v)))


def _labels_and_frame(
    data: Any, label_col: str, extra: Sequence[str | None], argname: str
) -> tuple[pd.Series, pd.DataFrame]:
    """The label column (and a frame with the extra columns) from a frame or a series."""
    if is_frame_like(data):
        df = to_pandas(data)
        cols = [label_col] + [c for c in extra if c is not None]
        require_columns(df, cols)
        return df[label_col], df
    if any(c is not None for c in extra):
        raise InvalidValueError(
            f"{argname}: pass a dataframe (not a series of labels) to use "
            f"{names_text([c for c in extra if c is not None])}."
        )
    labels = to_series(data, label_col)
    return labels, pd.DataFrame({label_col: labels})


def plot_segment_sizes(
    data: Any,
    segment_col: str = "segment",
    value_col: str | None = None,
    *,
    order: Sequence[Any] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Share of customers (and of revenue) in each segment, as horizontal bars.

    Parameters
    ----------
    data : dataframe or array-like
        One row per customer with a segment column (any segment label: RFM
        segment, K-means segment, tier, lifecycle stage), or just the labels.
    segment_col : str, default="segment"
        Column holding the segment of each customer.
    value_col : str, optional
        Column holding each customer's value (for example ``monetary_total``);
        when given, a second bar per segment shows its share of the total value.
    order : sequence, optional
        Segments from top to bottom. Default: the categorical order if the
        column is categorical, else by number of customers, largest first.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        One ``BarContainer`` labelled ``"customers"`` (and one labelled
        ``"revenue"`` with ``value_col``), bar widths in percent.

    See Also
    --------
    plot_lifecycle : Number of customers in each lifecycle stage.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_segment_sizes
    >>> table = pd.DataFrame({"segment": ["a", "a", "b", "c"],
    ...                       "monetary_total": [10.0, 30.0, 40.0, 20.0]})
    >>> ax = plot_segment_sizes(table, value_col="monetary_total", ax=Figure().subplots())
    >>> [round(p.get_width()) for p in ax.containers[0]]  # customers, %
    [50, 25, 25]
    >>> [round(p.get_width()) for p in ax.containers[1]]  # revenue, %
    [40, 40, 20]
    """
    labels, df = _labels_and_frame(data, segment_col, [value_col], "plot_segment_sizes")
    require_rows(len(labels), "data")
    levels = _ordered_levels(labels, order, segment_col)
    counts = labels.value_counts().reindex(levels, fill_value=0)
    customer_share = 100.0 * counts / counts.sum()
    ax = get_ax(ax)
    pos = np.arange(len(levels))
    height = 0.8 if value_col is None else 0.4
    offset = 0.0 if value_col is None else height / 2
    bars = ax.barh(pos - offset, customer_share.to_numpy(), height=height,
                   label="Customers", **kwargs)
    ax.bar_label(bars, fmt="%.1f%%", padding=2, fontsize=8)
    if value_col is not None:
        values = pd.to_numeric(df[value_col])
        total = values.sum()
        if total == 0 or not np.isfinite(total):
            raise InvalidValueError(
                f"column {value_col!r} sums to {total}; its shares cannot be computed."
            )
        value_share = 100.0 * values.groupby(labels).sum().reindex(levels, fill_value=0) / total
        bars = ax.barh(pos + offset, value_share.to_numpy(), height=height,
                       label="Revenue", **kwargs)
        ax.bar_label(bars, fmt="%.1f%%", padding=2, fontsize=8)
        ax.legend(loc="best")
    ax.set_yticks(pos, [str(v) for v in levels])
    ax.invert_yaxis()
    ax.set_xlabel("Share (%)")
    ax.set_ylabel(column_label(segment_col))
    ax.set_title("Segment size" + (" and revenue share" if value_col else ""))
    ax.margins(x=0.15)
    return ax


def plot_segment_profile(
    data: Any,
    segment_col: str = "segment",
    features: Sequence[str] | None = None,
    *,
    standardize: bool = True,
    order: Sequence[Any] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Snake plot: the mean (standardised) value of each feature in each segment.

    Each segment is a line across the features. With ``standardize`` the
    features are first turned into z-scores over all customers (mean 0,
    standard deviation 1), so features in days, counts and currency share one
    axis and a point above 0 means "above the customer average".

    Parameters
    ----------
    data : dataframe
        One row per customer with the segment column and numeric features.
    segment_col : str, default="segment"
        Column holding the segment of each customer.
    features : sequence of str, optional
        Features to show, in this order. Default: every numeric column except
        ``segment_col``.
    standardize : bool, default=True
        Plot segment means of z-scores (population standard deviation; a
        constant feature is 0). False plots the raw segment means.
    order : sequence, optional
        Order of the segments in the legend (default: as in
        :func:`plot_segment_sizes`).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    matplotlib.axes.Axes
        One line per segment (labelled with the segment) whose y data are the
        segment means, x ticks labelled with the features.

    See Also
    --------
    plot_segment_sizes : How many customers each segment holds.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_segment_profile
    >>> table = pd.DataFrame({"segment": ["a", "a", "b", "b"],
    ...                       "recency_days": [1.0, 1.0, 3.0, 3.0],
    ...                       "frequency": [4, 4, 1, 1]})
    >>> ax = plot_segment_profile(table, ax=Figure().subplots())
    >>> [(line.get_label(), line.get_ydata().tolist()) for line in ax.get_lines()[:2]]
    [('a', [-1.0, 1.0]), ('b', [1.0, -1.0])]
    """
    df = to_pandas(data)
    require_columns(df, [segment_col])
    if features is None:
        features = [c for c in df.columns
                    if c != segment_col and pd.api.types.is_numeric_dtype(df[c])
                    and not pd.api.types.is_bool_dtype(df[c])]
        if not features:
            raise InvalidValueError(
                f"data has no numeric feature column besides {segment_col!r}; "
                f"columns: {names_text(list(df.columns))}."
            )
    features = list(features)
    require_columns(df, features)
    not_numeric = [c for c in features if not pd.api.types.is_numeric_dtype(df[c])]
    if not_numeric:
        raise InvalidDtypeError(
            f"features {names_text(not_numeric)} are not numeric (dtypes "
            f"{names_text([str(df[c].dtype) for c in not_numeric], quote=False)}); a profile "
            "needs numbers."
        )
    require_rows(len(df), "data")
    values = df[features].astype(float)
    if standardize:
        std = values.std(ddof=0).replace(0.0, np.nan)
        values = ((values - values.mean()) / std).fillna(0.0)
    labels = df[segment_col]
    means = values.groupby(labels, observed=True).mean()
    levels = _ordered_levels(labels, order, segment_col)
    ax = get_ax(ax)
    pos = np.arange(len(features))
    kwargs.setdefault("marker", "o")
    for level in levels:
        if level in means.index:
            ax.plot(pos, means.loc[level].to_numpy(), label=str(level), **kwargs)
    ax.axhline(0.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_xticks(pos, [column_label(f) for f in features], rotation=30, ha="right")
    ax.set_xlabel("Feature")
    ax.set_ylabel("Mean z-score (0 = average customer)" if standardize else "Mean value")
    ax.set_title("Segment profiles")
    ax.legend(title=column_label(segment_col), fontsize=8, loc="best")
    return ax


def plot_lifecycle(
    data: Any,
    stage_col: str = "stage",
    *,
    order: Sequence[Any] | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Number of customers in each lifecycle stage, as vertical bars.

    Parameters
    ----------
    data : dataframe or array-like
        One row per customer with a lifecycle stage column (the output of
        :class:`custseg.segments.LifecycleStager`), or just the stages.
    stage_col : str, default="stage"
        Column holding the stage.
    order : sequence, optional
        Stages from left to right. Default: the lifecycle order
        (:data:`custseg.segments.STAGES`: prospect, new, active, dormant,
        churned) when every value is one of those stages, else the categorical
        order if the column is categorical, else largest first. Stages listed
        in ``order`` but absent from the data get an empty bar.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per stage (height = number of customers), labelled with the
        count and the share.

    See Also
    --------
    plot_segment_sizes : Customer and revenue share per segment.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_lifecycle
    >>> stages = ["new", "active", "active", "lapsed"]
    >>> ax = plot_lifecycle(stages, order=["new", "active", "lapsed", "lost"],
    ...                     ax=Figure().subplots())
    >>> ax.containers[0].datavalues.tolist()
    [1.0, 2.0, 1.0, 0.0]
    """
    from ..segments import STAGES

    labels, _ = _labels_and_frame(data, stage_col, [], "plot_lifecycle")
    require_rows(len(labels), "data")
    present = set(labels.dropna().unique().tolist())
    if order is None and present <= set(STAGES):
        order = [s for s in STAGES if s in present]
    levels = _ordered_levels(labels, order, stage_col)
    counts = labels.value_counts().reindex(levels, fill_value=0)
    total = counts.sum()
    ax = get_ax(ax)
    pos = np.arange(len(levels))
    bars = ax.bar(pos, counts.to_numpy().astype(float), **kwargs)
    ax.bar_label(bars, labels=[f"{c:,}\n{100.0 * c / total:.1f}%" for c in counts],
                 padding=2, fontsize=8)
    ax.set_xticks(pos, [str(v) for v in levels])
    ax.set_xlabel(column_label(stage_col))
    ax.set_ylabel("Customers")
    ax.set_title("Customers by lifecycle stage")
    ax.margins(y=0.15)
    return ax
