"""Engine hooks: the operations narwhals has no portable expression for.

Each hook has one implementation per engine where narwhals lacks one (polars,
DuckDB's SQL, Spark) and a narwhals fallback for other lazy engines:

* :func:`with_epoch` turns timestamps into epoch microseconds, from which every
  duration is an integer difference (Spark has no ``total_seconds``);
  :func:`epoch_us` is its driver-side twin for the reference dates;
* :func:`with_row_number` numbers the rows of an eager input, for the examples
  shown in error messages (lazy engines have no row order);
* :func:`in_customer_parts` computes a per-customer table part by part of the
  customers on polars, whose aggregations keyed by purchase occasion are held in
  memory (DuckDB and Spark spill and partition by themselves).

The conversion between frame kinds is :mod:`custseg._frame`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

from ._frame import FrameInfo

__all__ = ["epoch_us", "in_customer_parts", "with_epoch", "with_row_number"]


def with_row_number(
    frame: nw.LazyFrame[Any], info: FrameInfo, *, name: str = "row"
) -> tuple[nw.LazyFrame[Any], list[str]]:
    """Add a 0-based row number column ``name`` for error messages (eager inputs only:
    lazy engines have no row order)."""
    native = frame.to_native()
    if info.kind != "lazy" and isinstance(native, pl.LazyFrame):
        return nw.from_native(native.with_row_index(name)), [name]
    return frame, []


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


def in_customer_parts(
    frame: nw.LazyFrame[Any], build: Callable[[nw.LazyFrame[Any]], nw.LazyFrame[Any]], *,
    key: str, parts: int,
) -> nw.LazyFrame[Any]:
    """``build(frame)``, a per-customer table, computed in ``parts`` parts on polars.

    Each part holds the customers of one bucket of a hash of ``key``, so every
    customer's rows are in one part and its row of the table is the same. polars
    holds an aggregation keyed by (customer, occasion) in memory, about 100 bytes
    a key: 1.4 GB at 10M rows, 8.5 GB at 100M. Built part by part (one after the
    other, each part a filter of the log), the peak is that of one part: on 100M
    rows in 16 parts 1.5 GB, in no more time (benchmarks/bench_scale.py). DuckDB
    and Spark spill and partition by themselves: ``build(frame)`` as it is.
    """
    native = frame.to_native()
    if parts <= 1 or not isinstance(native, pl.LazyFrame):
        return build(frame)
    bucket = pl.col(key).hash() % parts
    return nw.from_native(pl.concat(
        [build(nw.from_native(native.filter(bucket == i))).to_native() for i in range(parts)],
        parallel=False))
