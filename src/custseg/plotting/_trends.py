"""Plots of trends per period and of cohort retention (custseg.cohorts)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidValueError
from ._common import annotate_cells, get_ax, require_columns, require_rows, to_pandas
from ._labels import column_label

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_cohort_retention", "plot_trends"]

DEFAULT_FLOWS = ("active_customers", "new_customers", "lost_customers")


def _period_text(periods: pd.Series) -> list[str]:
    """Months as 2024-03, weeks (or anything else) as 2024-03-04."""
    stamps = pd.to_datetime(periods)
    monthly = bool((stamps.dt.day == 1).all()) and (
        len(stamps) < 2 or bool((stamps.diff().dropna() >= pd.Timedelta(days=28)).all()))
    return [s.strftime("%Y-%m" if monthly else "%Y-%m-%d") for s in stamps]


def plot_trends(
    trends: Any,
    columns: Sequence[str] | str = DEFAULT_FLOWS,
    *,
    unit: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Lines (or bars, for one money column) of :func:`custseg.cohorts.trends` per period.

    A last period the log ends inside of (``complete`` False) is drawn hollow
    and its label says "(partial)", so a half month does not read as a drop.

    Parameters
    ----------
    trends : DataFrame
        The table of :func:`custseg.cohorts.trends` (any frame kind).
    columns : str or sequence of str, default=("active_customers", "new_customers", \
"lost_customers")
        Columns to draw; a single ``"revenue"`` is drawn as bars.
    unit : str, optional
        Unit of the y axis (e.g. a currency); default "customers" for customer
        counts, "orders" for orders, none for revenue.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.plot` (or ``bar``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_trends
    >>> t = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                   "active_customers": [5, 3], "new_customers": [5, 1],
    ...                   "lost_customers": [0, 3], "complete": [True, False]})
    >>> ax = plot_trends(t, ax=Figure().subplots())
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Active customers', 'New customers', 'Lost customers']
    """
    df = to_pandas(trends, "trends")
    cols = [columns] if isinstance(columns, str) else list(columns)
    if not cols:
        raise InvalidValueError("columns must name at least one column of the trends table.")
    require_columns(df, ["period", *cols], "trends")
    require_rows(len(df), "trends")
    ax = get_ax(ax, figsize=(8, 3.5))
    x = np.arange(len(df))
    complete = df["complete"].to_numpy(bool) if "complete" in df.columns else np.ones(len(df),
                                                                                      bool)
    if len(cols) == 1 and cols[0] == "revenue":
        kwargs.setdefault("color", "#2f6fae")
        bars = ax.bar(x, df["revenue"].to_numpy(float), label=column_label("revenue"), **kwargs)
        for bar, done in zip(bars, complete, strict=True):
            if not done:
                bar.set_alpha(0.35)
        ax.axhline(0, color="0.6", lw=0.8)
    else:
        for col in cols:
            y = df[col].to_numpy(float)
            (line,) = ax.plot(x, y, marker="o", ms=3, label=column_label(col), **kwargs)
            if not complete.all():
                ax.plot(x[~complete], y[~complete], marker="o", ls="none", mfc="white",
                        color=line.get_color())
        ax.legend(frameon=False, fontsize=8)
    labels = _period_text(df["period"])
    labels = [t + ("\n(partial)" if not done else "") for t, done in zip(labels, complete,
                                                                        strict=True)]
    step = max(1, len(labels) // 12)
    ax.set_xticks(x[::step], labels[::step], rotation=45, ha="right", fontsize=8)
    ax.set_xlabel(column_label("period"))
    if unit is None:
        unit = ("customers" if all(c.endswith("_customers") for c in cols)
                else "orders" if cols == ["orders"] else "")
    name = column_label(cols[0]) if len(cols) == 1 else "Customers"
    ax.set_ylabel(f"{name} ({unit})" if unit and len(cols) == 1 else unit.capitalize() or name)
    ax.set_title(f"{name} per period" if len(cols) == 1 else "Customers per period")
    ax.grid(axis="y", alpha=0.3)
    return ax


def plot_cohort_retention(
    retention: Any,
    *,
    annotate: bool | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Heatmap of :func:`custseg.cohorts.cohort_retention`: cohorts down, periods across.

    Parameters
    ----------
    retention : DataFrame
        The table of :func:`custseg.cohorts.cohort_retention` (any frame kind):
        ``cohort``, ``customers`` and one share column per period after the
        first purchase (``"0"``, ``"1"``, ...).
    annotate : bool, optional
        Write the percentage in each cell. Default: when the matrix has at
        most 16 columns and 24 cohorts.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.imshow` (``cmap``...).

    Returns
    -------
    matplotlib.axes.Axes
        Its ``AxesImage`` holds the shares in percent (cells not yet observed are NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_cohort_retention
    >>> r = pd.DataFrame({"cohort": pd.to_datetime(["2024-01-01", "2024-02-01"]),
    ...                   "customers": [4, 2], "0": [1.0, 1.0], "1": [0.5, None]})
    >>> ax = plot_cohort_retention(r, ax=Figure().subplots())
    >>> ax.images[0].get_array().filled(-1).tolist()
    [[100.0, 50.0], [100.0, -1.0]]
    """
    df = to_pandas(retention, "retention")
    require_columns(df, ["cohort", "customers"], "retention")
    require_rows(len(df), "retention")
    periods = [c for c in df.columns if str(c).isdigit()]
    if not periods:
        raise InvalidValueError("retention has no period columns ('0', '1', ...).")
    grid = 100 * df[periods].to_numpy(dtype=float)
    ax = get_ax(ax, figsize=(8, 4.5))
    kwargs.setdefault("cmap", "Blues")
    kwargs.setdefault("aspect", "auto")
    kwargs.setdefault("vmin", 0.0)
    kwargs.setdefault("vmax", 100.0)
    image = ax.imshow(np.ma.masked_invalid(grid), **kwargs)
    ax.figure.colorbar(image, ax=ax, label="Customers of the cohort buying (%)")
    step = max(1, len(periods) // 16)
    ax.set_xticks(range(0, len(periods), step), [str(p) for p in periods[::step]])
    rows = [f"{t} (n={int(n):,})" for t, n in zip(_period_text(df["cohort"]), df["customers"],
                                                  strict=True)]
    rstep = max(1, len(rows) // 24)
    ax.set_yticks(range(0, len(rows), rstep), rows[::rstep], fontsize=8)
    ax.set_xlabel("Periods after the first purchase")
    ax.set_ylabel(column_label("cohort"))
    ax.set_title("Cohort retention")
    if annotate is None:
        annotate = len(periods) <= 16 and len(rows) <= 24
    if annotate:
        annotate_cells(ax, grid, ".0f", image, fontsize=7)
    return ax
