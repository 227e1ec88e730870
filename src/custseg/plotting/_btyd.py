"""Plot of a fitted BG/NBD model: expected purchases by frequency and recency."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import InvalidValueError
from ._common import get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_expected_purchases"]


def plot_expected_purchases(
    model: Any,
    *,
    T: float,
    horizon: float = 1.0,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    annotate: bool = False,
    unit: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """BG/NBD expected purchases over frequency and recency (the frequency/recency matrix).

    For a customer of age ``T``, each cell is the number of purchases a fitted
    :class:`custseg.churn.BetaGeoModel` expects in the next ``horizon`` given
    their frequency (repeat purchases, y) and recency (age at the last
    purchase, x). The best customers are top right: many purchases, the last
    one recent. A one-time buyer (frequency 0) has recency 0 by definition, so
    the other cells of the bottom row are blank.

    Parameters
    ----------
    model : BetaGeoModel
        A fitted BG/NBD model (anything with ``expected_purchases(X, horizon)``
        taking rows of frequency, recency, T).
    T : float
        Age of the customers, in the model's time unit (for example the largest
        ``T`` of the training data).
    horizon : float, default=1.0
        Length of the future period, in the model's time unit.
    max_frequency : int, optional
        Largest frequency shown (default 20).
    max_recency : float, optional
        Largest recency shown (default ``T``; must not exceed ``T``).
    annotate : bool, default=False
        Write the value in each cell (readable for small grids only).
    unit : str, optional
        The model's time unit in words, plural (``"weeks"``, ``"days"``), for the
        axis and colour-bar labels. Default: "time units".
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.imshow` (``cmap``...).

    Returns
    -------
    matplotlib.axes.Axes
        An ``AxesImage`` whose array has one row per frequency ``0 ..
        max_frequency`` (bottom up) and one column per whole recency ``0 ..
        max_recency`` (at most 100 columns; a coarser step beyond), and a colour
        bar.

    See Also
    --------
    custseg.churn.BetaGeoModel.expected_purchases : The values drawn.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from custseg.churn import BetaGeoModel
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import btyd_summary
    >>> from custseg.plotting import plot_expected_purchases
    >>> summary = btyd_summary(load_cdnow(sample=True), unit="W")
    >>> bg = BetaGeoModel().fit(summary)
    >>> ax = plot_expected_purchases(bg, T=78, horizon=4, max_frequency=10,
    ...                              ax=Figure().subplots())
    >>> ax.images[0].get_array().shape
    (11, 79)
    """
    from .._sklearn_compat import check_is_fitted

    if not hasattr(model, "expected_purchases"):
        raise InvalidValueError(
            f"model must be a fitted BetaGeoModel (with expected_purchases); "
            f"got {type(model).__name__}."
        )
    check_is_fitted(model)
    T = float(T)
    if not np.isfinite(T) or T <= 0:
        raise InvalidValueError(f"T={T!r} must be a positive age in the model's time unit.")
    max_frequency = 20 if max_frequency is None else max_frequency
    if not isinstance(max_frequency, (int, np.integer)) or max_frequency < 1:
        raise InvalidValueError(f"max_frequency={max_frequency!r} must be a positive integer.")
    max_recency = T if max_recency is None else float(max_recency)
    if not 0 < max_recency <= T:
        raise InvalidValueError(
            f"max_recency={max_recency!r} must be in (0, T={T:g}]: recency is the age at the "
            "last purchase."
        )
    step = max(1.0, np.ceil(max_recency / 99))
    recency = np.arange(0.0, max_recency + 1e-9, step)
    frequency = np.arange(int(max_frequency) + 1)
    ff, rr = np.meshgrid(frequency, recency, indexing="ij")
    valid = (ff > 0) | (rr == 0)
    rows = np.column_stack([ff[valid], rr[valid], np.full(int(valid.sum()), T)])
    grid = np.full(ff.shape, np.nan)
    grid[valid] = model.expected_purchases(rows, horizon)
    ax = get_ax(ax)
    kwargs.setdefault("cmap", "viridis")
    kwargs.setdefault("aspect", "auto")
    kwargs.setdefault("interpolation", "nearest")
    extent = (recency[0] - step / 2, recency[-1] + step / 2, -0.5, frequency[-1] + 0.5)
    image = ax.imshow(grid, origin="lower", extent=extent, **kwargs)
    units = unit or "time units"
    span = f"{horizon:g} {units[:-1] if horizon == 1 and units.endswith('s') else units}"
    ax.figure.colorbar(image, ax=ax, label=f"Expected purchases in the next {span}")
    ax.set_xlabel(f"Recency: age at the last purchase ({units})")
    ax.set_ylabel("Frequency (repeat purchases)")
    ax.set_title(f"BG/NBD expected purchases, customers aged {T:g} {units}")
    if annotate:
        for i, f in enumerate(frequency):
            for j, r in enumerate(recency):
                if np.isfinite(grid[i, j]):
                    ax.text(float(r), float(f), f"{grid[i, j]:.2f}", ha="center",
                            va="center", fontsize=6)
    return ax
