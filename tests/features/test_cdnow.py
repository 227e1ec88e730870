"""Acceptance figures of issue #2 on the real CDNOW data."""

from __future__ import annotations

import pandas as pd
import pytest

from custseg.datasets import load_cdnow
from custseg.features import btyd_summary, calibration_holdout, customer_features, rfm


def test_sample_btyd_reference_figures():
    summary = btyd_summary(load_cdnow(sample=True), observation_date="1997-09-30", unit="W",
                           future="drop")
    assert len(summary) == 2357
    assert summary["frequency"].sum() == 2457
    first = summary.iloc[0]
    assert first["customer_id"] == "0001"
    assert (first["frequency"], round(first["recency"], 2), round(first["T"], 2)) == (
        2, 30.43, 38.86)


def test_master_calibration_holdout_reference_figures():
    split = calibration_holdout(load_cdnow(), "1997-09-30", "1998-06-30", unit="W")
    assert split.n_calibration_rows == 49_086
    assert split.n_holdout_rows == 20_573
    assert split.n_customers == 23_570
    assert int((split.features["frequency_holdout"] > 0).sum()) == 7_058
    assert int((~split.features["churned"]).sum()) == 7_058
    assert split.n_new_in_holdout == 0 and split.n_after_holdout == 0
    assert split.features["duration_holdout"].iloc[0] == pytest.approx(273 / 7)
    # Calibration features use calibration rows only: T is the same as a direct summary.
    direct = btyd_summary(load_cdnow(), observation_date="1997-09-30", unit="W", future="drop")
    pd.testing.assert_series_equal(split.features["T_cal"], direct["T"], check_names=False)


def test_calibration_holdout_counts_new_customers():
    log = pd.DataFrame({"customer_id": ["a", "a", "b", "c"],
                        "date": pd.to_datetime(["2024-01-01", "2024-01-20", "2024-01-25",
                                                "2024-02-10"]),
                        "amount": [1.0, 2.0, 3.0, 4.0]})
    split = calibration_holdout(log, "2024-01-15", "2024-01-31")
    assert split.features["customer_id"].tolist() == ["a"]
    assert split.features["frequency_holdout"].tolist() == [1]
    assert split.features["monetary_holdout"].tolist() == [2.0]
    assert split.features["churned"].tolist() == [False]
    assert split.features["duration_holdout"].tolist() == [16.0]
    assert (split.n_calibration_rows, split.n_holdout_rows) == (1, 2)
    assert split.n_new_in_holdout == 1 and split.n_after_holdout == 1


def test_calibration_holdout_errors():
    log = load_cdnow(sample=True)
    from custseg.exceptions import EmptyDataError, InvalidValueError

    with pytest.raises(InvalidValueError, match="holdout_end=1997-01-01 must be after"):
        calibration_holdout(log, "1997-09-30", "1997-01-01")
    with pytest.raises(EmptyDataError, match="calibration_end=1990-01-01"):
        calibration_holdout(log, "1990-01-01")


def test_rfm_on_master_is_one_row_per_customer():
    log = load_cdnow()
    out = rfm(log)
    assert len(out) == 23_570 and out["customer_id"].is_unique
    assert out["customer_id"].is_monotonic_increasing
    # Several rows on one day are one purchase: frequency <= rows per customer.
    rows = log.groupby("customer_id").size().sort_index().to_numpy()
    assert (out["frequency"].to_numpy() <= rows).all()
    assert out["monetary_total"].sum() == pytest.approx(log["amount"].sum())


def test_features_are_identical_run_to_run():
    # Money is summed as integers, so parallel aggregation cannot change the last bits.
    log = load_cdnow()
    first = customer_features(log)
    for _ in range(2):
        pd.testing.assert_frame_equal(customer_features(log), first, check_exact=True)
    split = calibration_holdout(log, "1997-09-30", unit="W")
    again = calibration_holdout(log, "1997-09-30", unit="W")
    pd.testing.assert_frame_equal(split.features, again.features, check_exact=True)


def test_money_is_exact_to_the_cent():
    log = pd.DataFrame({"customer_id": ["a"] * 3,
                        "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
                        "amount": [0.1, 0.2, 0.3]})
    # Float addition gives 0.6000000000000001; the exact sum is 0.6.
    assert rfm(log)["monetary_total"].tolist() == [0.6]
    assert btyd_summary(log)["monetary_value"].tolist() == [0.25]


@pytest.mark.parametrize("returns", ["net", "drop"])
def test_features_in_parts_of_the_customers_are_the_same(monkeypatch, returns):
    """A big log is aggregated part by part of the customers on polars: the same table."""
    import polars as pl

    import custseg.features._core as core

    log = load_cdnow()
    log.loc[log.index[::50], "amount"] *= -1  # refunds: the two-aggregation path too
    whole = customer_features(log, observation_date="1998-06-30", returns=returns)
    lazy_whole = customer_features(pl.from_pandas(log).lazy(), observation_date="1998-06-30",
                                   returns=returns).collect()
    monkeypatch.setattr(core, "ROWS_PER_PART", 7_000)  # 10 parts of the 69,659 rows
    parts = customer_features(log, observation_date="1998-06-30", returns=returns)
    pd.testing.assert_frame_equal(parts, whole, check_exact=True)
    lazy_parts = customer_features(pl.from_pandas(log).lazy(), observation_date="1998-06-30",
                                   returns=returns)
    assert "UNION" in lazy_parts.explain() or "concat" in lazy_parts.explain().lower()
    assert lazy_parts.collect().equals(lazy_whole)


@pytest.mark.parametrize("returns", ["net", "drop"])
def test_rfm_and_btyd_in_parts_of_the_customers_are_the_same(monkeypatch, returns):
    import custseg.features._core as core

    log = load_cdnow()
    log.loc[log.index[::50], "amount"] *= -1
    kw = {"observation_date": "1998-06-30", "returns": returns}
    whole = rfm(log, **kw), btyd_summary(log, **kw)
    monkeypatch.setattr(core, "ROWS_PER_PART", 7_000)
    monkeypatch.setattr(core, "ROWS_PER_CUSTOMER_PART", 7_000)
    for got, expected in zip((rfm(log, **kw), btyd_summary(log, **kw)), whole, strict=True):
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
