"""Tests of RFMScorer: hand-worked scores, ties, refit edges on new data, segment maps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.pipeline import make_pipeline

from custseg.datasets import load_cdnow
from custseg.exceptions import InvalidDtypeError, InvalidValueError, MissingColumnError
from custseg.features import RFMFeatures, rfm
from custseg.segments import DEFAULT_SEGMENT_MAP, RFMScorer
from custseg.segments._rfm_bins import balanced_bins

NAMES = {
    "Champions", "Loyal Customers", "Potential Loyalists", "New Customers", "Promising",
    "Need Attention", "About To Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost",
}


def ten_customers() -> pd.DataFrame:
    # Worked by hand: 10 customers, 5 levels of 2 customers each on every dimension.
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(10)],
        "recency_days": [1.0, 2, 5, 8, 20, 30, 60, 90, 200, 400],
        "frequency": [20, 15, 9, 8, 5, 4, 3, 2, 1, 1],
        "monetary_total": [900.0, 800, 20, 30, 300, 250, 100, 90, 5, 10],
    })


def test_hand_worked_scores_cells_and_names():
    out = RFMScorer().fit_transform(ten_customers())
    # recency: 1,2 -> 5; 5,8 -> 4; 20,30 -> 3; 60,90 -> 2; 200,400 -> 1
    assert out["r_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    # frequency: {1,1} -> 1; {2,3} -> 2; {4,5} -> 3; {8,9} -> 4; {15,20} -> 5
    assert out["f_score"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    # monetary: {5,10} -> 1; {20,30} -> 2; {90,100} -> 3; {250,300} -> 4; {800,900} -> 5
    assert out["m_score"].tolist() == [5, 5, 2, 2, 4, 4, 3, 3, 1, 1]
    assert out["rfm_cell"].tolist() == [
        "555", "555", "442", "442", "334", "334", "223", "223", "111", "111"]
    assert out["rfm_score"].tolist() == [15, 15, 10, 10, 10, 10, 7, 7, 3, 3]
    # FM = (F + M + 1) // 2: 5, 3, 4, 3, 1 -> names from the default grid
    assert out["segment"].tolist() == [
        "Champions", "Champions", "Potential Loyalists", "Potential Loyalists",
        "Loyal Customers", "Loyal Customers", "At Risk", "At Risk", "Lost", "Lost"]
    assert out["customer_id"].tolist() == ten_customers()["customer_id"].tolist()


def test_fitted_edges_are_reapplied_to_new_data():
    scorer = RFMScorer().fit(ten_customers())
    # recency edges are in days, the most recent value of each level but the best one
    np.testing.assert_array_equal(scorer.edges_["recency"], [200.0, 60.0, 20.0, 5.0])
    np.testing.assert_array_equal(scorer.edges_["frequency"], [1.0, 3.0, 5.0, 9.0])
    np.testing.assert_array_equal(scorer.edges_["monetary"], [10.0, 30.0, 100.0, 300.0])
    new = pd.DataFrame({
        "customer_id": ["n1", "n2", "n3", "n4"],
        "recency_days": [0.0, 20.0, 19.5, 1000.0],  # 20 is an edge: like training, 3
        "frequency": [100, 3, 4, 0],               # beyond the training range: 5 / 1
        "monetary_total": [10_000.0, 30.0, 31.0, -5.0],
    })
    out = scorer.transform(new)
    assert out["r_score"].tolist() == [5, 3, 4, 1]
    assert out["f_score"].tolist() == [5, 2, 3, 1]
    assert out["m_score"].tolist() == [5, 2, 3, 1]
    # the edges do not move with the new data
    assert scorer.transform(new.iloc[:1])["r_score"].tolist() == [5]


def test_eighty_percent_one_purchase_customers_score_without_error():
    rng = np.random.RandomState(0)
    n = 1000
    freq = np.where(np.arange(n) < 800, 1, rng.randint(2, 30, n))
    table = pd.DataFrame({
        "customer_id": np.arange(n),
        "recency_days": rng.randint(0, 365, n).astype(float),
        "frequency": freq,
        "monetary_total": freq * rng.lognormal(3, 0.5, n),
    })
    scorer = RFMScorer().fit(table)
    out = scorer.transform(table)
    # documented behaviour: every one-time buyer gets F = 1; repeat buyers share 2..5
    assert (out.loc[freq == 1, "f_score"] == 1).all()
    repeat = out.loc[freq > 1, "f_score"]
    assert sorted(repeat.unique()) == [2, 3, 4, 5]
    shares = repeat.value_counts(normalize=True)
    assert shares.min() > 0.15  # about a quarter of the repeat buyers each
    bins = scorer.bins_[scorer.bins_["dimension"] == "frequency"]
    assert bins["score"].tolist() == [1, 2, 3, 4, 5]
    assert bins.iloc[0]["n_customers"] == 800 and bins.iloc[0]["high"] == 1.0
    assert out["segment"].isin(NAMES).all() and out["segment"].notna().all()
    assert out["customer_id"].is_unique and len(out) == n


def test_all_customers_tied_score_the_middle_level():
    table = pd.DataFrame({"customer_id": [1, 2, 3], "recency_days": [5.0, 5.0, 5.0],
                          "frequency": [1, 1, 1], "monetary_total": [10.0, 20.0, 30.0]})
    out = RFMScorer().fit_transform(table)
    assert out["r_score"].tolist() == [3, 3, 3]
    assert out["f_score"].tolist() == [3, 3, 3]
    # three distinct values over five levels: spread to 1, 3, 5
    assert out["m_score"].tolist() == [1, 3, 5]


def test_two_distinct_values_score_lowest_and_highest():
    e, s = balanced_bins(np.array([1.0, 1, 1, 2]), 5)
    assert e.tolist() == [1.0] and s.tolist() == [1, 5]


def test_missing_recency_scores_one():
    table = ten_customers()
    table.loc[0, "recency_days"] = np.nan  # a refund-only customer in custseg.features.rfm
    scorer = RFMScorer().fit(table)
    out = scorer.transform(table)
    assert out.loc[0, "r_score"] == 1
    assert out["r_score"].notna().all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=60), st.integers(2, 9))
def test_balanced_bins_never_split_ties_and_use_valid_scores(values, n_levels):
    v = np.asarray(values, dtype=float)
    edges, scores = balanced_bins(v, n_levels)
    assert np.all(np.diff(edges) > 0)
    assert np.all(np.diff(scores) > 0)
    assert scores.min() >= 1 and scores.max() <= n_levels
    assert len(scores) == min(len(np.unique(v)), n_levels)
    got = scores[np.searchsorted(edges, v, side="left")]
    for value in np.unique(v):
        assert len(set(got[v == value])) == 1  # a tie is never split
    assert np.all(np.diff(got[np.argsort(v)]) >= 0)  # monotone


def test_polars_in_polars_out_and_id_dtype_kept():
    table = ten_customers()
    table["customer_id"] = np.arange(10, dtype="int32")
    out = RFMScorer().fit_transform(pl.from_pandas(table))
    assert isinstance(out, pl.DataFrame)
    assert out.schema["customer_id"] == pl.Int32
    expected = RFMScorer().fit_transform(table)
    assert expected["customer_id"].dtype == np.int32
    pd.testing.assert_frame_equal(out.to_pandas(), expected, check_dtype=False)


def test_pandas_index_is_kept_and_input_not_modified():
    table = ten_customers().set_axis(range(100, 110))
    before = table.copy()
    out = RFMScorer().fit_transform(table)
    assert out.index.tolist() == list(range(100, 110))
    pd.testing.assert_frame_equal(table, before)


def test_custom_columns_weights_levels_and_no_names():
    table = ten_customers().rename(columns={"recency_days": "R", "frequency": "F",
                                            "monetary_total": "M", "customer_id": "id"})
    scorer = RFMScorer(n_levels=3, recency_col="R", frequency_col="F", monetary_col="M",
                       customer_col="id", weights=(2, 1, 0.5), segment_map=None)
    out = scorer.fit_transform(table)
    assert list(out.columns) == ["id", "r_score", "f_score", "m_score", "rfm_cell", "rfm_score"]
    assert out["r_score"].max() == 3
    np.testing.assert_allclose(
        out["rfm_score"], 2 * out["r_score"] + out["f_score"] + 0.5 * out["m_score"])
    assert scorer.get_feature_names_out().tolist() == list(out.columns)
    no_id = RFMScorer(customer_col=None).fit_transform(ten_customers())
    assert "customer_id" not in no_id.columns and len(no_id) == 10


def test_regex_segment_map_and_lists_of_rules():
    seg_map = {
        "best": r"5[45][45]",
        "rest": [r"[1-4]..", r"5[1-3].", r"5[45][1-3]"],
    }
    out = RFMScorer(segment_map=seg_map).fit_transform(ten_customers())
    assert out["segment"].tolist() == ["best", "best"] + ["rest"] * 8


def test_default_map_covers_every_cell_once_with_the_eleven_names():
    scorer = RFMScorer().fit(ten_customers())
    assert len(scorer.cell_names_) == 125
    assert set(scorer.cell_names_.values()) == NAMES == set(DEFAULT_SEGMENT_MAP)
    assert scorer.cell_names_["555"] == "Champions"
    assert scorer.cell_names_["111"] == "Lost"
    assert scorer.cell_names_["155"] == "Can't Lose Them"
    assert scorer.cell_names_["511"] == "New Customers"


def test_map_with_gaps_lists_the_uncovered_cells():
    seg_map = {"top": {"R": (4, 5)}, "mid": {"R": 3}, "bottom": {"R": 1}}  # R=2 missing
    with pytest.raises(InvalidValueError, match=r"25 cell\(s\) have no name: '211', '212'"):
        RFMScorer(segment_map=seg_map).fit(ten_customers())


def test_map_with_overlaps_lists_the_doubly_covered_cells():
    seg_map = {"top": {"R": (3, 5)}, "low": {"R": (1, 3), "F": (1, 5)}}
    with pytest.raises(InvalidValueError,
                       match=r"25 cell\(s\) have several names: 311 \(top, low\), "):
        RFMScorer(segment_map=seg_map).fit(ten_customers())


@pytest.mark.parametrize(
    ("seg_map", "match"),
    [
        ({"x": {"Q": 1}}, r"keys must be among 'R', 'F', 'M' and 'FM'; got 'Q'"),
        ({"x": {"R": (0, 5)}}, r"R=\(0, 5\) must lie within 1..5"),
        ({"x": {"R": "high"}}, "must be a score or a"),
        ({"x": "5[4"}, "not a valid regular expression"),
        ({"x": 3}, "must be a regular expression on the cell code"),
        ({}, "non-empty dict"),
    ],
)
def test_bad_segment_maps(seg_map, match):
    with pytest.raises(InvalidValueError, match=match):
        RFMScorer(segment_map=seg_map).fit(ten_customers())


def test_default_map_needs_five_levels():
    with pytest.raises(InvalidValueError, match="defined for n_levels=5; got n_levels=4"):
        RFMScorer(n_levels=4).fit(ten_customers())


def test_bad_tables():
    with pytest.raises(MissingColumnError, match=r"column 'recency' \(recency_col\) is not "
                                                 r"in X\. Did you mean 'recency_days'\?"):
        RFMScorer(recency_col="recency").fit(ten_customers())
    text = ten_customers().astype({"frequency": str})
    with pytest.raises(InvalidDtypeError, match=r"'frequency' \(frequency_col\) must be numeric"):
        RFMScorer().fit(text)
    dup = pd.concat([ten_customers(), ten_customers().iloc[:2]])
    with pytest.raises(InvalidValueError, match="4 rows share an id"):
        RFMScorer().fit(dup)
    # An array is read by position (issue 11.8): three columns or a message naming them.
    with pytest.raises(InvalidValueError, match=r"X has shape \(3, 2\); an array is read as "
                       "three columns, in the order recency, frequency and monetary value"):
        RFMScorer().fit(np.zeros((3, 2)))
    with pytest.raises(InvalidDtypeError, match="must be a dataframe or a numeric array"):
        RFMScorer().fit(np.array([["a", "b", "c"]], dtype=object))
    empty = ten_customers().assign(monetary_total=np.nan)
    with pytest.raises(InvalidValueError, match="no finite value"):
        RFMScorer().fit(empty)
    with pytest.raises(InvalidValueError, match="weights="):
        RFMScorer(weights=(1, 2)).fit(ten_customers())


def test_pipeline_from_the_log_clone_and_cdnow():
    log = load_cdnow(sample=True)
    pipe = make_pipeline(RFMFeatures(observation_date="1998-06-30"), RFMScorer())
    out = pipe.fit_transform(log)
    assert len(out) == log["customer_id"].nunique()
    assert out["segment"].isin(NAMES).all()
    cloned = clone(pipe)
    assert cloned.get_params()["rfmscorer__n_levels"] == 5
    table = rfm(log, observation_date="1998-06-30")
    pd.testing.assert_frame_equal(out, RFMScorer().fit(table).transform(table))
