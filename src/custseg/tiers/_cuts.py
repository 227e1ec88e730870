"""Grade cut points: quantiles, fixed thresholds or cumulative revenue shares of a score."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import EmptyDataError, InvalidValueError, names_text
from ._common import DEFAULT_GRADES, check_grades

__all__ = ["apply_cuts", "check_scores", "cut_points", "grade", "grade_series"]


def default_shares(method: str, n: int) -> tuple[float, ...]:
    """Cumulative shares of ``n`` grades: equal for quantiles, ABC-style for revenue."""
    if method == "quantile":
        return tuple(k / n for k in range(1, n))
    if n == 3:
        return (0.8, 0.95)
    if n == 4:
        return (0.5, 0.8, 0.95)
    raise InvalidValueError(
        f"method='revenue' with {n} grades needs shares=[...] ({n - 1} increasing cumulative "
        "revenue shares in (0, 1), best grade first); defaults exist for 3 grades "
        "(0.8, 0.95) and 4 grades (0.5, 0.8, 0.95)."
    )


def check_scores(scores: np.ndarray, what: str) -> None:
    """Refuse an empty score vector and NaN or infinite scores, naming ``what``."""
    if scores.size == 0:
        raise EmptyDataError(f"{what}: no scores to grade (0 rows).")
    bad = ~np.isfinite(scores)
    if bad.any():
        raise InvalidValueError(
            f"{what}: {int(bad.sum())} score(s) are NaN or infinite (first at positions "
            f"{names_text(np.flatnonzero(bad)[:5].tolist(), quote=False)}); finite scores are "
            "expected."
        )


def cut_points(
    scores: np.ndarray,
    *,
    method: str,
    n: int,
    thresholds: Any,
    shares: Any,
    revenue: Any,
) -> np.ndarray:
    """Decreasing score cut points: grade k <=> cuts[k] <= score < cuts[k-1]."""
    check_scores(scores, "grade")
    if method == "threshold":
        if thresholds is None:
            raise InvalidValueError(
                f"method='threshold' needs thresholds=[...]: {n - 1} decreasing score cut points."
            )
        cuts = np.asarray(thresholds, dtype=float).ravel()
        if cuts.size != n - 1 or not np.all(np.diff(cuts) < 0) or not np.all(np.isfinite(cuts)):
            raise InvalidValueError(
                f"thresholds must be {n - 1} finite, strictly decreasing score cut points "
                f"(one fewer than the {n} grades); got "
                f"{names_text([f'{c:g}' for c in cuts], quote=False)}."
            )
        return cuts
    sh = np.asarray(default_shares(method, n) if shares is None else shares, dtype=float).ravel()
    if sh.size != n - 1 or not np.all(np.diff(sh) > 0) or sh[0] <= 0 or sh[-1] >= 1:
        raise InvalidValueError(
            f"shares must be {n - 1} strictly increasing cumulative shares in (0, 1), best "
            f"grade first (one fewer than the {n} grades); got "
            f"{names_text([f'{s:g}' for s in sh], quote=False)}."
        )
    if method == "quantile":
        return np.quantile(scores, 1.0 - sh)
    if revenue is None:
        raise InvalidValueError("method='revenue' needs revenue (one amount per customer).")
    rev = np.asarray(revenue, dtype=float).ravel()
    if rev.shape != scores.shape:
        raise InvalidValueError(
            f"revenue has {rev.size} values but there are {scores.size} scores; one per customer."
        )
    if not np.all(np.isfinite(rev)) or np.any(rev < 0) or rev.sum() <= 0:
        n_bad = int(np.sum(~np.isfinite(rev) | (rev < 0)))
        raise InvalidValueError(
            f"revenue must be finite and >= 0 with a positive total; {n_bad} bad value(s)."
        )
    order = np.argsort(-scores, kind="stable")
    cum = np.cumsum(rev[order]) / rev.sum()
    idx = np.minimum(np.searchsorted(cum, sh, side="left"), scores.size - 1)
    return np.asarray(scores[order][idx], dtype=float)


def apply_cuts(scores: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Grade positions (0 = best) for scores, given decreasing cut points."""
    return (scores[:, None] < cuts[None, :]).sum(axis=1)


def grade_series(codes: np.ndarray, grades: tuple[Any, ...], index: Any) -> pd.Series:
    """Grade positions (0 = best) as an ordered categorical named ``grade`` (A > B > ...)."""
    dtype = pd.CategoricalDtype(list(grades[::-1]), ordered=True)
    values = pd.Categorical.from_codes(len(grades) - 1 - codes, dtype=dtype)
    return pd.Series(values, index=index, name="grade")


def grade(
    scores: Any,
    *,
    method: str = "quantile",
    grades: Any = DEFAULT_GRADES,
    thresholds: Any = None,
    shares: Any = None,
    revenue: Any = None,
) -> pd.Series:
    """Cut value scores into ordered grades (A best).

    Parameters
    ----------
    scores : Series or array-like of shape (n_customers,)
        Value scores, higher is better (for example ``value_score`` from
        :class:`ValueScorer`).
    method : {"quantile", "threshold", "revenue"}, default="quantile"
        ``"quantile"``: the top ``shares[0]`` of customers by score get the
        first grade, and so on (equal-sized grades by default: quartiles for
        four grades). ``"threshold"``: fixed score cut points.
        ``"revenue"``: ABC / Pareto analysis: customers sorted by score,
        best first; the first grade holds the customers who together make
        ``shares[0]`` of the revenue (the customer crossing the share
        included), and so on.
    grades : sequence, default=("A", "B", "C", "D")
        Grade labels, best first; their number sets the number of grades.
    thresholds : sequence of float, optional
        For ``method="threshold"``: ``len(grades) - 1`` strictly decreasing
        cut points; a score ``>= thresholds[0]`` gets the first grade.
    shares : sequence of float, optional
        Cumulative shares in (0, 1), best grade first, of customers
        (``"quantile"``) or of revenue (``"revenue"``; default (0.8, 0.95)
        for three grades and (0.5, 0.8, 0.95) for four).
    revenue : array-like of shape (n_customers,), optional
        Revenue per customer, for ``method="revenue"``.

    Returns
    -------
    Series
        Ordered categorical (categories worst to best, so ``"A" > "B"``),
        indexed like ``scores`` (a RangeIndex for arrays), named ``grade``.
        Customers tied on a cut point get the better grade.

    See Also
    --------
    ValueGrader : The same cut points, learned once and applied to new data.

    Examples
    --------
    >>> from custseg.tiers import grade
    >>> grade([90, 10, 55, 70, 30, 45, 80, 20]).tolist()
    ['A', 'D', 'B', 'B', 'C', 'C', 'A', 'D']
    >>> grade([90, 10, 55], method="threshold", grades=["gold", "silver", "bronze"],
    ...       thresholds=[80, 50]).tolist()
    ['gold', 'bronze', 'silver']
    >>> grade([5, 4, 3, 2, 1], method="revenue", grades="ABC",
    ...       revenue=[800, 100, 50, 30, 20]).tolist()
    ['A', 'B', 'B', 'C', 'C']
    """
    if method not in {"quantile", "threshold", "revenue"}:
        raise InvalidValueError(
            f"method must be 'quantile', 'threshold' or 'revenue'; got {method!r}."
        )
    labels = check_grades(list(grades) if isinstance(grades, str) else grades)
    index = scores.index if isinstance(scores, pd.Series) else None
    values = np.asarray(scores, dtype=float).ravel()
    cuts = cut_points(
        values, method=method, n=len(labels), thresholds=thresholds, shares=shares, revenue=revenue
    )
    codes = apply_cuts(values, cuts)
    return grade_series(codes, labels, index if index is not None else pd.RangeIndex(len(values)))
