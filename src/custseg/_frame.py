"""The one dataframe layer: engine detection and the glue between frame kinds.

Feature code is written once, as narwhals expressions over a narwhals
``LazyFrame``. This module turns whatever the caller passed into such a frame
and turns the result back into the caller's kind of frame:

* eager pandas, pyarrow and polars tables are computed with polars (the fast
  engine) and returned as the caller's kind (pandas in, pandas out);
* lazy frames (a polars ``LazyFrame``, a DuckDB relation, any lazy backend
  narwhals supports, such as PySpark) stay lazy: the features come back as a
  lazy frame of the same engine, computed when the caller collects.

Nothing here mutates the caller's object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

from .exceptions import InvalidDtypeError

__all__ = [
    "FrameInfo",
    "collect_small",
    "from_lazy",
    "is_frame",
    "parse_text_datetime",
    "to_lazy",
    "unparsed_text_rows",
    "with_row_number",
]


@dataclass(frozen=True)
class FrameInfo:
    """What the caller passed, so the result can be returned in the same kind."""

    kind: str  # "pandas", "polars", "pyarrow", "lazy"
    columns: tuple[str, ...]
    pandas_dtypes: dict[str, Any] = field(default_factory=dict)


def is_frame(obj: Any) -> bool:
    """Return whether narwhals can read ``obj`` as a dataframe or lazy frame."""
    try:
        nw.from_native(obj)
    except TypeError:
        return False
    return True


def _kind_of(native: Any) -> str:
    module = type(native).__module__.split(".")[0]
    if module == "pandas":
        return "pandas"
    if module == "pyarrow":
        return "pyarrow"
    if isinstance(native, pl.DataFrame):
        return "polars"
    return "lazy"


def _pandas_to_polars(native: Any, argname: str) -> pl.DataFrame:
    """Convert pandas to polars; a column Arrow cannot hold gets a clear error."""
    try:
        return pl.from_pandas(native, nan_to_null=False)
    except Exception as err:  # pyarrow raises several types for mixed object columns
        for col in native.columns:
            values = native[col]
            try:
                pl.from_pandas(values.to_frame(), nan_to_null=False)
            except Exception:
                kinds = sorted({type(v).__name__ for v in values.dropna()})
                bad = values.map(type).astype(str)
                n_bad = int((bad != bad.mode().iloc[0]).sum()) if len(bad) else 0
                raise InvalidDtypeError(
                    f"column '{col}' of {argname} mixes value types {kinds} "
                    f"({n_bad} of {len(values)} rows differ from the most common type); "
                    "expected one type per column. Convert it first, e.g. "
                    f"df['{col}'].astype(str) for ids or pd.to_numeric for amounts."
                ) from err
        raise


def to_lazy(native: Any, *, argname: str = "transactions") -> tuple[nw.LazyFrame[Any], FrameInfo]:
    """Wrap ``native`` as a narwhals LazyFrame and remember its kind.

    Eager inputs are moved to polars (zero-copy where Arrow allows it);
    lazy inputs are wrapped as they are.
    """
    if isinstance(native, (nw.DataFrame, nw.LazyFrame)):
        native = native.to_native()
    try:
        frame = nw.from_native(native)
    except TypeError as err:
        raise InvalidDtypeError(
            f"{argname} must be a dataframe (pandas, polars, pyarrow) or a lazy frame "
            f"(polars LazyFrame, DuckDB relation, ...); got {type(native).__name__}."
        ) from err
    kind = _kind_of(native)
    columns = tuple(str(c) for c in frame.columns)
    if kind == "lazy":
        if isinstance(frame, nw.DataFrame):  # an eager frame of another library
            pl_df = frame.to_polars()
            return nw.from_native(pl_df.lazy()), FrameInfo("polars", columns)
        return frame, FrameInfo("lazy", columns)
    pandas_dtypes: dict[str, Any] = {}
    if kind == "pandas":
        pandas_dtypes = {str(c): native[c].dtype for c in native.columns}
        pl_df = _pandas_to_polars(native, argname)
    elif kind == "pyarrow":
        pl_df = pl.from_arrow(native)  # type: ignore[assignment]
    else:
        pl_df = native
    return nw.from_native(pl_df.lazy()), FrameInfo(kind, columns, pandas_dtypes)


def from_lazy(
    result: nw.LazyFrame[Any], info: FrameInfo, *, keep_dtypes: tuple[str, ...] = ()
) -> Any:
    """Return ``result`` as the kind of frame described by ``info``.

    ``keep_dtypes`` names columns whose pandas dtype must be restored exactly
    (the customer id keeps the caller's dtype).
    """
    if info.kind == "lazy":
        return result.to_native()
    df = result.collect().to_native()
    if not isinstance(df, pl.DataFrame):  # pragma: no cover - polars is the eager engine
        df = nw.from_native(df).to_polars()
    if info.kind == "polars":
        return df
    if info.kind == "pyarrow":
        return df.to_arrow()
    out = df.to_pandas()
    for col in keep_dtypes:
        dtype = info.pandas_dtypes.get(col)
        if dtype is not None and col in out.columns and out[col].dtype != dtype:
            out[col] = out[col].astype(dtype)
    return out


def collect_small(frame: nw.LazyFrame[Any]) -> pl.DataFrame:
    """Collect a small lazy result (a few aggregate rows) into polars."""
    df = frame.collect()
    native = df.to_native()
    if isinstance(native, pl.DataFrame):
        return native
    return df.to_polars()


# Engine-specific helpers: the only places outside narwhals expressions. Each has a polars
# path (eager inputs and polars lazy frames) and a portable narwhals fallback.


def with_row_number(
    frame: nw.LazyFrame[Any], info: FrameInfo, *, name: str = "row"
) -> tuple[nw.LazyFrame[Any], list[str]]:
    """Add a 0-based row number column ``name`` for error messages (eager inputs only:
    lazy engines have no row order)."""
    native = frame.to_native()
    if info.kind != "lazy" and isinstance(native, pl.LazyFrame):
        return nw.from_native(native.with_row_index(name)), [name]
    return frame, []


def parse_text_datetime(
    frame: nw.LazyFrame[Any], col: str, time_format: str | None, *, raw_name: str
) -> nw.LazyFrame[Any]:
    """Parse text column ``col`` into microsecond datetimes, keeping the text as ``raw_name``.

    With polars the parse is lenient (a bad value becomes null, so the caller can count
    and show them); other engines parse strictly through narwhals.
    """
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        return nw.from_native(native.with_columns(
            pl.col(col).alias(raw_name),
            pl.col(col).str.strip_chars().str.to_datetime(
                format=time_format, strict=False, time_unit="us"),
        ))
    parsed = (
        nw.col(col).cast(nw.Datetime("us"))  # the engine's own ISO 8601 cast
        if time_format is None
        else nw.col(col).str.to_datetime(format=time_format).cast(nw.Datetime("us"))
    )
    return frame.with_columns(nw.col(col).alias(raw_name), parsed)


def unparsed_text_rows(
    frame: nw.LazyFrame[Any], col: str, time_format: str | None
) -> nw.LazyFrame[Any]:
    """The rows of ``frame`` whose text in ``col`` does not parse as a timestamp."""
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        parsed = pl.col(col).str.strip_chars().str.to_datetime(
            format=time_format, strict=False, time_unit="us")
        return nw.from_native(native.filter(pl.col(col).is_not_null() & parsed.is_null()))
    return frame.head(0)
