"""LeadScorer's input: a table of lead attributes (an array gets columns x0, x1...)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._attributes import attribute_frame
from .._frame import is_frame
from .._sklearn_compat import validate_data
from ..exceptions import ColumnMismatchError, EmptyDataError

__all__ = ["lead_table"]


def lead_table(est: Any, X: Any, reset: bool) -> tuple[pd.DataFrame, Any]:
    """Attributes as a pandas frame (arrays get columns x0, x1...) and the lead index.

    ``est`` is the :class:`LeadScorer` (its ``customer_col``; the feature names and width
    are checked, or recorded with ``reset``, on it).
    """
    if not is_frame(X):
        arr = validate_data(est, X, reset=reset, dtype=np.float64,
                            ensure_all_finite="allow-nan")
        frame = pd.DataFrame(arr, columns=[f"x{j}" for j in range(arr.shape[1])])
        return frame, frame.index
    frame = attribute_frame(X, what="LeadScorer")
    try:
        validate_data(est, frame, reset=reset, skip_check_array=True)
    except ValueError as err:  # sklearn's feature-name and width checks
        raise ColumnMismatchError(f"LeadScorer: {err}") from err
    if len(frame) == 0:
        raise EmptyDataError("LeadScorer: the prospect table has 0 rows.")
    index = (pd.Index(frame[est.customer_col]) if est.customer_col in frame.columns
             else frame.index)
    return frame, index
