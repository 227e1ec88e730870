"""Plot of association rules: support against confidence, coloured by lift."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import InvalidValueError, MissingColumnError
from ._common import get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_rules"]

_NEEDED = ("antecedents", "consequents", "support", "confidence", "lift")


def _columns(rules: Any) -> dict[str, list[Any]]:
    if hasattr(rules, "to_pydict"):  # pyarrow
        cols = rules.to_pydict()
    elif hasattr(rules, "iloc"):  # pandas
        cols = {c: rules[c].tolist() for c in rules.columns}
    elif hasattr(rules, "to_dict") and hasattr(rules, "schema"):  # polars
        cols = rules.to_dict(as_series=False)
    else:
        raise InvalidValueError(
            f"rules must be the rules_ table of AssociationRules; got {type(rules).__name__}.")
    missing = {c: c for c in _NEEDED if c not in cols}
    if missing:
        raise MissingColumnError.from_missing_and_available(
            missing, [str(c) for c in cols], where="rules")
    return {str(k): list(v) for k, v in cols.items()}


def _label(ante: Any, cons: Any) -> str:
    return " + ".join(sorted(map(str, ante))) + " \u2192 " + " + ".join(sorted(map(str, cons)))


def plot_rules(
    rules: Any,
    *,
    segment: Any = None,
    by: str | None = None,
    label_top: int = 5,
    cmap: str = "viridis",
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Scatter association rules: support against confidence, coloured by lift.

    Rules at the top right are frequent and reliable; bright ones are bought
    together far more often than chance. The ``label_top`` rules of highest lift
    are labelled "A + B -> C" (a rule drawn on top of one already labelled is
    passed over, so fewer may show).

    Parameters
    ----------
    rules : DataFrame
        ``AssociationRules.rules_`` (pandas, polars or pyarrow).
    segment : optional
        With rules per segment: plot only this segment's rules (the value of the
        ``by`` column).
    by : str, optional
        The segment column of ``rules`` (needed with ``segment``).
    label_top : int, default=5
        Number of rules labelled, highest lift first (0 for none).
    cmap : str, default="viridis"
        Colour map of the lift.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.scatter`.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.collections[0]`` holds one point per rule; the colour bar is
        labelled "lift".

    Raises
    ------
    MissingColumnError
        When ``rules`` lacks a rule column, or ``by`` is not one of its columns.

    See Also
    --------
    custseg.baskets.AssociationRules : Finds the rules.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from custseg.baskets import AssociationRules
    >>> from custseg.plotting import plot_rules
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c", "c", "d"],
    ...     "date": pd.to_datetime(["2024-01-01"] * 7), "amount": [1.0] * 7,
    ...     "product": ["tea", "milk", "tea", "milk", "tea", "jam", "tea"]})
    >>> rules = AssociationRules(min_support=0.25, min_confidence=0.2, min_lift=0.0,
    ...                          product_col="product").fit(log).rules_
    >>> ax = plot_rules(rules, ax=Figure().add_subplot())
    >>> len(ax.collections[0].get_offsets()) == len(rules)
    True
    """
    cols = _columns(rules)
    n = len(cols["lift"])
    keep = np.ones(n, dtype=bool)
    if segment is not None:
        if by is None or by not in cols:
            raise MissingColumnError.from_missing_and_available(
                {"by": str(by)}, list(cols), where="rules")
        keep = np.array([v == segment for v in cols[by]], dtype=bool)
    support = np.asarray(cols["support"], dtype=float)[keep]
    confidence = np.asarray(cols["confidence"], dtype=float)[keep]
    lift = np.asarray(cols["lift"], dtype=float)[keep]
    ante = [v for v, k in zip(cols["antecedents"], keep, strict=True) if k]
    cons = [v for v, k in zip(cols["consequents"], keep, strict=True) if k]
    ax = get_ax(ax, figsize=(7, 4.5))
    options = {"s": 28, "alpha": 0.85, "edgecolors": "none", **kwargs}
    points = ax.scatter(support, confidence, c=lift, cmap=cmap, **options)
    if len(lift):
        ax.figure.colorbar(points, ax=ax, label="lift")
        # Label the highest lifts, skipping a point whose label would cover one already
        # drawn (a label is about 30% of the width wide and 5% of the height high).
        span = np.array([np.ptp(support) or 1.0, np.ptp(confidence) or 1.0])
        placed: list[np.ndarray] = []
        for i in np.argsort(-lift, kind="stable"):
            if len(placed) >= max(int(label_top), 0):
                break
            at = np.array([support[i], confidence[i]]) / span
            if any(abs(at[0] - p[0]) < 0.3 and abs(at[1] - p[1]) < 0.05 for p in placed):
                continue
            placed.append(at)
            ax.annotate(_label(ante[i], cons[i]), (support[i], confidence[i]),
                        xytext=(4, 4), textcoords="offset points", fontsize=7)
    else:
        ax.text(0.5, 0.5, "no rule", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("support (share of baskets holding the whole rule)")
    ax.set_ylabel("confidence")
    title = "Association rules" + (f": {segment}" if segment is not None else "")
    ax.set_title(f"{title} ({len(lift):,})")
    return ax
