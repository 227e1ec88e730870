from __future__ import annotations

import pandas as pd
import pytest

from custseg.datasets import load_cdnow, make_transactions
from custseg.exceptions import InvalidValueError
from tests._data import cdnow_path


def test_load_cdnow_master():
    log = load_cdnow()
    assert log.shape == (69_659, 4)
    assert log.columns.tolist() == ["customer_id", "date", "quantity", "amount"]
    assert log["customer_id"].nunique() == 23_570
    assert log["customer_id"].iloc[0] == "00001"
    assert log["date"].min() == pd.Timestamp("1997-01-01")
    assert log["date"].max() == pd.Timestamp("1998-06-30")
    assert int((log["amount"] == 0).sum()) == 80


def test_load_cdnow_sample_and_polars():
    sample = load_cdnow(sample=True)
    assert sample.shape == (6_919, 5)
    assert sample.iloc[0][["customer_id", "master_id"]].tolist() == ["0001", "00004"]
    assert load_cdnow(as_frame="polars").height == 69_659


@pytest.mark.parametrize("which", ["master", "sample"])
def test_bundled_copy_matches_shared_raw_file(which):
    path = cdnow_path(which)
    if which == "master":
        raw = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str})
        raw.columns = ["customer_id", "date", "quantity", "amount"]
    else:
        raw = pd.read_csv(path, sep=r"\s+", header=None, dtype={0: str, 1: str},
                          names=["master_id", "customer_id", "date", "quantity", "amount"])
    raw["date"] = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d")
    bundled = load_cdnow(sample=which == "sample")
    pd.testing.assert_frame_equal(bundled[raw.columns.tolist()].astype(object),
                                  raw.astype(object))


def test_make_transactions_reproducible_and_truthful():
    log, truth = make_transactions(500, random_state=3, return_truth=True)
    again, _ = make_transactions(500, random_state=3, return_truth=True)
    pd.testing.assert_frame_equal(log, again)
    assert log["customer_id"].nunique() == 500 and len(truth) == 500
    assert log["date"].is_monotonic_increasing
    merged = log.merge(truth, on="customer_id")
    # Nobody buys before birth or after dropping out.
    assert (merged["date"] >= merged["birth"]).all()
    assert (merged["date"] <= merged["dropout"]).all()
    counts = log.groupby("customer_id").size()
    assert (counts.loc[truth["customer_id"]].to_numpy() == truth["n_purchases"].to_numpy()).all()
    assert 0 < truth["alive_at_end"].mean() < 1


def test_make_transactions_size_and_ids():
    log = make_transactions(2000, n_transactions=20_000, id_type="int", random_state=0)
    assert 18_000 < len(log) < 22_000
    assert log["customer_id"].dtype == "int64"
    with pytest.raises(InvalidValueError, match="n_customers"):
        make_transactions(0)
