"""A fitted pipeline and its customer table, shared by the report tests."""

from __future__ import annotations

import pytest

from custseg.datasets import load_cdnow
from custseg.pipeline import CustomerSegmentation


@pytest.fixture(scope="session")
def sample_log():
    return load_cdnow(sample=True)


@pytest.fixture(scope="session")
def fitted_and_table(sample_log):
    log = sample_log
    model = CustomerSegmentation(random_state=0).fit(log)
    table = model.predict(log)
    return model, table


@pytest.fixture(scope="session")
def report_page(fitted_and_table, sample_log):
    from custseg.report import render_report

    model, table = fitted_and_table
    return render_report(table, model=model, transactions=sample_log)
