"""Plots of customer segments: sizes, profiles, lifecycle, migration, silhouettes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidDtypeError, InvalidValueError, names_text
from ._common import (
    annotate_cells,
    get_ax,
    is_frame_like,
    require_columns,
    require_rows,
    to_pandas,
    to_series,
)
from ._labels import column_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "plot_k_selection",
    "plot_lifecycle",
    "plot_migration",
    "plot_segment_profile",
    "plot_segment_sizes",
    "plot_silhouette",
]


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


def plot_migration(
    counts: Any,
    *,
    normalize: bool = False,
    annotate: bool = True,
    fmt: str | None = None,
    title: str = "Segment migration",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Heatmap of customers moving between segments from one date to another.

    Rows and columns show the same labels in the same order (a table whose
    axes differ is aligned first, absent labels counting 0), so the diagonal,
    outlined, is the customers who stayed.

    Parameters
    ----------
    counts : Migration or DataFrame
        The result of :func:`custseg.segments.segment_migration` (its
        ``counts`` are drawn, including the ``"(new)"`` row and ``"(gone)"``
        column), or any table of counts: rows are the segments at the first
        date, columns the segments at the second (``pd.crosstab(before,
        after)``). The index and column names, when set, label the axes.
    normalize : bool, default=False
        Show each row as shares of its total (where the customers of a segment
        went; ``Migration.shares``) instead of counts. A row without customers
        is all 0.
    annotate : bool, default=True
        Write the value in each non-empty cell.
    fmt : str, optional
        Format of the cell text (default ``".0f"`` for counts, ``".0%"`` for
        shares).
    title : str, default="Segment migration"
        Title of the plot (e.g. "Tier migration").
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.imshow` (``cmap``...).

    Returns
    -------
    matplotlib.axes.Axes
        An ``AxesImage`` whose array is the (normalised) table, row 0 at the top.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_migration
    >>> moves = pd.DataFrame([[8, 2], [1, 9]], index=["active", "lapsed"],
    ...                      columns=["active", "lapsed"])
    >>> ax = plot_migration(moves, normalize=True, ax=Figure().subplots())
    >>> ax.images[0].get_array().tolist()
    [[0.8, 0.2], [0.1, 0.9]]
    """
    table = _aligned(to_pandas(getattr(counts, "counts", counts), "counts"))
    require_rows(len(table), "counts")
    try:
        grid = table.to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise InvalidDtypeError(
            "counts must hold numbers; got dtypes "
            f"{names_text(sorted({str(t) for t in table.dtypes}), quote=False)}."
        ) from err
    n_bad = int((~np.isfinite(grid) | (grid < 0)).sum())
    if n_bad:
        raise InvalidValueError(
            f"counts has {n_bad} missing, infinite or negative cells; expected counts >= 0."
        )
    if normalize:
        totals = grid.sum(axis=1, keepdims=True)
        grid = np.divide(grid, totals, out=np.zeros_like(grid), where=totals > 0)
    ax = get_ax(ax)
    kwargs.setdefault("cmap", "Blues")
    kwargs.setdefault("aspect", "auto")
    image = ax.imshow(grid, **kwargs)
    bar = ax.figure.colorbar(image, ax=ax, label="Share of the row" if normalize
                             else "Customers")
    if normalize:
        from matplotlib.ticker import PercentFormatter

        bar.formatter = PercentFormatter(1.0)
    ax.set_xticks(range(grid.shape[1]), [str(c) for c in table.columns], rotation=30, ha="right")
    ax.set_yticks(range(grid.shape[0]), [str(i) for i in table.index])
    ax.set_xlabel(str(table.columns.name).capitalize() if table.columns.name is not None
                  else "After")
    ax.set_ylabel(str(table.index.name).capitalize() if table.index.name is not None
                  else "Before")
    ax.set_title(title + (" (share of each row)" if normalize else ""))
    from matplotlib.patches import Rectangle

    for i in range(min(grid.shape)):  # the diagonal: customers who stayed
        if table.index[i] == table.columns[i]:
            ax.add_patch(Rectangle((i - 0.5, i - 0.5), 1, 1, fill=False, lw=1.2, ec="#d08c2e"))
    if annotate:  # empty cells stay blank: the moves stand out (and draw faster)
        annotate_cells(ax, np.where(grid > 0, grid, np.nan), fmt or (".0%" if normalize
                                                                      else ".0f"), image)
    return ax


def _aligned(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with one label order on both axes (extra new/gone row and column last)."""
    rows, cols = list(table.index), list(table.columns)
    if rows[:-1] == cols[:-1] or rows == cols:
        return table
    extras = {"(new)", "(gone)"}
    labels = [*[r for r in rows if r not in extras],
              *[c for c in cols if c not in extras and c not in rows]]
    new_rows = labels + [r for r in rows if r in extras]
    new_cols = labels + [c for c in cols if c in extras]
    out = table.reindex(index=new_rows, columns=new_cols, fill_value=0)
    out.index.name, out.columns.name = table.index.name, table.columns.name
    return out


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
