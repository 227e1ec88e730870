"""The log keywords are declared once (LogOptions) and every log-reading function takes them."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

import custseg
from custseg.io import LogOptions, check_transactions
from custseg.io._options import LOG_OPTIONS

LOG = pd.DataFrame({
    "id": ["a", "a", "b"],
    "ts": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-03"]),
    "eur": [10.0, 5.0, 7.5],
})
OPTIONS: LogOptions = {"customer_col": "id", "time_col": "ts", "amount_col": "eur"}
FUNCTIONS = [custseg.rfm, custseg.btyd_summary, custseg.behavioural_features,
             custseg.customer_features, custseg.trends, custseg.cohort_retention]


def test_the_keywords_are_those_of_check_transactions():
    params = inspect.signature(check_transactions).parameters
    assert LOG_OPTIONS == tuple(k for k in params if k != "transactions")


@pytest.mark.parametrize("func", FUNCTIONS, ids=lambda f: f.__name__)
def test_every_function_takes_them_as_log(func):
    assert inspect.signature(func).parameters["log"].kind is inspect.Parameter.VAR_KEYWORD
    direct = func(LOG, observation_date="2024-01-10", **OPTIONS)
    validated = func(check_transactions(LOG, **OPTIONS), observation_date="2024-01-10")
    pd.testing.assert_frame_equal(direct, validated)


def test_a_misspelt_keyword_is_a_type_error_naming_the_function_and_the_keyword():
    with pytest.raises(TypeError, match=r"rfm\(\) got an unexpected keyword argument "
                                        r"'customer_column'; did you mean 'customer_col'\?"):
        custseg.rfm(LOG, customer_column="id")


def test_keywords_a_function_sets_itself_are_refused():
    with pytest.raises(TypeError, match=r"calibration_holdout\(\) got an unexpected keyword "
                                        r"argument 'future'"):
        custseg.calibration_holdout(LOG, "2024-01-02", future="drop", **OPTIONS)
    with pytest.raises(TypeError, match=r"churn_labels\(\) got an unexpected keyword "
                                        r"argument 'observation_date'"):
        custseg.churn_labels(LOG, "2024-01-02", 2, observation_date="2024-01-05", **OPTIONS)


def _log_estimators():
    from custseg.base import TransactionInputMixin
    from custseg.utils import all_estimators

    return [cls for _, cls in all_estimators() if issubclass(cls, TransactionInputMixin)]


def test_the_estimators_log_parameters_have_check_transactions_defaults():
    """scikit-learn needs every parameter in ``__init__``: the repeated ones must not drift."""
    expected = {k: p.default for k, p in inspect.signature(check_transactions).parameters.items()
                if k in LOG_OPTIONS}
    estimators = _log_estimators()
    assert len(estimators) >= 7, [c.__name__ for c in estimators]
    for cls in estimators:
        params = inspect.signature(cls.__init__).parameters
        assert {"customer_col", "time_col", "amount_col"} <= set(params), cls.__name__
        for name in set(params) & set(LOG_OPTIONS):
            assert params[name].default == expected[name], (cls.__name__, name)
