"""A fitted pipeline and its customer table, shared by the report tests."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_limits

from custseg.datasets import load_cdnow
from custseg.pipeline import CustomerSegmentation


@pytest.fixture(scope="session")
def sample_log():
    return load_cdnow(sample=True)


@pytest.fixture(scope="session")
def fitted_and_table(sample_log):
    log = sample_log
    with threadpool_limits(limits=1):
        model = CustomerSegmentation(random_state=0).fit(log)
        table = model.predict(log)
    return model, table


@pytest.fixture(scope="session")
def report_page(fitted_and_table, sample_log):
    from custseg.report import render_report

    model, table = fitted_and_table
    with threadpool_limits(limits=1):
        return render_report(table, model=model, transactions=sample_log)


@pytest.fixture(autouse=True)
def _one_thread():
    # The test machine is shared: OpenMP spinning on busy cores slows fits 10x.
    with threadpool_limits(limits=1):
        yield
