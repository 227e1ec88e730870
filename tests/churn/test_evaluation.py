import math

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from custseg.churn import (
    calibration_table,
    churn_metrics,
    compare_churn_models,
    gains_table,
    lift_score,
)
from custseg.exceptions import InvalidValueError

Y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1, 0])
S = np.array([.9, .8, .7, .6, .5, .4, .3, .2, .1, .05])


def test_lift_hand_worked():
    # Top 20%: 2 of 2 churn; base rate 4/10 -> lift 2.5.
    assert lift_score(Y, S, fraction=0.2) == pytest.approx(2.5)
    assert lift_score(Y, S, fraction=1.0) == pytest.approx(1.0)
    # predict_proba-shaped input uses the second column.
    assert lift_score(Y, np.column_stack([1 - S, S]), fraction=0.2) == pytest.approx(2.5)


def test_gains_table_hand_worked():
    table = gains_table(Y, S, n_bins=5)
    assert table["n"].tolist() == [2] * 5
    assert table["n_churned"].tolist() == [2, 1, 0, 0, 1]
    assert table["gain"].tolist() == pytest.approx([0.5, 0.75, 0.75, 0.75, 1.0])
    assert table["cumulative_share"].tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])
    assert table["lift"].tolist() == pytest.approx([2.5, 1.25, 0, 0, 1.25])
    assert table["cumulative_lift"].iloc[-1] == pytest.approx(1.0)
    assert table["score_max"].tolist() == [.9, .7, .5, .3, .1]


def test_gains_table_uneven_bins_cover_everyone():
    table = gains_table(Y, S, n_bins=3)
    assert table["n"].sum() == 10
    with pytest.raises(InvalidValueError, match="more than the 10 customers"):
        gains_table(Y, S, n_bins=11)


def test_calibration_table_hand_worked():
    table = calibration_table(Y, S, n_bins=2)
    assert table["n"].tolist() == [5, 5]
    assert table["mean_predicted"].tolist() == pytest.approx([0.21, 0.7])
    assert table["observed_rate"].tolist() == pytest.approx([0.2, 0.6])
    assert table["gap"].tolist() == pytest.approx([-0.01, -0.1])
    uniform = calibration_table(Y, S, n_bins=4, strategy="uniform")
    assert uniform["n"].sum() == 10
    with pytest.raises(InvalidValueError, match="outside"):
        calibration_table(Y, S * 2)
    with pytest.raises(InvalidValueError, match="strategy"):
        calibration_table(Y, S, strategy="kmeans")


def test_churn_metrics():
    m = churn_metrics(Y, S)
    assert m["n"] == 10 and m["churn_rate"] == pytest.approx(0.4)
    assert m["roc_auc"] == pytest.approx(18 / 24)  # 18 of 24 (churner, stayer) pairs in order
    assert m["brier"] == pytest.approx(np.mean((S - Y) ** 2))
    assert math.isnan(churn_metrics(Y, S * 10)["brier"])  # a score, not a probability
    with pytest.raises(InvalidValueError, match="outside"):
        churn_metrics(Y, S * 10, probability=True)


@pytest.mark.parametrize(
    ("y", "s", "match"),
    [(Y, S[:5], "one score per customer"), (np.zeros(10), S, "only one class"),
     (Y, np.where(S > .5, np.nan, S), "NaN or infinite")],
)
def test_bad_scores(y, s, match):
    with pytest.raises(InvalidValueError, match=match):
        churn_metrics(y, s)


def test_compare_with_test_split_and_cv():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    y = (X[:, 0] + rng.normal(size=400)) > 0
    X_tr, X_te, y_tr, y_te = X[:300], X[300:], y[:300], y[300:]
    result = compare_churn_models(
        {"logit": LogisticRegression(), "x0": X_te[:, 0], "noise": rng.uniform(size=100)},
        X_tr, y_tr, X_test=X_te, y_test=y_te, probabilities=["noise"])
    assert result.index.tolist() == ["logit", "x0", "noise"]
    assert result.loc["logit", "roc_auc"] > 0.7
    assert result.loc["logit", "roc_auc"] == pytest.approx(
        churn_metrics(y_te, LogisticRegression().fit(X_tr, y_tr).predict_proba(X_te))["roc_auc"])
    assert math.isnan(result.loc["x0", "brier"]) and not math.isnan(result.loc["noise", "brier"])
    cv = compare_churn_models({"logit": LogisticRegression(), "x0": X[:, 0]}, X, y, cv=3)
    assert isinstance(cv, pd.DataFrame) and cv.loc["logit", "n"] == 400


def test_compare_errors():
    X, y = np.ones((4, 1)), np.array([0, 1, 0, 1])
    with pytest.raises(InvalidValueError, match="non-empty"):
        compare_churn_models({}, X, y)
    with pytest.raises(InvalidValueError, match="give X_test/y_test or cv"):
        compare_churn_models({"m": LogisticRegression()}, X, y)
    with pytest.raises(InvalidValueError, match="together"):
        compare_churn_models({"m": LogisticRegression()}, X, y, X_test=X)
    with pytest.raises(InvalidValueError, match="not in models"):
        compare_churn_models({"m": [0, 1, 0, 1]}, X, y, probabilities=["z"])
