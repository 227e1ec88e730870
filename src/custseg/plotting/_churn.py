"""Plots that evaluate churn scores: ROC, gains, lift and calibration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import InvalidValueError
from ._common import binary_target, get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_calibration", "plot_gains", "plot_lift", "plot_roc"]


def _both_classes(y: np.ndarray, what: str) -> None:
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == len(y):
        raise InvalidValueError(
            f"{what} needs both classes in y_true; got {n_pos} positives out of {len(y)}."
        )


def plot_roc(
    y_true: Any,
    y_score: Any,
    *,
    label: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """ROC curve of churn scores, with the area under it in the legend.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 (or True) for customers who churned, 0 for those who stayed.
    y_score : array-like of shape (n_customers,) or (n_customers, 2)
        Churn score or probability; higher means more likely to churn. A
        two-column ``predict_proba`` output is read by its second column.
    label : str, optional
        Name of the model in the legend (default ``"model"``); call again on the
        same ``ax`` to compare models.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the curve.

    Returns
    -------
    matplotlib.axes.Axes
        The ROC line (false positive rate on x, true positive rate on y,
        labelled ``"<label> (AUC = ...)"``) and the chance diagonal.

    See Also
    --------
    plot_gains, plot_lift, plot_calibration : Other views of the same scores.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_roc
    >>> ax = plot_roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], ax=Figure().subplots())
    >>> ax.lines[0].get_label()
    'model (AUC = 0.750)'
    """
    from sklearn.metrics import roc_auc_score, roc_curve

    y, s = binary_target(y_true, y_score)
    _both_classes(y, "a ROC curve")
    fpr, tpr, _ = roc_curve(y, s)
    auc = roc_auc_score(y, s)
    ax = get_ax(ax)
    ax.plot(fpr, tpr, label=f"{label or 'model'} (AUC = {auc:.3f})", **kwargs)
    if not any(line.get_label() == "chance" for line in ax.lines):
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8, label="chance")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC curve")
    ax.legend(loc="lower right")
    return ax


def plot_gains(
    y_true: Any,
    y_score: Any,
    *,
    label: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Cumulative gains: share of churners found when contacting the top-scored customers.

    The curve answers "if we contact the x % of customers with the highest
    scores, what % of all churners do we reach?". The diagonal is random
    targeting, the upper line a perfect ranking.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 (or True) for customers who churned, 0 for those who stayed.
    y_score : array-like of shape (n_customers,)
        Churn score; higher means more likely to churn.
    label : str, optional
        Name of the model in the legend (default ``"model"``).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the model curve.

    Returns
    -------
    matplotlib.axes.Axes
        Three lines: the model (x and y in percent, starting at 0, one point per
        distinct score, so that customers with tied scores are contacted
        together and the curve does not depend on the row order), the perfect
        ranking and random targeting.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_gains
    >>> ax = plot_gains([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], ax=Figure().subplots())
    >>> ax.lines[0].get_ydata().tolist()
    [0.0, 50.0, 50.0, 100.0, 100.0]
    """
    y, s = binary_target(y_true, y_score)
    _both_classes(y, "a gains curve")
    order = np.argsort(-s, kind="stable")
    ranked, sorted_scores = y[order], s[order]
    n, n_pos = len(y), int(y.sum())
    # one point per distinct score: customers with tied scores are contacted together
    last_of_tie = np.r_[np.flatnonzero(np.diff(sorted_scores)), n - 1]
    cum_pos = np.cumsum(ranked)[last_of_tie]
    x = 100.0 * np.r_[0, last_of_tie + 1] / n
    gains = 100.0 * np.r_[0, cum_pos] / n_pos
    ax = get_ax(ax)
    ax.plot(x, gains, label=label or "model", **kwargs)
    ax.plot([0, 100.0 * n_pos / n, 100], [0, 100, 100], color="green", linestyle=":",
            label="perfect")
    ax.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=0.8, label="random")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)
    ax.set_xlabel("customers contacted, highest score first (%)")
    ax.set_ylabel("churners reached (%)")
    ax.set_title("Cumulative gains")
    ax.legend(loc="lower right")
    return ax


def plot_lift(
    y_true: Any,
    y_score: Any,
    *,
    n_bins: int = 10,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Lift per score group: churn rate in each group divided by the overall rate.

    Customers are sorted by score (highest first) and cut into ``n_bins``
    groups of equal size (deciles by default); a lift of 3 in the first group
    means its customers churn three times as often as the average customer.
    The bars are the ``lift`` column of :func:`custseg.churn.gains_table`.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 (or True) for customers who churned, 0 for those who stayed.
    y_score : array-like of shape (n_customers,)
        Churn score; higher means more likely to churn.
    n_bins : int, default=10
        Number of groups (sizes differ by at most one customer, as in
        :func:`custseg.churn.gains_table`).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per group (group 1 = highest scores, height = lift) and a
        dashed line at lift 1.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_lift
    >>> y = [1, 1, 0, 1, 0, 0, 0, 0]
    >>> score = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2]
    >>> ax = plot_lift(y, score, n_bins=4, ax=Figure().subplots())
    >>> ax.containers[0].datavalues.tolist()
    [2.6666666666666665, 1.3333333333333333, 0.0, 0.0]
    """
    y, s = binary_target(y_true, y_score)
    _both_classes(y, "a lift chart")
    if not isinstance(n_bins, (int, np.integer)) or not 1 <= n_bins <= len(y):
        raise InvalidValueError(
            f"n_bins={n_bins!r} must be an integer between 1 and the number of customers "
            f"({len(y)})."
        )
    from ..churn import gains_table

    table = gains_table(y, s, n_bins=int(n_bins))
    lifts = table["lift"].to_numpy(dtype=float)
    rate = y.mean()
    ax = get_ax(ax)
    pos = np.arange(1, n_bins + 1)
    bars = ax.bar(pos, lifts, **kwargs)
    ax.bar_label(bars, fmt="%.2f", padding=2, fontsize=8)
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=0.8, label="average")
    ax.set_xticks(pos)
    ax.set_xlabel(f"score group (1 = highest; {n_bins} groups of equal size)")
    ax.set_ylabel("lift (churn rate / overall rate)")
    ax.set_title(f"Lift by score group (overall churn rate {rate:.1%})")
    ax.margins(y=0.1)
    return ax


def plot_calibration(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "quantile",
    label: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Reliability diagram: predicted churn probability against the observed churn rate.

    Customers are grouped by predicted probability; each point is a group's mean
    prediction (x) and its observed churn rate (y), the ``mean_predicted`` and
    ``observed_rate`` columns of :func:`custseg.churn.calibration_table`. A
    calibrated model lies on the diagonal.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        1 (or True) for customers who churned, 0 for those who stayed.
    y_prob : array-like of shape (n_customers,)
        Predicted churn probability, in [0, 1].
    n_bins : int, default=10
        Number of groups.
    strategy : {"quantile", "uniform"}, default="quantile"
        Groups of equal size, or of equal probability width.
    label : str, optional
        Name of the model in the legend (default ``"model"``).
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for the model line.

    Returns
    -------
    matplotlib.axes.Axes
        The model line (x = mean predicted probability, y = observed rate, one
        point per non-empty group) and the diagonal (drawn once, also when
        several models are drawn on the same Axes).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_calibration
    >>> y = [0, 0, 1, 0, 1, 1]
    >>> p = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9]
    >>> ax = plot_calibration(y, p, n_bins=2, strategy="uniform", ax=Figure().subplots())
    >>> ax.lines[0].get_xydata().round(3).tolist()
    [[0.2, 0.333], [0.8, 0.667]]
    """
    from ..churn import calibration_table

    y, p = binary_target(y_true, y_prob)
    if strategy not in ("quantile", "uniform"):
        raise InvalidValueError(f"strategy={strategy!r} must be 'quantile' or 'uniform'.")
    n_out = int(((p < 0) | (p > 1)).sum())
    if n_out:
        raise InvalidValueError(
            f"y_prob has {n_out} values outside [0, 1]; expected probabilities."
        )
    _both_classes(y, "a calibration curve")
    table = calibration_table(y, p, n_bins=n_bins, strategy=strategy)
    predicted = table["mean_predicted"].to_numpy(dtype=float)
    observed = table["observed_rate"].to_numpy(dtype=float)
    ax = get_ax(ax)
    kwargs.setdefault("marker", "o")
    ax.plot(predicted, observed, label=label or "model", **kwargs)
    if not any(line.get_gid() == "calibration-diagonal" for line in ax.lines):
        # drawn once, so that several models on one Axes list it once in the legend
        ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=0.8,
                label="perfectly calibrated", gid="calibration-diagonal")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Mean predicted churn probability")
    ax.set_ylabel("Observed churn rate")
    ax.set_title("Calibration")
    ax.legend(loc="upper left")
    return ax
