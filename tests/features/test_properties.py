"""Property-based invariants of the feature builders (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custseg.features import btyd_summary, customer_features, rfm

START = pd.Timestamp("2024-01-01")


@st.composite
def logs(draw) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=40))
    customers = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e", "00f"]), min_size=n,
                              max_size=n))
    minutes = draw(st.lists(st.integers(min_value=0, max_value=60 * 24 * 90), min_size=n,
                            max_size=n))
    amounts = draw(st.lists(st.floats(min_value=-50, max_value=500, allow_nan=False,
                                      allow_infinity=False), min_size=n, max_size=n))
    return pd.DataFrame({
        "customer_id": customers,
        "date": [START + pd.Timedelta(minutes=m) for m in minutes],
        "amount": np.round(amounts, 2),
    })


SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(log=logs(), seed=st.integers(min_value=0, max_value=2**31 - 1),
       occasion=st.sampled_from(["day", "row"]))
def test_row_order_does_not_matter(log, seed, occasion):
    shuffled = log.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    pd.testing.assert_frame_equal(customer_features(log, occasion=occasion),
                                  customer_features(shuffled, occasion=occasion))
    pd.testing.assert_frame_equal(btyd_summary(log, occasion=occasion),
                                  btyd_summary(shuffled, occasion=occasion))


@SETTINGS
@given(log=logs())
def test_no_customer_lost_or_duplicated(log):
    expected = sorted(log["customer_id"].unique())
    for out in (rfm(log), customer_features(log), rfm(log, occasion="row")):
        assert out["customer_id"].tolist() == expected
    # BTYD keeps exactly the customers with at least one purchase (amount >= 0).
    buyers = sorted(log.loc[log["amount"] >= 0, "customer_id"].unique())
    assert btyd_summary(log)["customer_id"].tolist() == buyers


@SETTINGS
@given(log=logs(), unit=st.sampled_from(["D", "W", "h"]))
def test_btyd_ranges(log, unit):
    out = btyd_summary(log, unit=unit)
    assert (out["frequency"] >= 0).all()
    assert (out["recency"] >= 0).all()
    assert (out["recency"] <= out["T"] + 1e-9).all()
    feats = rfm(log)
    bought = feats["frequency"] > 0
    assert (feats["frequency"] >= 0).all()
    assert (feats.loc[bought, "recency_days"] >= 0).all()
    assert (feats.loc[bought, "recency_days"] <= feats.loc[bought, "tenure_days"]).all()
