"""Keeping the grading honest: conversion by grade on later outcomes, evaluation, drift."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._attributes import attribute_frame, binary_target, require_attribute_columns
from ..exceptions import InvalidValueError, names_text
from ..segments import Migration, segment_migration

__all__ = ["GradeDrift", "GradeReport", "LeadEvaluation", "grade_drift", "grade_report",
           "lead_evaluation"]


@dataclass(frozen=True)
class GradeReport:
    """Result of :func:`grade_report`.

    Attributes
    ----------
    table : DataFrame
        One row per grade, best first: ``grade``, ``n``, ``converted``,
        ``conversion_rate``, ``lift`` (rate over the overall rate),
        ``share_of_conversions`` and, with values, ``value`` and ``value_per_lead``.
    overall_rate : float
        Conversion rate of all graded leads.
    is_monotonic : bool
        Whether every grade converts strictly more than the next (empty grades skipped).
    violations : list of (str, str)
        Adjacent grade pairs where the worse grade converts as much or more.
    n_ungraded : int
        Leads of the outcome table that had no grade (left out).
    """

    table: pd.DataFrame
    overall_rate: float
    is_monotonic: bool
    violations: list[tuple[str, str]] = field(default_factory=list)
    n_ungraded: int = 0


def _grades_series(grades: Any, customer_col: str, name: str = "grades") -> pd.Series:
    if isinstance(grades, pd.Series):
        series = grades
    else:
        frame = attribute_frame(grades, what=name)
        if frame.shape[1] != 2:
            raise InvalidValueError(
                f"{name} must be a Series of grades indexed by lead id, or a table with two "
                f"columns (id, grade); got columns {names_text(list(frame.columns))}."
            )
        series = frame.set_index(frame.columns[0])[frame.columns[1]]
    if not (isinstance(series.dtype, pd.CategoricalDtype) and series.cat.ordered):
        raise InvalidValueError(
            f"{name} must be ordered grades (from grade_leads, PointsScorer.predict or "
            "LeadScorer.predict_grade), so that the best grade is known."
        )
    return series


def grade_report(
    grades: Any,
    outcomes: Any,
    *,
    outcome_col: str = "converted",
    value_col: str | None = None,
    customer_col: str = "customer_id",
    positive_label: Any = None,
    absent: str = "error",
) -> GradeReport:
    """Conversion rate, count and value per grade on a later outcome table.

    Parameters
    ----------
    grades : Series
        Ordered grades indexed by lead id (or a two-column table: id, grade).
    outcomes : Series or DataFrame
        What the leads did later: a Series of outcomes indexed by lead id, or a
        table with ``customer_col``, ``outcome_col`` and optionally ``value_col``.
    outcome_col, value_col, customer_col : str
        Columns of an outcome table; ``value_col`` (deal value, first-year
        revenue) adds value per grade.
    positive_label : label, optional
        The "converted" outcome (default as :class:`LeadScorer`: 1, True, Yes...).
    absent : {"error", "not converted"}, default="error"
        Graded leads missing from the outcome table: an error, or not converted
        (for an outcome table that lists only the won deals).

    Returns
    -------
    GradeReport
        The table per grade, the overall rate and the monotonicity check.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.leads import grade_leads, grade_report
    >>> grades = grade_leads(pd.Series([9, 8, 5, 4, 2, 1], index=list("abcdef")), grades="ABC")
    >>> later = pd.Series(["Yes", "Yes", "No", "Yes", "No", "No"], index=list("abcdef"))
    >>> report = grade_report(grades, later)
    >>> report.table[["grade", "n", "converted", "conversion_rate"]]
      grade  n  converted  conversion_rate
    0     A  2          2              1.0
    1     B  2          1              0.5
    2     C  2          0              0.0
    >>> report.is_monotonic
    True
    """
    if absent not in {"error", "not converted"}:
        raise InvalidValueError(f"absent must be 'error' or 'not converted'; got {absent!r}.")
    g = _grades_series(grades, customer_col)
    value: pd.Series | None = None
    if isinstance(outcomes, pd.Series):
        outcome = outcomes
    else:
        frame = attribute_frame(outcomes, what="outcomes")
        cols = [customer_col, outcome_col] + ([value_col] if value_col else [])
        require_attribute_columns(frame, cols, "grade_report outcomes")
        frame = frame.set_index(customer_col)
        outcome = frame[outcome_col]
        value = frame[value_col] if value_col else None
    if outcome.index.has_duplicates:
        dup = outcome.index[outcome.index.duplicated()].unique()
        raise InvalidValueError(
            f"the outcome table has {len(dup)} lead id(s) more than once, e.g. "
            f"{names_text([str(v) for v in dup[:3]])}; one outcome per lead."
        )
    y01, _ = binary_target(outcome, positive_label, "outcomes")
    won = pd.Series(y01, index=outcome.index)
    missing = g.index.difference(won.index)
    if len(missing) and absent == "error":
        raise InvalidValueError(
            f"{len(missing)} graded lead(s) have no outcome, e.g. "
            f"{names_text([str(v) for v in missing[:3]])}; pass absent='not converted' if the "
            "outcome "
            "table lists only the leads that converted."
        )
    converted = won.reindex(g.index).fillna(0).to_numpy(dtype=np.int64)
    order = list(g.cat.categories[::-1])
    codes = pd.Categorical(g.to_numpy(), categories=order)
    table = pd.DataFrame({"grade": order})
    by = pd.DataFrame({"grade": codes, "converted": converted})
    if value is not None:
        by["value"] = value.reindex(g.index).fillna(0.0).to_numpy(dtype=float)
    agg = by.groupby("grade", observed=False).agg(
        n=("converted", "size"), converted=("converted", "sum"),
        **({"value": ("value", "sum")} if value is not None else {}))
    table = table.join(agg, on="grade")
    table["n"] = table["n"].astype(np.int64)
    table["converted"] = table["converted"].astype(np.int64)
    overall = float(converted.mean()) if converted.size else 0.0
    table["conversion_rate"] = table["converted"] / table["n"].where(table["n"] > 0)
    table["lift"] = table["conversion_rate"] / overall if overall > 0 else np.nan
    total = max(int(converted.sum()), 1)
    table["share_of_conversions"] = table["converted"] / total
    if value is not None:
        table["value_per_lead"] = table["value"] / table["n"].where(table["n"] > 0)
    shown = table[table["n"] > 0]
    rates = list(zip(shown["grade"].astype(str), shown["conversion_rate"].astype(float),
                     strict=True))
    violations = [(a, b) for (a, ra), (b, rb) in itertools.pairwise(rates) if not ra > rb]
    return GradeReport(
        table=table, overall_rate=overall, is_monotonic=not violations,
        violations=violations, n_ungraded=len(won.index.difference(g.index)),
    )


@dataclass(frozen=True)
class GradeDrift:
    """Result of :func:`grade_drift`: the migration matrix and how many moved up or down.

    Attributes
    ----------
    migration : Migration
        Counts and row shares, grades best first, with new and gone leads.
    n_up, n_down, n_same : int
        Leads graded both times that moved to a better grade, a worse one, or stayed.
    """

    migration: Migration
    n_up: int
    n_down: int
    n_same: int


def grade_drift(before: Any, after: Any) -> GradeDrift:
    """Where the leads of each grade went between two gradings (say, two months).

    Parameters
    ----------
    before, after : Series
        Ordered grades indexed by lead id, with the same grade labels.

    Returns
    -------
    GradeDrift
        The migration matrix (:func:`custseg.segments.segment_migration`, grades
        best first) and the counts of upgrades, downgrades and unchanged grades.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.leads import grade_drift, grade_leads
    >>> may = grade_leads(pd.Series([9, 5, 1], index=["a", "b", "c"]), grades="ABC")
    >>> june = grade_leads(pd.Series([1, 9, 5], index=["a", "b", "c"]), grades="ABC")
    >>> drift = grade_drift(may, june)
    >>> drift.n_up, drift.n_down, drift.n_same
    (2, 1, 0)
    """
    b, a = _grades_series(before, "", "before"), _grades_series(after, "", "after")
    order = list(b.cat.categories[::-1])
    if list(a.cat.categories[::-1]) != order:
        raise InvalidValueError(
            f"before and after must use the same grades; got {names_text(order)} and "
            f"{names_text(list(a.cat.categories[::-1]))}."
        )
    migration = segment_migration(b.astype(object), a.astype(object), labels=order)
    common = b.index.intersection(a.index)
    rank = {g: k for k, g in enumerate(order)}
    rb = b.loc[common].map(rank).to_numpy(dtype=int)
    ra = a.loc[common].map(rank).to_numpy(dtype=int)
    return GradeDrift(migration, int((ra < rb).sum()), int((ra > rb).sum()),
                      int((ra == rb).sum()))


@dataclass(frozen=True)
class LeadEvaluation:
    """Result of :func:`lead_evaluation` on held-out leads.

    Attributes
    ----------
    auc : float
        ROC AUC of the probabilities.
    by_grade : DataFrame or None
        The :func:`grade_report` table (conversion and lift by grade).
    calibration : DataFrame
        Predicted versus observed conversion by probability bin
        (:func:`custseg.churn.calibration_table`).
    is_monotonic : bool or None
        Whether conversion decreases strictly from the best grade to the worst.
    """

    auc: float
    by_grade: pd.DataFrame | None
    calibration: pd.DataFrame
    is_monotonic: bool | None


def lead_evaluation(y_true: Any, proba: Any, grades: Any = None, *, positive_label: Any = None,
                    n_bins: int = 10) -> LeadEvaluation:
    """AUC, lift by grade and calibration of lead scores on held-out (or later) leads.

    Parameters
    ----------
    y_true : array-like of shape (n_leads,)
        Whether each lead converted (0/1, Yes/No...).
    proba : array-like of shape (n_leads,) or (n_leads, 2)
        Conversion probabilities (``LeadScorer.predict_proba``).
    grades : Series, optional
        The leads' grades, in the same order (``LeadScorer.predict_grade``).
    positive_label : label, optional
        The "converted" label.
    n_bins : int, default=10
        Bins of the calibration table.

    Returns
    -------
    LeadEvaluation
        The AUC, the table by grade and the calibration table.

    Examples
    --------
    >>> from custseg.leads import lead_evaluation
    >>> ev = lead_evaluation([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], n_bins=2)
    >>> ev.auc
    0.75
    """
    from sklearn.metrics import roc_auc_score

    from ..churn import calibration_table

    y01, _ = binary_target(y_true, positive_label, "y_true")
    p = np.asarray(proba, dtype=float)
    p = p[:, 1] if p.ndim == 2 else p.ravel()
    if p.shape != y01.shape:
        raise InvalidValueError(f"proba has {p.size} values for {y01.size} leads.")
    by_grade, monotonic = None, None
    if grades is not None:
        g = _grades_series(pd.Series(grades).reset_index(drop=True), "")
        report = grade_report(g, pd.Series(y01, index=g.index))
        by_grade, monotonic = report.table, report.is_monotonic
    return LeadEvaluation(float(roc_auc_score(y01, p)), by_grade,
                          calibration_table(y01, p, n_bins=n_bins), monotonic)
