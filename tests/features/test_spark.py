"""Features computed on Spark: equal to the pandas path, and the log never reaches the driver."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from custseg.churn import churn_labels
from custseg.datasets import load_cdnow
from custseg.features import (
    behavioural_features,
    btyd_summary,
    calibration_holdout,
    customer_features,
    rfm,
)
from tests.conftest import spark_session, to_backend, to_pandas

pytestmark = pytest.mark.spark

MONEY = ("monetary_total", "monetary_mean", "monetary_value", "spend_30d", "spend_90d",
         "spend_365d", "avg_order_value", "monetary_value_cal", "monetary_holdout")
DAYS = ("recency_days", "tenure_days", "recency", "T", "ipt_mean_days", "ipt_median_days",
        "recency_cal", "T_cal", "duration_holdout")


def assert_same_features(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Every column equal: money well within a cent, days exactly, ids and counts exactly.

    Money is compared before rounding (a mean such as 10.005 sits on a half cent, where
    rounding either engine's last bit flips the cent).
    """
    assert got.columns.tolist() == expected.columns.tolist()
    assert len(got) == len(expected)
    for col in expected.columns:
        a, b = got[col], expected[col]
        if col in MONEY:
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=0,
                                       atol=1e-9, err_msg=col)
        elif col in DAYS or not pd.api.types.is_float_dtype(b):
            np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), col)
        else:  # ratios and standard deviations: the engines' float algorithms differ
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-9,
                                       err_msg=col)


@pytest.fixture(scope="module")
def master() -> pd.DataFrame:
    return load_cdnow()  # the full CDNOW master log: 69,659 rows, 23,570 customers


@pytest.fixture(scope="module")
def master_spark(cdnow_spark):
    return cdnow_spark


# Every feature builder's columns on the full log. customer_features holds exactly the
# columns of rfm and behavioural_features (computed by the same expressions), so those two
# are not run again: each Spark pass over the full log costs 10-30 s on a busy 2-core machine.
BUILDERS = {
    "btyd_summary": lambda log: btyd_summary(log, observation_date="1997-09-30",
                                             future="drop"),
    "customer_features": lambda log: customer_features(log, quantity_col="quantity"),
    "churn_labels": lambda log: churn_labels(log, "1997-12-31", 90),
    "calibration_holdout": lambda log: calibration_holdout(log, "1997-09-30",
                                                           "1998-06-30").features,
}


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_cdnow_features_on_spark_equal_pandas(builder, master, master_spark):
    if builder == "customer_features":
        assert set(customer_features(master.head(50))) == set(rfm(master.head(50))) | set(
            behavioural_features(master.head(50)))
    expected = BUILDERS[builder](master)
    result = BUILDERS[builder](master_spark)
    assert type(result).__module__.startswith("pyspark")
    got = to_pandas(result)
    assert len(got) == len(expected) == 23_570  # every customer of the log
    assert_same_features(got, expected)


class DriverRows:
    """Count the rows every Spark action hands to the driver while it is installed."""

    METHODS = ("collect", "toPandas", "toArrow", "take", "head", "first", "toLocalIterator",
               "_collect_as_arrow")

    def __init__(self, monkeypatch: pytest.MonkeyPatch, frame_type: type) -> None:
        self.received: list[int] = []
        for name in self.METHODS:
            if hasattr(frame_type, name):
                monkeypatch.setattr(frame_type, name, self._counting(getattr(frame_type, name)))

    def _counting(self, method: Any) -> Any:
        def wrapper(df: Any, *args: Any, **kwargs: Any) -> Any:
            out = method(df, *args, **kwargs)
            rows = getattr(out, "num_rows", None)
            if rows is None:
                rows = len(out) if hasattr(out, "__len__") else 1
            self.received.append(int(rows))
            return out

        return wrapper


def test_log_is_never_collected(monkeypatch):
    sample = load_cdnow(sample=True).drop(columns="master_id")
    log = to_backend(sample, "spark")
    counter = DriverRows(monkeypatch, type(log))
    result = customer_features(log, observation_date="1998-06-30")
    # Validation brings back one-row aggregates (the decimals of a 10,000-row sample, the
    # summary statistics); the features stay on Spark.
    assert counter.received and max(counter.received) <= 1 and sum(counter.received) <= 4
    assert type(result).__module__.startswith("pyspark")
    plan = result._jdf.queryExecution().optimizedPlan().toString()
    assert "Aggregate" in plan and "LocalRelation" in plan  # still a Spark plan over the log
    monkeypatch.undo()
    assert result.count() == 2357 < len(sample)


def test_timestamp_ntz_and_session_zone(monkeypatch):
    from pyspark.sql import functions as F

    sample = load_cdnow(sample=True).drop(columns="master_id")
    expected = rfm(sample, observation_date="1997-12-31", future="drop")
    log = to_backend(sample, "spark")
    ntz = log.withColumn("date", F.col("date").cast("timestamp_ntz"))
    got = to_pandas(rfm(ntz, observation_date="1997-12-31", future="drop"))
    assert_same_features(got, expected)


def test_session_is_shared():
    assert to_backend(pd.DataFrame({"a": [1]}), "spark").sparkSession is spark_session()
