"""The same attribute table gets the same handling in every estimator that learns a binary
outcome from attributes (custseg._attributes): categories read natively, blanks and unseen
categories as missing, Yes/No and 0/1 outcomes with the positive class explicit, a single
class refused with a custseg error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.churn import ChurnPredictor
from custseg.exceptions import CustsegError, InvalidValueError
from custseg.leads import LeadScorer

ESTIMATORS = {
    "LeadScorer": lambda: LeadScorer(random_state=0),
    "ChurnPredictor": lambda: ChurnPredictor(random_state=0),
}


def _table(n: int = 400) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    industry = rng.choice(["ICT", "retail", "farming"], n)
    employees = rng.integers(1, 1000, n).astype(float)
    positive = (industry == "ICT") | (employees > 800)
    X = pd.DataFrame({"industry": industry, "employees": employees,
                      "region": rng.choice(["north", "south"], n)})
    return X, pd.Series(np.where(positive, "Yes", "No"))


@pytest.fixture(params=sorted(ESTIMATORS))
def make(request):
    return ESTIMATORS[request.param]


def _proba(est, X) -> np.ndarray:
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), 2) and np.isfinite(proba).all()
    return proba[:, 1]


def test_text_columns_are_categories(make):
    X, y = _table()
    est = make().fit(X, y)
    p = _proba(est, X)
    ict = (X["industry"] == "ICT").to_numpy()
    assert p[ict].mean() > p[~ict].mean()  # the planted driver is learnt from the text


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_blanks_are_missing_not_errors(make, engine):
    X, y = _table()
    X.loc[[0, 3], "employees"] = np.nan
    X.loc[[1, 4], "industry"] = None
    X.loc[5] = X.loc[1]
    X.loc[5, "industry"] = "   "  # all-space text is blank too
    frame = pl.from_pandas(X) if engine == "polars" else X
    est = make().fit(frame, y)
    p = _proba(est, frame)
    # A blank category is missing, whatever its spelling (null or all-space text).
    assert p[1] == pytest.approx(p[5])


def test_an_unseen_category_is_scored_as_missing(make):
    X, y = _table()
    est = make().fit(X, y)
    new = X.head(2).copy()
    blank = new.copy()
    new.loc[:, "industry"] = "mining"  # never seen in fit
    blank.loc[:, "industry"] = None
    np.testing.assert_allclose(_proba(est, new), _proba(est, blank))


@pytest.mark.parametrize(("labels", "positive"), [
    (("No", "Yes"), "Yes"), (("yes", "no"), "yes"), ((0, 1), 1), ((False, True), True),
    (("retained", "churned"), "churned"), (("not converted", "converted"), "converted"),
])
def test_the_positive_class_is_explicit(make, labels, positive):
    X, y = _table()
    yy = pd.Series(np.where(y == "Yes", labels[1], labels[0]).tolist())
    if isinstance(labels[0], bool):
        yy = yy.astype(bool)
    est = make().fit(X, yy)
    assert est.classes_[1] == positive and est.classes_[0] != positive
    p = _proba(est, X)
    assert p[(yy == positive).to_numpy()].mean() > p[(yy != positive).to_numpy()].mean()


@pytest.mark.parametrize("label", ["No", 0, "Yes"])
def test_a_single_class_is_a_custseg_error(make, label):
    X, _ = _table()
    with pytest.raises(InvalidValueError, match="class") as err:
        make().fit(X, pd.Series([label] * len(X)))
    assert isinstance(err.value, CustsegError)
