import copy

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from custseg.churn import ChurnPredictor, churn_labels
from custseg.datasets import load_cdnow
from custseg.exceptions import InvalidDtypeError, InvalidValueError


@pytest.fixture(scope="module")
def data():
    table = churn_labels(load_cdnow(sample=True), "1997-09-30", 39, unit="W")
    return table.drop(columns=["customer_id", "churned"]), table["churned"]


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return ChurnPredictor(random_state=0).fit(X, y)


def test_fit_predict_proba(data, fitted):
    X, _y = data
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(fitted.classes_, [False, True])
    assert list(fitted.feature_names_in_) == list(X.columns)
    # Single-purchase customers have missing inter-purchase times: handled natively.
    assert X["ipt_mean_days"].isna().any()
    # The default leaf size follows the data size (1% of customers, in [5, 200]).
    assert fitted.estimator_.min_samples_leaf == 23


def test_predict_threshold_and_budget(data, fitted):
    X, _ = data
    churn = fitted.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(fitted.predict(X), churn >= 0.5)
    # threshold and budget act at predict time: no refit needed.
    strict = copy.deepcopy(fitted).set_params(threshold=0.9)
    np.testing.assert_array_equal(strict.predict(X), churn >= 0.9)
    budget = copy.deepcopy(fitted).set_params(budget=0.1)
    flagged = budget.predict(X)
    assert flagged.sum() == int(np.ceil(0.1 * len(X)))
    # The flagged customers are those with the highest churn probability.
    p = budget.predict_proba(X)[:, 1]
    assert p[flagged].min() >= p[~flagged].max()


def test_string_labels_and_positive_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    y = np.where(X[:, 0] > 0, "stay", "churn")  # sorted: ["churn", "stay"]
    model = ChurnPredictor(random_state=0).fit(X, y)
    assert list(model.classes_) == ["churn", "stay"]
    assert set(model.predict(X)) <= {"churn", "stay"}


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_calibration(data, method):
    X, y = data
    model = ChurnPredictor(calibration=method, random_state=0).fit(X, y)
    assert type(model.estimator_).__name__ == "CalibratedClassifierCV"
    p = model.predict_proba(X)[:, 1]
    assert abs(p.mean() - y.mean()) < 0.02  # calibrated mean ~ base rate


def test_custom_estimator_and_sample_weight(data):
    X, y = data
    pipe = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression())
    model = ChurnPredictor(pipe).fit(X, y)
    assert model.predict_proba(X).shape == (len(X), 2)
    weighted = ChurnPredictor(random_state=0).fit(X, y, sample_weight=np.ones(len(y)))
    plain = ChurnPredictor(random_state=0).fit(X, y)
    np.testing.assert_allclose(weighted.predict_proba(X), plain.predict_proba(X))
    with pytest.raises(InvalidValueError, match="does not accept it"):
        ChurnPredictor(make_pipeline(SimpleImputer(), LogisticRegression())).fit(
            X, y, sample_weight=np.ones(len(y)))


def test_polars_features(data):
    X, y = data
    model = ChurnPredictor(random_state=0).fit(pl.from_pandas(X), y.to_numpy())
    assert model.predict_proba(pl.from_pandas(X)).shape == (len(X), 2)


def test_one_class_only_is_a_clear_error(data):
    X, y = data
    with pytest.raises(InvalidValueError, match="only one class"):
        ChurnPredictor().fit(X, np.ones(len(y), dtype=bool))


def test_a_feature_missing_for_every_customer_is_no_obstacle(data):
    # Issue 11: a gap statistic when nobody bought twice before the cutoff; scikit-learn's
    # binning refused it ("window shape cannot be larger than input array shape").
    X, y = data
    X = X.assign(gap=np.nan)
    model = ChurnPredictor(random_state=0).fit(X, y)
    proba = model.predict_proba(X)[:, 1]
    base = ChurnPredictor(random_state=0).fit(X.drop(columns="gap"), y)
    np.testing.assert_allclose(proba, base.predict_proba(X.drop(columns="gap"))[:, 1])


def test_a_calibration_fold_without_a_feature_is_said_in_words():
    X = np.array([[1.0, np.nan]] * 6 + [[2.0, 5.0]] + [[3.0, np.nan]] * 3)
    y = np.array([0, 1] * 5)
    with pytest.raises(InvalidValueError, match=r"^the churn model cannot be trained on 10 "
                       r"customers: a feature is missing for every customer of one of its "
                       r"training folds \(too few customers have a value for it\)\.$"):
        ChurnPredictor(calibration="sigmoid", random_state=0).fit(X, y)


def test_multiclass_is_rejected():
    X = np.arange(30, dtype=float).reshape(-1, 1)
    with pytest.raises(InvalidValueError, match="Only binary classification is supported"):
        ChurnPredictor().fit(X, np.repeat([0, 1, 2], 10))


def test_non_numeric_columns_are_named():
    table = churn_labels(load_cdnow(sample=True), "1997-09-30", 39, unit="W")
    with pytest.raises(InvalidDtypeError, match=r"non-numeric column\(s\) 'customer_id' with"):
        ChurnPredictor().fit(table.drop(columns="churned"), table["churned"])


def test_column_mismatch_at_predict(data, fitted):
    X, _ = data
    with pytest.raises(ValueError, match="feature names"):
        fitted.predict_proba(X[X.columns[::-1]])


def test_permutation_importances(data, fitted):
    X, y = data
    X, y = X.iloc[:600], y.iloc[:600]
    table = fitted.permutation_importances(X, y, n_repeats=2, random_state=0)
    assert list(table.columns) == ["feature", "importance_mean", "importance_std"]
    assert sorted(table["feature"]) == sorted(X.columns)
    assert table["importance_mean"].is_monotonic_decreasing
    assert table["importance_mean"].iloc[0] > 0
    with pytest.raises(InvalidValueError, match="n_repeats"):
        fitted.permutation_importances(X, y, n_repeats=0)


def test_bad_parameter_is_named():
    with pytest.raises(ValueError, match="'budget' parameter"):
        ChurnPredictor(budget=1.5).fit(np.ones((4, 1)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="'calibration' parameter"):
        ChurnPredictor(calibration="platt").fit(np.ones((4, 1)), [0, 1, 0, 1])


def test_does_not_mutate_input(data):
    X, y = data
    X_copy, y_copy = X.copy(), y.copy()
    ChurnPredictor(random_state=0).fit(X, y).predict(X)
    pd.testing.assert_frame_equal(X, X_copy)
    pd.testing.assert_series_equal(y, y_copy)
