"""Tests of LifecycleStager: hand-worked stages, adaptive thresholds, prospects, backends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from custseg.datasets import load_cdnow, make_transactions
from custseg.exceptions import FutureTimestampError, InvalidDtypeError, InvalidValueError
from custseg.segments import STAGES, LifecycleStager
from tests.conftest import to_backend, to_pandas


def small_log() -> pd.DataFrame:
    # As of 2024-03-31. Gaps (days): a 79; b 27; d 30; e 10, 10, 10.
    return pd.DataFrame({
        "customer_id": ["a", "a", "b", "b", "c", "d", "d", "e", "e", "e", "e"],
        "date": pd.to_datetime([
            "2024-01-01", "2024-03-20",           # a: last 11 days ago, first 90 days ago
            "2024-01-05", "2024-02-01",           # b: last 59 days ago
            "2024-03-25",                         # c: first purchase 6 days ago
            "2023-06-01", "2023-07-01",           # d: last 274 days ago
            "2024-02-10", "2024-02-20", "2024-03-01", "2024-03-11",  # e: last 20 days ago
        ]),
        "amount": [10.0, 20.0, 5.0, 5.0, 30.0, 8.0, 9.0, 1.0, 1.0, 1.0, 1.0],
    })


def test_hand_worked_stages_with_given_thresholds():
    stager = LifecycleStager(new_days=7, active_days=30, churn_days=90,
                             observation_date="2024-03-31")
    out = stager.fit_transform(small_log())
    assert out["customer_id"].tolist() == ["a", "b", "c", "d", "e"]
    assert out["stage"].tolist() == ["active", "dormant", "new", "churned", "active"]
    assert out["recency_days"].tolist() == [11.0, 59.0, 6.0, 274.0, 20.0]
    assert stager.thresholds_ == {"new_days": 7.0, "active_days": 30.0, "churn_days": 90.0}
    assert stager.threshold_rules_["active_days"] == "given: 30 days"


def test_adaptive_thresholds_from_the_pooled_gaps():
    stager = LifecycleStager(rhythm="pooled", observation_date="2024-03-31").fit(small_log())
    gaps = np.array([79.0, 27.0, 30.0, 10.0, 10.0, 10.0])
    assert stager.n_gaps_ == 6
    assert stager.thresholds_["active_days"] == np.ceil(np.quantile(gaps, 0.8))  # 30
    assert stager.thresholds_["churn_days"] == np.ceil(np.quantile(gaps, 0.95))  # 67
    assert stager.thresholds_["new_days"] == stager.thresholds_["active_days"]
    assert stager.thresholds_ == {"new_days": 30.0, "active_days": 30.0, "churn_days": 67.0}
    assert "80% quantile of 6 inter-purchase gaps" in stager.threshold_rules_["active_days"]
    assert stager.gap_quantiles_[0.5] == pytest.approx(np.median(gaps))
    out = stager.transform(small_log())
    # a: tenure 90 > 30, recency 11 <= 30 -> active; b: 59 <= 67 -> dormant; c: new;
    # d: 274 -> churned; e: tenure 50, recency 20 -> active
    assert out["stage"].tolist() == ["active", "dormant", "new", "churned", "active"]


def test_own_rhythm_hand_worked():
    stager = LifecycleStager(observation_date="2024-03-31").fit(small_log())
    # Own mean gaps: a 79, b 27, d 30, e 10 -> population gap = their median, 28.5.
    # Typical gap (prior of 2 gaps): a (79 + 57) / 3, b 84 / 3 = 28, c (one purchase)
    # 57 / 2 = 28.5, d 87 / 3 = 29, e (30 + 57) / 5 = 17.4.
    t = stager.thresholds_
    assert stager.rhythm_ == "own"
    assert t["typical_gap_days"] == 28.5
    ratios = np.array([79 / (136 / 3), 27 / 28, 30 / 29, 10 / 17.4, 10 / 17.4, 10 / 17.4])
    assert t["active_gaps"] == pytest.approx(np.quantile(ratios, 0.8))  # 30 / 29
    assert t["churn_gaps"] == pytest.approx(np.quantile(ratios, 0.998))  # 1.736
    assert t["new_days"] == 30.0  # ceil(30 / 29 * 28.5), for a customer of typical rhythm
    out = stager.transform(small_log())
    np.testing.assert_allclose(out["typical_gap_days"], [136 / 3, 28, 28.5, 29, 17.4])
    # a: 11 / 45.3 = 0.24 gaps -> active; b: 59 / 28 = 2.1 > 1.74 -> churned;
    # c: first purchase 6 days ago <= 1.03 * 28.5 -> new;
    # d: 274 / 29 -> churned; e: 20 / 17.4 = 1.15, between 1.03 and 1.74 -> dormant.
    assert out["stage"].tolist() == ["active", "churned", "new", "churned", "dormant"]
    np.testing.assert_allclose(out["silence_gaps"], out["recency_days"] / out["typical_gap_days"])


def test_a_weekly_and_a_yearly_buyer_silent_for_a_month():
    days = pd.to_datetime
    log = pd.DataFrame({
        "customer_id": ["w"] * 30 + ["y"] * 4 + ["o"] * 2,
        "date": list(days("2023-01-02") + pd.to_timedelta(np.arange(30) * 7, unit="D"))
        + list(days(["2020-08-01", "2021-08-01", "2022-08-01", "2023-07-28"]))
        + list(days(["2022-06-01", "2022-12-01"])),
        "amount": 1.0,
    })
    out = LifecycleStager(observation_date="2023-08-28").fit_transform(log)
    staged = dict(zip(out["customer_id"], out["stage"], strict=True))
    # Both last bought about a month ago (w 35 days, y 31 days): w has left its rhythm.
    assert staged["w"] == "churned" and staged["y"] == "active"
    pooled = LifecycleStager(rhythm="pooled", observation_date="2023-08-28").fit_transform(log)
    w_pooled, y_pooled = pooled["stage"].tolist()[1:]  # ids sorted: o, w, y
    assert w_pooled == y_pooled  # in days the two look the same


def test_churn_is_at_least_active_plus_one_day():
    log = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
                        "date": pd.to_datetime(["2024-01-01", "2024-01-11",
                                                "2024-01-01", "2024-01-11"]),
                        "amount": [1.0, 1.0, 1.0, 1.0]})
    stager = LifecycleStager(rhythm="pooled").fit(log)
    assert stager.thresholds_["active_days"] == 10.0
    assert stager.thresholds_["churn_days"] == 11.0
    assert "raised to active_days + 1" in stager.threshold_rules_["churn_days"]


def test_prospects_from_a_customer_list_and_refund_only_customers():
    log = pd.concat([small_log(), pd.DataFrame({
        "customer_id": ["r"], "date": pd.to_datetime(["2024-03-01"]), "amount": [-5.0]})])
    stager = LifecycleStager(active_days=30, churn_days=90, observation_date="2024-03-31")
    customers = pd.Series(["z", "a", "y", "a"])  # duplicates and log customers are fine
    out = stager.fit_transform(log, customers=customers)
    assert out["customer_id"].tolist() == ["a", "b", "c", "d", "e", "r", "y", "z"]
    staged = dict(zip(out["customer_id"], out["stage"], strict=True))
    assert staged["r"] == staged["y"] == staged["z"] == "prospect"
    assert out.loc[out["customer_id"] == "y", "frequency"].item() == 0
    assert np.isnan(out.loc[out["customer_id"] == "z", "recency_days"].item())
    assert out["customer_id"].is_unique


def test_integer_ids_keep_their_dtype_and_customer_list_is_cast():
    log = small_log()
    log["customer_id"] = log["customer_id"].map({k: i for i, k in enumerate("abcde")})
    log["customer_id"] = log["customer_id"].astype("int32")
    out = LifecycleStager(active_days=30, churn_days=90).fit_transform(log, customers=[0, 99])
    assert out["customer_id"].dtype == np.int32
    assert out["customer_id"].tolist() == [0, 1, 2, 3, 4, 99]
    with pytest.raises(InvalidDtypeError, match="cannot be compared"):
        LifecycleStager(active_days=30, churn_days=90).fit_transform(log, customers=["x"])


@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow", "polars_lazy", "duckdb"])
def test_every_backend_gives_the_same_stages(backend):
    stager = LifecycleStager(observation_date="2024-03-31")
    out = stager.fit_transform(to_backend(small_log(), backend), customers=["a", "x"])
    expected = LifecycleStager(observation_date="2024-03-31").fit_transform(
        small_log(), customers=["a", "x"])
    got = to_pandas(out)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    if backend == "polars":
        import polars as pl

        assert isinstance(out, pl.DataFrame)


def test_cdnow_stages_and_thresholds():
    log = load_cdnow()
    stager = LifecycleStager(rhythm="pooled", observation_date="1998-06-30")
    out = stager.fit_transform(log)
    assert len(out) == 23_570 and out["customer_id"].is_unique
    assert set(out["stage"]) <= set(STAGES)
    t = stager.thresholds_
    assert 0 < t["active_days"] < t["churn_days"]
    # the thresholds are the documented quantiles of the pooled gaps
    assert t["active_days"] == np.ceil(stager.gap_quantiles_[0.8])
    assert t["churn_days"] == np.ceil(stager.gap_quantiles_[0.95])
    counts = out["stage"].value_counts()
    # CDNOW's cohort bought in Q1 1997: by mid-1998 most have lapsed, nobody is new
    assert counts.get("new", 0) == 0
    assert counts["churned"] > counts.get("active", 0)


def test_thresholds_refit_on_new_data_apply_to_later_logs():
    log = make_transactions(300, random_state=0)
    stager = LifecycleStager(rhythm="pooled", observation_date="2022-12-31",
                             future="drop").fit(log)
    later = LifecycleStager(observation_date="2023-06-30", future="drop")
    later.set_params(**{k: v for k, v in stager.thresholds_.items()})
    a = stager.transform(log)
    b = later.fit(log).transform(log)
    assert (a["stage"] != b["stage"]).any()  # same thresholds, six months later
    assert clone(stager).get_params() == stager.get_params()


@settings(max_examples=20, deadline=None)
@given(st.permutations(list(range(11))))
def test_row_order_does_not_matter(order):
    log = small_log()
    stager = LifecycleStager(observation_date="2024-03-31")
    expected = stager.fit_transform(log)
    got = LifecycleStager(observation_date="2024-03-31").fit_transform(log.iloc[list(order)])
    pd.testing.assert_frame_equal(got, expected)


def test_errors():
    one_each = pd.DataFrame({"customer_id": ["a", "b"],
                             "date": pd.to_datetime(["2024-01-01", "2024-01-05"]),
                             "amount": [1.0, 2.0]})
    with pytest.raises(InvalidValueError, match="no customer in the log has two purchase"):
        LifecycleStager().fit(one_each)
    LifecycleStager(active_days=10, churn_days=20).fit(one_each)  # explicit: fine
    with pytest.raises(InvalidValueError, match=r"churn_days \(10 days\) must exceed active_days"):
        LifecycleStager(active_days=30, churn_days=10).fit(one_each)
    with pytest.raises(ValueError, match="active_quantile"):
        LifecycleStager(active_quantile=1.5).fit(small_log())
    with pytest.raises(FutureTimestampError):
        LifecycleStager(active_days=1, churn_days=2, observation_date="2024-01-02").fit(one_each)
    stager = LifecycleStager(active_days=1, churn_days=2).fit(one_each)
    with pytest.raises(InvalidDtypeError, match="customers must be a list"):
        stager.transform(one_each, customers="a")
    with pytest.raises(InvalidValueError, match="1 missing id"):
        stager.transform(one_each, customers=["a", None])
    assert stager.get_feature_names_out().tolist()[:2] == ["customer_id", "stage"]


def test_own_rhythm_on_a_weekly_log_with_known_truth():
    # Weekly shoppers (median gap about a week); 90-day holdout after the stage date.
    log, truth = make_transactions(1500, n_days=540, purchases_per_year=38.0, rate_shape=4.0,
                                   lifetime_days=3000.0, random_state=1, return_truth=True)
    end = log["date"].max().normalize()
    as_of = end - pd.Timedelta(days=90)
    stages = LifecycleStager(observation_date=as_of, future="drop").fit_transform(log)
    stage = stages.set_index("customer_id")["stage"]
    later = log.loc[log["date"] > as_of, "customer_id"].unique()
    again = pd.Series(stage.index.isin(later), index=stage.index).groupby(stage).mean()
    assert again["active"] > again["dormant"] > again["churned"]
    assert again["churned"] <= 0.25
    dead = truth.set_index("customer_id")["dropout"].reindex(stage.index) <= as_of
    assert dead[stage == "churned"].mean() >= 0.8


@pytest.mark.parametrize("rhythm", ["own", "pooled"])
def test_gaps_in_parts_of_the_customers_are_the_same(monkeypatch, rhythm):
    """A big log's occasions are built part by part of the customers: the same stager."""
    import polars as pl

    import custseg.features._core as core

    log = pl.from_pandas(load_cdnow()).lazy()
    whole = LifecycleStager(rhythm=rhythm, observation_date="1998-06-30").fit(log)
    monkeypatch.setattr(core, "ROWS_PER_PART", 7_000)  # 10 parts of the 69,659 rows
    parts = LifecycleStager(rhythm=rhythm, observation_date="1998-06-30").fit(log)
    assert parts.thresholds_ == whole.thresholds_ and parts.n_gaps_ == whole.n_gaps_
    assert parts.gap_quantiles_ == whole.gap_quantiles_
    assert parts.transform(log).collect().equals(whole.transform(log).collect())
