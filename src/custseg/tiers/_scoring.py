"""Transparent value score (weighted, normalised criteria) and grades cut from it."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone

from .._frame import read_table, to_kind
from .._sklearn_compat import (
    HasMethods,
    StrOptions,
    _fit_context,
    check_is_fitted,
    validate_data,
)
from ..exceptions import EmptyDataError, InvalidValueError
from ._common import (
    DEFAULT_GRADES,
    as_pandas,
    check_grades,
    check_numeric_column,
    missing_columns_error,
)

__all__ = ["ValueGrader", "ValueScorer", "grade"]

RFM_WEIGHTS: dict[str, float] = {"recency_days": 1.0, "frequency": 1.0, "monetary_total": 1.0}


class ValueScorer(TransformerMixin, BaseEstimator):
    """Transparent customer value score from weighted, normalised criteria.

    Each criterion (a numeric column) is normalised to ``[0, 1]`` (1 = most
    valuable), inverted when lower is better (recency), multiplied by its
    share of the total weight and by 100. The points of the criteria add up
    to ``value_score``, between 0 and 100, so "why is this customer a B?" is
    answered by reading the points.

    Parameters
    ----------
    weights : dict of {column: float} or None, default=None
        Criteria and their (non-negative) weights. ``None`` means recency,
        frequency and monetary value with equal weights, read from the
        :func:`custseg.features.rfm` columns ``recency_days``, ``frequency``
        and ``monetary_total``; for a NumPy array (no column names) ``None``
        means every column with weight 1. Keys are column names, or column
        positions (int) for arrays. Add your own criteria (potential demand,
        loyalty, referrals) as extra keys.
    invert : list of column names or None, default=None
        Criteria where a lower value is better. ``None`` means
        ``["recency_days"]`` when that column is a criterion, else none.
    normalize : {"rank", "minmax"}, default="rank"
        ``"rank"``: the mid-rank of the value among the customers seen in
        ``fit`` (empirical distribution; robust to skewed spend).
        ``"minmax"``: ``(x - min) / (max - min)`` over ``fit``, clipped to
        ``[0, 1]``. A constant criterion scores 0.5.
    customer_col : str, default="customer_id"
        Customer id column, kept as the first output column when present.

    Attributes
    ----------
    criteria_ : list
        The criteria columns, in output order.
    weights_ : ndarray of shape (n_criteria,)
        The weights, normalised to sum to 1.
    inverted_ : ndarray of bool of shape (n_criteria,)
        Whether each criterion is inverted.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (only for dataframes).

    See Also
    --------
    grade : Cut scores into grades by quantiles, thresholds or revenue share.
    ValueGrader : Scorer plus grade cut points learned in ``fit``.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.tiers import ValueScorer
    >>> feats = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...                       "recency_days": [5.0, 40.0, 200.0, 10.0],
    ...                       "frequency": [8, 3, 1, 2],
    ...                       "monetary_total": [900.0, 120.0, 15.0, 60.0]})
    >>> scores = ValueScorer().fit_transform(feats)
    >>> list(scores.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['customer_id', 'recency_days_points', 'frequency_points',
     'monetary_total_points', 'value_score']
    >>> scores[["customer_id", "recency_days_points", "value_score"]].round(1)
      customer_id  recency_days_points  value_score
    0           a                 29.2         87.5
    1           b                 12.5         54.2
    2           c                  4.2         12.5
    3           d                 20.8         45.8
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "weights": [dict, None],
        "invert": ["array-like", None],
        "normalize": [StrOptions({"rank", "minmax"})],
        "customer_col": [str],
    }

    def __init__(
        self,
        weights: dict[Any, float] | None = None,
        invert: Any = None,
        normalize: str = "rank",
        customer_col: str = "customer_id",
    ) -> None:
        self.weights = weights
        self.invert = invert
        self.normalize = normalize
        self.customer_col = customer_col

    # -- helpers -------------------------------------------------------------
    def _resolve(self, frame: pd.DataFrame | None, n_columns: int) -> tuple[list[Any], np.ndarray]:
        if self.weights is None:
            criteria: list[Any] = list(RFM_WEIGHTS) if frame is not None else list(range(n_columns))
            raw = np.ones(len(criteria))
        else:
            criteria = list(self.weights)
            raw = np.asarray([self.weights[c] for c in criteria], dtype=float)
            if len(criteria) == 0:
                raise InvalidValueError("weights is empty; give at least one criterion column.")
            if not np.all(np.isfinite(raw)) or np.any(raw < 0) or raw.sum() <= 0:
                raise InvalidValueError(
                    f"weights must be finite and >= 0 with a positive sum; got {self.weights!r}. "
                    "Use invert=[...] for criteria where lower is better."
                )
        if frame is not None:
            missing = [str(c) for c in criteria if c not in frame.columns]
            if missing:
                raise missing_columns_error(
                    missing, [str(c) for c in frame.columns], "ValueScorer criteria"
                )
        else:
            bad = [
                c for c in criteria if not isinstance(c, Integral) or not 0 <= int(c) < n_columns
            ]
            if bad:
                raise InvalidValueError(
                    f"weights keys must be column positions 0..{n_columns - 1} for an array "
                    f"input (no column names); got {bad}."
                )
        return criteria, raw / raw.sum()

    def _inverted(self, criteria: list[Any]) -> np.ndarray:
        if self.invert is None:
            invert = ["recency_days"] if "recency_days" in criteria else []
        else:
            invert = list(self.invert)
        unknown = [c for c in invert if c not in criteria]
        if unknown:
            raise InvalidValueError(
                f"invert names {unknown}, which are not criteria; criteria are {criteria}."
            )
        return np.asarray([c in invert for c in criteria], dtype=bool)

    def _matrix(self, X: Any, frame: pd.DataFrame | None, criteria: list[Any]) -> np.ndarray:
        if frame is not None:
            missing = [str(c) for c in criteria if c not in frame.columns]
            if missing:
                raise missing_columns_error(
                    missing, [str(c) for c in frame.columns], "ValueScorer criteria"
                )
            cols = [check_numeric_column(frame[c], str(c), "ValueScorer") for c in criteria]
            return np.column_stack(cols) if cols else np.empty((len(frame), 0))
        return np.asarray(X, dtype=np.float64)[:, criteria]

    def _normalise(self, M: np.ndarray) -> np.ndarray:
        out = np.empty_like(M)
        for j in range(M.shape[1]):
            col = M[:, j]
            if self.normalize == "rank":
                values = self.rank_values_[j]
                counts = self.rank_counts_[j]
                below = np.concatenate([[0], np.cumsum(counts)])
                left = np.searchsorted(values, col, side="left")
                idx = np.minimum(left, len(values) - 1)
                equal = (left < len(values)) & (values[idx] == col)
                mid = below[left] + 0.5 * np.where(equal, counts[idx], 0)
                out[:, j] = mid / below[-1]
            else:
                lo, hi = self.min_[j], self.max_[j]
                out[:, j] = 0.5 if hi == lo else np.clip((col - lo) / (hi - lo), 0.0, 1.0)
        return np.where(self.inverted_, 1.0 - out, out)

    def _check_input(self, X: Any, reset: bool) -> tuple[pd.DataFrame | None, np.ndarray]:
        frame = as_pandas(X)
        if frame is None:
            arr = validate_data(self, X, reset=reset, dtype=np.float64)
            return None, arr
        if len(frame) == 0:
            raise EmptyDataError("ValueScorer: the feature table has 0 rows.")
        if reset:
            self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
            self.n_features_in_ = frame.shape[1]
        elif not hasattr(self, "feature_names_in_"):
            raise InvalidValueError(
                "ValueScorer was fitted on an array (column positions); transform it an array too."
            )
        return frame, np.empty((0, 0))

    # -- API -----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> ValueScorer:
        """Learn each criterion's distribution (for the normalisation).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_customers, n_columns)
            Per-customer features, for example the output of
            :func:`custseg.features.rfm`.
        y : None
            Ignored.

        Returns
        -------
        self : ValueScorer
            The fitted scorer.
        """
        X, _ = read_table(X, backend="pandas")
        frame, arr = self._check_input(X, reset=True)
        criteria, weights = self._resolve(frame, arr.shape[1] if frame is None else 0)
        inverted = self._inverted(criteria)
        M = self._matrix(arr, frame, criteria)
        self.rank_values_ = []
        self.rank_counts_ = []
        for j in range(M.shape[1]):
            values, counts = np.unique(M[:, j], return_counts=True)
            self.rank_values_.append(values)
            self.rank_counts_.append(counts)
        self.min_ = M.min(axis=0)
        self.max_ = M.max(axis=0)
        self.criteria_ = criteria
        self.weights_ = weights
        self.inverted_ = inverted
        self.has_customer_col_ = frame is not None and self.customer_col in frame.columns
        return self

    def transform(self, X: Any) -> Any:
        """Score customers: points per criterion and their sum ``value_score``.

        Parameters
        ----------
        X : DataFrame or array-like
            Per-customer features with the criteria columns.

        Returns
        -------
        DataFrame or ndarray
            For a dataframe: the customer id column (when present), one
            ``<criterion>_points`` column per criterion and ``value_score``
            (0-100), in the input's row order. For an array: the same numbers
            as an array of shape (n_customers, n_criteria + 1).
        """
        check_is_fitted(self)
        X, info = read_table(X, backend="pandas")
        frame, arr = self._check_input(X, reset=False)
        M = self._matrix(arr, frame, self.criteria_)
        points = 100.0 * self._normalise(M) * self.weights_
        scores = np.column_stack([points, points.sum(axis=1)])
        if frame is None:
            return scores
        names = self.get_feature_names_out()
        out = pd.DataFrame(index=frame.index)
        if self.has_customer_col_:
            out[self.customer_col] = frame[self.customer_col]
            names = names[1:]
        for j, name in enumerate(names):
            out[name] = scores[:, j]
        return to_kind(out, info, keep_dtypes=(str(self.customer_col),))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        ndarray of str
            The customer id (when seen in ``fit``), the points columns and
            ``value_score``.
        """
        check_is_fitted(self)
        names = [f"{c if isinstance(c, str) else f'x{c}'}_points" for c in self.criteria_]
        head = [self.customer_col] if self.has_customer_col_ else []
        return np.asarray([*head, *names, "value_score"], dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags


# ---------------------------------------------------------------------------
# grading


def _default_shares(method: str, n: int) -> tuple[float, ...]:
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


def _check_scores(scores: np.ndarray, what: str) -> None:
    if scores.size == 0:
        raise EmptyDataError(f"{what}: no scores to grade (0 rows).")
    bad = ~np.isfinite(scores)
    if bad.any():
        raise InvalidValueError(
            f"{what}: {int(bad.sum())} score(s) are NaN or infinite (first at positions "
            f"{np.flatnonzero(bad)[:5].tolist()}); finite scores are expected."
        )


def _cut_points(
    scores: np.ndarray,
    *,
    method: str,
    n: int,
    thresholds: Any,
    shares: Any,
    revenue: Any,
) -> np.ndarray:
    """Decreasing score cut points: grade k <=> cuts[k] <= score < cuts[k-1]."""
    _check_scores(scores, "grade")
    if method == "threshold":
        if thresholds is None:
            raise InvalidValueError(
                f"method='threshold' needs thresholds=[...]: {n - 1} decreasing score cut points."
            )
        cuts = np.asarray(thresholds, dtype=float).ravel()
        if cuts.size != n - 1 or not np.all(np.diff(cuts) < 0) or not np.all(np.isfinite(cuts)):
            raise InvalidValueError(
                f"thresholds must be {n - 1} finite, strictly decreasing score cut points "
                f"(one fewer than the {n} grades); got {list(cuts)}."
            )
        return cuts
    sh = np.asarray(_default_shares(method, n) if shares is None else shares, dtype=float).ravel()
    if sh.size != n - 1 or not np.all(np.diff(sh) > 0) or sh[0] <= 0 or sh[-1] >= 1:
        raise InvalidValueError(
            f"shares must be {n - 1} strictly increasing cumulative shares in (0, 1), best "
            f"grade first (one fewer than the {n} grades); got {list(sh)}."
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


def _apply_cuts(scores: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Grade positions (0 = best) for scores, given decreasing cut points."""
    return (scores[:, None] < cuts[None, :]).sum(axis=1)


def _categorical(codes: np.ndarray, grades: tuple[Any, ...], index: Any) -> pd.Series:
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
    cuts = _cut_points(
        values, method=method, n=len(labels), thresholds=thresholds, shares=shares, revenue=revenue
    )
    codes = _apply_cuts(values, cuts)
    return _categorical(codes, labels, index if index is not None else pd.RangeIndex(len(values)))


class ValueGrader(BaseEstimator):
    """Value score plus grade cut points learned in ``fit``, applied to any customers.

    ``fit`` scores the customers with ``scorer`` and learns the score cut
    points (quantiles, fixed thresholds or cumulative revenue shares);
    ``predict`` grades customers (the same ones, or next month's) with those
    fixed cut points.

    Parameters
    ----------
    scorer : estimator or "passthrough" or None, default=None
        Transformer whose output's last column is the score. ``None`` means
        ``ValueScorer()``; ``"passthrough"`` means ``X`` already is the score
        (a single column, or a dataframe with a ``value_score`` column).
    method : {"quantile", "threshold", "revenue"}, default="quantile"
        How the cut points are set; see :func:`grade`.
    grades : sequence, default=("A", "B", "C", "D")
        Grade labels, best first.
    thresholds : sequence of float, optional
        Score cut points for ``method="threshold"``.
    shares : sequence of float, optional
        Cumulative customer or revenue shares; see :func:`grade`.
    revenue_col : str or int, default="monetary_total"
        Column of ``X`` holding each customer's revenue, for
        ``method="revenue"`` (unless ``revenue`` is passed to ``fit``).
    customer_col : str, default="customer_id"
        Customer id column; for a dataframe, ``predict`` returns a Series
        indexed by it.

    Attributes
    ----------
    scorer_ : estimator or None
        The fitted scorer (``None`` for ``"passthrough"``).
    cuts_ : ndarray of shape (n_grades - 1,)
        Decreasing score cut points: a score ``>= cuts_[0]`` gets the first grade.
    grades_ : tuple
        The grade labels, best first.
    n_features_in_ : int
        Number of columns seen in ``fit``.

    See Also
    --------
    ValueScorer : The default scorer.
    TierClassifier : Learn readable rules that reproduce grades.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.tiers import ValueGrader
    >>> feats = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...                       "recency_days": [5.0, 40.0, 200.0, 10.0],
    ...                       "frequency": [8, 3, 1, 2],
    ...                       "monetary_total": [900.0, 120.0, 15.0, 60.0]})
    >>> grader = ValueGrader().fit(feats)
    >>> grader.predict(feats).to_dict()
    {'a': 'A', 'b': 'B', 'c': 'D', 'd': 'C'}

    A numeric matrix gets the grade positions (0 is the best grade):

    >>> scores = [[90.0], [10.0], [55.0], [30.0]]
    >>> positions = ValueGrader(scorer="passthrough").fit(scores).predict(scores)
    >>> positions.tolist(), [grader.grades_[i] for i in positions]
    ([0, 3, 1, 2], ['A', 'D', 'B', 'C'])
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "scorer": [HasMethods(["fit", "transform"]), StrOptions({"passthrough"}), None],
        "method": [StrOptions({"quantile", "threshold", "revenue"})],
        "grades": ["array-like", str],
        "thresholds": ["array-like", None],
        "shares": ["array-like", None],
        "revenue_col": [str, Integral],
        "customer_col": [str],
    }

    def __init__(
        self,
        scorer: Any = None,
        method: str = "quantile",
        grades: Any = DEFAULT_GRADES,
        thresholds: Any = None,
        shares: Any = None,
        revenue_col: str | int = "monetary_total",
        customer_col: str = "customer_id",
    ) -> None:
        self.scorer = scorer
        self.method = method
        self.grades = grades
        self.thresholds = thresholds
        self.shares = shares
        self.revenue_col = revenue_col
        self.customer_col = customer_col

    @classmethod
    def _test_instances(cls) -> list[ValueGrader]:
        # Integer grade labels so that sklearn's checks can compare predictions numerically.
        return [cls(grades=(3, 2, 1, 0))]

    def _scores(self, X: Any, fit: bool) -> np.ndarray:
        if self.scorer == "passthrough":
            frame = as_pandas(X)
            if frame is not None and "value_score" in frame.columns:
                values = frame["value_score"]
            elif frame is not None and frame.shape[1] == 1:
                values = frame.iloc[:, 0]
            elif isinstance(X, pd.Series) or np.ndim(X) == 1:
                values = X
            else:
                arr = np.asarray(X)
                if arr.ndim != 2 or arr.shape[1] != 1:
                    raise InvalidValueError(
                        "scorer='passthrough' expects the scores: one column (or a dataframe "
                        f"with a 'value_score' column); got shape {arr.shape}."
                    )
                values = pd.Series(arr[:, 0])
            out = np.asarray(values, dtype=float).ravel()
            if fit:
                self.n_features_in_ = 1
            _check_scores(out, "ValueGrader")
            return out
        if fit:
            self.scorer_ = clone(self.scorer if self.scorer is not None else ValueScorer())
            result = self.scorer_.fit_transform(X)
            self.n_features_in_ = self.scorer_.n_features_in_
            if hasattr(self.scorer_, "feature_names_in_"):
                self.feature_names_in_ = self.scorer_.feature_names_in_
        else:
            result = self.scorer_.transform(X)
        if isinstance(result, pd.DataFrame):
            return result.iloc[:, -1].to_numpy(dtype=float)
        return np.asarray(result, dtype=float)[:, -1]

    def _revenue(self, X: Any, revenue: Any) -> Any:
        if self.method != "revenue" or revenue is not None:
            return revenue
        frame = as_pandas(X)
        if frame is not None:
            if self.revenue_col not in frame.columns:
                raise missing_columns_error(
                    [str(self.revenue_col)],
                    [str(c) for c in frame.columns],
                    "ValueGrader(method='revenue') revenue_col",
                )
            return frame[self.revenue_col].to_numpy(dtype=float)
        if isinstance(self.revenue_col, Integral):
            return np.asarray(X, dtype=float)[:, self.revenue_col]
        raise InvalidValueError(
            "method='revenue' on an array needs revenue=... in fit or revenue_col as a position."
        )

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any = None, revenue: Any = None) -> ValueGrader:
        """Score the customers and learn the grade cut points.

        Parameters
        ----------
        X : DataFrame or array-like
            Per-customer features (or scores with ``scorer="passthrough"``).
        y : None
            Ignored.
        revenue : array-like of shape (n_customers,), optional
            Revenue per customer for ``method="revenue"``; defaults to the
            ``revenue_col`` column of ``X``.

        Returns
        -------
        self : ValueGrader
            The fitted grader.
        """
        grades = check_grades(list(self.grades) if isinstance(self.grades, str) else self.grades)
        X, _ = read_table(X, backend="pandas")
        scores = self._scores(X, fit=True)
        rev = self._revenue(X, revenue)
        cuts = _cut_points(
            scores,
            method=self.method,
            n=len(grades),
            thresholds=self.thresholds,
            shares=self.shares,
            revenue=rev,
        )
        if self.scorer == "passthrough":
            self.scorer_ = None
        self.cuts_ = cuts
        self.grades_ = grades
        return self

    def predict(self, X: Any) -> Any:
        """Grade customers with the cut points learned in ``fit``.

        Parameters
        ----------
        X : DataFrame or array-like
            Per-customer features, with the columns seen in ``fit``.

        Returns
        -------
        Series or ndarray
            For a dataframe (pandas, polars or pyarrow): an ordered categorical
            Series of the grade labels named ``grade``, indexed by the customer
            id column (or the frame's index). For an array (a numeric matrix
            without column names): the grade positions as integers, 0 for the
            best grade, as scikit-learn's clusterers number their labels;
            ``grades_[positions]`` gives the labels.
        """
        check_is_fitted(self)
        X, info = read_table(X, backend="pandas")
        codes = _apply_cuts(self._scores(X, fit=False), self.cuts_)
        frame = as_pandas(X)
        if frame is None:
            return np.asarray(codes, dtype=np.int64)
        index = (
            pd.Index(frame[self.customer_col])
            if self.customer_col in frame.columns
            else frame.index
        )
        return to_kind(_categorical(codes, self.grades_, index), info)

    def fit_predict(self, X: Any, y: Any = None, revenue: Any = None) -> Any:
        """Fit, then grade the same customers.

        Parameters
        ----------
        X : DataFrame or array-like
            Per-customer features.
        y : None
            Ignored.
        revenue : array-like, optional
            See :meth:`fit`.

        Returns
        -------
        Series or ndarray
            As :meth:`predict`.
        """
        return self.fit(X, revenue=revenue).predict(X)
