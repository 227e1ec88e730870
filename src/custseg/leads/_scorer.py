"""LeadScorer: a calibrated conversion score learned from past prospects, with reasons."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from .._attributes import (
    MAX_CATEGORIES,
    attribute_kinds,
    binary_target,
    category_codes,
    encode_attributes,
)
from .._sklearn_compat import Interval, StrOptions, check_is_fitted
from ..exceptions import ColumnMismatchError
from ..tiers._common import DEFAULT_GRADES
from ..tiers._cuts import apply_cuts, grade_series
from ._additive import calibration, contributions, reference, seed, sigmoid
from ._grades import lead_grade_cuts, ordered_grades
from ._lead_table import lead_table
from ._reasons import attribute_texts, reason_columns

__all__ = ["LeadScorer"]


class LeadScorer(ClassifierMixin, BaseEstimator):
    """Conversion probability of each lead, learned from past prospects, with its reasons.

    A gradient-boosted model with **one attribute per tree** (no interactions):
    the lead's score is a sum of one contribution per attribute, so the reasons
    are exact, not approximations. Categorical attributes (text, categories,
    booleans, and integer codes named in ``categorical``) are handled natively,
    without one-hot encoding; blank values are their own "missing" branch, and
    a category not seen in ``fit`` is treated as missing. Probabilities are
    calibrated on out-of-fold scores (Platt scaling), which keeps the
    contributions exact on the calibrated log-odds scale. Calibration never
    changes the ranking of the leads: on fewer than 200 leads, or when the
    out-of-fold scores do not rank the converted leads higher (a non-positive
    Platt slope, common on small data), the model's own probabilities are kept
    (``calibration_method_`` is ``"none"``).

    Parameters
    ----------
    categorical : "auto" or list of str, default="auto"
        ``"auto"``: text, categorical and boolean columns are categories. A list
        adds numeric columns holding category codes (for example ``MOSTYPE``).
    positive_label : label, optional
        The "converted" label. Default: ``1``/``True``, the larger of two
        numbers, or the Yes-like word of a pair such as Yes/No, won/lost,
        converted/not converted (never the alphabet: "No" is never the positive
        class of Yes/No); other text pairs follow scikit-learn (the later label
        in sorted order), so name it for them.
    learning_rate : float, default=0.05
        Boosting learning rate.
    max_iter : int, default=300
        Maximum number of boosting rounds (early stopping picks fewer on more than
        10,000 leads, as scikit-learn's ``early_stopping="auto"``).
    max_leaf_nodes : int, default=4
        Leaves per tree (each tree splits on one attribute).
    min_samples_leaf : int, default=40
        Minimum leads per leaf.
    l2_regularization : float, default=1.0
        L2 penalty of the leaf values.
    cv : int, default=5
        Folds of the out-of-fold scores used for calibration and grade cut points.
    grades : sequence, default=("A", "B", "C", "D")
        Grade labels, best first.
    grade_method : {"quantile", "conversion", "threshold"}, default="quantile"
        How :meth:`predict_grade` cuts the probability: equal shares (or
        ``grade_shares``), observed-conversion ``grade_targets`` on the
        out-of-fold scores, or fixed probability ``grade_thresholds``.
    grade_shares, grade_targets, grade_thresholds : sequence of float, optional
        See ``grade_method`` and :func:`grade_leads`.
    customer_col : str, default="customer_id"
        Id column of a dataframe: never used as an attribute, kept in outputs.
    random_state : int, RandomState or None, default=None
        Seed of the folds and of the boosting.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        ``[negative label, positive label]``.
    features_ : list of str
        The attributes used.
    feature_kinds_ : dict
        ``{attribute: "numeric" | "categorical"}``.
    categories_ : dict
        Categories of each categorical attribute, by code.
    model_ : HistGradientBoostingClassifier
        The additive model fitted on all leads.
    calibration_ : tuple of (float, float)
        Platt slope and intercept: calibrated log-odds = slope * raw + intercept;
        ``(1.0, 0.0)`` without calibration. The slope is always positive.
    calibration_method_ : {"sigmoid", "none"}
        Whether Platt scaling was applied (see above).
    intercept_ : float
        Log-odds of an average lead (the reasons are relative to it).
    n_iter_ : int
        Boosting rounds of the final model.
    oof_proba_auc_ : float
        ROC AUC of the calibrated out-of-fold probabilities of the training leads.
    grade_cuts_ : ndarray
        Probability cut points of the grades, decreasing.
    grades_ : tuple
        Grade labels, best first.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (dataframes only).

    See Also
    --------
    PointsScorer : Hand-written attribute points.
    lead_evaluation : AUC, lift by grade and calibration on held-out leads.

    Examples
    --------
    >>> from custseg.datasets import make_leads
    >>> from custseg.leads import LeadScorer
    >>> leads = make_leads(n_leads=600, random_state=0)
    >>> X = leads.drop(columns=["converted", "driver"])
    >>> scorer = LeadScorer(random_state=0).fit(X, leads["converted"])
    >>> scorer.classes_.tolist()
    [0, 1]
    >>> reasons = scorer.reasons(X.head(2), n_reasons=1)
    >>> list(reasons.columns)
    ['customer_id', 'probability', 'grade', 'positive_1', 'negative_1']
    """

    _parameter_constraints: dict[str, Any] = {
        "categorical": [StrOptions({"auto"}), list, tuple],
        "positive_label": "no_validation",
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_leaf_nodes": [Interval(Integral, 2, None, closed="left")],
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left")],
        "l2_regularization": [Interval(Real, 0, None, closed="left")],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "grades": ["array-like", str],
        "grade_method": [StrOptions({"quantile", "conversion", "threshold"})],
        "grade_shares": ["array-like", None],
        "grade_targets": ["array-like", None],
        "grade_thresholds": ["array-like", None],
        "customer_col": [str],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        categorical: Any = "auto",
        positive_label: Any = None,
        learning_rate: float = 0.05,
        max_iter: int = 300,
        max_leaf_nodes: int = 4,
        min_samples_leaf: int = 40,
        l2_regularization: float = 1.0,
        cv: int = 5,
        grades: Any = DEFAULT_GRADES,
        grade_method: str = "quantile",
        grade_shares: Any = None,
        grade_targets: Any = None,
        grade_thresholds: Any = None,
        customer_col: str = "customer_id",
        random_state: Any = None,
    ) -> None:
        self.categorical = categorical
        self.positive_label = positive_label
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.cv = cv
        self.grades = grades
        self.grade_method = grade_method
        self.grade_shares = grade_shares
        self.grade_targets = grade_targets
        self.grade_thresholds = grade_thresholds
        self.customer_col = customer_col
        self.random_state = random_state

    @classmethod
    def _test_instances(cls) -> list[LeadScorer]:
        # sklearn's checks fit on a few dozen rows: small leaves, few folds
        return [cls(min_samples_leaf=2, max_iter=10, cv=2, random_state=0)]

    # -- input -----------------------------------------------------------------
    def _table(self, X: Any, reset: bool) -> tuple[pd.DataFrame, Any]:
        """Attributes as a pandas frame (arrays get columns x0, x1...) and the lead index."""
        return lead_table(self, X, reset)

    def _matrix(self, frame: pd.DataFrame) -> np.ndarray:
        return encode_attributes(frame, self.features_, self.feature_kinds_, self._codes,
                                 "LeadScorer")

    # -- fit -------------------------------------------------------------------
    def _model(self, features: list[str], kinds: dict[str, str]) -> HistGradientBoostingClassifier:
        mask = [kinds[c] == "categorical" for c in features]
        return HistGradientBoostingClassifier(
            learning_rate=self.learning_rate, max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes, min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization, interaction_cst="no_interactions",
            categorical_features=mask if any(mask) else None, random_state=self.random_state,
        )

    def fit(self, X: Any, y: Any) -> LeadScorer:
        """Learn the conversion score from past leads and whether they converted.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_leads, n_columns)
            Lead attributes (an id column ``customer_col`` is left out).
        y : array-like of shape (n_leads,)
            Whether each lead converted: 0/1, True/False, Yes/No... (see ``positive_label``).

        Returns
        -------
        self : LeadScorer
            The fitted scorer.
        """
        self._validate_params()
        frame, _ = self._table(X, reset=True)
        y01, classes = binary_target(y, self.positive_label, "y (converted)")
        if len(y01) != len(frame):
            raise ColumnMismatchError(f"y has {len(y01)} labels for {len(frame)} leads.")
        features = [c for c in frame.columns if c != self.customer_col]
        categorical = [] if self.categorical == "auto" else list(self.categorical)
        kinds = attribute_kinds(frame, features, categorical or "auto", "LeadScorer")
        codes = {c: category_codes(frame[c]) for c in features if kinds[c] == "categorical"}
        categories = {c: [v for v, k in lookup.items() if k < MAX_CATEGORIES]
                      for c, lookup in codes.items()}
        M = encode_attributes(frame, features, kinds, codes, "LeadScorer")
        model = self._model(features, kinds)
        n_folds = int(min(self.cv, np.bincount(y01).min()))
        if n_folds >= 2:
            folds = StratifiedKFold(n_folds, shuffle=True,
                                    random_state=seed(self.random_state))
            raw_oof = cross_val_predict(clone(model), M, y01, cv=folds,
                                        method="decision_function")
        else:  # too few converted leads for folds: in-sample scores
            raw_oof = clone(model).fit(M, y01).decision_function(M)
        slope, offset, method = calibration(raw_oof, y01, n_folds)
        model.fit(M, y01)
        oof_proba = sigmoid(slope * raw_oof + offset)
        self.features_ = features
        self.feature_kinds_ = kinds
        self.categories_ = categories
        self._codes = codes
        self.model_ = model
        self.n_iter_ = int(model.n_iter_)
        self.calibration_ = (slope, offset)
        self.calibration_method_ = method
        self.classes_ = classes
        self._ref_raw, self._ref_means = reference(model, M)
        self.intercept_ = float(slope * model.decision_function(M).mean() + offset)
        self.oof_proba_auc_ = float(roc_auc_score(y01, oof_proba))
        self.grades_ = ordered_grades(self.grades)
        self.grade_cuts_ = lead_grade_cuts(
            oof_proba, y01, self.grades_, self.grade_method, targets=self.grade_targets,
            thresholds=self.grade_thresholds, shares=self.grade_shares)
        return self

    # -- scores ----------------------------------------------------------------
    def decision_function(self, X: Any) -> np.ndarray:
        """Calibrated log-odds of conversion.

        Parameters
        ----------
        X : DataFrame or array-like
            Leads with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_leads,)
            ``intercept_`` plus the sum of the lead's contributions.
        """
        check_is_fitted(self)
        frame, _ = self._table(X, reset=False)
        slope, offset = self.calibration_
        return np.asarray(slope * self.model_.decision_function(self._matrix(frame)) + offset)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probability of each class; column 1 is the conversion probability.

        Parameters
        ----------
        X : DataFrame or array-like
            Leads with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_leads, 2)
            In the order of ``classes_``.
        """
        check_is_fitted(self)
        p = sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The more likely label of each lead (conversion probability >= 0.5).

        Parameters
        ----------
        X : DataFrame or array-like
            Leads with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_leads,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        return np.asarray(self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)])

    def predict_grade(self, X: Any) -> pd.Series:
        """Grade of each lead from its probability and the cut points learned in ``fit``.

        Parameters
        ----------
        X : DataFrame or array-like
            Leads with the columns seen in ``fit``.

        Returns
        -------
        Series
            Ordered categorical named ``grade``, indexed by the id column when present.
        """
        check_is_fitted(self)
        frame, index = self._table(X, reset=False)
        slope, offset = self.calibration_
        p = sigmoid(slope * self.model_.decision_function(self._matrix(frame)) + offset)
        return grade_series(apply_cuts(p, self.grade_cuts_), self.grades_, index)

    def contributions(self, X: Any) -> pd.DataFrame:
        """Each attribute's contribution to each lead's calibrated log-odds.

        Parameters
        ----------
        X : DataFrame or array-like
            Leads with the columns seen in ``fit``.

        Returns
        -------
        DataFrame
            One column per attribute, indexed by the id column when present; each
            row sums to ``decision_function(X) - intercept_``.
        """
        check_is_fitted(self)
        frame, index = self._table(X, reset=False)
        return pd.DataFrame(self._contributions(self._matrix(frame)), index=index,
                            columns=self.features_)

    def _contributions(self, M: np.ndarray) -> np.ndarray:
        return contributions(self.model_, M, self.calibration_[0], self._ref_raw,
                             self._ref_means)

    def reasons(self, X: Any, n_reasons: int = 3) -> pd.DataFrame:
        """The top positive and negative reasons of each lead, in words.

        A reason reads ``"industry = ICT: +0.62"``: the attribute, the lead's
        value and its contribution to the calibrated log-odds, relative to an
        average lead (``intercept_``).

        Parameters
        ----------
        X : DataFrame or array-like
            Leads with the columns seen in ``fit``.
        n_reasons : int, default=3
            Reasons of each side.

        Returns
        -------
        DataFrame
            The id column (when present), ``probability``, ``grade``, then
            ``positive_1..n`` and ``negative_1..n`` (``None`` when a lead has fewer).
        """
        check_is_fitted(self)
        frame, _ = self._table(X, reset=False)
        M = self._matrix(frame)
        contrib = self._contributions(M)
        texts = attribute_texts(frame, M, self.features_, self.feature_kinds_, self._codes)
        slope, offset = self.calibration_
        p = sigmoid(slope * self.model_.decision_function(M) + offset)
        out: dict[str, Any] = {}
        if self.customer_col in frame.columns:
            out[self.customer_col] = frame[self.customer_col].to_numpy()
        out["probability"] = p
        out["grade"] = grade_series(apply_cuts(p, self.grade_cuts_), self.grades_,
                                    pd.RangeIndex(len(p))).to_numpy()
        out.update(reason_columns(contrib, texts, n_reasons))
        return pd.DataFrame(out)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags
