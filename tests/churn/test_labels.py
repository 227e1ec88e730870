import itertools

import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.churn import RollingOriginSplit, churn_labels
from custseg.datasets import load_cdnow
from custseg.exceptions import DataWarning, EmptyDataError, InvalidValueError

# a: buys before and inside the window; b: only before (churned); c: only inside the
# window (new, not in the table); d: before, and after the window only (churned).
LOG = pd.DataFrame({
    "customer_id": ["a", "a", "a", "b", "c", "d", "d"],
    "date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-02-05", "2024-01-10",
                            "2024-02-01", "2024-01-31", "2024-03-15"]),
    "amount": [10.0, 20.0, 5.0, 8.0, 3.0, 4.0, 6.0],
})


def test_hand_worked_labels():
    table = churn_labels(LOG, "2024-01-31", 14)  # window: Feb 1 .. Feb 14
    assert table["customer_id"].tolist() == ["a", "b", "d"]
    assert table["churned"].tolist() == [False, True, True]
    assert table["frequency"].tolist() == [2, 1, 1]
    assert table["recency_days"].tolist() == [11.0, 21.0, 0.0]
    assert table["frequency_cal"].tolist() == [1, 0, 0]
    assert "first_purchase" not in table.columns
    feature_cols = table.columns.drop(["customer_id", "churned"])
    assert all(pd.api.types.is_numeric_dtype(table[c]) for c in feature_cols)


def test_horizon_as_timedelta_and_weeks_agree():
    days = churn_labels(LOG, "2024-01-31", 14)
    weeks = churn_labels(LOG, "2024-01-31", 2, unit="W")
    delta = churn_labels(LOG, "2024-01-31", "14D")
    assert days["churned"].tolist() == weeks["churned"].tolist() == delta["churned"].tolist()
    assert weeks["T_cal"].tolist() == pytest.approx(np.array(days["T_cal"]) / 7)


def test_polars_in_polars_out():
    out = churn_labels(pl.from_pandas(LOG), "2024-01-31", 14)
    assert isinstance(out, pl.DataFrame)
    assert out["churned"].to_list() == [False, True, True]


def test_cdnow_labels_agree_with_calibration_holdout():
    table = churn_labels(load_cdnow(), "1997-09-30", 39, unit="W")
    assert len(table) == 23570
    assert int((~table["churned"]).sum()) == 7058
    assert table["customer_id"].is_unique and table["customer_id"].is_monotonic_increasing


@pytest.mark.parametrize("change", ["drop_future", "add_future"])
def test_features_do_not_see_transactions_after_the_cutoff(change):
    log = load_cdnow(sample=True)
    cutoff, horizon = "1997-06-30", 26
    before = churn_labels(log, cutoff, horizon, unit="W")
    end = pd.Timestamp(cutoff) + pd.Timedelta(weeks=horizon)
    if change == "drop_future":
        changed = log[log["date"] <= end + pd.Timedelta(days=1)]
        # Beyond the label window: nothing may change, not even the labels.
        changed = changed[changed["date"] <= end]
    else:
        rng = np.random.default_rng(0)
        ids = log["customer_id"].drop_duplicates().sample(300, random_state=0)
        extra = pd.DataFrame({
            "customer_id": ids.to_numpy(),
            "date": pd.Timestamp(cutoff) + pd.to_timedelta(rng.integers(1, 400, 300), "D"),
            "amount": rng.uniform(1, 100, 300),
        })
        last = log["date"].max()
        extra = extra[extra["date"] <= last]
        changed = pd.concat([log, extra], ignore_index=True)
    after = churn_labels(changed, cutoff, horizon, unit="W")
    features = before.columns.drop("churned")
    pd.testing.assert_frame_equal(before[features], after[features])
    if change == "drop_future":
        pd.testing.assert_series_equal(before["churned"], after["churned"])
    else:
        # New purchases can only turn churners into active customers.
        assert (after["churned"] <= before["churned"]).all()


def test_horizon_past_the_end_of_the_data():
    with pytest.raises(InvalidValueError, match="past the end of the data in column 'date'"):
        churn_labels(LOG, "2024-03-01", 30)


def test_cutoff_before_the_first_transaction():
    with pytest.raises(EmptyDataError, match="before the first transaction"):
        churn_labels(LOG, "2023-12-01", 14)


def test_one_class_warns():
    with pytest.warns(DataWarning, match="all 2 customers are churned over the horizon"):
        churn_labels(LOG, "2024-01-15", 3)


@pytest.mark.parametrize(("horizon", "match"),
                         [(0, "positive"), (-3, "positive"), ("soon", "not a duration"),
                          (float("nan"), "finite"), (True, "number")])
def test_bad_horizon(horizon, match):
    with pytest.raises(InvalidValueError, match=match):
        churn_labels(LOG, "2024-01-31", horizon)


def test_does_not_mutate_input():
    copy = LOG.copy()
    churn_labels(LOG, "2024-01-31", 14)
    pd.testing.assert_frame_equal(LOG, copy)


def test_rolling_origin_cutoffs_and_no_leak():
    log = load_cdnow(sample=True)
    splitter = RollingOriginSplit(horizon=60, n_splits=3, step=30)
    pairs = splitter.get_cutoffs(log)
    assert splitter.get_n_splits() == 3 == len(pairs)
    assert pairs[-1][1] == pd.Timestamp("1998-06-30") - pd.Timedelta(days=60)
    for train_cut, test_cut in pairs:
        assert test_cut - train_cut == pd.Timedelta(days=60)
    assert [b - a for (_, a), (_, b) in itertools.pairwise(pairs)] == \
        [pd.Timedelta(days=30)] * 2
    # The training table (features and labels) uses nothing after the test cutoff.
    train, test = next(iter(splitter.split(log)))
    first_test = pairs[0][1]
    truncated = log[log["date"] <= first_test]
    train_again = churn_labels(truncated, pairs[0][0].to_pydatetime(), 60)
    pd.testing.assert_frame_equal(train.reset_index(drop=True),
                                  train_again.reset_index(drop=True))
    assert len(test) >= len(train)


def test_rolling_origin_explicit_cutoffs_and_errors():
    log = load_cdnow(sample=True)
    splitter = RollingOriginSplit(horizon=4, unit="W", cutoffs=["1998-01-31", "1997-12-31"])
    pairs = splitter.get_cutoffs(log)
    assert [str(t.date()) for _, t in pairs] == ["1997-12-31", "1998-01-31"]
    assert "horizon=4" in repr(splitter)
    with pytest.raises(InvalidValueError, match="before the first transaction"):
        RollingOriginSplit(horizon=200, n_splits=3).get_cutoffs(log)
    with pytest.raises(InvalidValueError, match="past the end of the data"):
        RollingOriginSplit(horizon=30, cutoffs=["1998-06-15"]).get_cutoffs(log)
    with pytest.raises(InvalidValueError, match="n_splits"):
        RollingOriginSplit(horizon=30, n_splits=0).get_cutoffs(log)


def test_lazy_in_lazy_out():
    out = churn_labels(pl.from_pandas(LOG).lazy(), "2024-01-31", 14)
    assert isinstance(out, pl.LazyFrame)
    assert out.collect()["churned"].to_list() == [False, True, True]


def test_data_end_lets_the_horizon_pass_the_last_purchase():
    import pandas as pd

    from custseg.churn import churn_labels
    from custseg.exceptions import InvalidValueError

    log = pd.DataFrame({"customer_id": ["a", "a", "b"],
                        "date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-01-05"]),
                        "amount": [1.0, 2.0, 3.0]})
    with pytest.raises(InvalidValueError, match="past the end of the data"):
        churn_labels(log, "2024-01-10", 30)
    # The extract is known complete until Feb 9: a's purchase on Jan 20 is in the window.
    table = churn_labels(log, "2024-01-10", 30, data_end="2024-02-09")
    assert table["customer_id"].tolist() == ["a", "b"]
    assert table["churned"].tolist() == [False, True]
