"""Messages in words across the library, outside the input-file catalogue.

Each case triggers one error the public API raises for a bad argument or table
(names listed, rows shown, values refused) and checks the exact custseg error class,
words naming the problem, and that no Python repr of a list, dict or NumPy value, and
no internal name, reaches the user (the catalogue's ``LEAKS``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from custseg import exceptions as E
from custseg.cohorts import trends
from custseg.exceptions import names_text
from custseg.features import btyd_summary
from custseg.io import check_transactions
from custseg.segments import RFMScorer
from custseg.tiers import ValueScorer, grade

from .io.test_catalogue import LEAKS


def _log(**extra: Any) -> pd.DataFrame:
    log = pd.DataFrame({
        "customer_id": ["a", "a", "b", "b", "c", "c"],
        "date": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-05", "2024-03-01",
                                "2024-01-10", "2024-02-20"]),
        "amount": [10.0, 5.0, 7.0, 3.0, 4.0, 8.0],
    })
    return log.assign(**extra)


def _rfm_table() -> pd.DataFrame:
    from custseg.features import rfm

    return rfm(_log(), observation_date="2024-03-31")


def _kmeans_overflow() -> Any:
    from custseg.segments import KMeansSegmenter

    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "huge": [1e300, -1e300, 1e300, -1e300]})
    return KMeansSegmenter(n_clusters=2, log_transform=False, random_state=0).fit(X)


def _playbook_clash() -> Any:
    from custseg.segments import Playbook

    table = pd.DataFrame({"customer_id": ["a"], "segment": ["Champions"], "action": ["x"]})
    return Playbook().assign(table)


def _baskets_several_segments() -> Any:
    from custseg.baskets import AssociationRules

    log = _log(product=["tea", "milk", "tea", "jam", "milk", "jam"],
               tier=["A", "B", "B", "A", "A", "B"])
    return AssociationRules(product_col="product", by="tier").fit(log)


def _baskets_missing_items() -> Any:
    from custseg.baskets import AssociationRules

    return AssociationRules(product_col="product").fit(
        _log(product=["tea", None, "tea", "jam", "milk", "jam"]))


def _churn_id_column() -> Any:
    from custseg.churn import ChurnPredictor

    X = pd.DataFrame({"customer_id": [f"c{i}" for i in range(40)],
                      "spend": np.arange(40, dtype=float)})
    return ChurnPredictor().fit(X, np.arange(40) % 2)


def _churn_text_with_estimator() -> Any:
    from sklearn.linear_model import LogisticRegression

    from custseg.churn import ChurnPredictor

    X = pd.DataFrame({"region": ["n", "s"] * 10, "spend": np.arange(20, dtype=float)})
    return ChurnPredictor(estimator=LogisticRegression()).fit(X, np.arange(20) % 2)


def _binary_three_classes() -> Any:
    from custseg.leads import LeadScorer

    X = pd.DataFrame({"size": np.arange(9, dtype=float)})
    return LeadScorer().fit(X, ["won", "lost", "open"] * 3)


def _binary_blank_rows() -> Any:
    from custseg.leads import LeadScorer

    X = pd.DataFrame({"size": np.arange(6, dtype=float)})
    return LeadScorer().fit(X, pd.Series(["Yes", None, "No", "Yes", None, "No"]))


def _engagement_unknown_types() -> Any:
    from custseg.leads import engagement_points

    acts = pd.DataFrame({"customer_id": ["a", "b"], "date": pd.to_datetime(["2024-01-01"] * 2),
                         "activity": ["email open", "webinar"]})
    return engagement_points(acts, points={"email open": 1}, activity_col="activity",
                             observation_date="2024-02-01")


def _engagement_caps() -> Any:
    from custseg.leads import engagement_points

    acts = pd.DataFrame({"customer_id": ["a"], "date": pd.to_datetime(["2024-01-01"]),
                         "activity": ["email open"]})
    return engagement_points(acts, points={"email open": 1}, caps={"webinar": 3},
                             activity_col="activity", observation_date="2024-02-01")


def _points(rules: Any, **kw: Any) -> Any:
    from custseg.leads import PointsScorer

    X = pd.DataFrame({"lead_id": ["a", "b"], "employees": [10, 800]})
    return PointsScorer(rules=rules, customer_col="lead_id", **kw).fit(X)


def _grade_report_duplicates() -> Any:
    from custseg.leads import grade_report

    grades = pd.Series(pd.Categorical(["A", "B"], categories=["B", "A"], ordered=True),
                       index=["a", "b"])
    outcomes = pd.DataFrame({"customer_id": ["a", "a", "b"], "converted": [1, 0, 1]})
    return grade_report(grades, outcomes, outcome_col="converted")


def _grade_report_absent() -> Any:
    from custseg.leads import grade_report

    grades = pd.Series(pd.Categorical(["A", "B", "B", "A"], categories=["B", "A"],
                                      ordered=True), index=["a", "b", "c", "d"])
    outcomes = pd.DataFrame({"customer_id": ["a", "d"], "converted": [1, 0]})
    return grade_report(grades, outcomes, outcome_col="converted")


def _grade_drift_grades() -> Any:
    from custseg.leads import grade_drift

    before = pd.Series(pd.Categorical(["A", "B"], categories=["B", "A"], ordered=True))
    after = pd.Series(pd.Categorical(["X", "Y"], categories=["Y", "X"], ordered=True))
    return grade_drift(before, after)


def _migration(before: Any, after: Any, **kw: Any) -> Any:
    from custseg.segments import segment_migration

    return segment_migration(before, after, **kw)


def _value_scorer(**kw: Any) -> Any:
    from custseg.tiers import ValueScorer

    accounts = pd.DataFrame({"employees": [10.0, 50.0, 200.0, 800.0],
                             "size": ["small", "large", "medium", "small"]})
    return ValueScorer(**kw).fit(accounts)


def _tier_summary_unknown() -> Any:
    from custseg.tiers import tier_summary

    table = pd.DataFrame({"customer_id": ["a", "b"], "monetary_total": [1.0, 2.0]})
    return tier_summary(table, ["A", "E"], order=list("ABCD"))


def _plot(name: str, *args: Any, **kw: Any) -> Callable[[], Any]:
    def run() -> Any:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from custseg import plotting

        try:
            return getattr(plotting, name)(*args, **kw)
        finally:
            plt.close("all")

    return run


def _recommender(tier: list[str], **kw: Any) -> Any:
    from custseg.baskets import ProductRecommender

    log = _log(product=["tea", "milk", "tea", "jam", "milk", "jam"], tier=tier)
    return ProductRecommender(product_col="product", **kw).fit(log)


CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("rfm segment map keys", lambda: RFMScorer(
        segment_map={"x": {"Q": 1}}).fit(_rfm_table()), E.InvalidValueError,
     "keys must be among 'R', 'F', 'M' and 'FM'; got 'Q'"),
    ("rfm segment map gaps", lambda: RFMScorer(
        segment_map={"top": {"R": (4, 5)}, "rest": {"R": (1, 2)}}).fit(_rfm_table()),
     E.InvalidValueError, "25 cell(s) have no name: '311', '312'"),
    ("rfm segment map overlaps", lambda: RFMScorer(
        segment_map={"top": {"R": (3, 5)}, "low": {"R": (1, 3)}}).fit(_rfm_table()),
     E.InvalidValueError, "cell(s) have several names: 311 (top, low), 312 (top, low)"),
    ("playbook action column", _playbook_clash, E.InvalidValueError,
     "table already has column(s) 'action'; rename them"),
    ("kmeans overflow", _kmeans_overflow, E.InvalidValueError, "Columns 'huge' "),
    ("baskets several segments", _baskets_several_segments, E.InvalidValueError,
     "e.g. customers 'a', 'b' and 'c'; rules per segment"),
    ("baskets missing items", _baskets_missing_items, E.NullValueError,
     "has 1 missing values of 6 rows; every purchase line needs an item. A few: "
     "customer_id 'a' at 2024-02-01"),
    ("churn id column", _churn_id_column, E.InvalidDtypeError,
     "non-numeric column(s) 'customer_id' with a different value"),
    ("churn text with estimator", _churn_text_with_estimator, E.InvalidDtypeError,
     "text or categorical column(s) 'region'; the default"),
    ("binary three classes", _binary_three_classes, E.InvalidValueError,
     "has 3 classes 'lost', 'open' and 'won'"),
    ("binary blank rows", _binary_blank_rows, E.NullValueError, "(rows 1 and 4)"),
    ("engagement unknown types", _engagement_unknown_types, E.InvalidValueError,
     "e.g. 'webinar'; give them points or pass unknown='ignore'. Types with points: "
     "'email open'."),
    ("engagement caps", _engagement_caps, E.InvalidValueError,
     "which has no points; types: 'email open'."),
    ("points rule keys", lambda: _points([{"when": "employees > 5", "points": 1, "colour": 2}]),
     E.InvalidValueError, "unknown key(s) 'colour'; use name"),
    ("points rule no points", lambda: _points([{"when": "employees > 5"}]),
     E.InvalidValueError, "rule 1 (keys 'when') has no 'points'"),
    ("points rule arity", lambda: _points(
        [{"column": "employees", "op": "between", "values": [1], "points": 1}]),
     E.InvalidValueError, "'between' needs 2 value(s); got '1'."),
    ("points duplicate names", lambda: _points({"rules": [
        {"name": "big", "when": "employees > 5", "points": 1},
        {"name": "big", "when": "employees > 50", "points": 2}]}),
     E.InvalidValueError, "rule names must be unique; repeated: 'big'."),
    ("points rule set keys", lambda: _points({"rules": ["employees > 5: 1"], "colour": 1}),
     E.InvalidValueError, "rule set has unknown key(s) 'colour'"),
    ("points grade minimums", lambda: _points({"rules": ["employees > 5: 1"], "grades": [
        ("A", 1), ("B", 5), ("C", None)]}), E.InvalidValueError,
     "strictly decreasing, best grade first; got A from 1, B from 5."),
    ("points clash", lambda: _points(
        [{"name": "points", "when": "employees > 5", "points": 1}]), E.InvalidValueError,
     "rule names 'points' clash with output columns"),
    ("grade report duplicates", _grade_report_duplicates, E.InvalidValueError,
     "1 lead id(s) more than once, e.g. 'a'; one outcome per lead"),
    ("grade report absent", _grade_report_absent, E.InvalidValueError,
     "2 graded lead(s) have no outcome, e.g. 'b' and 'c'"),
    ("grade drift grades", _grade_drift_grades, E.InvalidValueError,
     "the same grades; got 'A' and 'B' and 'X' and 'Y'"),
    ("migration duplicate ids", lambda: _migration(
        pd.Series(["x", "y"], index=["a", "a"]), pd.Series(["x"], index=["a"])),
     E.InvalidValueError, "share a customer id, e.g. 'a'."),
    ("migration labels", lambda: _migration(
        pd.Series(["x", "y"], index=["a", "b"]), pd.Series(["x", "z"], index=["a", "b"]),
        labels=["x"]), E.InvalidValueError, "found in the data: 'y' and 'z'."),
    ("migration frame columns", lambda: _migration(
        pd.DataFrame({"a": [1], "b": [2], "c": [3]}), pd.Series(["x"], index=["a"])),
     E.InvalidValueError, "got a frame with columns 'a', 'b' and 'c'"),
    ("value scorer invert", lambda: _value_scorer(weights={"employees": 1}, invert=["size"]),
     E.InvalidValueError, "invert names 'size', which are not criteria; criteria are "
     "'employees'."),
    ("value scorer category order", lambda: _value_scorer(
        weights={"size": 1}, category_order={"size": ["large", "medium"]}),
     E.InvalidValueError, "category_order for 'size' (rows 0 and 3: 'small')"),
    ("value scorer unordered", lambda: _value_scorer(weights={"size": 1}),
     E.InvalidDtypeError, "such as 'large', 'medium' and 'small'"),
    ("value scorer array weights", lambda: ValueScorer(
        weights={"size": 1}).fit(np.ones((3, 2))), E.InvalidValueError,
     "got 'size'."),
    ("grader thresholds", lambda: grade(
        np.arange(10.0), method="threshold", thresholds=[1, 5, 9]), E.InvalidValueError,
     "got 1, 5 and 9."),
    ("grader scores", lambda: grade(
        np.array([1.0, np.nan, 2.0])), E.InvalidValueError, "(first at positions 1)"),
    ("tier summary unknown grade", _tier_summary_unknown, E.InvalidValueError,
     "grade label(s) 'E' that are not among the grades 'A', 'B', 'C' and 'D'"),
    ("units", lambda: btyd_summary(_log(), unit="fortnight"),
     E.InvalidValueError, "unit='fortnight' must be one of 'D', 'days', 'W'"),
    ("returns policy", lambda: check_transactions(
        _log(), returns="keep"), E.InvalidValueError,
     "returns='keep' must be one of 'net', 'drop' or 'error'."),
    ("cohort freq", lambda: trends(_log(), freq="day"),
     E.InvalidValueError, "freq='day' must be one of 'week' or 'month'"),
    ("plot order", _plot("plot_segment_sizes", pd.Series(["gold", "bronze"]), order=["gold"]),
     E.InvalidValueError,
     "does not list the segment values 'bronze' found in the data (it lists 'gold')"),
    ("plot profile not numeric", _plot(
        "plot_segment_profile", pd.DataFrame({"segment": ["a"], "customer_id": ["x"]}),
        features=["customer_id"]), E.InvalidDtypeError,
     "features 'customer_id' are not numeric (dtypes "),
    ("plot y_true", _plot("plot_roc", [0, 1, 2, 3], [0.1, 0.2, 0.3, 0.4]),
     E.InvalidValueError, "for example '2' and '3'."),
    ("recommender several segments", lambda: _recommender(
        by="tier", tier=["A", "B", "B", "A", "A", "B"]), E.InvalidValueError,
     "e.g. customers 'a', 'b' and 'c'; rules per segment"),
]


def test_names_text_writes_lists_in_words():
    assert names_text(["a"]) == "'a'"
    assert names_text(["a", "b", "c"]) == "'a', 'b' and 'c'"
    assert names_text([1, 2], quote=False, last="or") == "1 or 2"
    assert names_text(list("abcdef"), limit=2) == "'a', 'b' and 4 more"
    assert names_text([]) == "none"


@pytest.mark.parametrize(("trigger", "error", "words"),
                         [pytest.param(t, e, w, id=name) for name, t, e, w in CASES])
def test_message_is_in_words(trigger, error, words):
    with pytest.raises(E.CustsegError) as info:
        trigger()
    assert type(info.value) is error, (type(info.value), info.value)
    message = str(info.value)
    assert words in message, message
    assert not LEAKS.search(message), message
