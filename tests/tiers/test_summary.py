from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custseg.exceptions import InvalidValueError, MissingColumnError
from custseg.segments import Migration
from custseg.tiers import grade, tier_migration, tier_summary


@pytest.fixture
def feats():
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "frequency": [8, 3, 1, 2],
            "monetary_total": [900.0, 60.0, 15.0, 25.0],
        }
    )


def test_summary_worked_by_hand(feats):
    grades = pd.Series(["C", "A", "C", "B"], index=["c", "a", "d", "b"])  # any order, by id
    out = tier_summary(feats, grades, order=list("ABCD"))
    assert out.index.tolist() == ["A", "B", "C", "D"]
    assert out["n_customers"].tolist() == [1, 1, 2, 0]
    np.testing.assert_allclose(out["share_customers"], [0.25, 0.25, 0.5, 0.0])
    # b (60) is B; c (15) and d (25) are C
    np.testing.assert_allclose(out["revenue"], [900.0, 60.0, 40.0, 0.0])
    np.testing.assert_allclose(out["share_revenue"], [0.9, 0.06, 0.04, 0.0])
    np.testing.assert_allclose(out["mean_frequency"], [8.0, 3.0, 1.5, np.nan])
    np.testing.assert_allclose(out["mean_monetary_total"], [900.0, 60.0, 20.0, np.nan])


def test_summary_positional_grades_and_ordered_categorical(feats):
    g = grade(feats["monetary_total"].to_numpy(), grades="ABC", shares=[0.25, 0.5])
    out = tier_summary(feats, g.to_numpy(), revenue_col=None, order=list("ABC"))
    assert "share_revenue" not in out.columns
    assert out["n_customers"].sum() == 4
    out2 = tier_summary(feats, g)  # positional Series (RangeIndex), order from the categories
    assert out2.index.tolist() == ["A", "B", "C"]
    assert out2["n_customers"].tolist() == out["n_customers"].tolist()


def test_summary_errors(feats):
    with pytest.raises(InvalidValueError, match="3 values but features has 4"):
        tier_summary(feats, ["A", "B", "C"])
    with pytest.raises(MissingColumnError, match="revenue"):
        tier_summary(feats, list("ABCD"), revenue_col="revenue")
    with pytest.raises(InvalidValueError, match=r"grade label\(s\) 'E' that are not among"):
        tier_summary(feats, list("ABCE"), order=list("ABCD"))


def test_migration_between_two_dates():
    before = pd.Series({"a": "A", "b": "B", "c": "B", "d": "D"})
    after = pd.Series({"a": "B", "b": "A", "c": "B", "e": "C"})
    m = tier_migration(before, after, grades=list("ABCD"))
    assert isinstance(m, Migration)
    assert m.counts.index.tolist() == ["A", "B", "C", "D", "(new)"]
    assert m.counts.columns.tolist() == ["A", "B", "C", "D", "(gone)"]
    assert m.counts.loc["A", "B"] == 1 and m.counts.loc["B", "A"] == 1
    assert m.counts.loc["B", "B"] == 1 and m.counts.loc["D", "(gone)"] == 1
    assert m.counts.loc["(new)", "C"] == 1
    assert m.counts.to_numpy().sum() == 5  # every customer of either date once
    np.testing.assert_allclose(m.shares.loc["B"].to_numpy(), [0.5, 0.5, 0, 0, 0])


def test_migration_order_from_ordered_categoricals():
    before = grade(pd.Series([1.0, 2.0, 3.0, 4.0], index=list("abcd")))
    after = grade(pd.Series([4.0, 3.0, 2.0, 1.0], index=list("abcd")))
    m = tier_migration(before, after)
    assert m.counts.index.tolist()[:4] == ["A", "B", "C", "D"]
    assert m.counts.loc["D", "A"] == 1 and m.counts.loc["A", "D"] == 1


def test_migration_errors():
    with pytest.raises(InvalidValueError, match="Series"):
        tier_migration({"a": "A"}, pd.Series({"a": "B"}))
    with pytest.raises(InvalidValueError, match=r"after holds grade label\(s\) 'E' "):
        tier_migration(pd.Series({"a": "A"}), pd.Series({"a": "E"}), grades=list("ABC"))
