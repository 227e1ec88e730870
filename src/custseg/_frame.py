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

Where narwhals has no portable expression for an operation, this module holds
it as a *hook* with one implementation per engine (polars, DuckDB's SQL, Spark)
and a narwhals fallback: :func:`with_epoch` (timestamps as epoch microseconds,
from which every duration is an integer difference).

Spark's ``TimestampType`` is an instant shown in the session time zone
(``spark.sql.session.timeZone``): :attr:`FrameInfo.naive_zone` records that
zone, and a naive observation date is read in it. ``TimestampNTZType`` columns
are naive and compared with naive dates as they are.

Nothing here mutates the caller's object.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

from .exceptions import InvalidDtypeError

__all__ = [
    "FrameInfo",
    "collect_small",
    "epoch_us",
    "from_lazy",
    "is_frame",
    "parse_text_datetime",
    "to_lazy",
    "to_pandas",
    "unparsed_text_rows",
    "with_epoch",
    "with_row_number",
]


@dataclass(frozen=True)
class FrameInfo:
    """What the caller passed, so the result can be returned in the same kind."""

    kind: str  # "pandas", "polars", "pyarrow", "lazy"
    columns: tuple[str, ...]
    pandas_dtypes: dict[str, Any] = field(default_factory=dict)
    engine: str = "polars"  # what computes: "polars", "duckdb", "spark" or "other"
    naive_zone: str | None = None  # the zone naive dates are read in (Spark's session zone)


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
        engine, zone = _engine_of(frame)
        return frame, FrameInfo("lazy", columns, engine=engine, naive_zone=zone)
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


def to_pandas(native: Any) -> Any:
    """Any frame as a pandas DataFrame: lazy frames are collected (where they live)."""
    import pandas as pd

    if isinstance(native, pd.DataFrame):
        return native
    frame = native if isinstance(native, (nw.DataFrame, nw.LazyFrame)) else nw.from_native(native)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return frame.to_pandas()


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


_EPOCH = dt.datetime(1970, 1, 1)


def epoch_us(when: dt.datetime) -> int:
    """Microseconds from the Unix epoch to ``when`` (a naive ``when`` is read as UTC).

    The driver-side twin of :func:`with_epoch`, for the reference dates of durations.
    """
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return (when - _EPOCH) // dt.timedelta(microseconds=1)


def with_epoch(frame: nw.LazyFrame[Any], columns: dict[str, str]) -> nw.LazyFrame[Any]:
    """Add, for each ``source: target`` pair, ``target`` = ``source`` in epoch microseconds.

    Durations are then integer differences, exact on every engine (narwhals has no
    portable timestamp-to-number: Spark lacks ``total_seconds``). Naive timestamps
    count their wall-clock time as UTC, aware ones their instant, as :func:`epoch_us`.
    """
    native = frame.to_native()
    if isinstance(native, pl.LazyFrame):
        return nw.from_native(native.with_columns(
            pl.col(src).dt.epoch("us").alias(dst) for src, dst in columns.items()))
    impl = frame.implementation
    if impl.is_duckdb():
        import duckdb

        exprs = [duckdb.StarExpression()] + [
            duckdb.FunctionExpression("epoch_us", duckdb.ColumnExpression(src)).alias(dst)
            for src, dst in columns.items()]
        return nw.from_native(native.select(*exprs))
    if impl.is_pyspark() or impl.is_pyspark_connect():
        from pyspark.sql import functions as F
        from pyspark.sql.types import TimestampNTZType

        types = {f.name: f.dataType for f in native.schema.fields}

        def spark_epoch(src: str) -> Any:
            if isinstance(types[src], TimestampNTZType):  # wall-clock time, read as UTC
                return F.expr(
                    f"timestampdiff(MICROSECOND, TIMESTAMP_NTZ'1970-01-01 00:00:00', `{src}`)")
            return F.unix_micros(F.col(src))

        return nw.from_native(native.withColumns(
            {dst: spark_epoch(src) for src, dst in columns.items()}))
    epoch = nw.lit(_EPOCH)
    return frame.with_columns(
        (nw.col(src) - epoch).dt.total_microseconds().alias(dst) for src, dst in columns.items())
