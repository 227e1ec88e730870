"""Plots of per-customer feature tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidDtypeError, InvalidValueError
from ._common import annotate_cells, get_ax, require_columns, require_rows, to_pandas
from ._labels import column_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_rfm_heatmap"]


def _categories(col: pd.Series, bins: int | None) -> tuple[pd.Series, list[str]]:
    """Codes 0..n-1 of a column and their labels: the values, or quantile bins."""
    n_unique = col.nunique()
    numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
    if bins is None or n_unique <= bins or not numeric:
        values = np.sort(col.unique())
        codes = pd.Series(np.searchsorted(values, col.to_numpy()), index=col.index)
        return codes, [format(v, "g") if isinstance(v, (int, float, np.number)) else str(v)
                       for v in values]
    cut = pd.qcut(col, bins, duplicates="drop")
    intervals = cut.cat.categories
    labels = []
    for k in range(len(intervals)):
        members = col[cut.cat.codes == k]
        lo, hi = members.min(), members.max()
        labels.append(f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}")
    return pd.Series(cut.cat.codes.to_numpy(), index=col.index), labels


_AGG_WORDS = {"mean": "Average", "median": "Median", "sum": "Total", "max": "Largest",
              "min": "Smallest"}


def _value_label(agg: Any, value: str) -> str:
    """"Average total spend", not "mean of monetary_total"."""
    word = _AGG_WORDS.get(str(agg), str(agg).capitalize())
    return f"{word} {column_label(value)[:1].lower()}{column_label(value)[1:]}"


def plot_rfm_heatmap(
    data: Any,
    *,
    x: str = "recency_days",
    y: str = "frequency",
    value: str | None = "monetary_total",
    agg: str = "mean",
    bins: int | None = 5,
    annotate: bool = True,
    fmt: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Heatmap of a value (or the customer count) over two RFM dimensions.

    Each cell is the group of customers that fall in one bin of ``x`` and one
    bin of ``y``; its colour is ``agg`` of ``value`` over them (or their count
    when ``value`` is None).

    Parameters
    ----------
    data : dataframe
        One row per customer (pandas, polars, pyarrow or a lazy frame), for
        example the output of :func:`custseg.features.rfm` or a table of RFM
        scores.
    x, y : str, default="recency_days", "frequency"
        Columns on the horizontal and vertical axes.
    value : str or None, default="monetary_total"
        Column coloured in each cell; None colours the number of customers.
    agg : str, default="mean"
        Aggregation of ``value`` within a cell (any pandas aggregation name:
        ``"mean"``, ``"median"``, ``"sum"``...).
    bins : int or None, default=5
        A column with more than ``bins`` distinct values is cut into (at most)
        ``bins`` quantile bins (tied edges are merged, so heavily tied columns
        such as ``frequency`` may get fewer); a column with fewer, a
        non-numeric column (segment names), or every column when ``bins`` is
        None, is used value by value (for scores 1-5).
        Tick labels show the range of values in each bin.
    annotate : bool, default=True
        Write the value in each cell.
    fmt : str, optional
        Format of the cell text (default ``".0f"`` for counts; otherwise
        thousands separators from 100 up and three significant digits below).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.imshow` (``cmap``, ``vmin``...).

    Returns
    -------
    matplotlib.axes.Axes
        The axes with the heatmap (an ``AxesImage`` whose array is the table of
        cell values, rows = ``y`` bins from the bottom) and a colour bar.

    See Also
    --------
    custseg.features.rfm : The RFM table.

    Notes
    -----
    Rows with a missing ``x`` or ``y`` (customers whose only rows are refunds
    have no recency) are left out; empty cells are blank.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import rfm
    >>> from custseg.plotting import plot_rfm_heatmap
    >>> ax = plot_rfm_heatmap(rfm(load_cdnow(sample=True)), ax=Figure().subplots())
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('Days since last purchase', 'Purchases')
    >>> ax.images[0].get_array().shape  # 3 frequency bins (ties merged) x 5 recency bins
    (3, 5)
    """
    df = to_pandas(data)
    cols = [x, y] + ([value] if value is not None else [])
    require_columns(df, cols)
    if bins is not None and (not isinstance(bins, (int, np.integer)) or bins < 1):
        raise InvalidValueError(f"bins={bins!r} must be a positive integer or None.")
    df = df[cols].dropna(subset=[x, y])
    require_rows(len(df), "data")
    x_codes, x_labels = _categories(df[x], bins)
    y_codes, y_labels = _categories(df[y], bins)
    keys = pd.DataFrame({"x": x_codes, "y": y_codes}, index=df.index)
    if value is None:
        cells = keys.groupby(["y", "x"]).size()
        label = "Customers"
        fmt = fmt or ".0f"
    else:
        if not pd.api.types.is_numeric_dtype(df[value]):
            raise InvalidDtypeError(
                f"value column {value!r} has dtype {df[value].dtype}; expected numbers "
                "(or value=None to count customers)."
            )
        keys["v"] = df[value].astype(float)
        try:
            cells = keys.groupby(["y", "x"])["v"].agg(agg)
        except (AttributeError, TypeError) as err:
            raise InvalidValueError(
                f"agg={agg!r} is not a pandas aggregation (try 'mean', 'median' or 'sum')."
            ) from err
        label = _value_label(agg, value)
    grid = np.full((len(y_labels), len(x_labels)), np.nan)
    idx = cells.index.to_frame(index=False).to_numpy(dtype=np.int64)
    grid[idx[:, 0], idx[:, 1]] = cells.to_numpy(dtype=float)
    if value is None:
        grid = np.where(np.isnan(grid), 0.0, grid)
    ax = get_ax(ax)
    kwargs.setdefault("cmap", "viridis")
    kwargs.setdefault("aspect", "auto")
    image = ax.imshow(grid, origin="lower", **kwargs)
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_xticks(range(len(x_labels)), x_labels, rotation=30, ha="right")
    ax.set_yticks(range(len(y_labels)), y_labels)
    ax.set_xlabel(column_label(x))
    ax.set_ylabel(column_label(y))
    ax.set_title(f"{label} by {column_label(x).lower()} and {column_label(y).lower()}")
    if annotate:
        annotate_cells(ax, grid, fmt, image)
    return ax
