"""BG/NBD churn classifier: the probability of no purchase in the horizon as ``predict_proba``."""

from __future__ import annotations

import warnings
from numbers import Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import DataConversionWarning

from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..exceptions import ColumnMismatchError, InvalidValueError
from ._betageo import BetaGeoModel
from ._summary import _summary, _SummaryInputMixin
from ._target import binary_classes

__all__ = ["BetaGeoChurnClassifier"]


class BetaGeoChurnClassifier(_SummaryInputMixin, ClassifierMixin, BaseEstimator):
    """Churn classifier from a BG/NBD model: P(no purchase in the horizon).

    Wraps :class:`BetaGeoModel` so that its churn probability goes through the
    same evaluation as :class:`ChurnPredictor` (``predict_proba``,
    cross-validation, :func:`compare_churn_models`). The BG/NBD model is
    unsupervised: ``fit`` uses only the frequency, recency and T columns; ``y``
    only fixes the class labels (the positive class, "churned", is the larger
    label, for example ``True`` or 1).

    Parameters
    ----------
    horizon : float, default=None
        Churn horizon in the time unit of the summary: a customer churns if they
        make no purchase within it. Required.
    columns : tuple of 3 str, default=("frequency", "recency", "T")
        Names of the frequency, recency and age columns of ``X``.
    layout : {"summary", "periods"}, default="summary"
        How ``X`` is read: a summary (a dataframe by the names in ``columns``, an
        array of three columns frequency, recency and T), or a customer-by-period
        matrix (see :class:`BetaGeoModel`).
    churn_score : {"no_purchase", "expected_purchases"}, default="no_purchase"
        The churn score: the probability of no purchase in the horizon (a
        probability, for ``predict_proba``), or the expected number of purchases
        in the horizon, mapped to ``exp(-expected)`` (a monotone score, not a
        calibrated probability).
    threshold : float, default=0.5
        ``predict`` flags customers whose churn probability is at least this.
    penalizer : float, default=0.0
        Passed to :class:`BetaGeoModel`.

    Attributes
    ----------
    model_ : BetaGeoModel
        The fitted BG/NBD model.
    classes_ : ndarray of shape (2,)
        Class labels; ``classes_[1]`` is "churned".
    n_features_in_ : int
        Columns of the array or period matrix seen in ``fit`` (not set when
        fitted on a summary dataframe).

    See Also
    --------
    BetaGeoModel : The underlying model and why P(alive) is not a churn score.
    ChurnPredictor : Supervised churn model.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import calibration_holdout
    >>> from custseg.churn import BetaGeoChurnClassifier
    >>> split = calibration_holdout(load_cdnow(sample=True), "1997-09-30", unit="W")
    >>> clf = BetaGeoChurnClassifier(
    ...     horizon=39, columns=("frequency_cal", "recency_cal", "T_cal"))
    >>> clf = clf.fit(split.features, split.features["churned"])
    >>> clf.predict_proba(split.features).shape
    (2357, 2)
    """

    _parameter_constraints: dict = {
        "horizon": [Interval(Real, 0, None, closed="neither"), None],
        "columns": [tuple, list],
        "layout": [StrOptions({"summary", "periods"})],
        "churn_score": [StrOptions({"no_purchase", "expected_purchases"})],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "penalizer": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        horizon: float | None = None,
        *,
        columns: tuple[str, ...] = ("frequency", "recency", "T"),
        layout: str = "summary",
        churn_score: str = "no_purchase",
        threshold: float = 0.5,
        penalizer: float = 0.0,
    ) -> None:
        self.horizon = horizon
        self.columns = columns
        self.layout = layout
        self.churn_score = churn_score
        self.threshold = threshold
        self.penalizer = penalizer

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> BetaGeoChurnClassifier:
        """Fit the BG/NBD model on the summary columns of ``X``.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).
        y : array-like of shape (n_customers,), optional
            Churn labels; only their two values are used (default ``[False, True]``).
        sample_weight : array-like of shape (n_customers,), optional
            Customer weights.

        Returns
        -------
        self : BetaGeoChurnClassifier
            The fitted classifier.
        """
        if self.horizon is None:
            raise InvalidValueError(
                "horizon is required: the churn horizon in the time unit of the summary "
                "(e.g. horizon=39 for 39 weeks)."
            )
        labels = None if y is None else _labels(y)
        classes = np.array([False, True]) if labels is None else binary_classes(labels)
        # X is read under this estimator's name first, so that its errors name it
        n_rows = len(_summary(X, self.columns, self.layout, type(self).__name__)[0])
        model = BetaGeoModel(columns=self.columns, layout=self.layout,
                             penalizer=self.penalizer)
        model = model.fit(X, sample_weight=sample_weight)
        if labels is not None and len(labels) != n_rows:
            raise ColumnMismatchError(f"y has {len(labels)} labels for {n_rows} customers.")
        self.model_ = model
        self.classes_ = classes
        self._record_width(X)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # churned or not
        tags.target_tags.required = False  # y only names the two classes
        tags.classifier_tags.poor_score = True  # unsupervised: y does not change the fit
        return tags


    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class: columns ``[not churned, churned]``.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).

        Returns
        -------
        ndarray of shape (n_customers, 2)
            Class probabilities in the order of ``classes_``.
        """
        check_is_fitted(self)
        assert self.horizon is not None
        x, tx, T = _summary(X, self.columns, self.layout, type(self).__name__,
                            self._n_periods())
        if self.churn_score == "no_purchase":
            churn = self.model_._no_purchase(x, tx, T, float(self.horizon))
        else:
            churn = np.exp(-self.model_._expected(x, tx, T, float(self.horizon)))
        return np.column_stack([1.0 - churn, churn])

    def predict(self, X: Any) -> np.ndarray:
        """Churn label of each customer: churn probability >= ``threshold``.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).

        Returns
        -------
        ndarray of shape (n_customers,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)[:, 1]
        return np.asarray(self.classes_[(proba >= self.threshold).astype(int)])


def _labels(y: Any) -> np.ndarray:
    """``y`` as a 1-D array; a column vector is taken with scikit-learn's warning."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected: y is read as its "
            "one column (pass an array of shape (n_customers,)).",
            DataConversionWarning, stacklevel=3)
        return arr.ravel()
    if arr.ndim != 1:
        raise InvalidValueError(
            f"y has shape {arr.shape}; expected one churn label per customer (a 1-D array).")
    return arr
