"""One attribute table, the same handling in every estimator that takes attributes.

The estimators that read prospect or customer attributes (industry, size, region...) all go
through the shared rules of :mod:`custseg._attributes`. Each test below runs on every one of
them, for one situation each:

* text columns are categories, with no hand-made one-hot encoding;
* blank values (null, NaN, all-space text) are missing, never an error, whatever their
  spelling, with pandas and polars alike;
* a category not seen in ``fit`` is scored as missing; :class:`PointsScorer` is the one
  documented difference: it learns nothing from the table, its rules name the categories,
  so an unseen category is a category no rule names (SQL's reading, which its SQL export
  reproduces);
* Yes/No, 0/1 and True/False outcomes: the positive class is explicit (Yes, 1, True), never
  alphabetical;
  estimators without an outcome (``y`` ignored) give the same result whatever ``y`` is;
* a single class: the same custseg error, class and wording, in every estimator that
  learns an outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.churn import ChurnPredictor
from custseg.exceptions import CustsegError, InvalidValueError
from custseg.leads import LeadScorer, PointsScorer
from custseg.tiers import TierClassifier, ValueGrader, ValueScorer
from custseg.utils import all_estimators

RULES = {"rules": ["industry in {ICT}: +15", "employees >= 800: +20", "industry unknown: -5",
                   "region in {north}: +2"],
         "grades": {"A": 30, "B": 10, "C": 0, "D": None}}
ORDER = {"industry": ["ICT", "retail", "farming"], "region": ["north", "south"]}
WEIGHTS = {"industry": 2, "employees": 1, "region": 1}


def _value_scorer() -> ValueScorer:
    return ValueScorer(weights=WEIGHTS, category_order=ORDER, normalize="minmax")


@dataclass
class Case:
    make: Callable[[], Any]
    outcome: bool  # learns a binary outcome (or grades) from y
    positive_at: int = 1  # where classes_ holds the positive (best) class


CASES = {
    "LeadScorer": Case(lambda: LeadScorer(random_state=0), True),
    "ChurnPredictor": Case(lambda: ChurnPredictor(random_state=0), True),
    # grades best first: the positive (best) class of a Yes/No outcome comes first
    "TierClassifier": Case(lambda: TierClassifier(max_depth=3, random_state=0), True, 0),
    "PointsScorer": Case(lambda: PointsScorer(RULES), False),
    "ValueScorer": Case(_value_scorer, False),
    "ValueGrader": Case(lambda: ValueGrader(scorer=_value_scorer()), False),
}


def test_every_estimator_that_takes_attributes_is_covered():
    # every estimator of the lead and tier stages reads attributes, and ChurnPredictor
    # reads them when its table has text, categorical or boolean columns
    found = {name for name, cls in all_estimators()
             if cls.__module__.startswith(("custseg.leads", "custseg.tiers"))}
    assert found | {"ChurnPredictor"} == set(CASES)


def _table(n: int = 400) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    industry = rng.choice(["ICT", "retail", "farming"], n)
    employees = rng.integers(1, 1000, n).astype(float)
    positive = (industry == "ICT") | (employees > 800)
    X = pd.DataFrame({"industry": industry, "employees": employees,
                      "region": rng.choice(["north", "south"], n)})
    return X, pd.Series(np.where(positive, "Yes", "No"))


@pytest.fixture(params=sorted(CASES))
def case(request) -> Case:
    return CASES[request.param]


def _fit(case: Case, X: Any, y: Any) -> Any:
    return case.make().fit(X, y) if case.outcome else case.make().fit(X)


def _score(case: Case, est: Any, X: Any, positive: Any = None) -> np.ndarray:
    """One number per row, higher = better or more likely the positive class."""
    if case.outcome:
        classes = est.classes_.tolist()
        label = classes[case.positive_at] if positive is None else positive
        proba = est.predict_proba(X)
        assert proba.shape == (len(X), len(classes))
        out = proba[:, classes.index(label)]
    elif isinstance(est, ValueGrader):
        grades = est.predict(X)
        labels = grades.to_pandas() if hasattr(grades, "to_pandas") else grades
        out = -np.asarray([est.grades_.index(g) for g in labels.astype(str)], dtype=float)
    else:
        table = est.transform(X)
        table = table.to_pandas() if hasattr(table, "to_pandas") else table
        out = table["points" if isinstance(est, PointsScorer) else "value_score"].to_numpy()
    out = np.asarray(out, dtype=float)
    assert out.shape == (len(X),) and np.isfinite(out).all()
    return out


def test_text_columns_are_categories(case):
    X, y = _table()
    s = _score(case, _fit(case, X, y), X)
    ict = (X["industry"] == "ICT").to_numpy()
    assert s[ict].mean() > s[~ict].mean()  # the driver is read from the text column


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_blanks_are_missing_not_errors(case, engine):
    X, y = _table()
    X.loc[[0, 3], "employees"] = np.nan
    X.loc[[1, 4], "industry"] = None
    X.loc[5] = X.loc[1]
    X.loc[5, "industry"] = "   "  # all-space text is blank too
    before = X.copy()
    frame = pl.from_pandas(X) if engine == "polars" else X
    est = _fit(case, frame, y)
    s = _score(case, est, frame)
    assert s[1] == pytest.approx(s[5])  # a blank is missing, whatever its spelling
    pd.testing.assert_frame_equal(X, before)  # the caller's table is left as it was


def test_an_unseen_category_is_scored_as_missing(case):
    X, y = _table()
    est = _fit(case, X, y)
    new = X.head(6).copy()
    unseen, blank, unnamed = new.copy(), new.copy(), new.copy()
    unseen.loc[:, "industry"] = "mining"  # never seen in fit
    blank.loc[:, "industry"] = None
    unnamed.loc[:, "industry"] = "farming"  # seen in fit, named by no rule
    expected = unnamed if isinstance(est, PointsScorer) else blank
    np.testing.assert_allclose(_score(case, est, unseen), _score(case, est, expected))


@pytest.mark.parametrize(("labels", "positive"), [
    (("No", "Yes"), "Yes"), (("yes", "no"), "yes"), ((False, True), True),
    (("retained", "churned"), "churned"), (("not converted", "converted"), "converted"),
])
def test_yes_no_outcomes_make_the_yes_like_label_positive(case, labels, positive):
    X, y = _table()
    yy = pd.Series(np.where(y == "Yes", labels[1], labels[0]).tolist())
    if isinstance(labels[0], bool):
        yy = yy.astype(bool)
    est = case.make().fit(X, yy)
    if not case.outcome:  # y is ignored: the same result whatever the labels
        np.testing.assert_array_equal(_score(case, est, X), _score(case, _fit(case, X, y), X))
        return
    assert sorted(map(str, est.classes_)) == sorted(map(str, labels))
    assert est.classes_[case.positive_at] == positive  # never "No" by the alphabet
    s = _score(case, est, X, positive)
    assert s[(yy == positive).to_numpy()].mean() > s[(yy != positive).to_numpy()].mean()
    assert set(est.predict(X).tolist()) <= set(labels)


def test_zero_one_outcomes_make_one_the_positive(case):
    X, y = _table()
    y01 = (y == "Yes").astype(int)
    est = case.make().fit(X, y01)
    if not case.outcome:
        np.testing.assert_array_equal(_score(case, est, X), _score(case, _fit(case, X, y), X))
        return
    # 1 is the positive class everywhere: classes_ is [0, 1] (scikit-learn's order), and
    # TierClassifier's grades, best first, are [1, 0] (as ["Yes", "No"]); a 0/1 outcome and
    # the same outcome as Yes/No give the same probability of the positive class
    assert est.classes_.tolist() == ([1, 0] if case.positive_at == 0 else [0, 1])
    p1 = _score(case, est, X, 1)
    assert p1[y01.to_numpy() == 1].mean() > p1[y01.to_numpy() == 0].mean()
    np.testing.assert_allclose(p1, _score(case, case.make().fit(X, y), X, "Yes"))
    assert set(est.predict(X).tolist()) <= {0, 1}


@pytest.mark.parametrize(("label", "shown"), [("No", "'No'"), (0, "0"), (True, "True")])
def test_a_single_class_is_the_same_custseg_error(case, label, shown):
    X, _ = _table()
    y = pd.Series([label] * len(X))
    if not case.outcome:  # no outcome is learnt: y is ignored
        _score(case, case.make().fit(X, y), X)
        return
    with pytest.raises(InvalidValueError) as err:
        case.make().fit(X, y)
    assert isinstance(err.value, CustsegError) and isinstance(err.value, ValueError)
    assert err.value.args[0].startswith("y")
    assert f" has only one class ({shown} in all {len(X)} rows); " in err.value.args[0]
