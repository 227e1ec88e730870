"""Hand-worked RFM, BTYD and behavioural features on tiny logs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custseg.exceptions import FutureTimestampError, InvalidValueError, NegativeAmountError
from custseg.features import behavioural_features, btyd_summary, customer_features, rfm


@pytest.fixture
def log() -> pd.DataFrame:
    # a: two rows on Jan 1 (one occasion, 15.0) and one on Jan 11 (20.0); b: one on Jan 6.
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "b"],
        "date": pd.to_datetime(["2024-01-01 00:00", "2024-01-01 18:30", "2024-01-11 00:00",
                                "2024-01-06 00:00"]),
        "amount": [10.0, 5.0, 20.0, 8.0],
        "order_id": [1, 2, 3, 4],
    })


def test_rfm_hand_worked(log):
    out = rfm(log, observation_date="2024-01-31")
    assert out.columns.tolist() == ["customer_id", "recency_days", "frequency", "monetary_total",
                                    "monetary_mean", "first_purchase", "last_purchase",
                                    "tenure_days"]
    assert out["customer_id"].tolist() == ["a", "b"]
    assert out["recency_days"].tolist() == [20.0, 25.0]
    assert out["frequency"].tolist() == [2, 1]
    assert out["monetary_total"].tolist() == [35.0, 8.0]
    assert out["monetary_mean"].tolist() == [17.5, 8.0]
    assert out["first_purchase"].tolist() == [pd.Timestamp("2024-01-01"),
                                              pd.Timestamp("2024-01-06")]
    assert out["last_purchase"].tolist() == [pd.Timestamp("2024-01-11"), pd.Timestamp("2024-01-06")]
    assert out["tenure_days"].tolist() == [30.0, 25.0]


def test_rfm_occasions_row_and_order(log):
    rows = rfm(log, observation_date="2024-01-31", occasion="row")
    assert rows["frequency"].tolist() == [3, 1]
    # Exact times: the last purchase of a is Jan 11 00:00, the day Jan 31 ends at Feb 1 00:00.
    assert rows["recency_days"].tolist() == [21.0, 26.0]
    orders = rfm(log, observation_date="2024-01-31", occasion="order", order_col="order_id")
    assert orders["frequency"].tolist() == [3, 1]
    with pytest.raises(InvalidValueError, match="order_col"):
        rfm(log, occasion="order")
    with pytest.raises(InvalidValueError, match="occasion='week'"):
        rfm(log, occasion="week")


def test_default_observation_date_is_last_timestamp(log):
    out = rfm(log)
    # Last timestamp Jan 11 -> observation day Jan 11.
    assert out["recency_days"].tolist() == [0.0, 5.0]


def test_observation_day_covers_whole_day(log):
    late = pd.concat([log, pd.DataFrame({"customer_id": ["b"],
                                         "date": [pd.Timestamp("2024-01-31 15:00")],
                                         "amount": [1.0], "order_id": [5]})])
    out = rfm(late, observation_date="2024-01-31")
    assert out["frequency"].tolist() == [2, 2]
    assert out["recency_days"].tolist() == [20.0, 0.0]
    with pytest.raises(FutureTimestampError, match=r"'date'.*1 of 5 rows"):
        rfm(late, observation_date="2024-01-31 12:00")
    dropped = rfm(late, observation_date="2024-01-31 12:00", future="drop")
    assert dropped["frequency"].tolist() == [2, 1]


def test_refund_policies(log):
    refund = pd.concat([log, pd.DataFrame({
        "customer_id": ["a", "c"], "date": pd.to_datetime(["2024-01-20", "2024-01-21"]),
        "amount": [-5.0, -3.0], "order_id": [5, 6]})], ignore_index=True)
    net = rfm(refund, observation_date="2024-01-31")
    assert net["customer_id"].tolist() == ["a", "b", "c"]
    # A refund lowers spend but is not a purchase: a still has 2 purchases, last on Jan 11.
    assert net["frequency"].tolist() == [2, 1, 0]
    assert net["monetary_total"].tolist() == [30.0, 8.0, -3.0]
    assert net["recency_days"].iloc[0] == 20.0
    # c only refunded: no purchase, so no recency, mean or dates.
    assert np.isnan(net["recency_days"].iloc[2]) and np.isnan(net["monetary_mean"].iloc[2])
    assert pd.isna(net["first_purchase"].iloc[2])
    drop = rfm(refund, observation_date="2024-01-31", returns="drop")
    assert drop["customer_id"].tolist() == ["a", "b"]
    assert drop["monetary_total"].tolist() == [35.0, 8.0]
    with pytest.raises(NegativeAmountError, match=r"'amount'.*2 of 6 rows"):
        rfm(refund, returns="error")


def test_zero_amount_is_a_purchase(log):
    zero = pd.concat([log, pd.DataFrame({"customer_id": ["b"],
                                         "date": [pd.Timestamp("2024-01-09")],
                                         "amount": [0.0], "order_id": [9]})])
    out = rfm(zero, observation_date="2024-01-31")
    assert out["frequency"].tolist() == [2, 2]


def test_btyd_hand_worked(log):
    out = btyd_summary(log, observation_date="2024-01-31")
    assert out.columns.tolist() == ["customer_id", "frequency", "recency", "T", "monetary_value"]
    assert out["frequency"].tolist() == [1, 0]
    assert out["recency"].tolist() == [10.0, 0.0]
    assert out["T"].tolist() == [30.0, 25.0]
    # Repeat occasions of a: only Jan 11 (20.0); the first day (15.0) is excluded.
    assert out["monetary_value"].tolist() == [20.0, 0.0]
    weeks = btyd_summary(log, observation_date="2024-01-31", unit="W")
    np.testing.assert_allclose(weeks["T"], [30 / 7, 25 / 7])
    with pytest.raises(InvalidValueError, match="unit='M'"):
        btyd_summary(log, unit="M")


def test_btyd_refund_only_customer_left_out():
    log = pd.DataFrame({"customer_id": ["a", "b"], "date": pd.to_datetime(["2024-01-01"] * 2),
                        "amount": [5.0, -5.0]})
    assert btyd_summary(log)["customer_id"].tolist() == ["a"]


def test_behavioural_hand_worked():
    log = pd.DataFrame({
        "customer_id": ["a", "a", "a", "b"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-31", "2024-01-06"]),
        "amount": [10.0, 5.0, 20.0, 8.0],
        "qty": [1, 3, 2, 4],
        "sku": ["x", "y", "x", "z"],
    })
    out = behavioural_features(log, quantity_col="qty", product_col="sku", windows=(10, 30),
                               trend_window=15)
    a = out.iloc[0]
    assert a["ipt_mean_days"] == 15.0 and a["ipt_median_days"] == 15.0
    np.testing.assert_allclose(a["ipt_std_days"], np.std([10.0, 20.0], ddof=1))
    np.testing.assert_allclose(a["ipt_cv"], np.std([10.0, 20.0], ddof=1) / 15.0)
    # Window of 10 days up to Jan 31 covers Jan 22..31; 30 days covers Jan 2..31.
    assert (a["purchases_10d"], a["spend_10d"]) == (1, 20.0)
    assert (a["purchases_30d"], a["spend_30d"]) == (2, 25.0)
    assert a["avg_order_value"] == pytest.approx(35.0 / 3)
    assert a["avg_order_quantity"] == pytest.approx(2.0)
    assert a["distinct_products"] == 2
    b = out.iloc[1]
    assert np.isnan(b["ipt_mean_days"]) and np.isnan(b["ipt_std_days"])
    assert b["spend_trend"] == -1.0  # all its spend is in the previous window
    with pytest.raises(InvalidValueError, match="windows"):
        behavioural_features(log, windows=(0,))


def test_customer_features_is_rfm_plus_behaviour(log):
    both = customer_features(log, observation_date="2024-01-31")
    left = rfm(log, observation_date="2024-01-31")
    right = behavioural_features(log, observation_date="2024-01-31")
    pd.testing.assert_frame_equal(both, left.merge(right, on="customer_id"))


def test_customer_ids_keep_values_and_dtype():
    log = pd.DataFrame({"cust": ["00001", "00002", "00001"],
                        "ts": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
                        "value": [1.0, 2.0, 3.0]})
    out = rfm(log, customer_col="cust", time_col="ts", amount_col="value")
    assert out["cust"].tolist() == ["00001", "00002"]
    assert out["cust"].dtype == log["cust"].dtype
    ints = log.assign(cust=[10, 2, 10])
    out = rfm(ints, customer_col="cust", time_col="ts", amount_col="value")
    assert out["cust"].tolist() == [2, 10] and out["cust"].dtype == np.int64


def test_caller_data_not_mutated(log):
    before = log.copy(deep=True)
    rfm(log, observation_date="2024-01-31")
    customer_features(log, observation_date="2024-01-31", order_col="order_id")
    pd.testing.assert_frame_equal(log, before)


def test_text_timestamps_and_formats():
    log = pd.DataFrame({"customer_id": ["a", "a"], "date": ["20240101", "20240111"],
                        "amount": [1.0, 2.0]})
    out = rfm(log, time_format="%Y%m%d")
    assert out["frequency"].tolist() == [2]
    iso = log.assign(date=["2024-01-01", "2024-01-11"])
    assert rfm(iso)["recency_days"].tolist() == [0.0]


def test_timezone_aware_logs():
    log = pd.DataFrame({"customer_id": ["a", "a"],
                        "date": pd.to_datetime(["2024-01-01 23:00", "2024-01-05 00:00"])
                        .tz_localize("Europe/Paris"),
                        "amount": [1.0, 2.0]})
    out = rfm(log, observation_date=pd.Timestamp("2024-01-10", tz="Europe/Paris"))
    assert out["recency_days"].tolist() == [5.0]
    assert out["tenure_days"].tolist() == [9.0]


@pytest.mark.parametrize("occasion", ["day"])
def test_refund_free_fast_path_matches_the_occasion_table(occasion):
    from custseg.datasets import load_cdnow

    log = load_cdnow(sample=True).assign(order_id=lambda d: np.arange(len(d)) // 2)
    fast = rfm(log, occasion=occasion, order_col="order_id")
    # One refund by an extra customer sends the same log through the occasion table.
    extra = pd.DataFrame({"customer_id": ["zzzz"], "date": [log["date"].max()],
                          "quantity": [1], "amount": [-1.0], "master_id": ["x"],
                          "order_id": [-1]})
    general = rfm(pd.concat([log, extra], ignore_index=True), occasion=occasion,
                  order_col="order_id")
    pd.testing.assert_frame_equal(general.iloc[:-1], fast, check_exact=True)
