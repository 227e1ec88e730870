import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.datasets import make_leads
from custseg.exceptions import (
    ColumnMismatchError,
    CustsegError,
    InvalidDtypeError,
    InvalidValueError,
    NullValueError,
)
from custseg.leads import LeadScorer, lead_evaluation

FAST = {"max_iter": 60, "learning_rate": 0.15, "cv": 3, "random_state": 0}
DROP = ["converted", "driver"]


@pytest.fixture(scope="module")
def leads():
    return make_leads(2500, random_state=1), make_leads(1000, random_state=2)


@pytest.fixture(scope="module")
def fitted(leads):
    train, _ = leads
    return LeadScorer(**FAST).fit(train.drop(columns=DROP), train["converted"])


def test_top_reason_names_the_planted_driver(leads, fitted):
    _, test = leads
    reasons = fitted.reasons(test.drop(columns=DROP), n_reasons=2)
    one = test["driver"].notna().to_numpy()
    assert one.sum() > 200
    named = [isinstance(r, str) and r.startswith(f"{d} = ")
             for r, d in zip(reasons["positive_1"][one], test["driver"][one], strict=True)]
    assert np.mean(named) >= 0.8
    # reasons read "attribute = value: +x.xx"
    first = reasons.loc[test["driver"].to_numpy() == "industry", "positive_1"].iloc[0]
    assert first.startswith("industry = ICT: +")


def test_contributions_add_up_to_the_score(leads, fitted):
    _, test = leads
    X = test.drop(columns=DROP)
    contrib = fitted.contributions(X)
    assert list(contrib.columns) == fitted.features_
    assert contrib.index.tolist() == X["customer_id"].tolist()
    np.testing.assert_allclose(contrib.sum(axis=1).to_numpy() + fitted.intercept_,
                               fitted.decision_function(X), atol=1e-9)
    # the customer id is never an attribute; no-effect attributes contribute little
    assert "customer_id" not in fitted.features_
    assert contrib["region"].abs().mean() < contrib["industry"].abs().mean()


def test_probabilities_are_calibrated_and_graded(leads, fitted):
    _, test = leads
    X = test.drop(columns=DROP)
    p = fitted.predict_proba(X)[:, 1]
    ev = lead_evaluation(test["converted"], p, fitted.predict_grade(X), n_bins=5)
    assert ev.auc > 0.75
    assert abs(p.mean() - test["converted"].mean()) < 0.03
    rate = ev.by_grade.set_index("grade")["conversion_rate"]
    # C and D both hold leads without a driver (4%): only A > B > C is planted
    assert rate["A"] > rate["B"] > rate["C"] and rate["A"] > 3 * rate["D"]
    assert (ev.calibration["gap"].abs() < 0.1).all()


def test_yes_no_labels_make_yes_the_positive_class(leads):
    train, _ = leads
    X = train.drop(columns=DROP)
    words = train["converted"].map({1: "Yes", 0: "No"})
    a = LeadScorer(**FAST).fit(X, words)
    b = LeadScorer(**FAST).fit(X, train["converted"])
    assert a.classes_.tolist() == ["No", "Yes"]
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X))
    assert set(a.predict(X)) <= {"Yes", "No"}
    # grade A holds the likely buyers, not the "No"s
    grades = a.predict_grade(X)
    assert train["converted"][grades.to_numpy() == "A"].mean() > train["converted"].mean()


def test_blanks_and_unseen_categories_are_missing(leads, fitted):
    _, test = leads
    X = test.drop(columns=DROP).head(5).copy()
    X.loc[0, "industry"] = "Mining"  # never seen in fit
    X.loc[1, "industry"] = "  "
    X.loc[2, "budget"] = np.nan
    p = fitted.predict_proba(X)[:, 1]
    assert np.isfinite(p).all()
    blank = X.copy()
    blank.loc[0, "industry"] = None
    np.testing.assert_allclose(fitted.predict_proba(blank)[0], fitted.predict_proba(X)[0])
    reasons = fitted.reasons(X, n_reasons=3)
    row = " ".join(str(v) for v in reasons.iloc[0].tolist())
    if "industry" in row:
        assert "Mining (not seen in fit)" in row


def test_integer_codes_as_categories_and_polars(leads):
    train, _ = leads
    X = train.drop(columns=DROP).copy()
    X["region"] = X["region"].map({r: k for k, r in enumerate(sorted(X["region"].unique()))})
    scorer = LeadScorer(categorical=["region"], **FAST).fit(X, train["converted"])
    assert scorer.feature_kinds_["region"] == "categorical"
    assert scorer.feature_kinds_["employees"] == "numeric"
    p_pl = scorer.predict_proba(pl.from_pandas(X))
    np.testing.assert_allclose(p_pl, scorer.predict_proba(X))


@pytest.mark.parametrize(
    ("y", "error", "match"),
    [
        (np.ones(60, dtype=int), InvalidValueError, "only one class"),
        (["maybe"] * 20 + ["yes"] * 20 + ["no"] * 20, InvalidValueError, "Only binary"),
        ([None] + [0, 1] * 29 + [1], NullValueError, "without an outcome"),
        (np.linspace(0, 1, 60), InvalidValueError, "continuous"),
    ],
)
def test_bad_labels(y, error, match):
    X = pd.DataFrame({"a": np.arange(60.0)})
    with pytest.raises(error, match=match):
        LeadScorer(**FAST).fit(X, y)


def test_bad_attributes_get_custseg_errors(fitted, leads):
    _, test = leads
    X = test.drop(columns=DROP)
    with pytest.raises(ColumnMismatchError, match="feature names"):
        fitted.predict_proba(X.drop(columns="budget"))
    dates = pd.DataFrame({"d": pd.date_range("2024-01-01", periods=60)})
    with pytest.raises(InvalidDtypeError, match="holds dates"):
        LeadScorer(**FAST).fit(dates, [0, 1] * 30)
    inf = pd.DataFrame({"a": [np.inf] + [1.0] * 59})
    with pytest.raises(CustsegError, match="infinite"):
        LeadScorer(**FAST).fit(inf, [0, 1] * 30)


def test_conversion_target_grades(leads):
    train, test = leads
    scorer = LeadScorer(grades="ABC", grade_method="conversion", grade_targets=[0.5, 0.2],
                        **FAST).fit(train.drop(columns=DROP), train["converted"])
    grades = scorer.predict_grade(test.drop(columns=DROP))
    rates = test["converted"].groupby(grades.to_numpy()).mean()
    # the cut points are learned on out-of-fold scores; held-out leads meet the targets
    assert rates["A"] >= 0.45 and rates["B"] >= 0.15 and rates["C"] < 0.1


@pytest.mark.parametrize("seed", range(6))
def test_calibration_keeps_the_ranking_on_small_data(seed):
    # ~80 leads: each fold's model mostly learns its own base rate, anti-correlated with the
    # held-out fold's, so a Platt slope fitted there is negative and would invert the order.
    leads = make_leads(n_leads=80, random_state=seed)
    X = leads[["employees", "budget", "web_visits"]]  # numbers only: model matrix = X
    scorer = LeadScorer(random_state=seed).fit(X, leads["converted"])
    raw = scorer.model_.decision_function(X.to_numpy(dtype=float))
    p = scorer.predict_proba(X)[:, 1]
    order = np.lexsort((p, raw))
    assert np.all(np.diff(p[order]) >= 0)  # raw order kept...
    assert np.all(np.diff(p[order])[np.diff(raw[order]) > 0] > 0)  # ...strictly
    assert scorer.calibration_method_ == "none"
    # the reasons follow the same direction: contributions add up to the score
    np.testing.assert_allclose(scorer.contributions(X).sum(axis=1) + scorer.intercept_,
                               scorer.decision_function(X), atol=1e-9)


def test_calibration_is_platt_scaling_on_enough_leads(leads, fitted):
    slope, _ = fitted.calibration_
    assert fitted.calibration_method_ == "sigmoid" and slope > 0
