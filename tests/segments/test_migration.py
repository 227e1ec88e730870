"""Tests of segment_migration: hand-worked matrices, new/gone customers, input forms, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custseg.datasets import load_cdnow
from custseg.exceptions import InvalidValueError, NullValueError
from custseg.features import rfm
from custseg.segments import RFMScorer, segment_migration


def test_hand_worked_counts_and_shares():
    before = pd.Series({"a": "A", "b": "A", "c": "A", "d": "B", "e": "C"})
    after = pd.Series({"a": "A", "b": "B", "c": "B", "d": "A", "f": "C", "g": "C"})
    m = segment_migration(before, after)
    assert m.counts.index.tolist() == ["A", "B", "C", "(new)"]
    assert m.counts.columns.tolist() == ["A", "B", "C", "(gone)"]
    expected = np.array([
        [1, 2, 0, 0],   # A: a stays, b and c move to B
        [1, 0, 0, 0],   # B: d moves to A
        [0, 0, 0, 1],   # C: e vanishes
        [0, 0, 2, 0],   # new: f and g arrive in C
    ])
    np.testing.assert_array_equal(m.counts.to_numpy(), expected)
    np.testing.assert_allclose(m.shares.loc["A"].to_numpy(), [1 / 3, 2 / 3, 0, 0])
    np.testing.assert_allclose(m.shares.sum(axis=1), 1.0)
    assert (m.n_new, m.n_gone, m.n_stayed) == (2, 1, 1)
    # every customer of either labeling is counted once
    assert m.counts.to_numpy().sum() == len(before.index.union(after.index))


def test_rows_and_columns_share_one_label_order():
    m = segment_migration(pd.Series({1: "x"}), pd.Series({1: "y"}))
    assert m.counts.index.tolist() == ["x", "y", "(new)"]
    assert m.counts.columns.tolist() == ["x", "y", "(gone)"]
    assert m.labels == ["x", "y"]
    # a row with no customers has zero shares, not NaN
    assert m.shares.loc["(new)"].tolist() == [0.0, 0.0, 0.0]
    assert m.shares.loc["y"].tolist() == [0.0, 0.0, 0.0]


def test_known_label_sets_are_ordered_best_first_and_diagonal_is_stayed():
    before = pd.Series({"a": "Lost", "b": "Champions", "c": "At Risk", "d": "Champions",
                        "e": "Lost"})
    after = pd.Series({"a": "Champions", "b": "Champions", "c": "Lost", "d": "At Risk",
                       "f": "New Customers"})
    m = segment_migration(before, after)
    # DEFAULT_SEGMENT_MAP order: Champions, New Customers, At Risk, Lost
    assert m.labels == ["Champions", "New Customers", "At Risk", "Lost"]
    assert m.counts.columns.tolist() == [*m.labels, "(gone)"]
    diagonal = [int(m.counts.iloc[i, i]) for i in range(len(m.labels))]
    assert diagonal == [1, 0, 0, 0] and m.n_stayed == 1  # b stayed a Champion
    assert m.n_better == 1  # a: Lost -> Champions
    assert m.n_worse == 2  # c: At Risk -> Lost, d: Champions -> At Risk
    assert (m.n_new, m.n_gone) == (1, 1)  # f arrives, e vanishes
    assert m.n_stayed + m.n_better + m.n_worse + m.n_new + m.n_gone == 6
    stages = segment_migration(pd.Series({"a": "churned", "b": "new"}),
                               pd.Series({"a": "active", "b": "dormant"}))
    assert stages.labels == ["new", "active", "dormant", "churned"]


def test_fixed_label_order_keeps_empty_grades():
    before = pd.Series({"a": "A", "b": "C"})
    after = pd.Series({"a": "B", "b": "C"})
    m = segment_migration(before, after, labels=["A", "B", "C", "D"])
    assert m.counts.index.tolist() == ["A", "B", "C", "D", "(new)"]
    assert m.counts.columns.tolist() == ["A", "B", "C", "D", "(gone)"]
    assert m.counts.loc["D"].sum() == 0 and m.counts.loc["A", "B"] == 1
    with pytest.raises(InvalidValueError, match=r"does not list 1 label\(s\) found in the data"):
        segment_migration(before, after, labels=["A", "B"])


def test_categorical_order_and_integer_labels():
    cat = pd.CategoricalDtype(["low", "mid", "high"], ordered=True)
    before = pd.Series(["high", "low"], index=["a", "b"], dtype=cat)
    after = pd.Series(["mid", "low"], index=["a", "b"], dtype=cat)
    m = segment_migration(before, after)
    assert m.counts.index.tolist() == ["low", "mid", "high", "(new)"]
    seg = segment_migration(pd.Series([0, 1, 2], index=[10, 11, 12]),
                            pd.Series([0, 0, 1], index=[10, 11, 13]))
    assert seg.counts.index.tolist() == [0, 1, 2, "(new)"]
    assert seg.counts.loc[1, 0] == 1 and seg.counts.loc["(new)", 1] == 1


@pytest.mark.parametrize("lib", ["pandas", "polars"])
def test_two_column_frames_are_accepted(lib):
    before = pd.DataFrame({"id": ["a", "b"], "segment": ["A", "B"]})
    after = pd.DataFrame({"id": ["b", "c"], "segment": ["A", "A"]})
    if lib == "polars":
        before, after = pl.from_pandas(before), pl.from_pandas(after)
    m = segment_migration(before, after)
    assert m.counts.loc["B", "A"] == 1 and m.counts.loc["A", "(gone)"] == 1
    assert m.counts.loc["(new)", "A"] == 1


def test_long_form_for_plots():
    m = segment_migration(pd.Series({"a": "A", "b": "A"}), pd.Series({"a": "B", "c": "A"}))
    long = m.to_long()
    assert long.columns.tolist() == ["before", "after", "count", "share"]
    assert set(map(tuple, long[["before", "after"]].to_numpy())) == {
        ("A", "B"), ("A", "(gone)"), ("(new)", "A")}
    assert long["count"].sum() == 3


def test_rfm_segments_of_cdnow_at_two_dates():
    log = load_cdnow(sample=True)
    t1 = rfm(log, observation_date="1997-12-31", future="drop")
    t2 = rfm(log, observation_date="1998-06-30")
    scorer = RFMScorer().fit(t1)
    s1 = scorer.transform(t1).set_index("customer_id")["segment"]
    s2 = scorer.transform(t2).set_index("customer_id")["segment"]
    m = segment_migration(s1, s2)
    assert m.counts.to_numpy().sum() == len(t2)
    assert m.n_gone == 0  # customers never vanish from a cumulative log
    assert m.counts.loc["Champions"].sum() == (s1 == "Champions").sum()


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(st.integers(0, 30), st.sampled_from("ABC"), max_size=20),
    st.dictionaries(st.integers(0, 30), st.sampled_from("ABD"), max_size=20),
)
def test_every_customer_is_counted_once(before, after):
    m = segment_migration(pd.Series(before, dtype=object), pd.Series(after, dtype=object))
    assert m.counts.to_numpy().sum() == len(set(before) | set(after))
    assert m.n_new == len(set(after) - set(before))
    assert m.n_gone == len(set(before) - set(after))
    assert m.counts.loc["(new)", "(gone)"] == 0


def test_errors():
    ok = pd.Series({"a": "A"})
    with pytest.raises(InvalidValueError, match="2 rows share a customer id"):
        segment_migration(pd.Series(["A", "B"], index=["a", "a"]), ok)
    with pytest.raises(NullValueError, match=r"1 customer\(s\) without a label"):
        segment_migration(ok, pd.Series({"a": None, "b": "A"}))
    with pytest.raises(InvalidValueError, match="frame with 2 columns"):
        segment_migration(pd.DataFrame({"a": [1], "b": [2], "c": [3]}), ok)
    with pytest.raises(InvalidValueError, match="also used for customers who appear"):
        segment_migration(pd.Series({"a": "(new)"}), ok)
    with pytest.raises(InvalidValueError, match="must differ"):
        segment_migration(ok, ok, new_label="x", gone_label="x")
