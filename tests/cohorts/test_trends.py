"""Trends and cohort retention on hand-worked logs (every number worked out by hand)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.cohorts import TREND_COLUMNS, cohort_retention, trends
from custseg.exceptions import InvalidValueError
from custseg.io import check_transactions

# 2024-01-01 is a Monday: weeks W1 = Jan 1-7, W2 = Jan 8-14, W3 = Jan 15-21, W4 = Jan 22-28.
WEEKLY = pd.DataFrame({
    "customer_id": ["a", "a", "b", "a", "b", "c", "c", "a"],
    "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-09",
                            "2024-01-16", "2024-01-17", "2024-01-17", "2024-01-24"]),
    "amount": [10.0, 5.0, 8.0, -5.0, 12.0, 20.0, 1.0, 3.0],
})
# W1: a buys on two days, b on one: 3 orders, 23.00, a and b are new.
# W2: only a refund of a (-5.00): no purchase, nobody active, a and b lost.
# W3: b comes back (reactivated), c is new and buys twice on one day (one order): 33.00.
# W4: a comes back; b and c are lost. The log ends on Thursday Jan 25: W4 is partial.
EXPECTED_WEEKLY = pd.DataFrame({
    "period": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]),
    "revenue": [23.0, -5.0, 33.0, 3.0],
    "orders": [3, 0, 2, 1],
    "active_customers": [2, 0, 2, 1],
    "new_customers": [2, 0, 1, 0],
    "retained_customers": [0, 0, 0, 0],
    "reactivated_customers": [0, 0, 1, 1],
    "lost_customers": [0, 2, 0, 2],
    "complete": [True, True, True, False],
})


def test_weekly_trends_by_hand():
    out = trends(WEEKLY, freq="week", observation_date="2024-01-25")
    assert tuple(out.columns) == TREND_COLUMNS
    pd.testing.assert_frame_equal(out, EXPECTED_WEEKLY, check_dtype=False)
    assert out["period"].dt.day_of_week.eq(0).all()  # weeks start on Monday


def test_flows_add_up():
    out = trends(WEEKLY, freq="week", observation_date="2024-01-25")
    assert (out.active_customers == out.new_customers + out.retained_customers
            + out.reactivated_customers).all()
    prev = out.active_customers.shift(1, fill_value=0)
    assert (out.lost_customers == prev - out.retained_customers).all()


def test_monthly_trends_retained_and_empty_month():
    log = pd.DataFrame({
        "customer_id": ["a", "a", "b", "a", "b"],
        "date": pd.to_datetime(["2024-01-31", "2024-02-01", "2024-02-15", "2024-04-02",
                                "2024-04-30"]),
        "amount": [1.0, 2.0, 3.0, 4.0, 5.0],
    })
    out = trends(log, freq="month", observation_date="2024-04-30")
    # Jan: a new. Feb: a retained, b new. Mar: nobody (both lost). Apr: both reactivated.
    assert out["period"].dt.month.tolist() == [1, 2, 3, 4]
    assert out.revenue.tolist() == [1.0, 5.0, 0.0, 9.0]
    assert out.active_customers.tolist() == [1, 2, 0, 2]
    assert out.new_customers.tolist() == [1, 1, 0, 0]
    assert out.retained_customers.tolist() == [0, 1, 0, 0]
    assert out.reactivated_customers.tolist() == [0, 0, 0, 2]
    assert out.lost_customers.tolist() == [0, 0, 2, 0]
    assert out.complete.tolist() == [True, True, True, True]  # the log covers April to its end


def test_orders_count_order_ids():
    log = pd.DataFrame({"customer_id": ["a", "a", "a"], "order": [1, 1, 2],
                        "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02"]),
                        "amount": [1.0, 1.0, 1.0]})
    assert trends(log, freq="week", order_col="order").orders.tolist() == [2]
    assert trends(log, freq="week").orders.tolist() == [2]  # two days, by coincidence
    one_day = log.assign(date=pd.Timestamp("2024-01-01"))
    assert trends(one_day, freq="week", order_col="order").orders.tolist() == [2]
    assert trends(one_day, freq="week").orders.tolist() == [1]


@pytest.mark.parametrize(("days", "freq"), [(20, "week"), (179, "week"), (180, "month")])
def test_period_length_chosen_from_the_span(days, freq):
    log = pd.DataFrame({"customer_id": ["a", "b"],
                        "date": [pd.Timestamp("2024-01-01"),
                                 pd.Timestamp("2024-01-01") + pd.Timedelta(days=days)],
                        "amount": [1.0, 1.0]})
    out = trends(log)
    # 2024-01-01 is a Monday and the first of a month: both kinds of period start there.
    if freq == "week":
        assert len(out) == days // 7 + 1
        assert (out.period.diff().dropna() == pd.Timedelta(days=7)).all()
    else:  # Jan 1 + 180 days = Jun 29: January to June
        assert out.period.dt.month.tolist() == [1, 2, 3, 4, 5, 6]
        assert out.period.dt.day.eq(1).all()


def test_frame_kinds_and_validated_log():
    pl_log = pl.from_pandas(WEEKLY)
    out = trends(pl_log, freq="week", observation_date="2024-01-25")
    assert isinstance(out, pl.DataFrame)
    assert out["new_customers"].to_list() == [2, 0, 1, 0]
    lazy = trends(pl_log.lazy(), freq="week", observation_date="2024-01-25")
    assert isinstance(lazy, pl.DataFrame) and lazy.equals(out)
    tx = check_transactions(WEEKLY, observation_date="2024-01-25")
    pd.testing.assert_frame_equal(trends(tx, freq="week"), EXPECTED_WEEKLY, check_dtype=False)


def test_input_is_not_mutated_and_row_order_does_not_matter():
    before = WEEKLY.copy()
    shuffled = WEEKLY.sample(frac=1.0, random_state=0)
    out = trends(shuffled, freq="week", observation_date="2024-01-25")
    pd.testing.assert_frame_equal(out, EXPECTED_WEEKLY, check_dtype=False)
    pd.testing.assert_frame_equal(WEEKLY, before)


def test_bad_freq():
    with pytest.raises(InvalidValueError, match=r"freq='day' must be one of 'week' or 'month'"):
        trends(WEEKLY, freq="day")
    with pytest.raises(InvalidValueError, match="max_periods=-1 must be an integer >= 0"):
        cohort_retention(WEEKLY, max_periods=-1)


def test_weekly_cohorts_by_hand():
    out = cohort_retention(WEEKLY, freq="week", observation_date="2024-01-25")
    # Cohort W1 = {a, b}: W2 nobody, W3 b, W4 a. Cohort W3 = {c}: W4 nobody, W5 not yet seen.
    assert out.columns.tolist() == ["cohort", "customers", "0", "1", "2", "3"]
    assert out.cohort.tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-15")]
    assert out.customers.tolist() == [2, 1]
    np.testing.assert_array_equal(out[["0", "1", "2", "3"]].to_numpy(),
                                  [[1.0, 0.0, 0.5, 0.5], [1.0, 0.0, np.nan, np.nan]])
    capped = cohort_retention(WEEKLY, freq="week", observation_date="2024-01-25", max_periods=1)
    assert capped.columns.tolist() == ["cohort", "customers", "0", "1"]


def test_cohort_first_purchase_ignores_refund_only_rows():
    log = pd.DataFrame({"customer_id": ["a", "a", "a"],
                        "date": [dt.datetime(2024, 1, 10), dt.datetime(2024, 2, 10),
                                 dt.datetime(2024, 3, 10)],
                        "amount": [-4.0, 6.0, 2.0]})
    out = cohort_retention(log, freq="month")
    # January holds a refund only: a's cohort is February, and a buys again in March.
    assert out.cohort.tolist() == [pd.Timestamp("2024-02-01")]
    assert out[["0", "1"]].to_numpy().tolist() == [[1.0, 1.0]]


def test_last_period_complete_when_the_log_covers_it():
    log = pd.DataFrame({"customer_id": ["a", "b"],
                        "date": pd.to_datetime(["2024-01-03", "2024-01-31"]),
                        "amount": [1.0, 2.0]})
    # the default observation date is the last timestamp, midnight of January's last day
    assert trends(log, freq="month").complete.tolist() == [True]
    assert trends(log, freq="month", observation_date="2024-01-31").complete.tolist() == [True]
    assert trends(log, freq="month", observation_date="2024-01-31 12:00").complete.tolist() == [
        False]
    assert trends(log, freq="month", observation_date="2024-02-10").complete.tolist() == [
        True, False]
