"""Shared helpers of the plotting functions: axes creation, checks (frames: ``_frame``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._frame import is_frame
from .._frame import to_pandas as to_pandas  # the one converter, for the plot modules
from ..exceptions import (
    EmptyDataError,
    InvalidDtypeError,
    InvalidValueError,
    MissingColumnError,
    names_text,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def get_ax(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """Return ``ax``, or a new Axes on a new figure when it is None.

    The new figure is made with :func:`matplotlib.pyplot.subplots` so that it
    shows in notebooks; nothing else in pyplot's state is touched.
    """
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def is_frame_like(obj: Any) -> bool:
    """Whether ``obj`` is a two-dimensional table (not a series or an array)."""
    if isinstance(obj, pd.DataFrame):
        return True
    if isinstance(obj, (pd.Series, np.ndarray, list, tuple)):
        return False
    return is_frame(obj)


def to_series(values: Any, argname: str) -> pd.Series:
    """A one-dimensional array-like (list, numpy, pandas or polars series) as pandas."""
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise InvalidValueError(
                f"{argname} must be one-dimensional; got a frame with {values.shape[1]} columns."
            )
        return values.iloc[:, 0]
    if hasattr(values, "to_pandas") and not isinstance(values, np.ndarray):
        out = values.to_pandas()
        if isinstance(out, pd.Series):
            return out
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InvalidValueError(
            f"{argname} must be one-dimensional; got an array of shape {arr.shape}."
        )
    return pd.Series(arr, name=argname)


def require_columns(df: pd.DataFrame, columns: Sequence[str], argname: str = "data") -> None:
    """Raise a :class:`MissingColumnError` naming the missing and available columns."""
    available = [str(c) for c in df.columns]
    missing = [str(c) for c in columns if c not in df.columns]
    if missing:
        raise MissingColumnError.from_missing_and_available(missing, available, where=argname)


def require_rows(n: int, argname: str) -> None:
    """Raise an :class:`EmptyDataError` when there is nothing to plot."""
    if n == 0:
        raise EmptyDataError(f"{argname} has 0 rows; there is nothing to plot.")


def binary_target(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a 0/1 target and a score of the same length, without missing values."""
    y = to_series(y_true, "y_true")
    if isinstance(y_score, np.ndarray) and y_score.ndim == 2 and y_score.shape[1] == 2:
        y_score = y_score[:, 1]  # predict_proba output: the churn column
    s = to_series(y_score, "y_score")
    if len(y) != len(s):
        raise InvalidValueError(
            f"y_true has {len(y)} values but y_score has {len(s)}; they must be aligned."
        )
    require_rows(len(y), "y_true")
    y_arr = y.to_numpy()
    if y_arr.dtype == bool:
        y_arr = y_arr.astype(np.int64)
    try:
        y_num = np.asarray(y_arr, dtype=float)
    except (TypeError, ValueError) as err:
        raise InvalidDtypeError(
            f"y_true must hold 0/1 (or True/False) labels; got dtype {y.dtype}."
        ) from err
    bad = ~np.isin(y_num, (0.0, 1.0))
    if bad.any():
        examples = pd.unique(y_arr[bad])[:3].tolist()
        raise InvalidValueError(
            f"y_true must hold 0/1 (or True/False) labels; {int(bad.sum())} values are not, "
            f"for example {names_text(examples)}."
        )
    try:
        s_num = np.asarray(s.to_numpy(), dtype=float)
    except (TypeError, ValueError) as err:
        raise InvalidDtypeError(f"y_score must be numeric; got dtype {s.dtype}.") from err
    n_bad = int((~np.isfinite(s_num)).sum())
    if n_bad:
        raise InvalidValueError(
            f"y_score has {n_bad} missing or infinite values; expected finite scores."
        )
    return y_num.astype(np.int64), s_num


def format_number(v: float, fmt: str | None = None) -> str:
    """``v`` with ``fmt``, or readably: thousands separators above 100, 3 digits below."""
    if fmt is not None:
        return format(v, fmt)
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def annotate_cells(
    ax: Axes, values: np.ndarray, fmt: str | None, image: Any, *, fontsize: float = 8
) -> None:
    """Write each cell value of a heatmap in a colour that contrasts with the cell."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    norm = image.norm
    cmap = image.get_cmap()
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            if not np.isfinite(v):
                continue
            r, g, b, _ = cmap(norm(v))
            luminance = 0.299 * r + 0.587 * g + 0.114 * b
            ax.text(
                j, i, format_number(v, fmt), ha="center", va="center", fontsize=fontsize,
                color="black" if luminance > 0.5 else "white",
            )
