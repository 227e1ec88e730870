"""TierClassifier: a small decision tree that learns grades and exports readable rules."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from .._frame import read_table
from .._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    check_is_fitted,
)
from ..exceptions import EmptyDataError, InvalidValueError
from ._common import as_pandas
from ._encoding import categorical_columns, feature_matrix, learn_categories
from ._isotonic import monotone_leaf_labels, monotonic_constraints
from ._rules import export
from ._targets import grade_targets
from ._tree import TierTree, grow_tier_tree, merge_same_label

__all__ = ["TierClassifier"]


class TierClassifier(ClassifierMixin, BaseEstimator):
    """Decision tree that learns customer grades and exports rules people and SQL can read.

    The grades (A best) come from :class:`ValueGrader` / :func:`grade` or from
    a team's own grading. Numeric features split on thresholds; categorical
    features (industry, size band, region, channel...) split on *sets of
    categories*: each categorical column is encoded by ordering its
    categories by their mean grade in the training data (best first), so a
    split reads ``industry IN ('ICT', 'SaaS')``.

    Parameters
    ----------
    max_depth : int, default=4
        Maximum depth of the tree (small, so the rules stay readable).
    min_samples_leaf : int or float, default=1
        Minimum number (or fraction) of training customers in a leaf.
    min_samples_split : int or float, default=2
        Minimum number (or fraction) of customers to split a node.
    ccp_alpha : float, default=0.0
        Cost-complexity pruning strength (scikit-learn's minimal
        cost-complexity pruning); larger values give fewer leaves.
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Split quality measure of the tree.
    grades : sequence or None, default=None
        Grade labels, best first. ``None``: the categories of an ordered
        categorical ``y`` (best = highest, as :func:`grade` returns), the
        categories of an unordered one; the two labels of a binary outcome
        (0/1, True/False, Yes/No, converted/not converted...) put the
        positive one (1, True, Yes) first, as every estimator reading a
        binary outcome does; other numbers ascending (grade positions, 0
        best, as :class:`ValueGrader` numbers them); else the sorted
        distinct labels (so "A" < "B" < ... with "A" best). Labels of ``y``
        not in ``grades`` are an error.
    categorical_features : "auto" or list of str, default="auto"
        Columns treated as categories. ``"auto"``: the non-numeric columns
        (text, category dtype) of a dataframe. Arrays are all numeric.
    monotonic_cst : dict of {column: int} or array-like of int or None, default=None
        ``1``: raising this feature alone never gives a worse grade;
        ``-1``: raising it never gives a better grade (recency); ``0``: no
        constraint. scikit-learn's trees take monotonic constraints only for
        regression and binary targets, so grades get an ordinal treatment:
        the tree is grown as usual, then its leaves are relabelled with the
        monotone labelling (in every constrained feature, over the whole
        feature space, not only the training data) that misclassifies the
        fewest training customers, found exactly by a totally unimodular
        linear program. ``predict_proba`` still gives the leaf's grade
        shares, whose argmax can then differ from ``predict``.
    merge_leaves : bool, default=True
        Collapse splits whose two sides predict the same grade, so the rules
        get shorter. Neither ``predict`` nor ``predict_proba`` changes:
        the probabilities stay those of the leaves before merging, so
        merging never changes their ranking (a rare positive class, which
        no leaf predicts, keeps the ordering of its shares).
    random_state : int, RandomState instance or None, default=None
        Passed to the scikit-learn tree (ties between equally good splits).

    Attributes
    ----------
    classes_ : ndarray of shape (n_grades,)
        Grade labels, best first: ``[1, 0]`` for a 0/1 outcome, ``["Yes",
        "No"]`` for Yes/No (the columns of ``predict_proba``).
    estimator_ : DecisionTreeClassifier
        The fitted scikit-learn tree (on encoded features, before threshold
        refinement, monotone relabelling and merging).
    feature_importances_ : ndarray of shape (n_features_in_,)
        Impurity-based importance of each input column.
    categories_ : dict of {str: list of str}
        For each categorical column, its categories ordered best first
        (the encoding). Blank values are not categories: they are missing,
        and so is a category not seen in ``fit`` (the shared rule of every
        custseg estimator reading attributes).
    categorical_features_ : list of str
        The categorical columns.
    boolean_features_ : list of str
        Boolean columns (used as 0/1; their rules read ``flag = TRUE``).
    n_leaves_ : int
        Number of leaves (rules) after merging.
    depth_ : int
        Depth of the final tree.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit`` (dataframes only).

    See Also
    --------
    ValueGrader : Grades to learn from.
    TierClassifier.export_rules : The rules as text, JSON or SQL.

    Notes
    -----
    ``predict`` routes customers with float64 comparisons against the
    thresholds printed by :meth:`export_rules`, so the SQL ``CASE``
    reproduces ``predict`` exactly.

    Blank values (null, NaN, empty or all-space text) are missing, never an
    error, in numeric and categorical columns alike, and a category not seen
    in ``fit`` is missing too. scikit-learn's tree learns at each split the
    side missing values go to; when no training customer had that feature
    missing, they go to the side that held more training customers. The
    rules say so: ``(x > 5.0 OR x is blank)``; a ``NOT IN`` condition
    includes missing values, an ``IN`` condition excludes them. Infinite
    values and date columns are refused.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.tiers import TierClassifier
    >>> X = pd.DataFrame({
    ...     "monetary_total": [900.0, 300.0, 850.0, 200.0, 150.0, 40.0, 60.0, 30.0],
    ...     "industry": ["ICT", "SaaS", "Retail", "Retail", "SaaS", "ICT", "Retail", "SaaS"]})
    >>> y = ["A", "A", "B", "B", "A", "C", "C", "C"]
    >>> clf = TierClassifier(max_depth=2, random_state=0).fit(X, y)
    >>> clf.classes_.tolist()
    ['A', 'B', 'C']
    >>> print(clf.export_rules())  # doctest: +NORMALIZE_WHITESPACE
    IF (monetary_total > 105.0 OR monetary_total is blank) AND industry NOT IN ('Retail')
        THEN A  (n=3, 100% A)
    IF (monetary_total > 105.0 OR monetary_total is blank) AND industry IN ('Retail')
        THEN B  (n=2, 100% B)
    IF monetary_total <= 105.0 THEN C  (n=3, 100% C)

    Blank and unseen values are missing; with no missing value in ``fit``, they
    follow the side that held more customers:

    >>> new = pd.DataFrame({"monetary_total": [500.0, 500.0, None],
    ...                     "industry": ["Mining", None, "Retail"]})
    >>> clf.predict(new).tolist()
    ['A', 'A', 'B']
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "max_depth": [Interval(Integral, 1, None, closed="left")],
        "min_samples_leaf": [
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0.0, 1.0, closed="neither"),
        ],
        "min_samples_split": [
            Interval(Integral, 2, None, closed="left"),
            Interval(Real, 0.0, 1.0, closed="right"),
        ],
        "ccp_alpha": [Interval(Real, 0.0, None, closed="left")],
        "criterion": [StrOptions({"gini", "entropy", "log_loss"})],
        "grades": ["array-like", None],
        "categorical_features": [StrOptions({"auto"}), list],
        "monotonic_cst": [dict, "array-like", None],
        "merge_leaves": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        max_depth: int = 4,
        min_samples_leaf: int | float = 1,
        min_samples_split: int | float = 2,
        ccp_alpha: float = 0.0,
        criterion: str = "gini",
        grades: Any = None,
        categorical_features: str | list[str] = "auto",
        monotonic_cst: Any = None,
        merge_leaves: bool = True,
        random_state: Any = None,
    ) -> None:
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.min_samples_split = min_samples_split
        self.ccp_alpha = ccp_alpha
        self.criterion = criterion
        self.grades = grades
        self.categorical_features = categorical_features
        self.monotonic_cst = monotonic_cst
        self.merge_leaves = merge_leaves
        self.random_state = random_state

    # -- API -----------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> TierClassifier:
        """Learn the tier tree.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_customers, n_features)
            Customer features: numeric columns and (dataframes only)
            categorical columns.
        y : array-like of shape (n_customers,)
            Grade of each customer.
        sample_weight : array-like of shape (n_customers,), optional
            Customer weights.

        Returns
        -------
        self : TierClassifier
            The fitted classifier.
        """
        classes, pos = grade_targets(y, self.grades)
        X, _ = read_table(X, backend="pandas")
        frame = as_pandas(X)
        self.categories_ = {}
        boolean: list[str] = []
        if frame is not None:
            boolean = [str(c) for c in frame.columns if pd.api.types.is_bool_dtype(frame[c].dtype)]
            if frame.shape[0] == 0:
                raise EmptyDataError("TierClassifier: the feature table has 0 rows.")
            if frame.shape[0] != pos.size:
                raise InvalidValueError(
                    f"X has {frame.shape[0]} rows but y has {pos.size} labels; one grade per "
                    "customer."
                )
            cat_cols = categorical_columns(frame, self.categorical_features)
            w0 = _check_sample_weight(sample_weight, np.zeros((pos.size, 1)))
            self.categories_ = learn_categories(frame, cat_cols, pos, w0)
        Xf = feature_matrix(self, X, reset=True)
        if Xf.shape[0] != pos.size:
            raise InvalidValueError(
                f"X has {Xf.shape[0]} rows but y has {pos.size} labels; one grade per customer."
            )
        sw = _check_sample_weight(sample_weight, Xf)
        names = (
            [str(c) for c in self.feature_names_in_]
            if hasattr(self, "feature_names_in_")
            else [f"x{j}" for j in range(Xf.shape[1])]
        )
        cst = monotonic_constraints(self.monotonic_cst, names, self.categories_)
        params = {
            "max_depth": self.max_depth,
            "min_samples_leaf": self.min_samples_leaf,
            "min_samples_split": self.min_samples_split,
            "ccp_alpha": self.ccp_alpha,
            "random_state": self.random_state,
        }
        k = classes.size
        tree, tt = grow_tier_tree(Xf, pos, sw, k, self.criterion, params)
        if cst is not None:
            monotone_leaf_labels(tt, cst, k)
        proba_tree = tt  # predict_proba reads the leaves before merging
        if self.merge_leaves:
            tt = merge_same_label(tt)
        self.estimator_ = tree
        self.classes_ = classes
        self.categorical_features_ = list(self.categories_)
        self.boolean_features_ = [c for c in boolean if c not in self.categories_]
        self.feature_importances_ = np.asarray(tree.feature_importances_, dtype=np.float64)
        self.tree_structure_ = tt
        self._proba_tree = proba_tree
        self.n_leaves_ = int(tt.leaves().size)
        self.depth_ = tt.depth()
        self._feature_names = names
        return self

    def _leaves(self, X: Any, tree: TierTree | None = None) -> np.ndarray:
        X, _ = read_table(X, backend="pandas")  # every public method after fit comes here
        Xf = feature_matrix(self, X, reset=False)
        return (tree or self.tree_structure_).apply(Xf)

    def apply(self, X: Any) -> np.ndarray:
        """Index of the leaf (rule) each customer falls in.

        Parameters
        ----------
        X : DataFrame or array-like
            Customer features, with the columns seen in ``fit`` (any order).

        Returns
        -------
        ndarray of int of shape (n_customers,)
            Node index in ``export_rules(format="dict")["tree"]``.
        """
        check_is_fitted(self)
        return self._leaves(X)

    def predict(self, X: Any) -> np.ndarray:
        """Grade of each customer.

        Parameters
        ----------
        X : DataFrame or array-like
            Customer features, with the columns seen in ``fit`` (any order).

        Returns
        -------
        ndarray of shape (n_customers,)
            Grade labels.
        """
        check_is_fitted(self)
        leaf = self._leaves(X)
        return np.asarray(self.classes_[self.tree_structure_.label[leaf]])

    def predict_proba(self, X: Any) -> np.ndarray:
        """Share of each grade among the training customers of the customer's leaf.

        The leaf of the tree before same-grade leaves are merged
        (``merge_leaves``), so merging changes no probability.

        Parameters
        ----------
        X : DataFrame or array-like
            Customer features, with the columns seen in ``fit``.

        Returns
        -------
        ndarray of shape (n_customers, n_grades)
            Columns in the order of ``classes_`` (best grade first).
        """
        check_is_fitted(self)
        tree: TierTree = self._proba_tree
        return np.asarray(tree.proba()[self._leaves(X, tree)])

    def get_n_leaves(self) -> int:
        """Number of leaves (rules).

        Returns
        -------
        int
            ``n_leaves_``.
        """
        check_is_fitted(self)
        return self.n_leaves_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # blanks are missing values (see Notes)
        return tags

    def export_rules(self, format: str = "text", *, else_value: Any = None) -> Any:
        """The tree as rules: readable text, JSON, a dict, or a SQL ``CASE`` expression.

        Parameters
        ----------
        format : {"text", "json", "dict", "sql"}, default="text"
            ``"text"``: one line per leaf, ``IF ... THEN grade  (n=..., ..% grade)``.
            ``"json"``: a JSON string of ``"dict"``. ``"dict"``: grades,
            features, category encodings, the tree (nested nodes, for
            drawing) and the flat rules. ``"sql"``: a ``CASE`` expression,
            one ``WHEN`` per leaf, that returns the grade.
        else_value : str or None, default=None
            SQL only: the value of the ``ELSE`` branch; ``None`` gives
            ``NULL``. Every row, blanks included, meets one ``WHEN``, so the
            ``ELSE`` only guards against values the rules never saw the type
            of (such as a float NaN that an engine does not read as NULL).

        Returns
        -------
        str or dict
            The rules.

        Notes
        -----
        Thresholds are printed as the shortest decimal that reads back as
        the exact float64 threshold (``repr``); in SQL they carry an
        exponent (``42.5e0``) so every engine reads them as a double, not
        as a rounded decimal. Missing values (SQL ``NULL``, blank text and
        categories not seen in ``fit``) follow the branches ``predict`` sends
        them to: ``NOT IN`` conditions and ``(... OR x IS NULL)``.

        Examples
        --------
        >>> import numpy as np
        >>> from custseg.tiers import TierClassifier
        >>> X = np.array([[1.0], [2.0], [3.0], [4.0]])
        >>> clf = TierClassifier(max_depth=1).fit(X, ["B", "B", "A", "A"])
        >>> print(clf.export_rules("sql"))
        CASE
          WHEN (x0 > 2.5e0 OR x0 IS NULL) THEN 'A'
          WHEN x0 <= 2.5e0 THEN 'B'
        END
        """
        check_is_fitted(self)
        return export(self, format, else_value=else_value)
