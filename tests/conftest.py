"""Shared fixtures: one fixture runs a test per dataframe backend.

``backend`` runs a test on the in-process engines (pandas, polars, pyarrow, a
polars LazyFrame, DuckDB); ``engine`` adds real PySpark (``local[2]``, one
session for the whole run, started on first use) for the tests that must show
the same result on Spark.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

import pandas as pd
import pytest

BACKENDS = ["pandas", "polars", "pyarrow", "polars_lazy", "duckdb"]
ENGINES = [*BACKENDS, pytest.param("spark", marks=pytest.mark.spark)]


@functools.cache
def spark_session() -> Any:
    """The one local Spark session of the test run (skips when PySpark or Java is absent).

    Small and quiet: two local cores, two shuffle partitions, no UI, no adaptive
    re-planning (a few thousand rows gain nothing from it), UTC session time zone.
    """
    pytest.importorskip("pyspark")
    import shutil

    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed (make install brings it)")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("custseg-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if spark_session.cache_info().currsize:
        try:
            spark_session().stop()
        except BaseException:  # pragma: no cover - a session that never started
            pass


def to_backend(df: pd.DataFrame, backend: str) -> Any:
    """Convert a pandas frame to the named backend."""
    if backend == "pandas":
        return df
    import polars as pl

    if backend == "polars":
        return pl.from_pandas(df)
    if backend == "polars_lazy":
        return pl.from_pandas(df).lazy()
    import pyarrow as pa

    table = pa.Table.from_pandas(df, preserve_index=False)
    if backend == "pyarrow":
        return table
    if backend == "duckdb":
        duckdb = pytest.importorskip("duckdb")
        con = duckdb.connect()
        return con.from_arrow(table)
    if backend == "spark":
        return spark_session().createDataFrame(table)
    raise ValueError(backend)


def to_pandas(result: Any) -> pd.DataFrame:
    """Collect any backend's result into pandas.

    Time-zone aware columns (Spark's ``TimestampType``, an instant shown in the
    session time zone, UTC here) come back as the naive wall-clock time of that
    zone, as the pandas path returns them.
    """
    if isinstance(result, pd.DataFrame):
        return result
    import narwhals.stable.v2 as nw

    frame = nw.from_native(result)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    out = frame.to_pandas()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


@pytest.fixture(scope="session")
def cdnow_spark() -> Any:
    """The full CDNOW log (69,659 rows, 23,570 customers) as one Spark DataFrame of the run.

    Shared by the Spark test modules: creating it costs 10-20 s on a busy machine.
    """
    from custseg.datasets import load_cdnow

    return to_backend(load_cdnow(), "spark")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return request.param
