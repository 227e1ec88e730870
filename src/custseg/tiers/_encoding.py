"""Attribute encoding of TierClassifier, by the shared rules of :mod:`custseg._attributes`.

Blank values (null, NaN, empty or all-space text) are missing, a category not seen in fit
is missing too, and missing values follow the side of each split that the tree learnt
for them; infinite numbers and date columns are refused.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._attributes import category_values, numeric_values
from .._sklearn_compat import validate_data
from ..exceptions import DataWarning, InvalidDtypeError
from ._common import as_pandas, column_diff_error, labels_text, missing_columns_error

WHAT = "TierClassifier"


def _is_categorical_dtype(dtype: Any) -> bool:
    if isinstance(dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_bool_dtype(dtype):
        return False  # booleans are 0/1 numbers, read "flag = TRUE" in the rules
    return not pd.api.types.is_numeric_dtype(dtype)


def categorical_columns(frame: pd.DataFrame, categorical_features: Any) -> list[str]:
    """The categorical columns of ``frame``; date columns are refused."""
    names = [str(c) for c in frame.columns]
    dates = [
        str(c)
        for c in frame.columns
        if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)
        or pd.api.types.is_timedelta64_dtype(frame[c].dtype)
    ]
    if dates:
        raise InvalidDtypeError(
            f"{WHAT}: {labels_text(dates, 'column')} hold dates or durations; drop them or "
            "turn them into numbers (for example days since the last purchase, as "
            "recency_days) first."
        )
    if isinstance(categorical_features, str) and categorical_features == "auto":
        return [str(c) for c in frame.columns if _is_categorical_dtype(frame[c].dtype)]
    missing = [c for c in categorical_features if c not in names]
    if missing:
        raise missing_columns_error(missing, names, f"{WHAT} categorical_features")
    return [str(c) for c in categorical_features]


def learn_categories(
    frame: pd.DataFrame, cat_cols: list[str], pos: np.ndarray, w: np.ndarray
) -> dict[str, list[str]]:
    """Each categorical column's categories, best first (by mean grade position).

    Blank values are not a category: they are missing, as is any category not listed.
    """
    out = {}
    for col in cat_cols:
        vals = category_values(frame[col])
        known = [v for v in vals.tolist() if v is not None]
        if len(vals) >= 20 and len(set(known)) == len(vals):
            warnings.warn(
                f"{WHAT}: categorical column '{col}' has a different value in each of the "
                f"{len(vals)} rows; is it a customer id? Drop id columns from the features.",
                DataWarning,
                stacklevel=4,
            )
        table = pd.DataFrame({"c": vals, "wr": w * pos, "w": w})
        agg = table.dropna(subset=["c"]).groupby("c", sort=True).sum()
        mean = np.where(agg["w"] > 0, agg["wr"] / agg["w"].where(agg["w"] > 0, 1.0), np.inf)
        order = sorted(range(len(agg)), key=lambda k: (mean[k], str(agg.index[k])))
        out[col] = [str(agg.index[k]) for k in order]
    return out


def numeric_column(values: pd.Series, column: str) -> np.ndarray:
    """A numeric or boolean column as float64, NaN for blanks; text and inf refused."""
    if isinstance(values.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)
    ):
        raise InvalidDtypeError(
            f"{WHAT}: column '{column}' has dtype {values.dtype}; a numeric dtype was "
            "expected (or name the column in categorical_features)."
        )
    return numeric_values(values, column, WHAT)


def encode(frame: pd.DataFrame, categories: dict[str, list[str]]) -> pd.DataFrame:
    """Numeric copy of the frame: categories replaced by their code, NaN when missing."""
    out = {}
    for col in frame.columns:
        name = str(col)
        if name in categories:
            codes = {c: float(k) for k, c in enumerate(categories[name])}
            vals = category_values(frame[col])
            out[name] = np.asarray(
                [np.nan if v is None else codes.get(v, np.nan) for v in vals], dtype=np.float64
            )
        else:
            out[name] = numeric_column(frame[col], name)
    return pd.DataFrame(out, index=frame.index)


def _check_frame_columns(est: Any, frame: pd.DataFrame) -> pd.DataFrame:
    seen = [str(c) for c in est.feature_names_in_]
    got = [str(c) for c in frame.columns]
    if sorted(seen) != sorted(got) or len(set(got)) != len(got):
        raise column_diff_error(seen, got, "TierClassifier.predict")
    return frame if got == seen else frame[list(est.feature_names_in_)]


def feature_matrix(est: Any, X: Any, reset: bool) -> np.ndarray:
    """TierClassifier's features as float64: an array as is, a frame encoded (see above)."""
    frame = as_pandas(X)
    if frame is None:
        arr = validate_data(
            est, X, reset=reset, dtype=np.float64, ensure_all_finite="allow-nan"
        )
        return np.asarray(arr, dtype=np.float64)
    if not reset and hasattr(est, "feature_names_in_"):
        frame = _check_frame_columns(est, frame)
    encoded = encode(frame, est.categories_)
    arr = validate_data(
        est, encoded, reset=reset, dtype=np.float64, ensure_all_finite="allow-nan"
    )
    return np.asarray(arr, dtype=np.float64)
