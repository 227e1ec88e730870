"""Plots for choosing and checking a clustering: k-selection curves and silhouettes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidValueError
from ._common import get_ax, is_frame_like, require_columns, require_rows, to_pandas, to_series

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_k_selection", "plot_silhouette"]


def plot_k_selection(
    k_scores: Any,
    *,
    metrics: Sequence[str] = ("inertia", "silhouette"),
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Scores of each number of segments k: the elbow and the silhouette curves.

    The first metric is drawn on ``ax`` (left axis), the second, when given, on
    a twin axis on the right, each in its own units; the chosen k (column
    ``chosen``) is marked with a vertical line.

    Parameters
    ----------
    k_scores : KMeansSegmenter or DataFrame
        A fitted :class:`custseg.segments.KMeansSegmenter` (its ``k_scores_`` is
        used) or a table with one row per k, indexed by ``k`` (or with a ``k``
        column), holding the ``metrics`` columns and optionally a boolean
        ``chosen`` column.
    metrics : sequence of 1 or 2 str, default=("inertia", "silhouette")
        Columns to draw: any of ``inertia``, ``silhouette``,
        ``calinski_harabasz``, ``davies_bouldin``, ``elbow_distance``.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for every metric line.

    Returns
    -------
    matplotlib.axes.Axes
        The left axes: one line per metric (the second on ``ax``'s twin, found in
        ``ax.figure.axes``), x data the values of k, y data the scores.

    See Also
    --------
    plot_silhouette : Silhouette of every customer for the chosen k.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_k_selection
    >>> from custseg.segments import KMeansSegmenter
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 0.3, (50, 2)), rng.normal(5, 0.3, (50, 2))])
    >>> seg = KMeansSegmenter(k_range=(2, 5), random_state=0).fit(X)
    >>> ax = plot_k_selection(seg, ax=Figure().subplots())
    >>> ax.lines[0].get_xdata().tolist(), ax.get_ylabel()
    ([2, 3, 4, 5], 'inertia')
    """
    table = getattr(k_scores, "k_scores_", k_scores)
    if isinstance(table, pd.DataFrame) and "k" not in table.columns:
        table = table.reset_index()
    table = to_pandas(table, "k_scores")
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    if not 1 <= len(metrics) <= 2:
        raise InvalidValueError(f"metrics={metrics!r} must name one or two score columns.")
    require_columns(table, ["k", *metrics], "k_scores")
    require_rows(len(table), "k_scores")
    table = table.sort_values("k")
    ks = table["k"].to_numpy()
    ax = get_ax(ax)
    colours = ("tab:blue", "tab:orange")
    axes = [ax] if len(metrics) == 1 else [ax, ax.twinx()]
    kwargs.setdefault("marker", "o")
    for metric, target, colour in zip(metrics, axes, colours, strict=False):
        target.plot(ks, table[metric].to_numpy(dtype=float), color=colour, label=metric,
                    **kwargs)
        target.set_ylabel(metric, color=colour)
        target.tick_params(axis="y", colors=colour)
    if "chosen" in table.columns and table["chosen"].astype(bool).any():
        chosen = ks[table["chosen"].astype(bool).to_numpy()][0]
        ax.axvline(chosen, color="grey", linestyle="--", linewidth=0.8,
                   label=f"chosen k = {chosen}")
        ax.set_title(f"Choosing the number of segments (chosen k = {chosen})")
    else:
        ax.set_title("Choosing the number of segments")
    ax.set_xticks(ks)
    ax.set_xlabel("number of segments k")
    return ax


def plot_silhouette(
    X: Any,
    labels: Any = None,
    *,
    metric: str = "euclidean",
    sample_size: int | None = None,
    random_state: int | np.random.RandomState | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Silhouette plot: each customer's silhouette coefficient, grouped by segment.

    Within each segment the coefficients are sorted and drawn as a filled band;
    a dashed line marks their mean. Wide bands reaching far right mean
    well-separated segments; values below 0 are customers closer to another
    segment than to their own.

    Parameters
    ----------
    X : array-like of shape (n_customers, n_features), KMeansSegmenter or DataFrame
        With ``labels``: the features the segments were fitted on, as the model
        saw them (scaled). Without ``labels``: a fitted
        :class:`custseg.segments.KMeansSegmenter` (its ``silhouette_samples_``
        are drawn, nothing is recomputed) or a table with columns ``segment``
        and ``silhouette``.
    labels : array-like of shape (n_customers,), optional
        Segment of each customer; at least 2 and at most ``n - 1`` segments.
    metric : str, default="euclidean"
        Distance metric, as in :func:`sklearn.metrics.silhouette_samples`.
    sample_size : int, optional
        Compute on a random sample of this many customers (the computation is
        quadratic in the number of customers).
    random_state : int, RandomState or None, default=None
        Seed of the sample.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.fill_betweenx`.

    Returns
    -------
    matplotlib.axes.Axes
        One filled band (``PolyCollection``, labelled with the segment) per
        segment and a vertical line at the mean silhouette.

    See Also
    --------
    plot_k_selection : Scores of each number of segments.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_silhouette
    >>> X = np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]])
    >>> ax = plot_silhouette(X, [0, 0, 0, 1, 1, 1], ax=Figure().subplots())
    >>> len(ax.collections), round(ax.lines[0].get_xdata()[0], 3)
    (2, 0.973)
    """
    if labels is None:
        table = getattr(X, "silhouette_samples_", X)
        if not is_frame_like(table):
            raise InvalidValueError(
                "without labels, X must be a fitted KMeansSegmenter or a table with columns "
                f"'segment' and 'silhouette'; got {type(X).__name__}."
            )
        df = to_pandas(table, "X")
        require_columns(df, ["segment", "silhouette"], "X")
        lab = df["segment"].to_numpy()
        scores = df["silhouette"].to_numpy(dtype=float)
    else:
        from sklearn.metrics import silhouette_samples
        from sklearn.utils import check_array, check_random_state

        X_arr = check_array(X, dtype="numeric")
        lab = to_series(labels, "labels").to_numpy()
        if len(lab) != X_arr.shape[0]:
            raise InvalidValueError(
                f"labels has {len(lab)} values but X has {X_arr.shape[0]} rows; "
                "they must be aligned."
            )
        if sample_size is not None and sample_size < X_arr.shape[0]:
            rng = check_random_state(random_state)
            idx = rng.choice(X_arr.shape[0], size=int(sample_size), replace=False)
            X_arr, lab = X_arr[idx], lab[idx]
        n_levels = len(pd.unique(lab))
        if not 2 <= n_levels <= len(lab) - 1:
            raise InvalidValueError(
                f"a silhouette needs between 2 and n_samples - 1 = {len(lab) - 1} segments; "
                f"got {n_levels}."
            )
        scores = silhouette_samples(X_arr, lab, metric=metric)
    require_rows(len(scores), "X")
    levels = sorted(pd.unique(lab).tolist(), key=lambda v: (str(type(v)), v))
    ax = get_ax(ax)
    y_lower = 0
    gap = max(1, len(lab) // 50)
    for level in levels:
        values = np.sort(scores[lab == level])
        y = np.arange(y_lower, y_lower + len(values))
        ax.fill_betweenx(y, 0.0, values, label=str(level), **kwargs)
        ax.text(-0.02, y_lower + len(values) / 2, str(level), ha="right", va="center",
                fontsize=8)
        y_lower += len(values) + gap
    mean = float(scores.mean())
    ax.axvline(mean, color="black", linestyle="--", label=f"mean = {mean:.3f}")
    ax.set_xlim(min(-0.1, float(scores.min()) - 0.05), 1.0)
    ax.set_yticks([])
    ax.set_xlabel("silhouette coefficient")
    ax.set_ylabel("customers, by segment")
    ax.set_title(f"Silhouette of {len(levels)} segments (mean {mean:.3f})")
    return ax
