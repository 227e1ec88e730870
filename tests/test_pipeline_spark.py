"""The pipeline on Spark: fit computes the features on Spark, predict scores on the executors.

One model fitted on Spark on the full CDNOW log (23,570 customers) serves the module: its
table equals the pandas path customer for customer, and predict leaves a Spark plan with the
``MapInPandas`` node and brings no log row to the driver. A pandas-fitted model on a small
log with a refund-only customer shows that the rows do not depend on how Spark partitions or
batches the customer table, and that the whole-table values (the fill value of a missing
recency, the expected-value quantile of the decision matrix) are those of the whole table.

On a 2-core machine shared with other work, the full-log Spark fit takes 75-150 s and the
predict, collected, 30-60 s: the figures of the final report of issue 12.
"""

from __future__ import annotations

import pandas as pd
import pytest

from custseg.actions import DecisionMatrix
from custseg.datasets import load_cdnow
from custseg.pipeline import CustomerSegmentation
from tests.conftest import spark_session, to_backend, to_pandas
from tests.features.test_spark import DriverRows

pytestmark = pytest.mark.spark

MASTER = load_cdnow()  # the full log: 69,659 rows, 23,570 customers
END = "1998-06-30"


def as_expected(table: pd.DataFrame) -> pd.DataFrame:
    """The pandas table as Spark returns it: categories as text."""
    return table.astype({c: object for c in table.select_dtypes("category").columns})


def same_rows(result, expected: pd.DataFrame) -> None:
    got = to_pandas(result).sort_values(expected.columns[0], ignore_index=True)
    pd.testing.assert_frame_equal(got, as_expected(expected), check_dtype=False,
                                  check_categorical=False)


@pytest.fixture(scope="module")
def master_spark(cdnow_spark):
    return cdnow_spark


@pytest.fixture(scope="module")
def spark_model(master_spark):
    return CustomerSegmentation(random_state=0).fit(master_spark)


@pytest.fixture(scope="module")
def spark_table(spark_model, master_spark):
    """The predicted table, collected once."""
    return to_pandas(spark_model.predict(master_spark, as_of=END))


def test_full_cdnow_on_spark_equals_pandas(spark_table):
    expected = CustomerSegmentation(random_state=0).fit(MASTER).predict(MASTER, as_of=END)
    assert len(expected) == MASTER["customer_id"].nunique() == 23_570
    same_rows(spark_table, expected)


@pytest.fixture
def driver(monkeypatch, master_spark):
    return DriverRows(monkeypatch, type(master_spark))


def test_predict_is_a_spark_plan_scored_on_the_executors(spark_model, master_spark,
                                                         spark_table, driver):
    result = spark_model.predict(master_spark, as_of=END)
    # The driver received only the validation's one-row aggregates (the decimals of a
    # 10,000-row sample, the summary statistics): no log row, no customer row (the schema
    # comes from one synthetic customer scored on the driver).
    assert driver.received and max(driver.received) <= 1 and sum(driver.received) <= 4
    assert type(result).__module__.startswith("pyspark")
    plan = result._jdf.queryExecution().optimizedPlan().toString()
    assert "MapInPandas" in plan and "Aggregate" in plan and "LocalRelation" in plan
    assert result.columns == list(spark_table.columns)  # the rows: the test above


@pytest.fixture
def small_partitions():
    """Three shuffle partitions, Arrow batches of 300 rows (restored after the test)."""
    conf = spark_session().conf
    keys = {"spark.sql.shuffle.partitions": "3",
            "spark.sql.execution.arrow.maxRecordsPerBatch": "300"}
    before = {k: conf.get(k) for k in keys}
    for k, v in keys.items():
        conf.set(k, v)
    yield
    for k, v in before.items():
        conf.set(k, v)


def test_rows_do_not_depend_on_partitioning(small_partitions):
    """Many partitions and batches, a refund-only customer, value graded by its quantile.

    2,358 customers in 3 partitions of about 800, each scored in batches of 300: a value
    taken from a partition or a batch (the longest recency, the quantile) would differ.
    """
    sample = load_cdnow(sample=True).drop(columns="master_id")
    refunds = pd.DataFrame({"customer_id": ["99999"] * 2,
                            "date": pd.to_datetime(["1997-03-01", "1997-05-01"]),
                            "quantity": [1, 1], "amount": [-5.0, -7.0]})
    log = pd.concat([sample, refunds.astype(sample.dtypes.to_dict())], ignore_index=True)
    model = CustomerSegmentation(
        random_state=0, playbook=DecisionMatrix(value_column="expected_value")).fit(log)
    expected = model.predict(log, as_of=END)
    assert expected["recency_days"].isna().sum() == 1  # the refund-only customer
    result = model.predict(to_backend(log, "spark").repartition(5), as_of=END)
    executed = result._jdf.queryExecution().executedPlan()  # planned, not run
    assert executed.nodeName() == "MapInPandas"
    assert executed.outputPartitioning().numPartitions() == 3
    same_rows(result, expected)
