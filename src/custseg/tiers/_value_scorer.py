"""ValueScorer: a transparent value score from weighted, normalised criteria."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from .._frame import read_table, to_kind
from .._sklearn_compat import StrOptions, _fit_context, check_is_fitted, validate_data
from ..base import OutputNamesMixin
from ..exceptions import EmptyDataError, InvalidValueError, names_text
from ._common import as_pandas, missing_columns_error
from ._criteria import category_order, check_array_finite, criterion_kinds, criterion_values

__all__ = ["ValueScorer"]

RFM_WEIGHTS: dict[str, float] = {"recency_days": 1.0, "frequency": 1.0, "monetary_total": 1.0}


class ValueScorer(OutputNamesMixin, TransformerMixin, BaseEstimator):
    """Transparent customer value score from weighted, normalised criteria.

    Each criterion is normalised to ``[0, 1]`` (1 = most valuable), inverted
    when lower is better (recency), multiplied by its share of the total
    weight and by 100. The points of the criteria add up to ``value_score``,
    between 0 and 100, so "why is this customer a B?" is answered by reading
    the points.

    A criterion is a number or a category (text, categorical, boolean, or
    integer codes named in ``category_order``), read by the rules every
    custseg estimator of attributes follows. A category is scored by its place
    in an order of value, best first: ``category_order``, an ordered
    categorical dtype (its last category best), or the meaning of two labels
    (Yes before No, True before False); other categories have no order a score
    without outcomes could know, and are refused with a clear error
    (:class:`~custseg.leads.LeadScorer` learns their worth from conversions).
    Blank values (null, NaN, empty or all-space text), and a category outside
    the order at ``transform``, are missing: a missing criterion earns
    0 points (as an unknown value earns none in :class:`~custseg.leads.PointsScorer`)
    and the criteria's normalisation is learnt from the known values only.

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
    category_order : dict of {column: list} or None, default=None
        The categories of categorical criteria, best first, for example
        ``{"industry": ["ICT", "Finance", "Retail"]}``; every category of
        ``fit`` must be listed. A column named here is a category whatever its
        dtype (integer codes).

    Attributes
    ----------
    criteria_ : list
        The criteria columns, in output order.
    weights_ : ndarray of shape (n_criteria,)
        The weights, normalised to sum to 1.
    inverted_ : ndarray of bool of shape (n_criteria,)
        Whether each criterion is inverted.
    criterion_kinds_ : dict
        ``{criterion: "numeric" | "categorical"}``.
    category_orders_ : dict of {criterion: list of str}
        The categories of each categorical criterion, best first.
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

    Categories are scored by their order of value; blanks earn no points:

    >>> accounts = pd.DataFrame({"size": ["large", "small", "medium", None],
    ...                          "has_budget": ["Yes", "No", "Yes", "No"]})
    >>> scorer = ValueScorer(weights={"size": 1, "has_budget": 1}, normalize="minmax",
    ...                      category_order={"size": ["large", "medium", "small"]})
    >>> scorer.fit_transform(accounts)["value_score"].tolist()
    [100.0, 0.0, 75.0, 0.0]
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "weights": [dict, None],
        "invert": ["array-like", None],
        "normalize": [StrOptions({"rank", "minmax"})],
        "customer_col": [str],
        "category_order": [dict, None],
    }

    def __init__(
        self,
        weights: dict[Any, float] | None = None,
        invert: Any = None,
        normalize: str = "rank",
        customer_col: str = "customer_id",
        category_order: dict[Any, Any] | None = None,
    ) -> None:
        self.weights = weights
        self.invert = invert
        self.normalize = normalize
        self.customer_col = customer_col
        self.category_order = category_order

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
                    f"input (no column names); got {names_text(bad)}."
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
                f"invert names {names_text(unknown)}, which are not criteria; criteria are "
                f"{names_text(criteria)}."
            )
        return np.asarray([c in invert for c in criteria], dtype=bool)

    def _matrix(self, X: Any, frame: pd.DataFrame | None, criteria: list[Any]) -> np.ndarray:
        """The criteria as numbers, NaN when missing (categories by their rank of value)."""
        if frame is None:
            M = np.asarray(X, dtype=np.float64)[:, criteria]
            check_array_finite(M)
            return M
        missing = [str(c) for c in criteria if c not in frame.columns]
        if missing:
            raise missing_columns_error(
                missing, [str(c) for c in frame.columns], "ValueScorer criteria"
            )
        cols = [criterion_values(frame[c], c, self.criterion_kinds_[c],
                                 self.category_orders_.get(c)) for c in criteria]
        return np.column_stack(cols) if cols else np.empty((len(frame), 0))

    def _normalise(self, M: np.ndarray) -> np.ndarray:
        out = np.zeros_like(M)
        for j in range(M.shape[1]):
            col = M[:, j]
            if self.normalize == "rank":
                values = self.rank_values_[j]
                counts = self.rank_counts_[j]
                if values.size == 0:
                    continue  # no known value in fit: every customer is missing
                below = np.concatenate([[0], np.cumsum(counts)])
                left = np.searchsorted(values, col, side="left")
                idx = np.minimum(left, len(values) - 1)
                equal = (left < len(values)) & (values[idx] == col)
                mid = below[left] + 0.5 * np.where(equal, counts[idx], 0)
                out[:, j] = mid / below[-1]
            else:
                lo, hi = self.min_[j], self.max_[j]
                out[:, j] = 0.5 if hi == lo else np.clip((col - lo) / (hi - lo), 0.0, 1.0)
        out = np.where(self.inverted_, 1.0 - out, out)
        return np.where(np.isnan(M), 0.0, out)  # a missing criterion earns no points

    def _check_input(self, X: Any, reset: bool) -> tuple[pd.DataFrame | None, np.ndarray]:
        frame = as_pandas(X)
        if frame is None:
            arr = validate_data(self, X, reset=reset, dtype=np.float64,
                                ensure_all_finite="allow-nan")
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
            Per-customer features or attributes, for example the output of
            :func:`custseg.features.rfm` or a prospect table.
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
        kinds: dict[Any, str] = dict.fromkeys(criteria, "numeric")
        orders: dict[Any, list[str]] = {}
        if frame is not None:
            given = dict(self.category_order or {})
            kinds = criterion_kinds(frame, criteria, given)
            orders = {c: category_order(frame[c], c, given.get(c))
                      for c in criteria if kinds[c] == "categorical"}
        elif self.category_order:
            raise InvalidValueError(
                "category_order needs a dataframe (named columns); an array is all numbers."
            )
        self.criterion_kinds_, self.category_orders_ = kinds, orders
        M = self._matrix(arr, frame, criteria)
        rank_values, rank_counts = [], []
        for j in range(M.shape[1]):
            known = M[:, j][~np.isnan(M[:, j])]
            values, counts = np.unique(known, return_counts=True)
            rank_values.append(values)
            rank_counts.append(counts)
        self.rank_values_ = rank_values
        self.rank_counts_ = rank_counts
        self.min_ = np.asarray([v[0] if v.size else np.nan for v in rank_values])
        self.max_ = np.asarray([v[-1] if v.size else np.nan for v in rank_values])
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

    def _output_names(self) -> list[str]:
        """The customer id (when seen in ``fit``), the points columns and ``value_score``."""
        names = [f"{c if isinstance(c, str) else f'x{c}'}_points" for c in self.criteria_]
        head = [self.customer_col] if self.has_customer_col_ else []
        return [*head, *names, "value_score"]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        tags.input_tags.allow_nan = True  # blanks are missing: 0 points
        return tags
