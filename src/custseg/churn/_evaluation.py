"""Evaluation of churn scores: ranking, calibration, gains and lift, model comparison."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import cross_val_predict

from ..exceptions import InvalidValueError, names_text
from ._target import binary_classes

__all__ = [
    "calibration_table",
    "churn_metrics",
    "compare_churn_models",
    "gains_table",
    "lift_score",
]


def _check_scores(
    y_true: Any, y_score: Any, name: str = "y_score"
) -> tuple[np.ndarray, np.ndarray]:
    """Return (binary 0/1 labels, float scores) with clear errors."""
    y = np.asarray(y_true).ravel()
    s = np.asarray(y_score, dtype=float)
    if s.ndim == 2 and s.shape[1] == 2:
        s = s[:, 1]
    s = s.ravel()
    if len(y) != len(s):
        raise InvalidValueError(
            f"y_true has {len(y)} values and {name} has {len(s)}; expected one score per "
            "customer."
        )
    if len(y) == 0:
        raise InvalidValueError("y_true is empty; expected at least one customer.")
    bad = ~np.isfinite(s)
    if bad.any():
        raise InvalidValueError(
            f"{name} has {int(bad.sum())} of {len(s)} values that are NaN or infinite; "
            "expected finite scores."
        )
    classes = binary_classes(y)
    return (y == classes[1]).astype(int), s


def _check_fraction(fraction: Any, name: str = "fraction") -> float:
    if isinstance(fraction, bool) or not isinstance(fraction, Real) \
            or not 0 < float(fraction) <= 1:
        raise InvalidValueError(f"{name}={fraction!r} must be in (0, 1].")
    return float(fraction)


def _check_bins(n_bins: Any) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, Integral) or n_bins < 1:
        raise InvalidValueError(f"n_bins={n_bins!r} must be an integer >= 1.")
    return int(n_bins)


def _top(s: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores (ties broken by position, stable)."""
    return np.argsort(-s, kind="stable")[:k]


def lift_score(y_true: Any, y_score: Any, *, fraction: float = 0.1) -> float:
    """Churn rate among the top ``fraction`` of customers by score, over the base rate.

    A lift of 3 in the top decile means that contacting the 10% of customers
    with the highest churn score reaches three times as many churners as
    contacting 10% at random.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        Binary churn labels (the larger label is "churned").
    y_score : array-like of shape (n_customers,) or (n_customers, 2)
        Churn scores, higher = more likely to churn (``predict_proba`` output
        allowed: its second column is used).
    fraction : float in (0, 1], default=0.1
        Share of customers targeted (``ceil(fraction * n)`` customers).

    Returns
    -------
    float
        The lift (1 = no better than random).

    Examples
    --------
    >>> from custseg.churn import lift_score
    >>> lift_score([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], [.9, .1, .8, .2, .1, .1, .1, 0, 0, 0],
    ...            fraction=0.2)
    2.5
    """
    y, s = _check_scores(y_true, y_score)
    k = max(1, math.ceil(_check_fraction(fraction) * len(y) - 1e-9))
    return float(y[_top(s, k)].mean() / y.mean())


def churn_metrics(
    y_true: Any, y_score: Any, *, probability: bool | None = None, fraction: float = 0.1
) -> dict[str, float]:
    """Ranking and probability metrics of one churn score.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        Binary churn labels (the larger label is "churned").
    y_score : array-like of shape (n_customers,) or (n_customers, 2)
        Churn scores, higher = more likely to churn.
    probability : bool, optional
        Whether the scores are probabilities (then the Brier score is computed).
        Default: true when every score is in [0, 1].
    fraction : float, default=0.1
        Targeted share for the lift (the top decile by default).

    Returns
    -------
    dict
        ``n`` (customers), ``churn_rate``, ``roc_auc``, ``pr_auc`` (average
        precision), ``brier`` (NaN when not a probability) and ``lift`` (lift in
        the top ``fraction``).

    See Also
    --------
    compare_churn_models : The same metrics for several models.

    Examples
    --------
    >>> from custseg.churn import churn_metrics
    >>> m = churn_metrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> m["roc_auc"], m["brier"]
    (0.75, 0.158125)
    """
    y, s = _check_scores(y_true, y_score)
    is_prob = bool(np.all((s >= 0) & (s <= 1))) if probability is None else bool(probability)
    if is_prob and not np.all((s >= 0) & (s <= 1)):
        raise InvalidValueError(
            f"probability=True but {int(np.sum((s < 0) | (s > 1)))} of {len(s)} scores are "
            "outside [0, 1]."
        )
    return {
        "n": float(len(y)),
        "churn_rate": float(y.mean()),
        "roc_auc": float(roc_auc_score(y, s)),
        "pr_auc": float(average_precision_score(y, s)),
        "brier": float(brier_score_loss(y, s)) if is_prob else math.nan,
        "lift": lift_score(y, s, fraction=fraction),
    }


def gains_table(y_true: Any, y_score: Any, *, n_bins: int = 10) -> pd.DataFrame:
    """Cumulative gains and lift by score group (deciles by default).

    Customers are sorted by decreasing score and cut into ``n_bins`` groups of
    (almost) equal size. For plotting gains and lift charts.

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        Binary churn labels (the larger label is "churned").
    y_score : array-like of shape (n_customers,) or (n_customers, 2)
        Churn scores, higher = more likely to churn.
    n_bins : int, default=10
        Number of groups.

    Returns
    -------
    pandas.DataFrame
        One row per group, highest scores first: ``bin`` (1 = highest
        scores), ``n``, ``n_churned``, ``churn_rate``, ``score_min``,
        ``score_max``, ``cumulative_share`` (share of customers targeted up to
        this group), ``cumulative_churned``, ``gain`` (share of all churners
        reached), ``lift`` (this group's churn rate over the base rate) and
        ``cumulative_lift``.

    Examples
    --------
    >>> from custseg.churn import gains_table
    >>> table = gains_table([1, 1, 0, 1, 0, 0, 0, 0], [.9, .8, .7, .6, .5, .4, .3, .2], n_bins=4)
    >>> table[["bin", "n_churned", "gain", "cumulative_lift"]]
       bin  n_churned      gain  cumulative_lift
    0    1          2  0.666667         2.666667
    1    2          1  1.000000         2.000000
    2    3          0  1.000000         1.333333
    3    4          0  1.000000         1.000000
    """
    y, s = _check_scores(y_true, y_score)
    bins = _check_bins(n_bins)
    n = len(y)
    if bins > n:
        raise InvalidValueError(f"n_bins={bins} is more than the {n} customers.")
    order = np.argsort(-s, kind="stable")
    ys, ss = y[order], s[order]
    edges = np.floor(np.arange(bins + 1) * n / bins).astype(int)
    base = ys.mean()
    rows = []
    cum_n = cum_pos = 0
    for i in range(bins):
        lo, hi = edges[i], edges[i + 1]
        group, scores = ys[lo:hi], ss[lo:hi]
        cum_n += len(group)
        cum_pos += int(group.sum())
        rows.append({
            "bin": i + 1,
            "n": len(group),
            "n_churned": int(group.sum()),
            "churn_rate": float(group.mean()),
            "score_min": float(scores.min()),
            "score_max": float(scores.max()),
            "cumulative_share": cum_n / n,
            "cumulative_churned": cum_pos,
            "gain": cum_pos / ys.sum(),
            "lift": float(group.mean() / base),
            "cumulative_lift": float((cum_pos / cum_n) / base),
        })
    return pd.DataFrame(rows)


def calibration_table(
    y_true: Any, y_prob: Any, *, n_bins: int = 10, strategy: str = "quantile"
) -> pd.DataFrame:
    """Predicted versus observed churn rate by probability bin (reliability table).

    Parameters
    ----------
    y_true : array-like of shape (n_customers,)
        Binary churn labels (the larger label is "churned").
    y_prob : array-like of shape (n_customers,) or (n_customers, 2)
        Churn probabilities in [0, 1].
    n_bins : int, default=10
        Number of bins.
    strategy : {"quantile", "uniform"}, default="quantile"
        Bins of equal size (by sorted probability) or of equal width on [0, 1].
        Empty bins are left out.

    Returns
    -------
    pandas.DataFrame
        One row per non-empty bin, lowest probabilities first: ``bin``, ``n``,
        ``prob_min``, ``prob_max``, ``mean_predicted``, ``observed_rate`` and
        ``gap`` (observed minus predicted).

    Examples
    --------
    >>> from custseg.churn import calibration_table
    >>> table = calibration_table([0, 0, 1, 0, 1, 1], [.1, .2, .3, .6, .7, .9], n_bins=2)
    >>> table[["bin", "n", "mean_predicted", "observed_rate"]]
       bin  n  mean_predicted  observed_rate
    0    1  3        0.200000       0.333333
    1    2  3        0.733333       0.666667
    """
    y, p = _check_scores(y_true, y_prob, name="y_prob")
    bins = _check_bins(n_bins)
    out_of_range = (p < 0) | (p > 1)
    if out_of_range.any():
        raise InvalidValueError(
            f"y_prob has {int(out_of_range.sum())} of {len(p)} values outside [0, 1]; "
            "expected probabilities."
        )
    if strategy == "quantile":
        order = np.argsort(p, kind="stable")
        edges = np.floor(np.arange(bins + 1) * len(p) / bins).astype(int)
        ids = np.empty(len(p), dtype=int)
        for i in range(bins):
            ids[order[edges[i]:edges[i + 1]]] = i
    elif strategy == "uniform":
        ids = np.minimum((p * bins).astype(int), bins - 1)
    else:
        raise InvalidValueError(f"strategy={strategy!r} is not one of ('quantile', 'uniform').")
    rows = []
    for i in range(bins):
        mask = ids == i
        if not mask.any():
            continue
        rows.append({
            "bin": i + 1,
            "n": int(mask.sum()),
            "prob_min": float(p[mask].min()),
            "prob_max": float(p[mask].max()),
            "mean_predicted": float(p[mask].mean()),
            "observed_rate": float(y[mask].mean()),
        })
    table = pd.DataFrame(rows)
    table["gap"] = table["observed_rate"] - table["mean_predicted"]
    return table


def compare_churn_models(
    models: Mapping[str, Any],
    X: Any,
    y: Any,
    *,
    X_test: Any = None,
    y_test: Any = None,
    cv: Any = None,
    probabilities: Sequence[str] = (),
    fraction: float = 0.1,
) -> pd.DataFrame:
    """Compare several churn models on one split with the same metrics.

    Each model is either an estimator with ``predict_proba`` (its churn
    probability is evaluated) or a ready-made score array (higher = more
    likely to churn; for example recency, or minus the expected purchases).
    Estimators are evaluated in one of two ways:

    * with ``X_test`` and ``y_test``: fitted on ``(X, y)``, scored on the test
      customers (score arrays must then be for the test customers);
    * with ``cv``: out-of-fold probabilities from
      :func:`sklearn.model_selection.cross_val_predict` over ``(X, y)``.

    Parameters
    ----------
    models : mapping of str to estimator or array-like
        The models to compare, by name.
    X : array-like or dataframe
        Training features (or the only features, with ``cv``). Each estimator
        receives it as it is (a dataframe keeps its named columns, so a
        :class:`BetaGeoChurnClassifier` and a :class:`ChurnPredictor` can
        read different columns of one table through a column selector).
    y : array-like of shape (n_customers,)
        Churn labels of ``X``.
    X_test, y_test : optional
        Test features and labels.
    cv : int or cross-validation splitter, optional
        Cross-validation over ``(X, y)`` when there is no test set. An integer
        gives unshuffled stratified folds; per-customer tables sorted by id often
        follow the acquisition order (CDNOW's do), so pass a shuffled splitter
        such as ``StratifiedKFold(5, shuffle=True, random_state=0)``.
    probabilities : sequence of str, default=()
        Names of score arrays that are probabilities (their Brier score is
        reported). Estimators' ``predict_proba`` always are.
    fraction : float, default=0.1
        Targeted share for the lift.

    Returns
    -------
    pandas.DataFrame
        One row per model, in the given order, indexed by name, with the columns
        of :func:`churn_metrics`.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from sklearn.model_selection import StratifiedKFold
    >>> from custseg.churn import ChurnPredictor, churn_labels, compare_churn_models
    >>> table = churn_labels(load_cdnow(sample=True), "1997-09-30", 39, unit="W")
    >>> X, y = table.drop(columns=["customer_id", "churned"]), table["churned"]
    >>> result = compare_churn_models(
    ...     {"boosting": ChurnPredictor(random_state=0), "recency": X["recency_days"]},
    ...     X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    >>> result.index.tolist(), bool(result.loc["boosting", "roc_auc"] > 0.7)
    (['boosting', 'recency'], True)
    """
    if not isinstance(models, Mapping) or not models:
        raise InvalidValueError("models must be a non-empty mapping of name to model or scores.")
    has_test = X_test is not None or y_test is not None
    if has_test and (X_test is None or y_test is None):
        raise InvalidValueError("X_test and y_test must be given together.")
    if has_test and cv is not None:
        raise InvalidValueError("give either X_test/y_test or cv, not both.")
    unknown = [p for p in probabilities if p not in models]
    if unknown:
        raise InvalidValueError(f"probabilities names {names_text(unknown)}, which are not in "
            "models.")
    y_eval = y_test if has_test else y
    rows = {}
    for name, model in models.items():
        if hasattr(model, "fit") and hasattr(model, "predict_proba"):
            if has_test:
                fitted = clone(model).fit(X, y)
                scores = fitted.predict_proba(X_test)[:, 1]
            elif cv is not None:
                scores = cross_val_predict(clone(model), X, y, cv=cv,
                                           method="predict_proba")[:, 1]
            else:
                raise InvalidValueError(
                    f"model {name!r} is an estimator: give X_test/y_test or cv to evaluate it "
                    "on customers it was not fitted on."
                )
            prob = True
        else:
            scores = np.asarray(model, dtype=float)
            prob = name in probabilities
        rows[name] = churn_metrics(y_eval, scores, probability=prob, fraction=fraction)
    return pd.DataFrame.from_dict(rows, orient="index")
