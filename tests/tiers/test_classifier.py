from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from custseg.exceptions import (
    ColumnMismatchError,
    InvalidValueError,
    MissingColumnError,
    NullValueError,
)
from custseg.tiers import TierClassifier, grade

from .conftest import make_b2b

NUM = ["monetary_total", "frequency", "recency_days"]


def test_classes_in_grade_order():
    X = np.arange(8.0).reshape(-1, 1)
    y_ordered = grade(np.arange(8.0))  # ordered categorical, categories D < C < B < A
    clf = TierClassifier().fit(X, y_ordered)
    assert clf.classes_.tolist() == ["A", "B", "C", "D"]
    clf = TierClassifier(grades=["gold", "silver", "bronze"]).fit(
        X, ["bronze"] * 3 + ["silver"] * 3 + ["gold"] * 2
    )
    assert clf.classes_.tolist() == ["gold", "silver", "bronze"]
    assert clf.predict_proba(X).shape == (8, 3)
    np.testing.assert_array_equal(clf.predict(X), ["bronze"] * 3 + ["silver"] * 3 + ["gold"] * 2)


def test_grades_absent_from_a_fold_keep_their_column():
    X = np.arange(6.0).reshape(-1, 1)
    clf = TierClassifier(grades=list("ABCD")).fit(X, list("AABBCC"))
    proba = clf.predict_proba(X)
    assert proba.shape == (6, 4)
    np.testing.assert_allclose(proba[:, 3], 0.0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_unknown_grade_labels_are_named():
    X = np.arange(6.0).reshape(-1, 1)
    with pytest.raises(InvalidValueError,
                       match=r"not grades: E \(2 rows\); expected only the grades A, B, C and D\."):
        TierClassifier(grades=list("ABCD")).fit(X, list("AABBEE"))


def test_only_one_grade_present():
    X = np.arange(4.0).reshape(-1, 1)
    with pytest.raises(InvalidValueError,
                       match=r"y \(grades\) has only one class \('B' in all 4 rows\)"):
        TierClassifier(grades=list("ABC")).fit(X, list("BBBB"))
    with pytest.raises(ValueError, match="one class"):
        TierClassifier().fit(X, [1, 1, 1, 1])


def test_missing_grade_labels():
    X = np.arange(4.0).reshape(-1, 1)
    with pytest.raises(NullValueError, match="1 missing"):
        TierClassifier().fit(X, pd.Series(["A", None, "B", "B"]))


def test_blank_features_are_missing_and_inf_is_refused(b2b):
    X, y = b2b
    clf = TierClassifier(random_state=0).fit(X, y)
    blank = X.copy()
    blank.loc[[3, 7], "monetary_total"] = np.nan
    blank.loc[5, "industry"] = None
    pred = clf.predict(blank)  # blanks are missing values, never an error
    assert pred.shape == (len(X),) and set(pred) <= set(clf.classes_)
    spaced = blank.copy()
    spaced.loc[5, "industry"] = "   "  # all-space text is blank too
    np.testing.assert_array_equal(clf.predict(spaced), pred)
    # trained with blanks: they follow the side learnt for them
    refit = TierClassifier(random_state=0).fit(blank, y)
    assert refit.predict(blank).shape == (len(X),)
    assert None not in refit.categories_["industry"] and "" not in refit.categories_["industry"]
    inf = X.assign(frequency=X["frequency"].astype(float))
    inf.loc[0, "frequency"] = np.inf
    with pytest.raises(InvalidValueError, match=r"'frequency' has 1 of \d+ rows with an infinite"):
        TierClassifier().fit(inf, y)
    with pytest.raises(InvalidValueError, match="infinite"):
        clf.predict(inf)


def test_columns_at_predict_must_match_fit_and_the_error_shows_the_diff(b2b):
    X, y = b2b
    clf = TierClassifier(random_state=0).fit(X, y)
    with pytest.raises(ColumnMismatchError,
                       match=r"(?s)missing: 'region'; unexpected: none.*-region"):
        clf.predict(X.drop(columns="region"))
    renamed = X.rename(columns={"monetary_total": "monetary"})
    with pytest.raises(ColumnMismatchError, match=r"(?s)unexpected: 'monetary'.*\+monetary"):
        clf.predict(renamed)
    # the same columns in another order are fine
    np.testing.assert_array_equal(clf.predict(X[X.columns[::-1]]), clf.predict(X))


def test_input_not_mutated(b2b):
    X, y = b2b
    X0, y0 = X.copy(), y.copy()
    TierClassifier(random_state=0).fit(X, y).predict(X)
    pd.testing.assert_frame_equal(X, X0)
    pd.testing.assert_series_equal(y, y0)


def test_categorical_rules_name_categories(b2b):
    X, y = b2b
    clf = TierClassifier(max_depth=3, random_state=0).fit(X, y)
    assert set(clf.categorical_features_) == {"industry", "size band", "region"}
    text = clf.export_rules()
    assert "industry IN ('ICT', 'SaaS')" in text or "industry NOT IN ('ICT', 'SaaS')" in text
    assert "industry_" not in text
    # categories are ordered best first by mean grade
    assert clf.categories_["industry"][:2] in (["ICT", "SaaS"], ["SaaS", "ICT"])
    assert clf.score(X, y) > 0.6


def test_an_unseen_category_is_missing_like_a_blank(b2b):
    X, y = b2b
    clf = TierClassifier(max_depth=3, random_state=0).fit(X, y)
    unseen = X.assign(industry="Space mining")
    blank = X.assign(industry=None)
    np.testing.assert_array_equal(clf.predict(unseen), clf.predict(blank))
    np.testing.assert_array_equal(clf.predict_proba(unseen), clf.predict_proba(blank))


def test_merge_leaves_keeps_predictions_and_cuts_rules(b2b):
    X, y = b2b
    merged = TierClassifier(max_depth=6, random_state=0).fit(X, y)
    full = TierClassifier(max_depth=6, random_state=0, merge_leaves=False).fit(X, y)
    np.testing.assert_array_equal(merged.predict(X), full.predict(X))
    assert merged.n_leaves_ < full.n_leaves_ == full.estimator_.get_n_leaves()
    assert merged.get_n_leaves() == len(merged.export_rules("dict")["rules"])
    # predict_proba keeps the shares of the leaves before merging; argmax still agrees
    np.testing.assert_array_equal(merged.predict_proba(X), full.predict_proba(X))
    np.testing.assert_array_equal(
        merged.classes_[merged.predict_proba(X).argmax(axis=1)], merged.predict(X)
    )


def _rare_target(n: int = 5000, rate: float = 0.06, seed: int = 0):
    """85 attributes (75 integer-coded numeric, 10 categorical) and a 6%-positive target."""
    rng = np.random.default_rng(seed)
    numeric = rng.integers(0, 10, size=(n, 75)).astype(float)
    levels = [f"level{k}" for k in range(12)]
    cats = rng.integers(0, 12, size=(n, 10))
    effect = rng.normal(0.0, 0.8, size=12)
    z = 0.35 * numeric[:, 0] - 0.3 * numeric[:, 1] + 0.25 * numeric[:, 2] + effect[cats[:, 0]]
    z = 1.5 * (z - z.mean()) / z.std()
    low, high = -10.0, 10.0  # the intercept that gives a base rate of `rate`
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if np.mean(1 / (1 + np.exp(-(z + mid)))) < rate else (low, mid)
    y = (rng.random(n) < 1 / (1 + np.exp(-(z + low)))).astype(int)
    frame = pd.DataFrame(numeric, columns=[f"num{j}" for j in range(75)])
    for j in range(10):
        frame[f"cat{j}"] = np.asarray(levels, dtype=object)[cats[:, j]]
    return frame, y


def test_merging_keeps_the_ranking_of_a_rare_class():
    from sklearn.metrics import roc_auc_score

    X, y = _rare_target()
    assert X.shape == (5000, 85) and 0.04 <= y.mean() <= 0.08
    train, test = np.arange(5000) < 3500, np.arange(5000) >= 3500
    merged = TierClassifier(random_state=0).fit(X[train], y[train])
    full = TierClassifier(random_state=0, merge_leaves=False).fit(X[train], y[train])
    # No leaf predicts the rare class, so merging collapses the tree to (almost) one rule...
    assert merged.n_leaves_ < full.n_leaves_
    assert merged.classes_.tolist() == [1, 0]  # a 0/1 outcome: 1 the best grade, first
    auc = {name: roc_auc_score(y[test], clf.predict_proba(X[test])[:, 0])
           for name, clf in [("merged", merged), ("full", full)]}
    # ...while the probabilities, and so their ranking, are those of the unmerged tree.
    assert abs(auc["merged"] - auc["full"]) <= 0.01, auc
    assert auc["merged"] > 0.65, auc


def test_ccp_alpha_prunes(b2b):
    X, y = b2b
    small = TierClassifier(max_depth=6, ccp_alpha=0.01, random_state=0).fit(X, y)
    big = TierClassifier(max_depth=6, random_state=0).fit(X, y)
    assert small.n_leaves_ < big.n_leaves_


def test_feature_importances(b2b):
    X, y = b2b
    clf = TierClassifier(random_state=0).fit(X, y)
    imp = pd.Series(clf.feature_importances_, index=clf.feature_names_in_)
    assert imp.sum() == pytest.approx(1.0)
    assert imp["region"] < imp["monetary_total"]  # region plays no part in the grades


def test_pipeline_and_grid_search(b2b):
    X, y = b2b
    pipe = make_pipeline(FunctionTransformer(lambda d: d.copy()), TierClassifier(random_state=0))
    search = GridSearchCV(pipe, {"tierclassifier__max_depth": [2, 4]}, cv=3).fit(X, y)
    assert search.best_params_["tierclassifier__max_depth"] in (2, 4)
    assert search.predict(X).shape == (len(X),)
    scores = cross_val_score(TierClassifier(random_state=0), X[NUM].to_numpy(), y, cv=3)
    assert scores.mean() > 0.4


@pytest.mark.parametrize(
    ("cst", "exc", "match"),
    [
        ({"monetary": 1}, MissingColumnError, "monetary_total"),
        ({"industry": 1}, InvalidValueError, "categorical"),
        ({"frequency": 2}, InvalidValueError, "-1, 0 or 1"),
        ([1, 1], InvalidValueError, "2 values"),
    ],
)
def test_monotonic_cst_errors(b2b, cst, exc, match):
    X, y = b2b
    with pytest.raises(exc, match=match):
        TierClassifier(monotonic_cst=cst).fit(X, y)


# -- monotonic constraints: raising monetary alone never lowers a grade ------


@pytest.fixture(scope="module")
def monotonic_model():
    X, y = make_b2b(n=800, random_state=1)
    cst = {"monetary_total": 1, "frequency": 1, "recency_days": -1}
    return X, TierClassifier(max_depth=5, monotonic_cst=cst, random_state=0).fit(X, y)


@settings(max_examples=60, deadline=None)
@given(
    row=st.integers(0, 799),
    bumps=st.lists(st.floats(0, 5000, allow_nan=False), min_size=1, max_size=8),
    freq_bump=st.integers(0, 20),
)
def test_more_monetary_never_lowers_the_grade(monotonic_model, row, bumps, freq_bump):
    X, clf = monotonic_model
    base = X.iloc[[row]]
    steps = np.cumsum([0.0, *bumps])
    variants = pd.concat([base] * len(steps), ignore_index=True)
    variants["monetary_total"] = base["monetary_total"].iloc[0] + steps
    variants["frequency"] = base["frequency"].iloc[0] + freq_bump
    pos = pd.Index(clf.classes_).get_indexer(clf.predict(variants))  # 0 = best
    assert np.all(np.diff(pos) <= 0)


def test_monotonic_over_a_grid(monotonic_model):
    X, clf = monotonic_model
    grid = np.linspace(0, X["monetary_total"].max() * 1.2, 200)
    for row in range(0, 800, 40):
        variants = pd.concat([X.iloc[[row]]] * grid.size, ignore_index=True)
        variants["monetary_total"] = grid
        pos = pd.Index(clf.classes_).get_indexer(clf.predict(variants))
        assert np.all(np.diff(pos) <= 0)
        variants["recency_days"] = variants["recency_days"] + 100  # staler: never better
        later = pd.Index(clf.classes_).get_indexer(clf.predict(variants))
        assert np.all(later >= pos)


def test_constraints_remove_a_non_monotone_pattern_the_plain_tree_learns():
    # Customers spending 400-600 were graded D (say, heavy returns): a plain tree learns it.
    rng = np.random.default_rng(3)
    X = pd.DataFrame(
        {"monetary_total": rng.uniform(0, 1000, 2000), "frequency": rng.integers(1, 9, 2000)}
    )
    y = np.where(X["monetary_total"] > 700, "A", np.where(X["monetary_total"] > 300, "B", "C"))
    y = np.where(X["monetary_total"].between(400, 600), "D", y)
    grid = pd.DataFrame({"monetary_total": np.linspace(0, 1000, 501), "frequency": 4})
    plain = TierClassifier(max_depth=4, random_state=0).fit(X, y)
    pos = pd.Index(plain.classes_).get_indexer(plain.predict(grid))
    assert np.any(np.diff(pos) > 0)  # the unconstrained tree does lower the grade
    mono = TierClassifier(max_depth=4, monotonic_cst={"monetary_total": 1}, random_state=0)
    mono.fit(X, y)
    pos = pd.Index(mono.classes_).get_indexer(mono.predict(grid))
    assert np.all(np.diff(pos) <= 0)
    assert len(set(pos)) >= 2


def test_polars_input_gives_the_same_model(b2b):
    pl = pytest.importorskip("polars")
    X, y = b2b
    Xp = pl.from_pandas(X.assign(region=X["region"].astype(str)))
    a = TierClassifier(random_state=0).fit(X.assign(region=X["region"].astype(str)), y)
    b = TierClassifier(random_state=0).fit(Xp, y)
    assert a.export_rules() == b.export_rules()
    np.testing.assert_array_equal(
        b.predict(Xp), a.predict(X.assign(region=X["region"].astype(str)))
    )


def test_sample_weight_equals_repeating_rows(b2b):
    X, y = b2b
    w = np.where(np.arange(len(X)) % 3 == 0, 2, 1)
    weighted = TierClassifier(max_depth=3, random_state=0).fit(X, y, sample_weight=w)
    idx = np.repeat(np.arange(len(X)), w)
    repeated = TierClassifier(max_depth=3, random_state=0).fit(
        X.iloc[idx].reset_index(drop=True), y.iloc[idx].reset_index(drop=True)
    )
    assert weighted.categories_ == repeated.categories_
    np.testing.assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), depth=st.integers(2, 6))
def test_monotone_on_random_noisy_data(seed, depth):
    rng = np.random.default_rng(seed)
    n = 300
    X = pd.DataFrame(
        {
            "monetary_total": rng.lognormal(4, 1, n),
            "recency_days": rng.integers(0, 365, n).astype(float),
            "segment": rng.choice(["x", "y", "z"], n),
        }
    )
    latent = np.log(X["monetary_total"]) - X["recency_days"] / 150 + rng.normal(0, 1.5, n)
    y = np.asarray(["D", "C", "B", "A"])[pd.qcut(latent, 4, labels=False)]
    cst = {"monetary_total": 1, "recency_days": -1}
    clf = TierClassifier(max_depth=depth, monotonic_cst=cst, random_state=0).fit(X, y)
    grid = np.quantile(X["monetary_total"], np.linspace(0, 1, 60))
    for row in rng.choice(n, 10, replace=False):
        v = pd.concat([X.iloc[[row]]] * grid.size, ignore_index=True)
        v["monetary_total"] = grid
        pos = pd.Index(clf.classes_).get_indexer(clf.predict(v))
        assert np.all(np.diff(pos) <= 0)
        v["recency_days"] = v["recency_days"] + rng.uniform(0, 200)
        assert np.all(pd.Index(clf.classes_).get_indexer(clf.predict(v)) >= pos)


def test_id_and_date_columns_are_caught():
    from custseg.datasets import load_cdnow
    from custseg.exceptions import DataWarning, InvalidDtypeError
    from custseg.features import rfm

    feats = rfm(load_cdnow(sample=True), observation_date="1998-06-30")
    y = np.where(feats["monetary_total"] > feats["monetary_total"].median(), "A", "B")
    with pytest.raises(InvalidDtypeError, match="columns 'first_purchase' and 'last_purchase'"):
        TierClassifier().fit(feats, y)
    with pytest.warns(DataWarning, match="customer_id.*customer id"):
        TierClassifier().fit(feats[["customer_id", "frequency", "monetary_total"]], y)


def test_a_pruned_tree_can_be_a_single_rule():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    clf = TierClassifier(ccp_alpha=1.0).fit(X, list("AABBBB"))
    assert clf.n_leaves_ == 1 and clf.depth_ == 0
    assert clf.export_rules() == "IF TRUE THEN B  (n=6, 67% B)"
    assert clf.export_rules("sql") == "CASE\n  WHEN TRUE THEN 'B'\nEND"
