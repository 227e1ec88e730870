from __future__ import annotations

import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from custseg.datasets import load_cdnow
from custseg.exceptions import MissingColumnError
from custseg.features import (
    BehaviouralFeatures,
    BTYDFeatures,
    CustomerFeatures,
    RFMFeatures,
    behavioural_features,
    btyd_summary,
    customer_features,
    rfm,
)

PAIRS = [
    (RFMFeatures, rfm, {}),
    (BTYDFeatures, btyd_summary, {"unit": "W"}),
    (BehaviouralFeatures, behavioural_features, {"windows": (30, 60)}),
    (CustomerFeatures, customer_features, {"quantity_col": "quantity"}),
]


@pytest.fixture(scope="module")
def sample():
    return load_cdnow(sample=True)


@pytest.mark.parametrize("cls, func, params", PAIRS)
def test_transformer_equals_function(sample, cls, func, params):
    est = cls(**params)
    out = est.fit_transform(sample)
    pd.testing.assert_frame_equal(out, func(sample, **params))
    pd.testing.assert_frame_equal(est.transform(sample), out)
    assert est.get_feature_names_out().tolist() == out.columns.tolist()
    assert est.n_features_in_ == sample.shape[1]
    assert clone(est).get_params() == est.get_params()


@pytest.mark.parametrize("cls", [RFMFeatures, CustomerFeatures])
def test_not_fitted_and_bad_params(sample, cls):
    with pytest.raises(NotFittedError):
        cls().transform(sample)
    with pytest.raises(ValueError, match="occasion"):
        cls(occasion="week").fit(sample)


def test_transform_new_extract_as_of_its_date(sample):
    est = RFMFeatures(observation_date="1997-06-30", future="drop").fit(sample)
    early = est.transform(sample)
    assert early["last_purchase"].max() <= pd.Timestamp("1997-06-30")
    later = est.set_params(observation_date="1998-06-30").transform(sample)
    assert (later["frequency"] >= early["frequency"]).all()


def test_missing_column_at_transform(sample):
    est = RFMFeatures().fit(sample)
    with pytest.raises(MissingColumnError, match="'amount'"):
        est.transform(sample.drop(columns="amount"))


def test_in_a_pipeline(sample):
    pipe = make_pipeline(
        RFMFeatures(),
        FunctionTransformer(lambda t: t[["recency_days", "frequency", "monetary_total"]]),
    )
    out = pipe.fit_transform(sample)
    assert out.shape == (2357, 3)
