"""The churn-model guard, risk bands and future value in CustomerSegmentation."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from custseg.datasets import load_cdnow
from custseg.exceptions import WeakChurnModelWarning
from custseg.pipeline import CustomerSegmentation

QUICK = dict(rfm="drop", kmeans="drop", tiers="drop", playbook="drop", random_state=0)


def random_log(n_customers=600, days=365, rate=1 / 60, seed=0):
    """Every customer buys on each day with the same probability: history predicts nothing."""
    rng = np.random.default_rng(seed)
    buys = rng.random((n_customers, days)) < rate
    cust, day = np.nonzero(buys)
    return pd.DataFrame({
        "customer_id": [f"c{c:04d}" for c in cust],
        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D"),
        "amount": rng.gamma(2.0, 20.0, len(cust)).round(2),
    })


def test_random_log_triggers_the_guard():
    log = random_log()
    with pytest.warns(WeakChurnModelWarning, match="not better than recency alone") as rec:
        model = CustomerSegmentation(**QUICK).fit(log)
    assert rec[0].filename == __file__  # stacklevel points at the caller
    q = model.churn_quality_
    assert model.churn_model_weak_
    assert set(q) == {"model", "recency", "bgnbd"}
    assert q["model"]["roc_auc"] < q["recency"]["roc_auc"] + 0.01
    for row in q.values():
        assert {"roc_auc", "lift", "brier", "calibration_error"} <= set(row)


def test_bands_and_value_columns_in_the_table():
    log = load_cdnow(sample=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakChurnModelWarning)
        model = CustomerSegmentation(**QUICK, lifecycle="drop").fit(log)
    table = model.predict(log)
    bands = model.churn_risk_bands_
    assert list(bands) == ["low", "medium", "high"]
    assert bands["high"]["share"] == pytest.approx(0.1, abs=0.01)
    assert bands["medium"]["share"] == pytest.approx(0.2, abs=0.01)
    _, high = model.churn_risk_cuts_
    p = table["churn_probability"]
    assert (table.loc[p >= high, "churn_risk"] == "high").all()
    for col in ("p_alive", "expected_purchases", "expected_spend", "expected_value",
                "value_at_stake"):
        assert table[col].notna().all(), col
    np.testing.assert_allclose(table["value_at_stake"],
                               table["expected_value"] * table["churn_probability"])


def test_refund_only_customer_has_no_future_value():
    log = load_cdnow(sample=True)
    refund = pd.DataFrame({"customer_id": ["zz_refund"], "date": [pd.Timestamp("1998-01-05")],
                           "amount": [-10.0]})
    log = pd.concat([log[["customer_id", "date", "amount"]], refund], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakChurnModelWarning)
        model = CustomerSegmentation(**QUICK, lifecycle="drop").fit(log)
    row = model.predict(log).set_index("customer_id").loc["zz_refund"]
    assert pd.isna(row["expected_value"]) and pd.isna(row["value_at_stake"])


def test_report_shows_the_notice_and_the_decision_panels():
    from custseg.report import render_report

    log = random_log()
    with pytest.warns(WeakChurnModelWarning):
        model = CustomerSegmentation(random_state=0, kmeans="drop").fit(log)
    page = render_report(model.predict(log), model=model)
    assert page.count("the churn model is not better than recency") >= 2  # risk figures
    for text in ("Churn model quality", "Risk bands", "Decision matrix",
                 "Expected future value and value at stake", "observed churn rate"):
        assert text in page, text


def test_report_of_a_good_model_has_no_notice():
    from custseg.report._decisions import weak_model_notice

    class Good:
        churn_model_weak_ = False

    assert weak_model_notice(Good()) == ""


def test_no_loyal_action_in_the_top_decile_of_churn_probability():
    from custseg.actions import LOYAL_ACTIONS

    log = load_cdnow(sample=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", WeakChurnModelWarning)
        model = CustomerSegmentation(random_state=0, kmeans="drop").fit(
            log[log["date"] <= "1997-09-30"])
    table = model.predict(log, as_of="1997-09-30")
    top = table["churn_probability"] >= table["churn_probability"].quantile(0.9)
    assert not table.loc[top, "action"].isin(LOYAL_ACTIONS).any()
    assert table["action"].notna().all() and table["reason"].notna().all()
    assert table["customer_id"].is_unique and len(table) == log["customer_id"].nunique()


def test_bgnbd_baseline_of_a_large_split_ranks_as_a_fit_on_all_customers():
    # 23,570 customers: the baseline is fitted on a random 10,000 of them, scores all.
    from sklearn.metrics import roc_auc_score

    from custseg.churn import BetaGeoChurnClassifier

    log = load_cdnow()
    model = CustomerSegmentation(**QUICK, lifecycle="drop", future_value="drop").fit(log)
    X, y = _split(log, model)
    assert len(X) > 20_000
    full = BetaGeoChurnClassifier(horizon=90.0, columns=("frequency_cal", "recency_cal",
                                                         "T_cal")).fit(X)
    auc_full = roc_auc_score(y, full.predict_proba(X)[:, 1])
    assert model.churn_quality_["bgnbd"]["roc_auc"] == pytest.approx(auc_full, abs=0.002)


def _split(log, model):
    """The churn model's training split: features at the cutoff and the churn labels."""
    from custseg.churn import churn_labels

    table = churn_labels(log, model.churn_cutoff_, 90, unit="D")
    return table.drop(columns=["customer_id", "churned"]), table["churned"].to_numpy()
