"""The criteria of ValueScorer read by the shared attribute rules (:mod:`custseg._attributes`).

A criterion is a number (more is better unless inverted) or a category with an order of
value, best first. Blank values, and categories outside that order at ``transform``, are
missing: a missing criterion earns no points.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._attributes import attribute_kinds, category_values, numeric_values, word_positive
from ..exceptions import InvalidDtypeError, InvalidValueError, names_text

WHAT = "ValueScorer"
_N_EXAMPLES = 3


def criterion_kinds(frame: pd.DataFrame, criteria: list[Any],
                    category_order: Any) -> dict[Any, str]:
    """``{criterion: "numeric" | "categorical"}``; a column named in ``category_order`` is a
    category whatever its dtype (integer codes such as Caravan's ``MOSTYPE``)."""
    order = dict(category_order or {})
    unknown = [c for c in order if c not in criteria]
    if unknown:
        raise InvalidValueError(
            f"category_order names {names_text(unknown)}, which are not criteria; criteria are "
            f"{names_text(criteria)}."
        )
    names = {str(c): c for c in criteria}
    kinds = attribute_kinds(frame.rename(columns=str), list(names), [str(c) for c in order], WHAT)
    return {names[c]: kind for c, kind in kinds.items()}


def _listed(values: Any, column: Any) -> list[str]:
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise InvalidValueError(
            f"category_order for '{column}' must be a list of categories, best first; got "
            f"{values!r}."
        )
    listed = category_values(pd.Series(list(values), dtype=object))
    if any(v is None for v in listed):
        raise InvalidValueError(f"category_order for '{column}' holds a blank category.")
    out = [str(v) for v in listed]
    dup = sorted({v for v in out if out.count(v) > 1})
    if dup:
        raise InvalidValueError(f"category_order for '{column}' lists {names_text(dup)} more than "
            "once.")
    return out


def category_order(values: pd.Series, column: Any, given: Any) -> list[str]:
    """The categories of a categorical criterion, best first.

    From ``given`` (``category_order[column]``; every category seen must be listed), an
    ordered categorical dtype (its last category is the best, as pandas orders them), the
    meaning of two labels (Yes before No, True before False: the shared positive-word
    rule) or a single category. Any other set of categories has no order of value, which
    a score without outcomes cannot guess: a clear error.
    """
    seen = category_values(values)
    found = list(dict.fromkeys(v for v in seen if v is not None))
    if given is not None:
        order = _listed(given, column)
        outside = np.asarray([v is not None and v not in set(order) for v in seen])
        if outside.any():
            rows = [values.index[i] for i in np.flatnonzero(outside)[:_N_EXAMPLES]]
            examples = sorted({str(seen[i]) for i in np.flatnonzero(outside)})[:_N_EXAMPLES]
            raise InvalidValueError(
                f"{WHAT}: column '{column}' has {int(outside.sum())} of {len(seen)} rows with a "
                f"category not in category_order for '{column}' (rows "
                f"{names_text(rows, quote=False)}: "
                f"{names_text(examples)}); list "
                "every category, best first."
            )
        return order
    if isinstance(values.dtype, pd.CategoricalDtype) and values.dtype.ordered:
        return [str(v) for v in category_values(pd.Series(values.dtype.categories[::-1]))]
    if len(found) == 2:
        best = word_positive(*found)  # Yes/No, True/False, won/lost...
        if best is not None:
            return [best, next(v for v in found if v != best)]
    if len(found) <= 1:
        return found
    if not isinstance(values.dtype, pd.CategoricalDtype) and pd.to_numeric(
            pd.Series(found), errors="coerce").notna().all():
        raise InvalidDtypeError(
            f"{WHAT}: criterion '{column}' holds numbers as text (dtype "
            f"{values.dtype}, such as {names_text(found, limit=_N_EXAMPLES)}); convert the column "
            "to numbers, "
            f"or give category_order={{'{column}': [...]}} (best first) if they are codes."
        )
    raise InvalidDtypeError(
        f"{WHAT}: criterion '{column}' holds categories ({len(found)} distinct, such as "
        f"{names_text(sorted(found), limit=_N_EXAMPLES)}) with no order of value; give their "
        "order best first "
        f"in category_order={{'{column}': [...]}} (or pass an ordered categorical column), "
        "or learn what each category is worth from past outcomes with "
        "custseg.leads.LeadScorer."
    )


def criterion_values(values: pd.Series, column: Any, kind: str,
                     order: list[str] | None) -> np.ndarray:
    """A criterion as float64 with NaN when missing: numbers as they are, a category as its
    rank in ``order`` (the worst 0, the best ``len(order) - 1``)."""
    if kind == "categorical":
        rank = {v: float(len(order or []) - 1 - k) for k, v in enumerate(order or [])}
        return np.asarray([np.nan if v is None else rank.get(v, np.nan)
                           for v in category_values(values)], dtype=np.float64)
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
    ):
        raise InvalidDtypeError(
            f"{WHAT}: column '{column}' has dtype {dtype}; it held numbers in fit, so numbers "
            "(or blanks) are expected."
        )
    return numeric_values(values, str(column), WHAT)


def check_array_finite(M: np.ndarray) -> None:
    """Refuse infinite values of an array input (NaN is a blank, never an error)."""
    inf = np.isinf(M)
    if inf.any():
        counts = inf.sum(axis=0)
        bad = ", ".join(f"'x{j}' ({int(counts[j])} rows)" for j in np.flatnonzero(counts))
        first = np.flatnonzero(inf.any(axis=1))[:_N_EXAMPLES].tolist()
        raise InvalidValueError(
            f"{WHAT}: infinite values in column(s) {bad} (first bad rows "
            f"{names_text(first, quote=False)}); expected "
            "finite numbers or blanks."
        )
