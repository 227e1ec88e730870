"""ValueGrader: a value score plus grade cut points learned in fit."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from .._frame import read_table, to_kind
from .._sklearn_compat import HasMethods, StrOptions, _fit_context, check_is_fitted, get_tags
from ..exceptions import InvalidValueError
from ._common import DEFAULT_GRADES, as_pandas, check_grades, missing_columns_error
from ._cuts import apply_cuts, check_scores, cut_points, grade_series
from ._value_scorer import ValueScorer

__all__ = ["ValueGrader"]


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
            check_scores(out, "ValueGrader")
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
        cuts = cut_points(
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
        codes = apply_cuts(self._scores(X, fit=False), self.cuts_)
        frame = as_pandas(X)
        if frame is None:
            return np.asarray(codes, dtype=np.int64)
        index = (
            pd.Index(frame[self.customer_col])
            if self.customer_col in frame.columns
            else frame.index
        )
        return to_kind(grade_series(codes, self.grades_, index), info)

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

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # blanks are missing values for the scorer (ValueScorer: 0 points); scores given
        # as they are ("passthrough") must be finite
        if self.scorer is None:
            tags.input_tags.allow_nan = True
        elif self.scorer != "passthrough":
            tags.input_tags.allow_nan = get_tags(self.scorer).input_tags.allow_nan
        return tags
