from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from custseg.exceptions import (
    CustsegError,
    EmptyDataError,
    InvalidDtypeError,
    InvalidValueError,
    MissingColumnError,
)
from custseg.tiers import ValueGrader, ValueScorer, grade


@pytest.fixture
def feats():
    return pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "recency_days": [5.0, 40.0, 200.0, 10.0],
            "frequency": [8, 3, 1, 2],
            "monetary_total": [900.0, 120.0, 15.0, 60.0],
        }
    )


# -- ValueScorer -------------------------------------------------------------


def test_default_rfm_score_worked_by_hand(feats):
    out = ValueScorer().fit_transform(feats)
    assert list(out.columns) == [
        "customer_id",
        "recency_days_points",
        "frequency_points",
        "monetary_total_points",
        "value_score",
    ]
    # mid-rank of 4 customers: 1/8, 3/8, 5/8, 7/8; recency inverted; each criterion 100/3.
    third = 100 / 3
    np.testing.assert_allclose(out["recency_days_points"], third * np.array([7, 3, 1, 5]) / 8)
    np.testing.assert_allclose(out["frequency_points"], third * np.array([7, 5, 1, 3]) / 8)
    np.testing.assert_allclose(out["value_score"], [87.5, 54.1666667, 12.5, 45.8333333])
    points = out.filter(like="_points").sum(axis=1)
    np.testing.assert_allclose(points, out["value_score"])
    assert out["customer_id"].tolist() == ["a", "b", "c", "d"]


def test_input_not_mutated_and_index_kept(feats):
    feats.index = [10, 11, 12, 13]
    before = feats.copy()
    out = ValueScorer().fit_transform(feats)
    pd.testing.assert_frame_equal(feats, before)
    assert out.index.tolist() == [10, 11, 12, 13]


def test_rank_ties_and_new_values_use_fit_distribution():
    train = pd.DataFrame({"x": [1.0, 1.0, 2.0, 3.0]})
    scorer = ValueScorer(weights={"x": 1.0}).fit(train)
    np.testing.assert_allclose(scorer.transform(train)["value_score"], [25, 25, 62.5, 87.5])
    new = pd.DataFrame({"x": [0.0, 1.5, 10.0]})
    np.testing.assert_allclose(scorer.transform(new)["value_score"], [0.0, 50.0, 100.0])


def test_minmax_clips_and_constant_criterion():
    train = pd.DataFrame({"x": [0.0, 5.0, 10.0], "c": [3.0, 3.0, 3.0]})
    scorer = ValueScorer(weights={"x": 3.0, "c": 1.0}, normalize="minmax").fit(train)
    out = scorer.transform(pd.DataFrame({"x": [5.0, 20.0, -1.0], "c": [3.0, 3.0, 9.0]}))
    np.testing.assert_allclose(out["x_points"], [37.5, 75.0, 0.0])
    np.testing.assert_allclose(out["c_points"], [12.5, 12.5, 12.5])


def test_custom_criteria_and_invert(feats):
    f = feats.assign(referrals=[0, 5, 1, 2], complaints=[3, 0, 0, 1])
    scorer = ValueScorer(
        weights={"monetary_total": 2, "referrals": 1, "complaints": 1}, invert=["complaints"]
    ).fit(f)
    out = scorer.transform(f)
    assert scorer.criteria_ == ["monetary_total", "referrals", "complaints"]
    np.testing.assert_allclose(scorer.weights_, [0.5, 0.25, 0.25])
    assert scorer.inverted_.tolist() == [False, False, True]
    # complaints: 0,0 share mid-rank 2/8 -> inverted 6/8; 3 complaints -> 7/8 -> 1/8.
    np.testing.assert_allclose(out["complaints_points"], 25 * np.array([1, 6, 6, 3]) / 8)


def test_array_input_uses_every_column():
    X = np.array([[1.0, 10.0], [2.0, 30.0], [3.0, 20.0]])
    out = ValueScorer().fit_transform(X)
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out[:, -1], out[:, :-1].sum(axis=1))
    scorer = ValueScorer(weights={1: 1.0}, invert=[1]).fit(X)
    np.testing.assert_allclose(scorer.transform(X)[:, -1], 100 * np.array([5, 1, 3]) / 6)
    assert scorer.get_feature_names_out().tolist() == ["x1_points", "value_score"]


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"weights": {"monetary": 1.0}}, MissingColumnError, r"monetary.*monetary_total"),
        ({"weights": {"frequency": -1.0}}, InvalidValueError, "invert"),
        ({"weights": {}}, InvalidValueError, "at least one"),
        ({"invert": ["tenure_days"]}, InvalidValueError, "not criteria"),
    ],
)
def test_scorer_parameter_errors(feats, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ValueScorer(**kwargs).fit(feats)


def test_a_blank_criterion_earns_no_points(feats):
    # mid-ranks among the 3 known values: 1/6, 3/6, 5/6 of a third of 100 points
    scores = ValueScorer().fit_transform(feats.assign(monetary_total=[1.0, np.nan, 2.0, 3.0]))
    np.testing.assert_allclose(scores["monetary_total_points"],
                               [100 / 18, 0.0, 100 / 6, 500 / 18])
    minmax = ValueScorer(normalize="minmax").fit(feats.assign(monetary_total=[1.0, None, 2.0, 3.0]))
    out = minmax.transform(feats.assign(monetary_total=[np.nan, 3.0, 1.0, 2.0]))
    np.testing.assert_allclose(out["monetary_total_points"], [0.0, 100 / 3, 0.0, 100 / 6])


def test_scorer_data_errors(feats):
    with pytest.raises(InvalidValueError, match=r"monetary_total.*1 of 4 rows.*infinite"):
        ValueScorer().fit(feats.assign(monetary_total=[1.0, np.inf, 2.0, 3.0]))
    with pytest.raises(InvalidDtypeError, match=r"'frequency' holds numbers as text.*convert"):
        ValueScorer().fit(feats.assign(frequency=["1", "2", "3", "4"]))
    with pytest.raises(EmptyDataError):
        ValueScorer().fit(feats.iloc[:0])
    scorer = ValueScorer().fit(feats)
    with pytest.raises(MissingColumnError, match="recency_days"):
        scorer.transform(feats.drop(columns="recency_days"))


# -- grade -------------------------------------------------------------------


def test_grade_quartiles_and_order():
    g = grade(np.arange(1, 9))
    assert g.tolist() == ["D", "D", "C", "C", "B", "B", "A", "A"]
    assert g.cat.ordered and g.max() == "A" and g.min() == "D"
    assert (g.iloc[6:] > "B").all() and not (g.iloc[:2] > "D").any()
    assert g.name == "grade"


def test_grade_ties_at_a_cut_get_the_better_grade():
    g = grade([1, 1, 1, 1, 2, 2, 2, 2])
    assert g.tolist() == ["C"] * 4 + ["A"] * 4


def test_grade_keeps_series_index_and_custom_grade_names():
    s = pd.Series([10.0, 50.0, 90.0], index=pd.Index(["x", "y", "z"], name="customer_id"))
    g = grade(s, grades=["gold", "silver", "bronze"])
    assert g.to_dict() == {"x": "bronze", "y": "silver", "z": "gold"}
    g5 = grade(np.arange(10), grades=list("ABCDE"))
    assert g5.value_counts().to_dict() == dict.fromkeys("ABCDE", 2)


def test_grade_thresholds_and_custom_quantile_shares():
    g = grade([95, 80, 79.9, 50, 10], method="threshold", thresholds=[80, 50, 20])
    assert g.tolist() == ["A", "A", "B", "B", "D"]
    g = grade(np.arange(100), grades="ABC", shares=[0.1, 0.4])
    assert g.value_counts().to_dict() == {"A": 10, "B": 30, "C": 60}


def test_grade_revenue_pareto_worked_by_hand():
    # revenue sorted by score: 500, 300, 100, 60, 40 of 1000 -> cum 0.5, 0.8, 0.9, 0.96, 1.0
    g = grade([9, 8, 7, 6, 5], method="revenue", grades="ABC", revenue=[500, 300, 100, 60, 40])
    assert g.tolist() == ["A", "A", "B", "B", "C"]
    # the order of customers does not matter
    g2 = grade([6, 9, 5, 8, 7], method="revenue", grades="ABC", revenue=[60, 500, 40, 300, 100])
    assert g2.tolist() == ["B", "A", "C", "A", "B"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "threshold"}, "thresholds"),
        ({"method": "threshold", "thresholds": [1, 2, 3]}, "decreasing"),
        ({"method": "threshold", "thresholds": [3, 2]}, "3 finite"),
        ({"shares": [0.5, 0.2, 0.9]}, "increasing"),
        ({"method": "revenue"}, "revenue"),
        ({"method": "revenue", "revenue": [1, 2]}, "one per customer"),
        ({"method": "revenue", "revenue": [1, -2, 3, 4]}, "1 bad"),
        ({"method": "revenue", "grades": "ABCDE", "revenue": [1, 2, 3, 4]}, "shares"),
        ({"grades": ["A"]}, "at least 2"),
        ({"grades": ["A", "B", "A"]}, "duplicate"),
        ({"method": "median"}, "method"),
    ],
)
def test_grade_errors(kwargs, match):
    with pytest.raises(InvalidValueError, match=match):
        grade([1.0, 2.0, 3.0, 4.0], **kwargs)


def test_grade_rejects_nan_scores():
    with pytest.raises(InvalidValueError, match=r"1 score\(s\) are NaN"):
        grade([1.0, np.nan, 3.0])
    with pytest.raises(EmptyDataError):
        grade([])


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=4, max_size=60))
def test_grade_is_monotone_in_the_score(scores):
    g = grade(scores)
    pos = 3 - g.cat.codes.to_numpy()  # 0 = A
    order = np.argsort(scores, kind="stable")
    assert np.all(np.diff(pos[order]) <= 0)  # higher score never a worse grade
    assert len(g) == len(scores)


# -- ValueGrader -------------------------------------------------------------


def test_grader_matches_grade_and_is_indexed_by_customer(feats):
    grader = ValueGrader().fit(feats)
    got = grader.predict(feats)
    scores = ValueScorer().fit_transform(feats)["value_score"]
    assert got.tolist() == grade(scores).tolist()
    assert got.index.tolist() == ["a", "b", "c", "d"]
    assert got.to_dict() == {"a": "A", "b": "B", "c": "D", "d": "C"}


def test_grader_applies_fitted_cuts_to_new_customers(feats):
    grader = ValueGrader().fit(feats)
    new = pd.DataFrame(
        {
            "customer_id": ["e", "f"],
            "recency_days": [1.0, 500.0],
            "frequency": [20, 1],
            "monetary_total": [5000.0, 1.0],
        }
    )
    assert grader.predict(new).tolist() == ["A", "D"]


def test_grader_passthrough_and_revenue(feats):
    scores = ValueScorer().fit_transform(feats)
    g = ValueGrader(scorer="passthrough", method="threshold", thresholds=[80, 50, 20])
    assert g.fit_predict(scores).tolist() == ["A", "B", "D", "C"]
    g = ValueGrader(method="revenue", grades="ABC").fit(feats)
    # monetary 900 of 1095 = 82% -> A alone; B up to 95%: b (120) -> 93%, d (60) -> 98.6%
    assert g.predict(feats).to_dict() == {"a": "A", "b": "B", "c": "C", "d": "B"}
    with pytest.raises(MissingColumnError, match="revenue_col"):
        ValueGrader(method="revenue", revenue_col="sales").fit(feats)


def test_errors_are_custseg_errors():
    with pytest.raises(CustsegError):
        grade([1.0, 2.0], grades=["A"])


# -- categorical criteria (the shared attribute rules) ------------------------


@pytest.fixture
def accounts():
    return pd.DataFrame({"customer_id": ["a", "b", "c", "d"],
                         "size": ["large", "small", "medium", "small"],
                         "has_budget": ["Yes", "No", "No", "Yes"],
                         "employees": [900.0, 10.0, 120.0, 40.0]})


def test_categorical_criterion_scored_by_its_order_worked_by_hand(accounts):
    scorer = ValueScorer(weights={"size": 2, "has_budget": 1, "employees": 1},
                         normalize="minmax",
                         category_order={"size": ["large", "medium", "small"]})
    out = scorer.fit_transform(accounts)
    # size: large 1, medium 0.5, small 0 of 50 points; Yes 1 / No 0 of 25 points
    assert out["size_points"].tolist() == [50.0, 0.0, 25.0, 0.0]
    assert out["has_budget_points"].tolist() == [25.0, 0.0, 0.0, 25.0]
    assert scorer.criterion_kinds_ == {"size": "categorical", "has_budget": "categorical",
                                       "employees": "numeric"}
    assert scorer.category_orders_ == {"size": ["large", "medium", "small"],
                                       "has_budget": ["Yes", "No"]}


def test_ordered_categories_booleans_and_integer_codes(accounts):
    size = pd.Categorical(accounts["size"], categories=["small", "medium", "large"],
                          ordered=True)  # pandas order: the last is the best
    frame = accounts.assign(size=size, has_budget=accounts["has_budget"] == "Yes",
                            segment=[3, 1, 2, 1])
    scorer = ValueScorer(weights={"size": 1, "has_budget": 1, "segment": 1},
                         normalize="minmax", category_order={"segment": [1, 2, 3]})
    out = scorer.fit_transform(frame)
    np.testing.assert_allclose(out["size_points"], [100 / 3, 0, 50 / 3, 0])
    np.testing.assert_allclose(out["has_budget_points"], [100 / 3, 0, 0, 100 / 3])
    np.testing.assert_allclose(out["segment_points"], [0, 100 / 3, 50 / 3, 100 / 3])
    assert scorer.category_orders_["has_budget"] == ["True", "False"]


def test_blank_and_unseen_categories_earn_no_points(accounts):
    scorer = ValueScorer(weights={"size": 1}, normalize="minmax",
                         category_order={"size": ["large", "medium", "small"]}).fit(accounts)
    new = pd.DataFrame({"customer_id": ["e", "f", "g", "h"],
                        "size": ["huge", None, "  ", "large"]})
    assert scorer.transform(new)["value_score"].tolist() == [0.0, 0.0, 0.0, 100.0]
    yes_no = ValueScorer(weights={"has_budget": 1}).fit(accounts)
    out = yes_no.transform(accounts.assign(has_budget=["Maybe", None, "No", "Yes"]))
    assert out["value_score"].tolist() == [0.0, 0.0, 25.0, 75.0]


def test_categories_without_an_order_are_a_clear_error(accounts):
    with pytest.raises(InvalidDtypeError, match=r"'size'.*3 distinct.*category_order=\{'size'"):
        ValueScorer(weights={"size": 1}).fit(accounts)
    with pytest.raises(InvalidValueError, match=r"'size' has 2 of 4 rows .* not in "
                                                r"category_order for 'size' \(rows .*: 'small'\)"):
        ValueScorer(weights={"size": 1}, category_order={"size": ["large", "medium"]}).fit(accounts)
    with pytest.raises(InvalidValueError, match="not criteria"):
        ValueScorer(weights={"employees": 1}, category_order={"size": ["large"]}).fit(accounts)
    with pytest.raises(InvalidValueError, match="more than once"):
        ValueScorer(weights={"size": 1},
                    category_order={"size": ["large", "small", "medium", "small"]}).fit(accounts)
    scorer = ValueScorer(weights={"employees": 1}).fit(accounts)
    with pytest.raises(InvalidDtypeError, match=r"'employees'.*numbers"):
        scorer.transform(accounts.assign(employees=["many", "few", "some", "few"]))
