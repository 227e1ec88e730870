"""Fitted tables kept as builtins and NumPy arrays, so skops can save estimators safely.

skops refuses pandas objects (they cannot be rebuilt without running code), so an
estimator stores a table with :func:`frame_to_state` and rebuilds it on access
with :func:`frame_from_state`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype

__all__ = ["frame_from_state", "frame_to_state"]


def frame_to_state(frame: pd.DataFrame) -> dict[str, Any]:
    """A DataFrame as a dict of builtins and numeric NumPy arrays.

    Numeric and boolean columns become arrays; any other column becomes a list
    of ``str``. The index must be numeric or text as well.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.utils._state import frame_from_state, frame_to_state
    >>> df = pd.DataFrame({"name": ["a", "b"], "size": [3, 4]})
    >>> frame_from_state(frame_to_state(df)).equals(df)
    True
    """

    def column(values: pd.Series | pd.Index) -> Any:
        if is_numeric_dtype(values.dtype) or is_bool_dtype(values.dtype):
            return np.asarray(values)
        return [str(v) for v in values]

    return {
        "index_name": frame.index.name,
        "index": column(frame.index),
        "columns": [str(c) for c in frame.columns],
        "data": [column(frame[c]) for c in frame.columns],
    }


def frame_from_state(state: dict[str, Any]) -> pd.DataFrame:
    """The DataFrame that :func:`frame_to_state` stored (a new object per call).

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.utils._state import frame_from_state, frame_to_state
    >>> frame_from_state(frame_to_state(pd.DataFrame({"x": [1.5]}))).x.tolist()
    [1.5]
    """
    index = pd.Index(state["index"], name=state["index_name"])
    data = dict(zip(state["columns"], state["data"], strict=True))
    return pd.DataFrame(data, index=index)
