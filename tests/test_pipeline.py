"""Tests of custseg.pipeline.CustomerSegmentation: the whole flow as one estimator."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from custseg._scoring import churn_table, score_inputs
from custseg.churn import churn_labels
from custseg.datasets import load_cdnow
from custseg.exceptions import (
    DataWarning,
    EmptyDataError,
    InvalidValueError,
    MissingColumnError,
    WeakChurnModelWarning,
)
from custseg.persistence import load, save
from custseg.pipeline import CustomerSegmentation
from custseg.segments import DEFAULT_SEGMENT_MAP, STAGES, KMeansSegmenter, Playbook

SAMPLE = load_cdnow(sample=True).drop(columns=["master_id"])
CAL_END = "1997-09-30"
END = "1998-06-30"


@pytest.fixture(scope="module")
def fitted():
    return CustomerSegmentation(random_state=0).fit(SAMPLE[SAMPLE["date"] <= CAL_END])


@pytest.fixture(scope="module")
def table(fitted):
    return fitted.predict(SAMPLE, as_of=END)


# --- the acceptance scenario on the full CDNOW log -------------------------------------

def test_cdnow_fit_to_1997_09_30_predict_1998_06_30_and_round_trip(tmp_path):
    log = load_cdnow()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = CustomerSegmentation(random_state=0).fit(log[log["date"] <= CAL_END])
    # The guard: on CDNOW the churn model beats recency alone (no warning).
    assert not any(issubclass(w.category, WeakChurnModelWarning) for w in caught)
    assert not model.churn_model_weak_
    table = model.predict(log, as_of=END)
    # One row per customer, every customer, sorted by id.
    assert len(table) == 23_570 == log["customer_id"].nunique()
    assert table["customer_id"].is_unique
    assert table["customer_id"].is_monotonic_increasing
    assert set(table["customer_id"]) == set(log["customer_id"])
    assert table.attrs["as_of"] == "1998-06-30T00:00:00"
    # Every stage produced a value for every customer.
    for col in ("rfm_segment", "lifecycle_stage", "kmeans_segment", "tier",
                "churn_probability", "churn_risk", "action"):
        assert table[col].notna().all(), col
    assert model.churn_cutoff_ == dt.datetime(1997, 7, 2)
    # Saved and loaded, it gives the identical table.
    loaded = load(save(model, tmp_path / "model.joblib"), trusted=True)
    pd.testing.assert_frame_equal(loaded.predict(log, as_of=END), table, check_exact=True)


# --- the table -------------------------------------------------------------------------

def test_one_row_per_customer_sorted(table):
    assert len(table) == SAMPLE["customer_id"].nunique() == 2357
    assert table["customer_id"].tolist() == sorted(SAMPLE["customer_id"].unique())


def test_table_columns(table, fitted):
    cols = table.columns.tolist()
    assert cols[0] == "customer_id"
    for col in ("recency_days", "frequency", "monetary_total", "r_score", "f_score", "m_score",
                "rfm_cell", "rfm_score", "rfm_segment", "lifecycle_stage", "kmeans_segment",
                "kmeans_segment_name", "value_score", "tier", "churn_probability",
                "churn_risk", "action", "action_priority"):
        assert col in cols, col
    assert set(table["rfm_segment"].dropna()) <= set(DEFAULT_SEGMENT_MAP)
    assert list(table["lifecycle_stage"].cat.categories) == list(STAGES)
    assert table["tier"].cat.categories.tolist() == ["A", "B", "C", "D"]
    assert table["tier"].cat.ordered
    assert table["churn_risk"].cat.categories.tolist() == ["low", "medium", "high"]
    assert set(table["kmeans_segment"]) <= set(range(fitted.kmeans_.n_clusters_))
    assert table["churn_probability"].between(0, 1).all()


def test_stage_outputs_match_the_stages_applied_directly(table, fitted):
    from custseg.features import customer_features

    feats = customer_features(SAMPLE, observation_date=END)
    # Features are those of the feature builder as of the date (rounded to 1e-9).
    np.testing.assert_allclose(table["monetary_total"], feats["monetary_total"], atol=1e-9)
    np.testing.assert_array_equal(table["recency_days"], feats["recency_days"])
    # RFM segment: the fitted scorer applied to the features.
    direct = fitted.rfm_.transform(table[feats.columns])
    assert (direct["segment"].to_numpy() == table["rfm_segment"].astype(str).to_numpy()).all()
    # Tier: the fitted grader's grades.
    grades = fitted.tiers_.predict(table[feats.columns])
    assert (np.asarray(grades, dtype=object) == table["tier"].astype(str).to_numpy()).all()
    # Churn risk bands follow the cut points learnt in fit.
    low, high = fitted.churn_risk_cuts_
    p, risk = table["churn_probability"], table["churn_risk"].astype(str)
    assert (risk[p >= high] == "high").all()
    assert (risk[(p >= low) & (p < high)] == "medium").all()
    assert (risk[p < low] == "low").all()


def test_lifecycle_is_measured_at_as_of(table, fitted):
    stager = fitted.lifecycle_
    stages = stager.set_params(observation_date=END).transform(SAMPLE)
    stager.set_params(observation_date=fitted.observation_date_)
    assert (stages["stage"].to_numpy() == table["lifecycle_stage"].astype(str).to_numpy()).all()
    churned = stages["silence_gaps"] > stager.thresholds_["churn_gaps"]
    assert (table.loc[churned.to_numpy(), "lifecycle_stage"] == "churned").all()
    # As of 1998-06-30 nobody in CDNOW (first purchases in Q1 1997) is new.
    assert not (table["lifecycle_stage"] == "new").any()


def test_pooled_lifecycle_thresholds_give_the_stages_of_the_stager():
    from custseg.segments import LifecycleStager

    log = SAMPLE
    model = CustomerSegmentation(random_state=0, kmeans="drop", churn="drop",
                                 lifecycle=LifecycleStager(active_days=30, churn_days=200))
    table = model.fit(log[log["date"] <= CAL_END]).predict(log, as_of="1997-03-20")
    stages = model.lifecycle_.set_params(observation_date="1997-03-20").transform(log)
    assert set(stages["stage"]) >= {"new", "active", "dormant"}
    assert (stages["stage"].to_numpy() == table["lifecycle_stage"].astype(str).to_numpy()).all()


def test_churn_is_trained_on_a_split_inside_the_training_log(fitted):
    assert fitted.observation_date_ == dt.datetime(1997, 9, 30)
    assert fitted.churn_cutoff_ == dt.datetime(1997, 9, 30) - dt.timedelta(days=90)
    labels = churn_labels(SAMPLE[SAMPLE["date"] <= CAL_END], fitted.churn_cutoff_, 90)
    assert fitted.churn_rate_ == pytest.approx(labels["churned"].mean())
    assert fitted.churn_features_ == [c for c in labels.columns
                                      if c not in ("customer_id", "churned")]


def test_predict_features_of_churn_equal_the_training_features_at_the_cutoff(fitted):
    cutoff = fitted.churn_cutoff_
    train_log = SAMPLE[SAMPLE["date"] <= CAL_END]
    labels = churn_labels(train_log, cutoff, 90)
    log, as_of, _ = fitted._log(train_log, cutoff)
    mine = churn_table(score_inputs(fitted, log, as_of, groups_only=False))
    pd.testing.assert_frame_equal(
        mine.reset_index(drop=True), labels.drop(columns="churned"), check_dtype=False,
        atol=1e-9
    )


def test_churn_probability_ranks_holdout_churners():
    # Trained inside the calibration period, the churn risk predicts the holdout.
    from sklearn.metrics import roc_auc_score

    cal = SAMPLE[SAMPLE["date"] <= CAL_END]
    model = CustomerSegmentation(random_state=0, rfm="drop", lifecycle="drop", kmeans="drop",
                                 tiers="drop").fit(cal)
    table = model.predict(cal, as_of=CAL_END)
    buyers = set(SAMPLE.loc[SAMPLE["date"] > CAL_END, "customer_id"])
    churned = ~table["customer_id"].isin(buyers)
    auc = roc_auc_score(churned, table["churn_probability"])
    assert auc > 0.7, auc


def test_transactions_after_as_of_are_ignored(fitted, table):
    mid = "1998-01-31"
    full = fitted.predict(SAMPLE, as_of=mid)
    cut = fitted.predict(SAMPLE[SAMPLE["date"] <= mid], as_of=mid)
    pd.testing.assert_frame_equal(full, cut)
    assert (full["last_purchase"] <= pd.Timestamp(mid)).all()


def test_fit_ignores_transactions_after_observation_date(fitted, table):
    model = CustomerSegmentation(random_state=0, observation_date=CAL_END).fit(SAMPLE)
    pd.testing.assert_frame_equal(model.predict(SAMPLE, as_of=END), table)


def test_refit_with_same_seed_gives_identical_table(table):
    again = CustomerSegmentation(random_state=0).fit(SAMPLE[SAMPLE["date"] <= CAL_END])
    pd.testing.assert_frame_equal(again.predict(SAMPLE, as_of=END), table, check_exact=True)


def test_refund_only_customer_and_integer_ids():
    log = SAMPLE[SAMPLE["customer_id"] <= "0600"].copy()
    refund = pd.DataFrame({"customer_id": ["9999"], "date": [pd.Timestamp("1997-05-01")],
                           "quantity": [1], "amount": [-5.0]})
    log = pd.concat([log, refund], ignore_index=True)
    log["customer_id"] = log["customer_id"].astype("int64")
    model = CustomerSegmentation(random_state=0, kmeans=KMeansSegmenter(n_clusters=3))
    table = model.fit(log).predict(log)
    assert table["customer_id"].dtype == "int64"
    assert table["customer_id"].tolist() == sorted(log["customer_id"].unique())
    row = table.set_index("customer_id").loc[9999]
    # No purchase: a prospect, scored as the least recent customer, no churn estimate.
    assert row["frequency"] == 0 and row["lifecycle_stage"] == "prospect"
    assert row["rfm_segment"] == "Lost" and row["tier"] == "D"
    assert pd.isna(row["churn_probability"]) and pd.isna(row["churn_risk"])


@pytest.mark.parametrize("observation_date", [None, CAL_END])
def test_fit_predict_is_fit_then_predict_at_the_observation_date(observation_date):
    kw = dict(random_state=0, observation_date=observation_date)
    model = CustomerSegmentation(**kw)
    table = model.fit_predict(SAMPLE)
    expected = CustomerSegmentation(**kw).fit(SAMPLE).predict(
        SAMPLE, as_of=observation_date)
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    assert table.attrs == expected.attrs
    # The model is the one fit gives: it scores the log the same again.
    pd.testing.assert_frame_equal(model.predict(SAMPLE, as_of=observation_date), expected,
                                  check_exact=True)


def test_fit_predict_keeps_the_frame_kind():
    log = pl.from_pandas(SAMPLE[SAMPLE["customer_id"] <= "0600"])
    kw = dict(random_state=0, kmeans=KMeansSegmenter(n_clusters=3))
    table = CustomerSegmentation(**kw).fit_predict(log)
    assert isinstance(table, pl.DataFrame)
    expected = CustomerSegmentation(**kw).fit(log).predict(log)
    assert table.equals(expected)


def test_input_is_not_modified(fitted):
    log = SAMPLE.copy()
    before = log.copy()
    fitted.predict(log, as_of=END)
    CustomerSegmentation(random_state=0, kmeans="drop", churn="drop").fit(log)
    pd.testing.assert_frame_equal(log, before)


def test_row_order_does_not_matter(fitted, table):
    shuffled = SAMPLE.sample(frac=1.0, random_state=1)
    pd.testing.assert_frame_equal(fitted.predict(shuffled, as_of=END), table)


# --- configuration ---------------------------------------------------------------------

def test_dropped_stages_leave_their_columns_out():
    model = CustomerSegmentation(rfm="drop", lifecycle="drop", kmeans="drop", tiers="drop",
                                 churn="drop", playbook="drop",
                                 future_value="drop").fit(SAMPLE)
    table = model.predict(SAMPLE)
    assert table.columns[-1] == "avg_order_value"
    assert model.rfm_ is None and model.churn_ is None and model.kmeans_ is None
    assert not hasattr(model, "churn_cutoff_")


def test_playbook_falls_back_to_lifecycle_stage_without_rfm():
    model = CustomerSegmentation(rfm="drop", kmeans="drop", tiers="drop", churn="drop",
                                 playbook=Playbook()).fit(SAMPLE)
    table = model.predict(SAMPLE)
    dormant = table["lifecycle_stage"] == "dormant"
    assert dormant.any()
    assert (table.loc[dormant, "action"] == "Win-back offer").all()


def test_configured_stage_is_used_and_cloned():
    seg = KMeansSegmenter(n_clusters=3)
    model = CustomerSegmentation(kmeans=seg, random_state=0, churn="drop").fit(SAMPLE)
    assert model.kmeans_.n_clusters_ == 3
    assert model.kmeans_ is not seg and not hasattr(seg, "labels_")
    assert model.kmeans_.random_state == 0  # the pipeline's seed fills a None seed
    assert set(model.predict(SAMPLE)["kmeans_segment"]) == {0, 1, 2}


def test_kmeans_features_are_configurable():
    model = CustomerSegmentation(kmeans=KMeansSegmenter(n_clusters=2, random_state=0),
                                 kmeans_features=("frequency", "monetary_mean"),
                                 churn="drop").fit(SAMPLE)
    assert model.kmeans_.feature_names_in_.tolist() == ["frequency", "monetary_mean"]


def test_tier_rules_reproduce_tiers(fitted):
    # The depth-4 tree learns the tiers of the training customers.
    at_fit = fitted.predict(SAMPLE, as_of=CAL_END)
    X = at_fit[["recency_days", "frequency", "monetary_total"]]
    agreement = (fitted.tier_rules_.predict(X) == at_fit["tier"].astype(str)).mean()
    assert agreement > 0.85, agreement
    assert "THEN" in fitted.tier_rules_.export_rules("text")


def test_other_column_names_and_kinds():
    log = SAMPLE.rename(columns={"customer_id": "client", "date": "ts", "amount": "value"})
    log["ts"] = log["ts"].dt.strftime("%Y-%m-%d")  # text timestamps are parsed
    model = CustomerSegmentation(customer_col="client", time_col="ts", amount_col="value",
                                 random_state=0).fit(pl.from_pandas(log))
    out = model.predict(pl.from_pandas(log), as_of=END)
    assert isinstance(out, pl.DataFrame)
    assert out.columns[0] == "client" and out.height == 2357
    arrow = model.predict(pa.Table.from_pandas(log, preserve_index=False), as_of=END)
    assert isinstance(arrow, pa.Table) and arrow.num_rows == 2357
    assert model.lifecycle_.customer_col == "client"
    assert model.rfm_.customer_col == "client"


def test_lazy_inputs_give_the_same_table_on_their_engine(fitted, table):
    from tests.conftest import to_pandas

    duckdb = pytest.importorskip("duckdb")
    want = table.astype({c: object for c in table.select_dtypes("category").columns})
    rel = duckdb.connect().from_df(SAMPLE)
    for log, kind in ((rel, "DuckDBPyRelation"), (pl.from_pandas(SAMPLE).lazy(), "LazyFrame")):
        got = fitted.predict(log, as_of=END)
        assert type(got).__name__ == kind
        got = to_pandas(got).sort_values("customer_id", ignore_index=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False, check_categorical=False)


def test_get_params_and_clone():
    model = CustomerSegmentation(churn_horizon_days=60, kmeans="drop")
    twin = clone(model)
    assert twin.get_params()["churn_horizon_days"] == 60
    assert twin.get_params()["kmeans"] == "drop"


# --- errors ----------------------------------------------------------------------------

def test_missing_column_is_named():
    with pytest.raises(MissingColumnError, match="column 'amt' \\(amount_col\\)"):
        CustomerSegmentation(amount_col="amt").fit(SAMPLE)


def test_predict_before_fit():
    with pytest.raises(NotFittedError):
        CustomerSegmentation().predict(SAMPLE)


def test_as_of_before_first_transaction(fitted):
    with pytest.raises(EmptyDataError, match="no transaction in column 'date' is on or before"):
        fitted.predict(SAMPLE, as_of="1990-01-01")


def test_unparseable_as_of(fitted):
    with pytest.raises(InvalidValueError, match="observation_date='soon' is not a date"):
        fitted.predict(SAMPLE, as_of="soon")


@pytest.mark.parametrize("thresholds", [(0.8, 0.5), (0.0, 0.5), (0.5,), ("a", "b")])
def test_bad_risk_thresholds(thresholds):
    with pytest.raises(InvalidValueError, match="churn_risk_thresholds"):
        CustomerSegmentation(churn_risk_thresholds=thresholds).fit(SAMPLE)


def test_churn_horizon_longer_than_the_log():
    # Issue 11: the stages that can be learnt, and a warning for the churn stage.
    short = SAMPLE[SAMPLE["date"] <= "1997-02-15"]
    with pytest.warns(DataWarning, match="the churn stage cannot be learnt from this log.*"
                                         "fewer than the churn horizon of 90 days"):
        model = CustomerSegmentation(churn_horizon_days=90, kmeans="drop").fit(short)
    assert model.churn_ is None and list(model.skipped_stages_) == ["churn"]
    table = model.predict(short)
    assert len(table) == short["customer_id"].nunique()
    assert "churn_probability" not in table.columns and "tier" in table.columns


def test_bad_kmeans_features():
    with pytest.raises(InvalidValueError, match="kmeans_features"):
        CustomerSegmentation(kmeans_features=("nope",)).fit(SAMPLE)


def test_bad_parameter_value():
    with pytest.raises(ValueError, match="'occasion' parameter"):
        CustomerSegmentation(occasion="week").fit(SAMPLE)
