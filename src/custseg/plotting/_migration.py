"""Plot of customers moving between segments: the migration heatmap."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidDtypeError, InvalidValueError, names_text
from ._common import annotate_cells, get_ax, require_rows, to_pandas

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_migration"]


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
