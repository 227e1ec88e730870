"""The pipeline validates a log once, and gives the same table from every engine."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from custseg.datasets import load_cdnow
from custseg.io import check_transactions
from custseg.pipeline import CustomerSegmentation
from tests.conftest import to_backend, to_pandas

SAMPLE = load_cdnow(sample=True).drop(columns="master_id")
CAL_END, END = "1997-09-30", "1998-06-30"


@pytest.fixture(scope="module")
def expected():
    model = CustomerSegmentation(random_state=0).fit(SAMPLE)
    return model.predict(SAMPLE, as_of=END)


def count_validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count every call of check_transactions, wherever a custseg module looks it up."""
    calls: list[int] = []

    def counting(*args, **kwargs):
        calls.append(1)
        return check_transactions(*args, **kwargs)

    for name, module in list(sys.modules.items()):
        if name.startswith("custseg") and getattr(module, "check_transactions", None) \
                is check_transactions:
            monkeypatch.setattr(module, "check_transactions", counting)
    return calls


def test_check_transactions_runs_once_per_fit_and_per_predict(monkeypatch):
    calls = count_validations(monkeypatch)
    model = CustomerSegmentation(random_state=0).fit(SAMPLE[SAMPLE["date"] <= CAL_END])
    assert len(calls) == 1
    model.predict(SAMPLE, as_of=END)
    assert len(calls) == 2


# Spark gives the same table too, on the full CDNOW log: tests/test_pipeline_spark.py.
_KIND = {"polars_lazy": "LazyFrame", "duckdb": "DuckDBPyRelation"}


@pytest.mark.parametrize("engine", ["polars_lazy", "duckdb"])
def test_fit_and_predict_on_lazy_engines_equal_pandas(engine, expected):
    log = to_backend(SAMPLE, engine)
    model = CustomerSegmentation(random_state=0).fit(log)
    result = model.predict(log, as_of=END)
    assert type(result).__name__ == _KIND[engine]
    assert type(result).__module__.split(".")[0] == type(log).__module__.split(".")[0]
    table = to_pandas(result).sort_values("customer_id", ignore_index=True)
    want = expected.astype({c: object for c in expected.select_dtypes("category").columns})
    pd.testing.assert_frame_equal(table, want, check_dtype=False, check_categorical=False)


def test_a_validated_log_is_taken_as_it_is(monkeypatch, expected):
    """fit and predict take the Transactions of check_transactions without validating again."""
    tx = check_transactions(SAMPLE)
    calls = count_validations(monkeypatch)
    model = CustomerSegmentation(random_state=0).fit(tx)
    table = model.predict(tx, as_of=END)
    assert calls == []
    pd.testing.assert_frame_equal(table, expected)


def test_a_validated_log_with_other_column_names_is_refused():
    from custseg.exceptions import InvalidValueError

    tx = check_transactions(SAMPLE.rename(columns={"customer_id": "id"}), customer_col="id")
    with pytest.raises(InvalidValueError, match=r"customer_col='id' \(the pipeline's: "
                                                r"'customer_id'\)"):
        CustomerSegmentation(random_state=0).fit(tx)
