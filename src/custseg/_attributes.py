"""The one validation of attribute tables and binary outcomes (prospects, accounts, customers).

Every estimator that reads attributes (industry, size, budget, region...) rather than a
transaction log goes through these helpers, so the same input gets the same answer
everywhere:

* **blank values** (null, NaN, empty or all-space text) are *missing*, never an error;
  estimators that cannot use missing values say so by name;
* **text, categorical and boolean columns** are categories; numeric columns are numbers
  unless named in ``categorical`` (integer-coded categories such as Caravan's ``MOSTYPE``);
* a **category not seen in fit** is treated as missing (documented per estimator);
* infinite numbers and date columns are refused with the column, the count and examples;
* a **binary outcome** may be 0/1, True/False or a Yes/No-style vocabulary: the positive
  class is resolved explicitly (``1``, ``True``, ``"Yes"``...), never by sorting labels, and
  a table with a single class is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._frame import read_table
from .exceptions import (
    InvalidDtypeError,
    InvalidValueError,
    MissingColumnError,
    NullValueError,
    names_text,
)

__all__ = [
    "NEGATIVE_WORDS",
    "POSITIVE_WORDS",
    "attribute_frame",
    "attribute_kinds",
    "binary_target",
    "category_codes",
    "category_values",
    "encode_attributes",
    "numeric_values",
    "require_attribute_columns",
    "single_class_error",
    "word_positive",
]

#: Labels read as the positive class (case- and space-insensitive).
POSITIVE_WORDS = frozenset(
    {"yes", "y", "true", "t", "1", "converted", "won", "win", "purchased", "bought", "buyer",
     "positive", "pos", "success", "churned"}
)
#: Labels read as the negative class.
NEGATIVE_WORDS = frozenset(
    {"no", "n", "false", "f", "0", "not converted", "lost", "lose", "not purchased",
     "no purchase", "non-buyer", "negative", "neg", "failure", "retained", "not churned"}
)
_N_EXAMPLES = 3
#: Most categories a column keeps its own code for (HistGradientBoosting's limit is 255
#: bins per categorical feature); rarer ones share the next code.
MAX_CATEGORIES = 254


def attribute_frame(X: Any, *, what: str) -> pd.DataFrame:
    """``X`` (pandas, polars, pyarrow, a lazy frame) as a pandas frame with string column names.

    The caller's object is never modified (polars/pyarrow/lazy inputs are copied).
    """
    frame = read_table(X, argname=what, backend="pandas", allow_arrays=False)[0]
    if any(not isinstance(c, str) for c in frame.columns):
        frame = frame.rename(columns=str)
    return frame


def require_attribute_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    """Raise MissingColumnError listing the missing and the available columns."""
    available = [str(c) for c in frame.columns]
    missing = [c for c in columns if c not in available]
    if missing:
        raise MissingColumnError.from_missing_and_available(missing, available, context=what)


def _is_categorical_dtype(dtype: Any) -> bool:
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def attribute_kinds(
    frame: pd.DataFrame, columns: Sequence[str], categorical: Any, what: str
) -> dict[str, str]:
    """``{column: "numeric" | "categorical"}``; dates are refused.

    ``categorical`` is ``"auto"`` (text, categorical and boolean columns) or a list of column
    names that are categories whatever their dtype (added to the automatic ones).
    """
    forced: set[str] = set()
    if categorical is not None and not (isinstance(categorical, str) and categorical == "auto"):
        forced = {str(c) for c in categorical}
        unknown = sorted(forced - {str(c) for c in frame.columns})
        if unknown:
            require_attribute_columns(frame, unknown, f"{what} categorical")
    kinds: dict[str, str] = {}
    for col in columns:
        dtype = frame[col].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
            raise InvalidDtypeError(
                f"{what}: column '{col}' holds dates ({dtype}); convert it to a number first "
                "(for example days since the date) or leave it out."
            )
        if col in forced or _is_categorical_dtype(dtype):
            kinds[col] = "categorical"
        elif pd.api.types.is_numeric_dtype(dtype):
            kinds[col] = "numeric"
        else:
            raise InvalidDtypeError(
                f"{what}: column '{col}' has dtype {dtype}; expected numbers, text, "
                "categories or booleans."
            )
    return kinds


def _examples(values: pd.Series, mask: np.ndarray) -> list[Any]:
    return [values.index[i] for i in np.flatnonzero(mask)[:_N_EXAMPLES]]


def numeric_values(values: pd.Series, column: str, what: str) -> np.ndarray:
    """A numeric column as float64 with NaN for blanks; infinite values are refused."""
    arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(arr)
    if inf.any():
        raise InvalidValueError(
            f"{what}: column '{column}' has {int(inf.sum())} of {arr.size} rows with an "
            f"infinite value (rows {_examples(values, inf)}); expected finite numbers or "
            "blanks."
        )
    return arr


def category_values(values: pd.Series) -> np.ndarray:
    """A column as an object array of stripped strings, ``None`` for blanks.

    Numbers coded as categories keep their integer text (``3.0`` becomes ``"3"``).
    """
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values.tolist()):
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT:
            out[i] = None
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = str(v).strip()
        out[i] = text if text else None
    return out


def binary_target(
    y: Any, positive_label: Any = None, what: str = "target"
) -> tuple[np.ndarray, np.ndarray]:
    """A binary outcome as 0/1 and its ``classes_`` ``[negative, positive]``.

    The positive class is ``positive_label`` when given; else ``1``/``True`` for 0/1 and
    boolean outcomes, the larger of two numbers, or the Yes-like word of a Yes/No pair
    (:data:`POSITIVE_WORDS`, :data:`NEGATIVE_WORDS`: the other label of a pair holding one
    such word). Any other pair of text labels follows scikit-learn's convention: the later
    label in sorted order is positive. Missing labels, continuous targets, more than two
    classes and a single class are refused.
    """
    from sklearn.utils.multiclass import type_of_target
    from sklearn.utils.validation import column_or_1d

    if isinstance(y, pd.DataFrame) or (hasattr(y, "columns") and not isinstance(y, pd.Series)):
        frame = attribute_frame(y, what=what)
        if frame.shape[1] != 1:
            raise InvalidValueError(f"{what} must be one column; got {frame.shape[1]} columns.")
        y = frame.iloc[:, 0]
    if not isinstance(y, pd.Series):
        y = pd.Series(column_or_1d(np.asarray(y), warn=True))
    series = y
    if _is_categorical_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        blank = series.isna().to_numpy() | series.astype(str).str.strip().eq("").to_numpy()
    else:
        blank = series.isna().to_numpy()
    if blank.any():
        raise NullValueError(
            f"{what} has {int(blank.sum())} of {len(series)} rows without an outcome "
            f"(rows {names_text(np.flatnonzero(blank)[:_N_EXAMPLES].tolist(), quote=False)}); "
            "every row "
            "needs a label (for example 1/0 or Yes/No)."
        )
    values = series.to_numpy()
    if pd.api.types.is_float_dtype(values.dtype) and not np.isfinite(values).all():
        bad = ~np.isfinite(values)
        raise InvalidValueError(
            f"{what} has {int(bad.sum())} of {len(values)} rows with an infinite value (rows "
            f"{names_text(np.flatnonzero(bad)[:_N_EXAMPLES].tolist(), quote=False)}); expected "
            "two classes."
        )
    labels = pd.unique(values)
    if len(labels) > 2 or pd.api.types.is_float_dtype(values.dtype):
        kind = type_of_target(values, input_name="y")
        if kind == "continuous":
            raise InvalidValueError(
                f"Unknown label type: {what} is continuous ({len(labels)} distinct values); "
                "expected two classes (converted or not)."
            )
        if len(labels) > 2:
            raise InvalidValueError(
                f"Only binary classification is supported. The type of the target is {kind}: "
                f"{what} has {len(labels)} classes "
                f"{names_text(sorted(map(str, labels)), limit=6)}; expected "
                "two (converted or not)."
            )
    if positive_label is not None and positive_label not in set(labels.tolist()):
        raise InvalidValueError(
            f"positive_label={positive_label!r} is not a label of {what}; labels are "
            f"{names_text(sorted(map(str, labels)))}."
        )
    if len(labels) < 2:
        raise single_class_error(what, labels[0], len(series),
                                 "a score needs examples of both classes (converted and not "
                                 "converted).")
    positive = positive_label if positive_label is not None else _positive_of_two(labels)
    negative = next(v for v in labels if v != positive)
    classes = np.asarray([negative, positive], dtype=values.dtype)
    return (values == positive).astype(np.int64), classes


def single_class_error(what: str, label: Any, n_rows: int, need: str) -> InvalidValueError:
    """The one message of every estimator refusing an outcome with a single class.

    ``"y (converted) has only one class ('No' in all 400 rows); <need>"``; NumPy scalars
    are shown as plain values (``0``, ``True``, ``'No'``).
    """
    value = label.item() if isinstance(label, np.generic) else label
    where = "its one row" if n_rows == 1 else f"all {n_rows} rows"
    return InvalidValueError(f"{what} has only one class ({value!r} in {where}); {need}")


def word_positive(a: Any, b: Any) -> Any:
    """The positive one of two labels when their meaning names it, else ``None``.

    ``True`` of True/False; the Yes-like word of a pair such as Yes/No, won/lost or
    converted/not converted (:data:`POSITIVE_WORDS`, :data:`NEGATIVE_WORDS`: also the
    other label of a pair holding one such word). Numbers and other text give ``None``.
    """
    if all(isinstance(v, (bool, np.bool_)) for v in (a, b)):
        return True
    if any(isinstance(v, (int, float, np.number)) for v in (a, b)):
        return None
    words = [str(v).strip().lower() for v in (a, b)]
    pos = [w in POSITIVE_WORDS for w in words]
    neg = [w in NEGATIVE_WORDS for w in words]
    if pos[0] != pos[1]:
        return a if pos[0] else b
    if neg[0] != neg[1]:
        return b if neg[0] else a
    return None


def _positive_of_two(labels: np.ndarray) -> Any:
    a, b = labels.tolist()
    found = word_positive(a, b)
    if found is not None:
        return found
    if all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in (a, b)):
        return max(a, b)
    return sorted((a, b), key=str)[1]


def category_codes(values: pd.Series) -> dict[str, int]:
    """Codes of the categories of a column seen in fit: the most frequent first (ties by
    text); categories beyond :data:`MAX_CATEGORIES` share the last code. Blanks get none."""
    found = pd.Series(category_values(values)).dropna()
    counts = found.value_counts(sort=True)
    ordered = sorted(counts.index, key=lambda v: (-int(counts[v]), str(v)))
    codes = {str(v): k for k, v in enumerate(ordered[:MAX_CATEGORIES])}
    codes.update({str(v): MAX_CATEGORIES for v in ordered[MAX_CATEGORIES:]})
    return codes


def encode_attributes(frame: pd.DataFrame, features: Sequence[str], kinds: dict[str, str],
                      codes: dict[str, dict[str, int]], what: str) -> np.ndarray:
    """The model matrix: numbers as float (NaN for blanks), categories as their codes
    (NaN for blanks and for a category not seen in fit)."""
    cols = []
    for col in features:
        if kinds[col] == "numeric":
            cols.append(numeric_values(frame[col], col, what))
        else:
            lookup = codes[col]
            cols.append(np.asarray([np.nan if v is None else lookup.get(v, np.nan)
                                    for v in category_values(frame[col])], dtype=np.float64))
    return np.column_stack(cols) if cols else np.empty((len(frame), 0))
