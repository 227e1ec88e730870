"""The one dataframe layer: engine detection and the glue between frame kinds.

Feature code is written once, as narwhals expressions over a narwhals
``LazyFrame``. This module turns whatever the caller passed into such a frame
and turns the result back into the caller's kind of frame:

* eager pandas, pyarrow and polars tables are computed with polars (the fast
  engine) and returned as the caller's kind (pandas in, pandas out);
* lazy frames (a polars ``LazyFrame``, a DuckDB relation, a PySpark
  DataFrame, any lazy backend narwhals supports) stay lazy: the features come
  back as a lazy frame of the same engine, computed where the data lives when
  the caller collects.

Where narwhals has no portable expression for an operation, the engine's own
implementation lives beside this module, in :mod:`custseg._frame_hooks`.

Spark's ``TimestampType`` is an instant shown in the session time zone
(``spark.sql.session.timeZone``): :attr:`FrameInfo.naive_zone` records that
zone, and a naive observation date is read in it. ``TimestampNTZType`` columns
are naive and compared with naive dates as they are.

Nothing here mutates the caller's object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

from .exceptions import InvalidDtypeError, names_text

__all__ = [
    "FrameInfo",
    "collect_small",
    "computed",
    "is_frame",
    "read_table",
    "to_kind",
    "to_lazy",
    "to_pandas",
]


@dataclass(frozen=True)
class FrameInfo:
    """What the caller passed, so the result can be returned in the same kind."""

    kind: str  # "pandas", "polars", "pyarrow", "lazy"
    columns: tuple[str, ...]
    pandas_dtypes: dict[str, Any] = field(default_factory=dict)
    engine: str = "polars"  # what computes: "polars", "duckdb", "spark" or "other"
    naive_zone: str | None = None  # the zone naive dates are read in (Spark's session zone)
    # the caller's lazy object (its DuckDB connection or Spark session gets the result back)
    source: Any = field(default=None, compare=False, repr=False)


def _engine_of(frame: nw.LazyFrame[Any]) -> tuple[str, str | None]:
    """The engine computing ``frame`` and, for Spark, its session time zone."""
    impl = frame.implementation
    if impl.is_polars():
        return "polars", None
    if impl.is_duckdb():
        return "duckdb", None
    if impl.is_pyspark() or impl.is_pyspark_connect():
        session = frame.to_native().sparkSession
        return "spark", str(session.conf.get("spark.sql.session.timeZone"))
    return "other", None


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
                    f"column '{col}' of {argname} mixes value types {names_text(kinds)} "
                    f"({n_bad} of {len(values)} rows differ from the most common type); "
                    "expected one type per column. Convert it first, e.g. "
                    f"df['{col}'].astype(str) for ids or pd.to_numeric for amounts."
                ) from err
        raise


def _wrap(native: Any, argname: str) -> Any:
    """``native`` as a narwhals frame; anything else is an InvalidDtypeError naming ``argname``."""
    if isinstance(native, (nw.DataFrame, nw.LazyFrame)):
        return native
    try:
        if isinstance(native, (nw.Series, list, tuple)) or type(native).__module__.startswith(
                "numpy"):
            raise TypeError(type(native).__name__)
        return nw.from_native(native)
    except TypeError as err:
        raise InvalidDtypeError(
            f"{argname} must be a dataframe (pandas, polars, pyarrow) or a lazy frame "
            f"(polars LazyFrame, DuckDB relation, Spark DataFrame); got {type(native).__name__}."
        ) from err


def _lazy_info(frame: nw.LazyFrame[Any], columns: tuple[str, ...], native: Any) -> FrameInfo:
    engine, zone = _engine_of(frame)
    return FrameInfo("lazy", columns, engine=engine, naive_zone=zone, source=native)


def to_lazy(native: Any, *, argname: str = "transactions") -> tuple[nw.LazyFrame[Any], FrameInfo]:
    """Wrap ``native`` as a narwhals LazyFrame and remember its kind.

    Eager inputs are moved to polars (zero-copy where Arrow allows it);
    lazy inputs are wrapped as they are.
    """
    if isinstance(native, (nw.DataFrame, nw.LazyFrame)):
        native = native.to_native()
    frame = _wrap(native, argname)
    kind = _kind_of(native)
    columns = tuple(str(c) for c in frame.columns)
    if kind == "lazy":
        if isinstance(frame, nw.DataFrame):  # an eager frame of another library
            pl_df = frame.to_polars()
            return nw.from_native(pl_df.lazy()), FrameInfo("polars", columns)
        return frame, _lazy_info(frame, columns, native)
    pandas_dtypes: dict[str, Any] = {}
    if kind == "pandas":
        pandas_dtypes = {str(c): native[c].dtype for c in native.columns}
        pl_df = _pandas_to_polars(native, argname)
    elif kind == "pyarrow":
        pl_df = pl.from_arrow(native)  # type: ignore[assignment]
    else:
        pl_df = native
    return nw.from_native(pl_df.lazy()), FrameInfo(kind, columns, pandas_dtypes)


def read_table(
    X: Any, *, argname: str = "X", backend: str | None = None, allow_arrays: bool = True
) -> tuple[Any, FrameInfo | None]:
    """The one input converter of per-customer tables: any frame in, an eager frame out.

    Parameters
    ----------
    X : Any
        pandas, polars or pyarrow table, a lazy frame (polars ``LazyFrame``, DuckDB
        relation, PySpark DataFrame) or a narwhals frame. Anything else (an array,
        a list) is returned unchanged with ``None``, for scikit-learn's own checks.
    argname : str, default="X"
        Name of the argument, for error messages.
    backend : {None, "pandas", "polars", "narwhals"}, default=None
        The eager frame returned: ``None`` keeps pandas, polars and pyarrow tables as
        they are and gives a polars frame for a lazy input; ``"pandas"`` or
        ``"polars"`` convert to that library; ``"narwhals"`` wraps the ``None`` result
        as a narwhals DataFrame.
    allow_arrays : bool, default=True
        Whether a non-frame is returned unchanged (``True``) or refused with an
        :class:`~custseg.exceptions.InvalidDtypeError` naming ``argname``.

    Returns
    -------
    frame : Any
        The eager frame (or ``X`` itself when it is not a frame).
    info : FrameInfo or None
        What was passed, for :func:`to_kind` to return the result in the same kind.

    Notes
    -----
    A lazy input is collected once, by its own engine: per-customer tables hold
    one row per customer, small enough for the driver. The caller's object is never
    modified (pandas frames are returned as they are, to be read, not written).

    Examples
    --------
    >>> import polars as pl
    >>> frame, info = read_table(pl.LazyFrame({"a": [1, 2]}), backend="pandas")
    >>> type(frame).__name__, info.kind, info.engine
    ('DataFrame', 'lazy', 'polars')
    """
    if isinstance(X, (nw.DataFrame, nw.LazyFrame)):
        X = X.to_native()
    try:
        frame = _wrap(X, argname)
    except InvalidDtypeError:
        if allow_arrays:
            return X, None
        raise
    kind = _kind_of(X)
    columns = tuple(str(c) for c in frame.columns)
    if kind == "lazy":
        if isinstance(frame, nw.LazyFrame):
            info = _lazy_info(frame, columns, X)
            frame = frame.collect(backend="polars")
        else:  # an eager frame of another library: handed back as polars
            info = FrameInfo("polars", columns)
        eager: Any = frame.to_native()
    else:
        dtypes = {str(c): X[c].dtype for c in X.columns} if kind == "pandas" else {}
        info = FrameInfo(kind, columns, dtypes)
        eager = X
    if backend == "pandas":
        eager = eager if kind == "pandas" else nw.from_native(eager, eager_only=True).to_pandas()
    elif backend == "polars" and not isinstance(eager, pl.DataFrame):
        eager = nw.from_native(eager, eager_only=True).to_polars()
    elif backend == "narwhals":
        eager = nw.from_native(eager, eager_only=True)
    return eager, info


def to_kind(result: Any, info: FrameInfo | None, *, keep_dtypes: tuple[str, ...] = ()) -> Any:
    """The one output converter: ``result`` as the kind of frame ``info`` describes.

    Parameters
    ----------
    result : Any
        An eager frame or series (pandas, polars, pyarrow or narwhals), or a narwhals
        ``LazyFrame`` (the plan of a feature builder): it stays lazy for a lazy input,
        and is collected by polars for an eager one.
    info : FrameInfo or None
        From :func:`read_table` (``None``: ``result`` is returned as it is).
    keep_dtypes : tuple of str, default=()
        Columns whose pandas dtype is restored exactly (the customer id).

    Returns
    -------
    Any
        pandas in, pandas out; polars, pyarrow likewise; a polars ``LazyFrame`` in, a
        polars ``LazyFrame`` out; a DuckDB relation in, a relation of the same
        connection out; a Spark DataFrame in, a Spark DataFrame of the same session
        out. A series goes back as a series of the eager kinds, and for a lazy engine
        (which has no row order) as a frame holding its index (the customer id) and
        its values.

    Examples
    --------
    >>> import pandas as pd, polars as pl
    >>> _, info = read_table(pl.DataFrame({"a": [1]}))
    >>> type(to_kind(pd.DataFrame({"b": [2]}), info)).__name__
    'DataFrame'
    """
    if info is None:
        return result
    if isinstance(result, nw.LazyFrame):
        if info.kind == "lazy":  # before importing pandas, which a lazy path never needs
            return result.to_native()
        result = result.collect(backend="polars")
    import pandas as pd

    if isinstance(result, (nw.DataFrame, nw.Series)):
        result = result.to_native()
    if isinstance(result, pd.Series):
        if info.kind == "pandas":
            return result
        if info.kind != "lazy":
            series = pl.from_pandas(result)
            return series if info.kind == "polars" else series.to_arrow()
        result = result.reset_index()
    if isinstance(result, pd.DataFrame):
        if info.kind == "pandas":
            for col in keep_dtypes:
                dtype = info.pandas_dtypes.get(col)
                if dtype is not None and col in result.columns and result[col].dtype != dtype:
                    result[col] = result[col].astype(dtype)
            return result
        result = pl.from_pandas(result)  # NaN is pandas' missing value: null
    df = result if isinstance(result, pl.DataFrame) else nw.from_native(
        result, eager_only=True).to_polars()
    if info.kind == "polars":
        return df
    if info.kind == "pyarrow":
        return df.to_arrow()
    if info.kind == "pandas":
        out = df.to_pandas()
        return to_kind(out, info, keep_dtypes=keep_dtypes)
    return _lazy_like(df, info)


def _lazy_like(df: pl.DataFrame, info: FrameInfo) -> Any:
    """``df`` as a lazy frame of the engine (and connection or session) of ``info``."""
    source = info.source
    if info.engine == "duckdb" and source is not None:
        _custseg_result = df.to_arrow()
        return source.query("_custseg_input", "SELECT * FROM _custseg_result")
    if info.engine == "spark" and source is not None:
        return nw.from_native(df).lazy(backend="pyspark", session=source.sparkSession).to_native()
    return df.lazy()


def to_pandas(native: Any, argname: str = "data") -> Any:
    """Any frame as a pandas DataFrame (lazy frames are collected where they live).

    The pandas form of :func:`read_table`; a non-frame is refused with an
    :class:`~custseg.exceptions.InvalidDtypeError` naming ``argname``.
    """
    return read_table(native, argname=argname, backend="pandas", allow_arrays=False)[0]


def collect_small(frame: nw.LazyFrame[Any]) -> pl.DataFrame:
    """Collect a small lazy result (a few aggregate rows) into polars."""
    df = frame.collect()
    native = df.to_native()
    if isinstance(native, pl.DataFrame):
        return native
    return df.to_polars()


def computed(frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """A polars plan computed now, as a lazy frame over its result; other engines' as is.

    For a plan read several times by the plans built on it, which polars would
    otherwise compute again for each; DuckDB and Spark plan the whole query
    themselves.
    """
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        return nw.from_native(native.collect().lazy())
    return frame
