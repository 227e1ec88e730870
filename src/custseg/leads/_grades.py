"""Lead grades: cut any score into ordered grades, and the fit x engagement two-axis grade."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidValueError, names_text
from ..tiers._common import DEFAULT_GRADES, check_grades
from ..tiers._cuts import apply_cuts, check_scores, cut_points, grade_series

__all__ = ["combine_grades", "conversion_cuts", "grade_leads", "grade_matrix"]


def ordered_grades(grades: Any) -> tuple[Any, ...]:
    """Grade labels, best first (a string such as ``"ABCD"`` is one label per letter)."""
    return check_grades(list(grades) if isinstance(grades, str) else grades)


def grade_from_minimums(points: np.ndarray, minimums: np.ndarray, grades: tuple[Any, ...],
                        index: Any) -> pd.Series:
    """Grade ``k`` when ``points >= minimums[k]`` (first such grade), the last grade otherwise."""
    return grade_series(apply_cuts(points, minimums), grades, index)


def conversion_cuts(scores: np.ndarray, expected: np.ndarray, targets: Any) -> np.ndarray:
    """Decreasing score cut points meeting expected-conversion targets, best grade first.

    Leads are sorted by score, best first; the first grade takes the longest run of leads
    whose mean expected conversion is at least ``targets[0]`` (cutting only between distinct
    scores), the next grade the longest following run reaching ``targets[1]``, and so on; the
    last grade takes the rest. A grade no run reaches stays empty.
    """
    t = np.asarray(targets, dtype=float).ravel()
    if not np.all((t > 0) & (t <= 1)) or np.any(np.diff(t) >= 0):
        raise InvalidValueError(
            f"targets must be strictly decreasing conversion rates in (0, 1], best grade "
            "first (one fewer than the grades); got "
            f"{names_text([f'{v:g}' for v in t], quote=False)}."
        )
    order = np.argsort(-scores, kind="stable")
    s, e = scores[order], expected[order]
    # positions where a cut may fall: after the last of a run of equal scores
    ends = np.flatnonzero(np.r_[s[1:] != s[:-1], True]) + 1
    cuts, start = [], 0
    for target in t:
        csum = np.cumsum(e[start:])
        run_ends = ends[ends > start]
        means = csum[run_ends - start - 1] / (run_ends - start)
        ok = run_ends[means >= target]
        stop = int(ok.max()) if ok.size else start
        cuts.append(np.inf if stop == start else float(s[stop - 1]))
        start = stop
    out = np.asarray(cuts)
    return np.minimum.accumulate(out)


def lead_grade_cuts(proba: np.ndarray, y01: np.ndarray, grades: tuple[Any, ...], method: str,
                    *, targets: Any, thresholds: Any, shares: Any) -> np.ndarray:
    """LeadScorer's cut points of the out-of-fold probabilities, best grade first."""
    n = len(grades)
    if method == "conversion":
        if targets is None or np.size(targets) != n - 1:
            raise InvalidValueError(
                f"grade_method='conversion' needs grade_targets: {n - 1} decreasing "
                "conversion rates, best grade first."
            )
        return conversion_cuts(proba, y01.astype(float), targets)
    return cut_points(proba, method=method, n=n, thresholds=thresholds, shares=shares,
                      revenue=None)


def grade_leads(
    scores: Any,
    *,
    method: str = "quantile",
    grades: Any = DEFAULT_GRADES,
    thresholds: Any = None,
    shares: Any = None,
    targets: Any = None,
    outcomes: Any = None,
) -> pd.Series:
    """Cut lead scores (points, engagement or conversion probability) into ordered grades.

    Parameters
    ----------
    scores : Series or array-like of shape (n_leads,)
        Higher is better.
    method : {"quantile", "threshold", "conversion"}, default="quantile"
        ``"quantile"``: the top ``shares[0]`` of leads get the first grade, and
        so on (equal-sized grades by default). ``"threshold"``: fixed cut points,
        a score ``>= thresholds[0]`` gets the first grade. ``"conversion"``:
        expected-conversion targets (see :func:`conversion_cuts`): the best leads
        whose conversion rate reaches ``targets[0]`` get the first grade, and so on.
    grades : sequence, default=("A", "B", "C", "D")
        Labels, best first: the order is their meaning, never the alphabet.
    thresholds, shares : sequence of float, optional
        For ``"threshold"`` and ``"quantile"``.
    targets : sequence of float, optional
        For ``"conversion"``: ``len(grades) - 1`` decreasing conversion rates.
    outcomes : array-like of 0/1, optional
        For ``"conversion"``: observed conversions of these leads; without them
        the scores must be probabilities (``LeadScorer.predict_proba``).

    Returns
    -------
    Series
        Ordered categorical named ``grade`` (``"A" > "B"``), indexed like ``scores``.

    Examples
    --------
    >>> from custseg.leads import grade_leads
    >>> grade_leads([0.9, 0.1, 0.5, 0.3], grades="AB").tolist()
    ['A', 'B', 'A', 'B']
    >>> grade_leads([0.6, 0.5, 0.2, 0.05, 0.01], method="conversion", grades="ABC",
    ...             targets=[0.5, 0.1]).tolist()
    ['A', 'A', 'B', 'B', 'C']
    """
    if method not in {"quantile", "threshold", "conversion"}:
        raise InvalidValueError(
            f"method must be 'quantile', 'threshold' or 'conversion'; got {method!r}."
        )
    labels = ordered_grades(grades)
    index = scores.index if isinstance(scores, pd.Series) else None
    values = np.asarray(scores, dtype=float).ravel()
    if method == "conversion":
        cuts = _conversion_cut_points(values, labels, targets, outcomes)
    else:
        cuts = cut_points(values, method=method, n=len(labels), thresholds=thresholds,
                           shares=shares, revenue=None)
    return grade_series(apply_cuts(values, cuts), labels,
                        index if index is not None else pd.RangeIndex(len(values)))


def _conversion_cut_points(values: np.ndarray, labels: tuple[Any, ...], targets: Any,
                           outcomes: Any) -> np.ndarray:
    check_scores(values, "grade_leads")
    if targets is None or np.size(targets) != len(labels) - 1:
        raise InvalidValueError(
            f"method='conversion' needs targets=[...]: {len(labels) - 1} decreasing conversion "
            "rates, best grade first."
        )
    if outcomes is None:
        if values.min() < 0 or values.max() > 1:
            raise InvalidValueError(
                "method='conversion' without outcomes needs probabilities in [0, 1] as scores "
                "(for example LeadScorer.predict_proba); pass outcomes=... to grade points."
            )
        expected = values
    else:
        expected = np.asarray(outcomes, dtype=float).ravel()
        if expected.shape != values.shape:
            raise InvalidValueError(
                f"outcomes has {expected.size} values for {values.size} scores; one per lead."
            )
    return conversion_cuts(values, expected, targets)


def _as_series(obj: Any, name: str) -> pd.Series:
    if isinstance(obj, pd.Series):
        return obj
    return pd.Series(np.asarray(obj), name=name)


def _best_first(series: pd.Series) -> list[Any]:
    if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.ordered:
        return list(series.cat.categories[::-1])
    if isinstance(series.dtype, pd.CategoricalDtype):
        return list(series.cat.categories)
    raise InvalidValueError(
        f"{series.name or 'grades'} must be ordered grades (the output of grade_leads, "
        "PointsScorer.predict or LeadScorer.predict_grade), so that the best grade is known."
    )


def combine_grades(fit: Any, engagement: Any) -> pd.Series:
    """The two-axis grade: fit letter and engagement number, as ``"A1"`` ... ``"D4"``.

    Fit (attributes: who the lead is) and engagement (behaviour: what the lead
    does) stay two axes, as in Pardot's grade and score. The engagement
    grades become numbers 1 (best) to n.

    Parameters
    ----------
    fit, engagement : Series of ordered grades
        One grade per lead each, aligned by position (or index for Series).

    Returns
    -------
    Series
        Ordered categorical: fit first, then engagement (``A1 > A2 > ... > D4``).

    Examples
    --------
    >>> from custseg.leads import combine_grades, grade_leads
    >>> fit = grade_leads([9, 1, 5, 7], grades="AB")
    >>> eng = grade_leads([1, 8, 9, 2], grades="AB")
    >>> combine_grades(fit, eng).tolist()
    ['A2', 'B1', 'B1', 'A2']
    """
    f, e = _as_series(fit, "fit"), _as_series(engagement, "engagement")
    if len(f) != len(e):
        raise InvalidValueError(f"fit has {len(f)} grades and engagement {len(e)}; one each.")
    f_order, e_order = _best_first(f), _best_first(e)
    number = {g: k + 1 for k, g in enumerate(e_order)}
    labels = [f"{a}{b}" for a in f_order for b in range(1, len(e_order) + 1)]
    values = [f"{a}{number[b]}" for a, b in zip(f.tolist(), e.tolist(), strict=True)]
    dtype = pd.CategoricalDtype(labels[::-1], ordered=True)
    return pd.Series(pd.Categorical(values, dtype=dtype), index=f.index, name="grade")


def grade_matrix(fit: Any, engagement: Any) -> pd.DataFrame:
    """Leads per (fit grade, engagement grade): the 4x4 matrix, best grades top left.

    Parameters
    ----------
    fit, engagement : Series of ordered grades
        One grade per lead each.

    Returns
    -------
    DataFrame
        Counts, rows = fit grades, columns = engagement grades, best first.

    Examples
    --------
    >>> from custseg.leads import grade_leads, grade_matrix
    >>> grade_matrix(grade_leads([9, 1, 5, 7], grades="AB"),
    ...              grade_leads([1, 8, 9, 2], grades="AB"))
    engagement  A  B
    fit
    A           0  2
    B           2  0
    """
    f, e = _as_series(fit, "fit"), _as_series(engagement, "engagement")
    rows, cols = _best_first(f), _best_first(e)
    table = pd.crosstab(pd.Categorical(f.to_numpy(), categories=rows),
                        pd.Categorical(e.to_numpy(), categories=cols), dropna=False)
    table = table.reindex(index=rows, columns=cols, fill_value=0)
    table.index.name, table.columns.name = "fit", "engagement"
    return table
