"""PointsScorer: attribute (fit) points from readable named rules, with grade bands and SQL."""

from __future__ import annotations

from functools import reduce
from pathlib import Path
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import polars as pl
from sklearn.base import BaseEstimator, TransformerMixin

from .._attributes import attribute_kinds, require_attribute_columns
from .._frame import is_frame, to_kind, to_lazy
from .._sklearn_compat import check_is_fitted, validate_data
from ..base import OutputNamesMixin
from ..exceptions import EmptyDataError, InvalidValueError, names_text
from ._grades import ordered_grades
from ._points_export import export_points_rules
from ._points_reach import attainable_totals, check_reachable
from ._reasons import reason_columns
from ._rules import RuleSet, parse_rule_set, points_expression, read_rules, typed_rule

__all__ = ["PointsScorer"]



class PointsScorer(OutputNamesMixin, TransformerMixin, BaseEstimator):
    """Fit points for prospects and accounts from readable, named rules.

    Each rule adds (or removes) points when its condition holds, as in a CRM's
    lead-grading set-up: ``industry in {ICT, Finance}: +15``,
    ``employees >= 500: +20``, ``budget unknown: -5``. The points of a lead are
    ``base`` plus the points of every rule that holds; with grade bands
    (``A: 30, B: 15, C: 0, D: null``) :meth:`predict` gives each lead its grade.
    No transactions are needed.

    Blank values (null, NaN, empty text) are *unknown*: only ``unknown`` rules
    hold for them (a comparison with an unknown value is false, as in SQL).
    A category no rule names simply gets no points from those rules, whether
    or not the ``fit`` table held it: the rules, not the table, name the
    categories, so a category unseen in ``fit`` is not read as missing (as the
    other estimators of attributes read it) but as one no rule names: ``not
    in`` rules hold for it, as in the SQL export.

    Parameters
    ----------
    rules : list, dict or str
        The rule set. Either a list of rules, each a text
        ``"condition: points"`` or a mapping ``{"name", "when", "points"}`` (or
        ``{"name", "column", "op", "value"/"values", "points"}``); or a mapping
        ``{condition: points}``; or a mapping with ``rules`` and optional
        ``base`` (starting points) and ``grades`` (``{label: minimum points}``
        best first, the last grade with no minimum). Conditions:
        ``col in {a, b}``, ``col not in {a, b}``, ``col >= 500`` (``>``, ``>=``,
        ``<``, ``<=``, ``==``, ``!=``), ``col between 10 and 50`` (inclusive),
        ``col unknown``, ``col known``; write a column name with spaces as
        ```my col```. A path to a ``.json``/``.yaml`` file is read in ``fit``
        (see also :meth:`from_file`).
    customer_col : str, default="customer_id"
        Id column, kept as the first output column when present.

    Attributes
    ----------
    rules_ : tuple of PointsRule
        The parsed rules, values typed for their columns.
    base_ : float
        Starting points.
    grades_ : tuple or None
        Grade labels, best first (``None`` without grade bands).
    grade_minimums_ : ndarray or None
        Minimum points of every grade but the last.
    column_kinds_ : dict
        ``{column: "numeric" | "categorical"}`` of the columns the rules read.
    min_points_, max_points_ : float
        The lowest and highest total any lead can get from these rules.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``.

    See Also
    --------
    LeadScorer : A score learned from past conversions, with reasons.
    engagement_points : Engagement points with decay from an activity log.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.leads import PointsScorer
    >>> prospects = pd.DataFrame({"customer_id": ["p1", "p2", "p3"],
    ...                           "industry": ["ICT", "Retail", None],
    ...                           "employees": [800, 40, 120],
    ...                           "budget": [50_000, None, 10_000]})
    >>> scorer = PointsScorer({
    ...     "rules": ["industry in {ICT, Finance}: +15", "employees >= 500: +20",
    ...               "budget unknown: -5"],
    ...     "grades": {"A": 30, "B": 10, "C": 0, "D": None}}).fit(prospects)
    >>> scorer.transform(prospects)["points"].tolist()
    [35.0, -5.0, 0.0]
    >>> scorer.predict(prospects).tolist()
    ['A', 'D', 'C']
    >>> print(scorer.export_rules("sql"))  # doctest: +NORMALIZE_WHITESPACE
    0
      + CASE WHEN NULLIF(TRIM(CAST(industry AS VARCHAR)), '') IN ('ICT', 'Finance')
        THEN 15 ELSE 0 END
      + CASE WHEN NULLIF(CAST(employees AS DOUBLE), CAST('NaN' AS DOUBLE)) >= 500.0e0
        THEN 20 ELSE 0 END
      + CASE WHEN NULLIF(CAST(budget AS DOUBLE), CAST('NaN' AS DOUBLE)) IS NULL
        THEN -5 ELSE 0 END
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "rules": [dict, list, tuple, str, Path, RuleSet],
        "customer_col": [str],
    }

    def __init__(self, rules: Any, customer_col: str = "customer_id") -> None:
        self.rules = rules
        self.customer_col = customer_col

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> PointsScorer:
        """A scorer with the rule set of a ``.json`` or ``.yaml`` file.

        Parameters
        ----------
        path : str or Path
            The rule file (YAML needs PyYAML: ``pip install 'custseg[yaml]'``).
        **kwargs
            Other parameters of :class:`PointsScorer`.

        Returns
        -------
        PointsScorer
            An unfitted scorer.
        """
        return cls(rules=read_rules(path), **kwargs)

    @classmethod
    def _test_instances(cls) -> list[PointsScorer]:
        # Arrays have columns x0, x1...; sklearn's checks pass at least one column.
        return [cls(rules={"rules": ["x0 >= 0: +2", "x0 unknown: -1", "x0 < -1: -3"],
                           "grades": [[1, 0], [0, None]]})]

    # -- input ---------------------------------------------------------------
    def _frame(self, X: Any, reset: bool) -> tuple[Any, Any]:
        """The input as a narwhals lazy frame with its kind (arrays get columns x0, x1...)."""
        if not is_frame(X):
            arr = validate_data(self, X, reset=reset, dtype=np.float64,
                                ensure_all_finite="allow-nan")
            names = [f"x{j}" for j in range(arr.shape[1])]
            return nw.from_native(pl.DataFrame(arr, schema=names).lazy()), None
        frame, info = to_lazy(X, argname="the prospect table")
        columns = list(info.columns)
        if reset:
            self.feature_names_in_ = np.asarray(columns, dtype=object)
            self.n_features_in_ = len(columns)
        elif not hasattr(self, "feature_names_in_"):
            raise InvalidValueError(
                "PointsScorer was fitted on an array (columns x0, x1...); pass an array too."
            )
        return frame, info

    # -- fit -----------------------------------------------------------------
    def fit(self, X: Any, y: Any = None) -> PointsScorer:
        """Check the rules against the table's columns and the grade bands for reachability.

        Parameters
        ----------
        X : DataFrame or array-like
            Prospects or accounts, one row each, with the columns the rules read.
        y : None
            Ignored.

        Returns
        -------
        self : PointsScorer
            The fitted scorer.

        Raises
        ------
        MissingColumnError
            A rule reads a column the table does not have.
        InvalidValueError
            A rule cannot be read, or a grade band can never be reached.
        """
        self._validate_params()
        raw = read_rules(self.rules) if isinstance(self.rules, (str, Path)) else self.rules
        rule_set = parse_rule_set(raw)
        frame, _ = self._frame(X, reset=True)
        schema = frame.collect_schema()
        columns = list(schema.names())
        needed = list(dict.fromkeys(r.column for r in rule_set.rules))
        require_attribute_columns(pd.DataFrame(columns=columns), needed, "PointsScorer rules")
        sample = frame.head(0).collect().to_pandas()
        kinds = attribute_kinds(sample, needed, "auto", "PointsScorer")
        rules = tuple(typed_rule(r, kinds[r.column], schema[r.column]) for r in rule_set.rules)
        clash = [r.name for r in rules if r.name in {"points", self.customer_col}]
        if clash:
            raise InvalidValueError(f"rule names {names_text(clash)} clash with output columns; "
                "rename them.")
        totals = attainable_totals(rules, kinds, rule_set.base)
        grades: tuple[Any, ...] | None = None
        minimums: Any = None
        if rule_set.grades is not None:
            grades = ordered_grades([g for g, _ in rule_set.grades])
            minimums = np.asarray([m for _, m in rule_set.grades[:-1]], dtype=float)
            check_reachable(grades, minimums, totals)
        self.rules_ = rules
        self.base_ = rule_set.base
        self.grades_ = grades
        self.grade_minimums_ = minimums
        self.column_kinds_ = kinds
        self.min_points_ = float(totals.min())
        self.max_points_ = float(totals.max())
        self.has_customer_col_ = self.customer_col in columns
        return self

    # -- scoring -------------------------------------------------------------
    def _points(self, X: Any) -> tuple[Any, Any]:
        frame, info = self._frame(X, reset=False)
        columns = list(frame.collect_schema().names())
        require_attribute_columns(
            pd.DataFrame(columns=columns), list(self.column_kinds_), "PointsScorer.transform"
        )
        exprs = [points_expression(r, self.column_kinds_[r.column]) for r in self.rules_]
        total = reduce(lambda a, b: a + b, [nw.col(r.name) for r in self.rules_],
                       nw.lit(float(self.base_)))
        head = [nw.col(self.customer_col)] if self.has_customer_col_ else []
        out = frame.select(*head, *exprs).with_columns(total.alias("points"))
        return out, info

    def transform(self, X: Any) -> Any:
        """Points of every rule and their total ``points``, one row per input row.

        Parameters
        ----------
        X : DataFrame, lazy frame or array-like
            Prospects with the columns the rules read.

        Returns
        -------
        DataFrame or ndarray
            The same kind of frame as ``X`` (a lazy frame stays lazy): the id
            column (when seen in ``fit``), one column per rule named after it and
            ``points``. For an array, the same numbers as an array.
        """
        check_is_fitted(self)
        out, info = self._points(X)
        if info is None:
            return out.collect().to_numpy().astype(np.float64)
        if len(info.columns) and info.kind != "lazy":
            n = out.select(nw.len()).collect().item()
            if n == 0:
                raise EmptyDataError("PointsScorer: the prospect table has 0 rows.")
        return to_kind(out, info, keep_dtypes=(self.customer_col,))

    def predict(self, X: Any) -> Any:
        """Grade every lead with the rule set's grade bands.

        Parameters
        ----------
        X : DataFrame or array-like
            Prospects with the columns the rules read.

        Returns
        -------
        Series or ndarray
            For a dataframe, an ordered categorical Series named ``grade``
            (best grade highest), indexed by the id column when present. For an
            array, an array of labels.
        """
        check_is_fitted(self)
        if self.grades_ is None or self.grade_minimums_ is None:
            raise InvalidValueError(
                "the rule set has no grades; add grades: {A: 30, B: 15, C: 0, D: null} (minimum "
                "points per grade, best first), or grade the points with grade_leads."
            )
        out, info = self._points(X)
        table = out.collect().to_pandas()
        from ._grades import grade_from_minimums

        index = (pd.Index(table[self.customer_col]) if self.has_customer_col_
                 else pd.RangeIndex(len(table)))
        grades = grade_from_minimums(table["points"].to_numpy(dtype=float), self.grade_minimums_,
                                     self.grades_, index)
        return grades.to_numpy() if info is None else grades

    def reasons(self, X: Any, n_reasons: int = 3) -> pd.DataFrame:
        """The rules behind each lead's points, strongest first, in words.

        Parameters
        ----------
        X : DataFrame
            Prospects with the columns the rules read.
        n_reasons : int, default=3
            Reasons of each side.

        Returns
        -------
        DataFrame
            The id column (when present), ``points``, ``grade`` (with grade
            bands), ``positive_1..n`` and ``negative_1..n``, such as
            ``"employees >= 500: +20"``.

        Examples
        --------
        >>> import pandas as pd
        >>> from custseg.leads import PointsScorer
        >>> leads = pd.DataFrame({"employees": [800], "budget": [None]})
        >>> scorer = PointsScorer(["employees >= 500: +20", "budget unknown: -5"]).fit(leads)
        >>> scorer.reasons(leads, n_reasons=1).to_dict("records")
        ... # doctest: +NORMALIZE_WHITESPACE
        [{'points': 15.0, 'positive_1': 'employees >= 500: +20',
          'negative_1': 'budget unknown: -5'}]
        """
        check_is_fitted(self)
        out, _ = self._points(X)
        table = out.collect().to_pandas()
        contrib = table[[r.name for r in self.rules_]].to_numpy(dtype=float)
        texts = np.tile(np.asarray([r.condition for r in self.rules_], dtype=object),
                        (len(table), 1))
        result: dict[str, Any] = {}
        if self.has_customer_col_:
            result[self.customer_col] = table[self.customer_col].to_numpy()
        result["points"] = table["points"].to_numpy(dtype=float)
        if self.grades_ is not None and self.grade_minimums_ is not None:
            from ._grades import grade_from_minimums

            result["grade"] = grade_from_minimums(result["points"], self.grade_minimums_,
                                                  self.grades_, pd.RangeIndex(len(table)))
        result.update(reason_columns(contrib, texts, n_reasons, fmt="{:+g}"))
        return pd.DataFrame(result)

    def _output_names(self) -> list[str]:
        """The id column (when seen in ``fit``), the rule names and ``points``."""
        head = [self.customer_col] if self.has_customer_col_ else []
        return [*head, *(r.name for r in self.rules_), "points"]

    # -- export --------------------------------------------------------------
    def export_rules(self, format: str = "text", *, grade: bool = False,
                     points_col: str | None = None) -> Any:
        """The rule set as text, a dict, JSON or a SQL expression.

        Parameters
        ----------
        format : {"text", "dict", "json", "sql"}, default="text"
            ``"sql"`` gives the total points as a sum of ``CASE`` expressions
            (blank text and NaN count as unknown, as in :meth:`transform`);
            ``"dict"``/``"json"`` give a rule set :class:`PointsScorer` reads back.
        grade : bool, default=False
            With ``"sql"``: the grade (a ``CASE`` over the total) instead of the points.
        points_col : str, optional
            With ``grade=True``: grade an existing points column instead of the inline sum.

        Returns
        -------
        str or dict
            The exported rules.
        """
        check_is_fitted(self)
        return export_points_rules(self, format, grade=grade, points_col=points_col)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags

