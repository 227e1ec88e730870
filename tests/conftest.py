"""Shared fixtures: one fixture runs a test per dataframe backend."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

BACKENDS = ["pandas", "polars", "pyarrow", "polars_lazy", "duckdb"]


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
    raise ValueError(backend)


def to_pandas(result: Any) -> pd.DataFrame:
    """Collect any backend's result into pandas."""
    if isinstance(result, pd.DataFrame):
        return result
    import narwhals.stable.v2 as nw

    frame = nw.from_native(result)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    return frame.to_pandas()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param
