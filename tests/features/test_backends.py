"""The same features from pandas, polars, pyarrow, polars LazyFrame, DuckDB and Spark input."""

from __future__ import annotations

import pandas as pd
import pytest

from custseg.datasets import load_cdnow
from custseg.features import (
    BTYDFeatures,
    CustomerFeatures,
    behavioural_features,
    btyd_summary,
    calibration_holdout,
    customer_features,
    rfm,
)
from tests.conftest import BACKENDS, to_backend, to_pandas


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return load_cdnow(sample=True).drop(columns="master_id")


BUILDERS = {
    "rfm": lambda x: rfm(x, observation_date="1997-12-31", future="drop"),
    "btyd": lambda x: btyd_summary(x, observation_date="1997-09-30", unit="W", future="drop"),
    "behaviour": lambda x: behavioural_features(x, quantity_col="quantity"),
    "customer": lambda x: customer_features(x, quantity_col="quantity"),
    "customer_row": lambda x: customer_features(x, occasion="row"),
}


# Spark runs a representative subset (each Spark query costs seconds, not milliseconds):
# RFM at a naive observation date and the full feature table (RFM + behaviour); the BTYD
# summary on Spark is checked on all of CDNOW in tests/features/test_spark.py.
SPARK_BUILDERS = ("rfm", "customer")
CASES = [(b, e) for b in BUILDERS for e in BACKENDS] + [
    pytest.param(b, "spark", marks=pytest.mark.spark) for b in SPARK_BUILDERS]


@pytest.mark.parametrize(("builder", "backend"), CASES)
def test_backends_give_identical_features(sample, backend, builder):
    expected = BUILDERS[builder](sample)
    data = to_backend(sample, backend)
    result = BUILDERS[builder](data)
    assert type(result).__module__.split(".")[0] == type(data).__module__.split(".")[0]
    pd.testing.assert_frame_equal(to_pandas(result), expected, check_dtype=False)


def test_lazy_stays_lazy(sample):
    import polars as pl

    lazy = pl.from_pandas(sample).lazy()
    assert isinstance(rfm(lazy), pl.LazyFrame)
    assert isinstance(CustomerFeatures().fit_transform(lazy), pl.LazyFrame)


def test_calibration_holdout_backends(sample, engine):
    expected = calibration_holdout(sample, "1997-09-30", unit="W")
    result = calibration_holdout(to_backend(sample, engine), "1997-09-30", unit="W")
    assert (result.n_calibration_rows, result.n_holdout_rows, result.n_customers) == (
        expected.n_calibration_rows, expected.n_holdout_rows, expected.n_customers)
    pd.testing.assert_frame_equal(to_pandas(result.features), expected.features,
                                  check_dtype=False)


def test_transformer_backends(sample, backend):
    expected = BTYDFeatures(unit="W").fit_transform(sample)
    result = BTYDFeatures(unit="W").fit(to_backend(sample, backend)).transform(
        to_backend(sample, backend))
    pd.testing.assert_frame_equal(to_pandas(result), expected, check_dtype=False)
