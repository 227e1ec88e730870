"""Tier summary (count, revenue share, mean features per grade) and tier migration."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidValueError, NullValueError, names_text
from ..segments import Migration, segment_migration
from ._common import as_pandas, check_grades, missing_columns_error

__all__ = ["tier_migration", "tier_summary"]


def _grade_order(grades: pd.Series, given: Sequence[Any] | None) -> list[Any]:
    if given is not None:
        return list(check_grades(list(given)))
    if isinstance(grades.dtype, pd.CategoricalDtype):
        cats = list(grades.cat.categories)
        return cats[::-1] if grades.cat.ordered else cats
    return sorted(pd.unique(grades.dropna()))


def _check_known(grades: pd.Series, order: list[Any], argname: str) -> None:
    unknown = sorted({str(v) for v in pd.unique(grades.dropna())} - {str(g) for g in order})
    if unknown:
        raise InvalidValueError(
            f"{argname} holds grade label(s) {names_text(unknown)} that are not among the grades "
            f"{names_text(order)}."
        )


def tier_summary(
    features: Any,
    grades: Any,
    *,
    revenue_col: str | None = "monetary_total",
    customer_col: str = "customer_id",
    columns: Sequence[str] | None = None,
    order: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Count, share of customers and of revenue, and mean features per grade.

    Parameters
    ----------
    features : DataFrame
        One row per customer (for example :func:`custseg.features.rfm`).
    grades : Series or array-like
        Grade of each customer: a Series indexed by customer id (as
        :meth:`ValueGrader.predict` returns; matched on ``customer_col``) or
        a sequence in the row order of ``features``.
    revenue_col : str or None, default="monetary_total"
        Revenue column for ``revenue`` and ``share_revenue``; ``None`` to
        leave them out.
    customer_col : str, default="customer_id"
        Customer id column of ``features``.
    columns : sequence of str, optional
        Feature columns to average; default: every numeric column except the
        customer id.
    order : sequence, optional
        Grade labels, best first. Default: from an ordered categorical
        ``grades`` (as :func:`grade` returns), else the sorted labels.

    Returns
    -------
    DataFrame
        One row per grade (best first, grades without customers included),
        index named ``grade``, columns ``n_customers``, ``share_customers``,
        ``revenue``, ``share_revenue`` and ``mean_<column>``.

    See Also
    --------
    tier_migration : How customers moved between grades.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.tiers import tier_summary
    >>> feats = pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
    ...                       "frequency": [8, 3, 1, 2],
    ...                       "monetary_total": [900.0, 60.0, 15.0, 25.0]})
    >>> grades = pd.Series(["A", "B", "C", "C"], index=["a", "b", "c", "d"])
    >>> tier_summary(feats, grades)[["n_customers", "share_revenue", "mean_frequency"]]
           n_customers  share_revenue  mean_frequency
    grade
    A                1           0.90             8.0
    B                1           0.06             3.0
    C                2           0.04             1.5
    """
    frame = as_pandas(features)
    if frame is None:
        raise InvalidValueError(f"features must be a dataframe; got {type(features).__name__}.")
    by_id = (
        isinstance(grades, pd.Series)
        and customer_col in frame.columns
        and grades.index.is_unique
        and bool(pd.Index(frame[customer_col]).isin(grades.index).all())
    )
    if by_id:
        labels = grades.reindex(pd.Index(frame[customer_col]))
        labels.index = frame.index
    else:
        if len(grades) != len(frame):
            raise InvalidValueError(
                f"grades has {len(grades)} values but features has {len(frame)} rows; give one "
                f"grade per customer (a Series indexed by '{customer_col}', or in row order)."
            )
        if isinstance(grades, pd.Series):
            labels = pd.Series(grades.array, index=frame.index)
        else:
            labels = pd.Series(list(grades), index=frame.index, dtype=object)
    n_missing = int(labels.isna().sum())
    if n_missing:
        raise NullValueError(f"grades: {n_missing} customer(s) have no grade.")
    grade_order = _grade_order(labels, order)
    _check_known(labels, grade_order, "grades")
    if columns is None:
        cols = [
            str(c)
            for c in frame.columns
            if c != customer_col
            and pd.api.types.is_numeric_dtype(frame[c].dtype)
            and not pd.api.types.is_bool_dtype(frame[c].dtype)
        ]
    else:
        cols = list(columns)
    needed = cols + ([revenue_col] if revenue_col is not None else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise missing_columns_error(missing, [str(c) for c in frame.columns], "tier_summary")
    key = labels.astype(object).to_numpy()
    group = pd.Series(key, index=frame.index, name="grade")
    n = group.value_counts().reindex(grade_order, fill_value=0)
    out = pd.DataFrame(index=pd.Index(grade_order, name="grade", dtype=object))
    out["n_customers"] = n.to_numpy().astype(np.int64)
    out["share_customers"] = out["n_customers"] / len(frame)
    if revenue_col is not None:
        revenue = frame[revenue_col].groupby(group).sum().reindex(grade_order, fill_value=0.0)
        total = float(frame[revenue_col].sum())
        out["revenue"] = revenue.to_numpy(dtype=float)
        out["share_revenue"] = out["revenue"] / total if total != 0 else np.nan
    for col in cols:
        means = frame[col].groupby(group).mean().reindex(grade_order)
        out[f"mean_{col}"] = means.to_numpy(dtype=float)
    return out


def tier_migration(
    before: Any,
    after: Any,
    *,
    grades: Sequence[Any] | None = None,
    new_label: str = "(new)",
    gone_label: str = "(gone)",
) -> Migration:
    """How customers moved between grades from one date to another.

    A thin layer over :func:`custseg.segments.segment_migration` that keeps
    the grades in order, best first, on both axes (also grades nobody holds).

    Parameters
    ----------
    before, after : Series
        Grades indexed by customer id, at the earlier and the later date
        (as :meth:`ValueGrader.predict` returns for a features frame).
    grades : sequence, optional
        Grade labels, best first. Default: from an ordered categorical
        ``before`` (as :func:`grade` returns), else the sorted labels of both.
    new_label, gone_label : str, default="(new)" and "(gone)"
        Row of the customers only in ``after``, column of those only in
        ``before``.

    Returns
    -------
    Migration
        ``counts`` and ``shares`` (row shares) DataFrames, rows = grade
        before, columns = grade after; plus ``upgraded`` / ``downgraded`` are
        easy to read off: cells above / below the diagonal.

    See Also
    --------
    custseg.segments.segment_migration : The general transition matrix.
    tier_summary : Count and revenue per grade.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.tiers import tier_migration
    >>> before = pd.Series({"a": "A", "b": "B", "c": "C"})
    >>> after = pd.Series({"a": "B", "b": "B", "d": "A"})
    >>> tier_migration(before, after, grades=["A", "B", "C"]).counts
    after   A  B  C  (gone)
    before
    A       0  1  0       0
    B       0  1  0       0
    C       0  0  0       1
    (new)   1  0  0       0
    """
    for name, obj in (("before", before), ("after", after)):
        if not isinstance(obj, pd.Series):
            raise InvalidValueError(
                f"{name} must be a pandas Series of grades indexed by customer id; got "
                f"{type(obj).__name__}."
            )
    if grades is not None:
        order = list(check_grades(list(grades)))
    else:
        both = pd.concat([before.astype(object), after.astype(object)])
        order = (
            _grade_order(before, None)
            if isinstance(before.dtype, pd.CategoricalDtype)
            else _grade_order(both, None)
        )
    _check_known(before, order, "before")
    _check_known(after, order, "after")
    return segment_migration(
        before.astype(object),
        after.astype(object),
        labels=order,
        new_label=new_label,
        gone_label=gone_label,
    )
