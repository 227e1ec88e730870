"""Supervised churn model: gradient boosting on per-customer features."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.model_selection import StratifiedKFold
from sklearn.utils.validation import has_fit_parameter

from .._attributes import binary_target
from .._frame import read_table
from .._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    _fit_context,
    check_is_fitted,
    get_tags,
    validate_data,
)
from ..exceptions import ColumnMismatchError, InvalidDtypeError, InvalidValueError, names_text
from ._predictor_input import attribute_matrix, non_numeric_columns
from ._target import binary_classes

__all__ = ["ChurnPredictor"]


def _default_leaf_size(n_samples: int) -> int:
    """Leaf size of the default model: 1% of the customers, between 5 and 200."""
    return int(min(200, max(5, n_samples // 100)))


class ChurnPredictor(ClassifierMixin, BaseEstimator):
    """Churn classifier on per-customer features: gradient boosting, calibration, budgets.

    Takes numeric per-customer features (an array, or the numeric columns of
    :func:`churn_labels` / :func:`custseg.features.customer_features`) and the
    churn label, and fits a classifier (by default scikit-learn's
    :class:`~sklearn.ensemble.HistGradientBoostingClassifier`, which handles the
    missing values of customers with a single purchase). Optionally calibrates
    its probabilities with :class:`~sklearn.calibration.CalibratedClassifierCV`.
    ``predict`` flags customers above a probability ``threshold``, or the top
    ``budget`` fraction of customers most likely to churn (a campaign that can
    reach a fixed share of customers).

    Parameters
    ----------
    estimator : classifier, default=None
        Any classifier with ``predict_proba``; cloned before fitting. ``None``
        uses ``HistGradientBoostingClassifier(learning_rate=0.1, max_iter=100,
        max_leaf_nodes=4, l2_regularization=1.0)`` with ``min_samples_leaf`` set
        to 1% of the training customers (between 5 and 200): many small, heavily
        regularised trees, which rank churners better than deeper trees on
        noisy purchase histories (tuned on CDNOW; see ``benchmarks/bench_churn.py``).
    calibration : {"sigmoid", "isotonic"} or None, default=None
        Calibrate the probabilities with this method (cross-validated with
        ``calibration_cv`` folds); ``None`` keeps the model's own.
    calibration_cv : int, default=3
        Folds of the probability calibration (stratified and shuffled with
        ``random_state``: per-customer tables sorted by id often follow the
        acquisition order, so unshuffled folds would differ in tenure).
    threshold : float, default=0.5
        ``predict`` flags customers whose churn probability is at least this
        (when ``budget`` is ``None``).
    budget : float in (0, 1], default=None
        If set, ``predict`` flags exactly the ``ceil(budget * n)`` customers with
        the highest churn probability.
    random_state : int, RandomState instance or None, default=None
        Seed passed to the estimator (when it has a ``random_state``).

    Attributes
    ----------
    estimator_ : classifier
        The fitted (calibrated) classifier.
    classes_ : ndarray of shape (2,)
        Class labels; ``classes_[1]`` is the positive class ("churned").
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names, when ``X`` is a dataframe with string column names.

    See Also
    --------
    churn_labels : Features and labels at a cutoff.
    BetaGeoChurnClassifier : The BG/NBD churn probability as a classifier.
    compare_churn_models : Evaluate several churn models on one split.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.churn import ChurnPredictor, churn_labels
    >>> table = churn_labels(load_cdnow(sample=True), "1997-09-30", 39, unit="W")
    >>> X, y = table.drop(columns=["customer_id", "churned"]), table["churned"]
    >>> model = ChurnPredictor(random_state=0).fit(X, y)
    >>> model.predict_proba(X).shape
    (2357, 2)
    >>> int(model.set_params(budget=0.1).predict(X).sum())
    236
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "calibration": [StrOptions({"sigmoid", "isotonic"}), None],
        "calibration_cv": [Interval(Integral, 2, None, closed="left")],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "budget": [Interval(Real, 0, 1, closed="right"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator: Any = None,
        *,
        calibration: str | None = None,
        calibration_cv: int = 3,
        threshold: float = 0.5,
        budget: float | None = None,
        random_state: Any = None,
    ) -> None:
        self.estimator = estimator
        self.calibration = calibration
        self.calibration_cv = calibration_cv
        self.threshold = threshold
        self.budget = budget
        self.random_state = random_state

    def _base_estimator(self, n_samples: int = 0, categorical: Any = None) -> Any:
        if self.estimator is None:
            return HistGradientBoostingClassifier(
                learning_rate=0.1, max_iter=100, max_leaf_nodes=4,
                min_samples_leaf=_default_leaf_size(n_samples), l2_regularization=1.0,
                categorical_features=categorical, random_state=self.random_state,
            )
        est = clone(self.estimator)
        if self.random_state is not None and "random_state" in est.get_params(deep=False):
            est.set_params(random_state=self.random_state)
        return est

    def _allow_nan(self) -> bool:
        """Whether the model takes missing values (the default model does)."""
        if self.estimator is None:
            return True
        return bool(get_tags(self.estimator).input_tags.allow_nan)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = self._allow_nan()
        tags.classifier_tags.multi_class = False
        return tags

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ChurnPredictor:
        """Fit the classifier on features ``X`` and churn labels ``y``.

        Parameters
        ----------
        X : array-like or dataframe of shape (n_customers, n_features)
            Features. Missing values are allowed with the default model; a
            dataframe's text, categorical and boolean columns are read as
            categories by the default model (blank text is missing, a category not
            seen in fit is scored as missing), as :class:`~custseg.leads.LeadScorer`
            reads them.
        y : array-like of shape (n_customers,)
            Binary churn labels; the positive class ("churned") is explicit: ``1``,
            ``True``, the larger of two numbers, or the Yes-like word of a pair
            (``"Yes"``/``"No"``, ``"churned"``/``"retained"``).
        sample_weight : array-like of shape (n_customers,), optional
            Customer weights, passed to the estimator.

        Returns
        -------
        self : ChurnPredictor
            The fitted predictor.
        """
        X, _ = read_table(X)
        state = None
        if non_numeric_columns(X):
            if self.estimator is not None:
                raise InvalidDtypeError(
                    f"X has text or categorical column(s) {names_text(non_numeric_columns(X))}; "
                    "the default "
                    "model reads them as categories, a custom estimator= needs numeric "
                    "features (encode them first, or leave estimator unset)."
                )
            X, state = attribute_matrix(self, X, reset=True)
            y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
            if len(y) != len(X):
                raise ColumnMismatchError(f"y has {len(y)} labels for {len(X)} customers.")
        else:
            # Missing values are passed on: the model (or a pipeline's imputer) decides.
            X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64)
        binary_classes(y)  # one class, or more than two: a clear error
        y01, classes = binary_target(y, None, "y (churned)")
        categorical = None
        if state is not None:
            mask = [state["kinds"][c] == "categorical" for c in state["features"]]
            categorical = mask if any(mask) else None
        est = self._base_estimator(X.shape[0], categorical)
        if self.calibration is not None:
            counts = np.unique(y, return_counts=True)[1]
            if counts.min() < self.calibration_cv:
                raise InvalidValueError(
                    f"calibration_cv={self.calibration_cv} folds need at least that many "
                    f"customers of each class; the smallest class has {counts.min()}."
                )
            folds = StratifiedKFold(self.calibration_cv, shuffle=True,
                                    random_state=self.random_state)
            est = CalibratedClassifierCV(est, method=self.calibration, cv=folds)
        kwargs = {}
        if sample_weight is not None:
            if not has_fit_parameter(est, "sample_weight"):
                raise InvalidValueError(
                    f"sample_weight was given but {type(est).__name__}.fit does not accept it."
                )
            kwargs["sample_weight"] = sample_weight
        if self.estimator is None and X.dtype.kind == "f":
            # A feature missing for every customer (a gap statistic when nobody has
            # bought twice) says nothing; scikit-learn's binning cannot take it, so it
            # is given as a constant, which no split can use.
            empty = np.isnan(X).all(axis=0)
            if empty.any():
                X = X.copy()
                X[:, empty] = 0.0
        try:
            est.fit(X, y01, **kwargs)
        except ValueError as err:
            if self.estimator is not None or "window shape" not in str(err):
                raise
            # scikit-learn's gradient boosting cannot bin a feature that is missing in
            # every row it is given (its words: "window shape cannot be larger than input
            # array shape"); with a few customers a calibration fold can be such a set.
            raise InvalidValueError(
                f"the churn model cannot be trained on {X.shape[0]} customers: a feature "
                "is missing for every customer of one of its training folds (too few "
                "customers have a value for it)."
            ) from err
        self.estimator_ = est
        self.classes_ = classes
        self._attribute_state = state
        return self

    def _validate_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X, _ = read_table(X)
        if getattr(self, "_attribute_state", None) is not None:
            return attribute_matrix(self, X, reset=False)[0]
        if non_numeric_columns(X):
            raise InvalidDtypeError(
                f"X has text or categorical column(s) {names_text(non_numeric_columns(X))}; this "
                "model was "
                "fitted on numeric features only."
            )
        out: np.ndarray = validate_data(
            self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class; column 1 is the churn probability.

        Parameters
        ----------
        X : array-like or dataframe of shape (n_customers, n_features)
            Features, with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_customers, 2)
            Class probabilities in the order of ``classes_``.
        """
        X_checked = self._validate_X(X)
        proba: np.ndarray = self.estimator_.predict_proba(X_checked)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """Churn label of each customer, at ``threshold`` or within ``budget``.

        Parameters
        ----------
        X : array-like or dataframe of shape (n_customers, n_features)
            Features, with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_customers,)
            Labels from ``classes_``: with ``budget``, exactly the top
            ``ceil(budget * n)`` customers by churn probability get
            ``classes_[1]``; otherwise those with probability >= ``threshold``.
        """
        churn = self.predict_proba(X)[:, 1]
        if self.budget is None:
            flags = churn >= self.threshold
        else:
            k = min(len(churn), math.ceil(self.budget * len(churn) - 1e-9))
            order = np.argsort(-churn, kind="stable")
            flags = np.zeros(len(churn), dtype=bool)
            flags[order[:k]] = True
        return np.asarray(self.classes_[flags.astype(int)])

    def permutation_importances(
        self,
        X: Any,
        y: Any,
        *,
        scoring: str = "roc_auc",
        n_repeats: int = 5,
        random_state: Any = None,
    ) -> pd.DataFrame:
        """Drop in score when each feature is shuffled, on held-out data.

        Parameters
        ----------
        X : array-like or dataframe of shape (n_customers, n_features)
            Features (preferably customers not used in ``fit``).
        y : array-like of shape (n_customers,)
            Churn labels.
        scoring : str, default="roc_auc"
            A scikit-learn scorer name.
        n_repeats : int, default=5
            Shuffles per feature.
        random_state : int, RandomState instance or None, default=None
            Seed of the shuffles.

        Returns
        -------
        pandas.DataFrame
            Columns ``feature``, ``importance_mean``, ``importance_std``, one row
            per feature, most important first.

        Examples
        --------
        >>> import numpy as np
        >>> from custseg.churn import ChurnPredictor
        >>> rng = np.random.default_rng(0)
        >>> X = rng.normal(size=(400, 3))
        >>> y = X[:, 0] + 0.3 * rng.normal(size=400) > 0
        >>> model = ChurnPredictor(random_state=0).fit(X, y)
        >>> model.permutation_importances(X, y, random_state=0)["feature"].iloc[0]
        'x0'
        """
        check_is_fitted(self)
        if not (isinstance(n_repeats, Integral) and n_repeats >= 1):
            raise InvalidValueError(f"n_repeats={n_repeats!r} must be an integer >= 1.")
        result = permutation_importance(
            self, X, y, scoring=scoring, n_repeats=int(n_repeats), random_state=random_state,
        )
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = np.array([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        table = pd.DataFrame({
            "feature": list(names),
            "importance_mean": result["importances_mean"],
            "importance_std": result["importances_std"],
        })
        return table.sort_values("importance_mean", ascending=False, kind="stable").reset_index(
            drop=True)
