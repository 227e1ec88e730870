"""ChurnPredictor's features: numeric columns, or a table of attributes (text, categories)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._attributes import attribute_frame, attribute_kinds, category_codes, encode_attributes
from .._frame import is_frame
from .._sklearn_compat import validate_data
from ..exceptions import ColumnMismatchError, InvalidDtypeError, names_text

__all__ = ["attribute_matrix", "non_numeric_columns"]


def non_numeric_columns(X: Any) -> list[str]:
    """Names of the non-numeric columns of a dataframe (empty for arrays)."""
    if isinstance(X, pd.DataFrame):
        return [str(c) for c, d in X.dtypes.items()
                if not (pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d))]
    if is_frame(X) and not isinstance(X, np.ndarray):
        import narwhals.stable.v2 as nw

        frame = nw.from_native(X)
        schema = frame.collect_schema()
        return [str(c) for c, d in schema.items() if not (d.is_numeric() or d == nw.Boolean())]
    return []


def _looks_like_id(values: pd.Series) -> bool:
    """A text column with a different value in every row (of ten or more), or named so."""
    if str(values.name) in {"customer_id", "id"}:
        return True
    return len(values) >= 10 and values.nunique(dropna=False) == len(values)


def attribute_matrix(
    est: Any, X: Any, reset: bool,
) -> tuple[np.ndarray, dict[str, Any]]:
    """A table with text, categorical or boolean columns: the shared attribute rules
    (custseg._attributes, as LeadScorer): blanks and unseen categories are missing."""
    frame = attribute_frame(X, what="ChurnPredictor")
    try:
        validate_data(est, frame, reset=reset, skip_check_array=True)
    except ValueError as err:  # sklearn's feature-name and width checks
        raise ColumnMismatchError(f"ChurnPredictor: {err}") from err
    if reset:
        features = [str(c) for c in frame.columns]
        kinds = attribute_kinds(frame, features, "auto", "ChurnPredictor")
        ids = [c for c in features if kinds[c] == "categorical" and _looks_like_id(frame[c])]
        if ids:
            raise InvalidDtypeError(
                f"X has {len(ids)} non-numeric column(s) {names_text(ids)} with a different "
                "value in "
                "every row (a customer id?); ChurnPredictor reads text columns as "
                "categories, not ids: drop the customer id and any label column (such as "
                "'customer_id' and 'churned') from X."
            )
        codes = {c: category_codes(frame[c]) for c in features if kinds[c] == "categorical"}
        state: dict[str, Any] = {"features": features, "kinds": kinds, "codes": codes}
    else:
        state = dict(est._attribute_state or {})
    M = encode_attributes(frame, state["features"], state["kinds"], state["codes"],
                          "ChurnPredictor")
    return M, state
