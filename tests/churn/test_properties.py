import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custseg.churn import churn_labels

START = pd.Timestamp("2024-01-01")


@st.composite
def logs(draw):
    n = draw(st.integers(min_value=3, max_value=25))
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(min_value=0, max_value=59), min_size=n, max_size=n))
    amounts = draw(st.lists(st.floats(min_value=0.0, max_value=500.0), min_size=n, max_size=n))
    # Anchor the data range: first day 0 and last day 60 (a customer "z").
    return pd.DataFrame({
        "customer_id": [*ids, "z", "z"],
        "date": [START + pd.Timedelta(days=d) for d in [*days, 0, 60]],
        "amount": [*amounts, 1.0, 1.0],
    })


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=logs(), cutoff_day=st.integers(min_value=0, max_value=45), seed=st.integers(0, 99))
def test_one_row_per_customer_with_history_and_row_order_irrelevant(log, cutoff_day, seed):
    import warnings

    from custseg.exceptions import DataWarning

    cutoff = START + pd.Timedelta(days=cutoff_day)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # one-class draws are allowed here
        table = churn_labels(log, cutoff, 15)
        shuffled = churn_labels(log.sample(frac=1, random_state=seed), cutoff, 15)
    expected = sorted(log.loc[log["date"] <= cutoff, "customer_id"].unique())
    assert table["customer_id"].tolist() == expected
    pd.testing.assert_frame_equal(table, shuffled)
    window = log[(log["date"] > cutoff) & (log["date"] <= cutoff + pd.Timedelta(days=15))]
    active = set(window["customer_id"])
    assert table["churned"].tolist() == [c not in active for c in expected]
