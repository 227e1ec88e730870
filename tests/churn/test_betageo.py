import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import optimize, special
from sklearn.base import clone

from custseg.churn import BetaGeoChurnClassifier, BetaGeoModel
from custseg.churn._bgnbd import _bgnbd_loglik
from custseg.datasets import load_cdnow
from custseg.exceptions import InvalidValueError, MissingColumnError
from custseg.features import calibration_holdout

CAL = ("frequency_cal", "recency_cal", "T_cal")


@pytest.fixture(scope="module")
def cdnow_cal():
    return calibration_holdout(load_cdnow(sample=True), "1997-09-30", unit="W").features


@pytest.fixture(scope="module")
def fitted(cdnow_cal):
    return BetaGeoModel(columns=CAL).fit(cdnow_cal)


def test_cdnow_sample_parameters_match_published_values(fitted):
    # Fader, Hardie & Lee (2005) / lifetimes on the CDNOW sample, weeks, cal. end 1997-09-30.
    expected = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in expected.items():
        assert fitted.params_[name] == pytest.approx(value, abs=0.002), name
    assert fitted.r_ == fitted.params_["r"]
    assert fitted.n_customers_ == 2357
    assert fitted.log_likelihood_ == pytest.approx(-9582.43, abs=0.01)


def test_same_fit_from_array_polars_and_weights(cdnow_cal, fitted):
    arr = cdnow_cal[list(CAL)].to_numpy()
    from_array = BetaGeoModel().fit(arr)
    from_polars = BetaGeoModel(columns=CAL).fit(pl.from_pandas(cdnow_cal))
    for name in ("r", "alpha", "a", "b"):
        assert from_array.params_[name] == pytest.approx(fitted.params_[name], rel=1e-6)
        assert from_polars.params_[name] == pytest.approx(fitted.params_[name], rel=1e-6)
    # Weight 2 on every row = the data twice.
    doubled = BetaGeoModel().fit(np.vstack([arr, arr]))
    weighted = BetaGeoModel().fit(arr, sample_weight=np.full(len(arr), 2.0))
    for name in ("r", "alpha", "a", "b"):
        assert weighted.params_[name] == pytest.approx(doubled.params_[name], rel=1e-6)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 20, 50).astype(float)
    T = rng.uniform(1, 60, 50)
    tx = np.where(x > 0, T * rng.uniform(0, 1, 50), 0.0)
    w = rng.uniform(0.5, 2, 50)
    theta = np.log([0.4, 3.0, 0.8, 2.5])
    err = optimize.check_grad(
        lambda t: _bgnbd_loglik(t, x, tx, T, w)[0], lambda t: _bgnbd_loglik(t, x, tx, T, w)[1],
        theta)
    assert err < 1e-4


def test_recovers_parameters_of_simulated_customers():
    rng = np.random.default_rng(42)
    n, T = 20000, 52.0
    r, alpha, a, b = 0.5, 5.0, 0.8, 3.0
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    t = np.zeros(n)
    x = np.zeros(n)
    tx = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    # The first purchase at time 0 is not counted; after each purchase the customer may die.
    alive &= True
    while alive.any():
        gaps = rng.exponential(1 / np.maximum(lam, 1e-12))
        t_next = t + gaps
        buys = alive & (t_next <= T)
        x[buys] += 1
        tx[buys] = t_next[buys]
        t = np.where(buys, t_next, t)
        dies = buys & (rng.uniform(size=n) < p)
        alive = buys & ~dies
    model = BetaGeoModel().fit(np.column_stack([x, tx, np.full(n, T)]))
    assert model.r_ == pytest.approx(r, rel=0.1)
    assert model.alpha_ == pytest.approx(alpha, rel=0.15)
    assert model.a_ == pytest.approx(a, rel=0.2)
    assert model.b_ == pytest.approx(b, rel=0.3)


def _direct_expected(params, x, tx, T, t):
    # The textbook form of FHL (2005) eq. 10, fine for small frequencies.
    r, alpha, a, b = params
    hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    first = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp)
    return first / (1 + (x > 0) * a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))


def test_expected_purchases_matches_textbook_formula(fitted):
    X = np.array([[0, 0, 38.86], [2, 30.43, 38.86], [5, 20, 38.0], [10, 36, 38.0], [1, 1, 10.0]])
    params = [fitted.params_[k] for k in ("r", "alpha", "a", "b")]
    got = fitted.expected_purchases(pd.DataFrame(X, columns=list(CAL)), 39)
    want = [_direct_expected(params, *row, 39) for row in X]
    np.testing.assert_allclose(got, want, rtol=1e-8)
    # A new customer's curve starts at 0 and equals the conditional formula at x = T = 0.
    curve = fitted.expected_purchases_new_customer([0.0, 39.0])
    assert curve[0] == 0.0
    assert curve[1] == pytest.approx(_direct_expected(params, 0, 0, 0, 39.0))


def test_no_overflow_for_huge_frequency_and_age(fitted):
    X = pd.DataFrame(
        [[500, 100, 101.0], [10_000, 1000, 1000.0], [100_000, 1e5, 1e5 + 1], [0, 0, 1e7]],
        columns=list(CAL))
    for values in (fitted.expected_purchases(X, 39), fitted.probability_no_purchase(X, 39),
                   fitted.probability_alive(X), fitted.log_likelihood(X)):
        assert np.all(np.isfinite(values))
    ll, grad = _bgnbd_loglik(np.log([0.3, 4.0, 0.8, 2.0]), np.array([1e6, 0.0]),
                             np.array([1e6, 0.0]), np.array([1e6 + 5, 1e6]), np.ones(2))
    assert np.isfinite(ll) and np.all(np.isfinite(grad))


def test_p_alive_is_one_for_one_time_buyers_but_no_purchase_probability_is_not(fitted):
    one_timers = pd.DataFrame({"frequency_cal": [0, 0, 0], "recency_cal": [0.0, 0, 0],
                               "T_cal": [1.0, 20.0, 70.0]})
    np.testing.assert_array_equal(fitted.probability_alive(one_timers), 1.0)
    churn = fitted.probability_no_purchase(one_timers, 39)
    assert np.all(np.diff(churn) > 0)  # older one-time buyers are more likely gone
    assert np.all((churn > 0) & (churn < 1))


def test_churn_scores_rank_better_than_p_alive(cdnow_cal, fitted):
    from sklearn.metrics import roc_auc_score

    y = cdnow_cal["churned"]
    auc_alive = roc_auc_score(y, 1 - fitted.probability_alive(cdnow_cal))
    auc_none = roc_auc_score(y, fitted.probability_no_purchase(cdnow_cal, 39))
    assert auc_alive < 0.5 < auc_none


def test_log_likelihood_per_customer_sums_to_fit_value(cdnow_cal, fitted):
    assert fitted.log_likelihood(cdnow_cal).sum() == pytest.approx(fitted.log_likelihood_)
    assert fitted.score(cdnow_cal) == pytest.approx(fitted.log_likelihood_ / len(cdnow_cal))


def test_probability_no_purchase_horizon_zero_is_zero(cdnow_cal, fitted):
    np.testing.assert_allclose(fitted.probability_no_purchase(cdnow_cal, 0), 1.0)
    np.testing.assert_allclose(fitted.expected_purchases(cdnow_cal, 0), 0.0, atol=1e-12)


@pytest.mark.parametrize(
    ("rows", "match"),
    [
        ([[1, 5, 3.0]], "smaller than 'recency'"),
        ([[-1, 0, 3.0]], "not whole numbers >= 0"),
        ([[1.5, 1, 3.0]], "not whole numbers >= 0"),
        ([[0, 2, 3.0]], "one-time buyer has recency 0"),
        ([[1, -1, 3.0]], "negative rows"),
        ([[1, np.nan, 3.0]], "1 of 1 rows that are missing"),
    ],
)
def test_bad_summaries_are_rejected(rows, match):
    with pytest.raises(InvalidValueError, match=match):
        BetaGeoModel().fit(np.array(rows))


def test_missing_column_names_the_columns():
    frame = pd.DataFrame({"frequency": [1], "recency": [1.0], "age": [2.0]})
    with pytest.raises(MissingColumnError, match=r"column 'T' is not in X\..*Available columns"):
        BetaGeoModel().fit(frame)
    with pytest.raises(InvalidValueError, match="shape"):
        BetaGeoModel().fit(np.ones((3, 2)))


def test_bad_horizon_and_unfitted(fitted, cdnow_cal):
    with pytest.raises(InvalidValueError, match="horizon"):
        fitted.probability_no_purchase(cdnow_cal, -1)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        BetaGeoModel().probability_alive(np.array([[0, 0, 1.0]]))


def test_does_not_mutate_input_and_clones(cdnow_cal):
    before = cdnow_cal.copy()
    model = BetaGeoModel(columns=CAL, penalizer=0.01).fit(cdnow_cal)
    pd.testing.assert_frame_equal(cdnow_cal, before)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "params_")
    # A penalty shrinks the log-parameters towards 0.
    plain = BetaGeoModel(columns=CAL).fit(cdnow_cal)
    assert abs(np.log(model.r_)) < abs(np.log(plain.r_))


def test_classifier_wrapper(cdnow_cal, fitted):
    y = cdnow_cal["churned"]
    clf = BetaGeoChurnClassifier(horizon=39, columns=CAL).fit(cdnow_cal, y)
    proba = clf.predict_proba(cdnow_cal)
    np.testing.assert_allclose(proba[:, 1], fitted.probability_no_purchase(cdnow_cal, 39))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_, [False, True])
    assert set(clf.predict(cdnow_cal)) <= {False, True}
    exp = BetaGeoChurnClassifier(horizon=39, columns=CAL, churn_score="expected_purchases").fit(
        cdnow_cal, y)
    np.testing.assert_allclose(exp.predict_proba(cdnow_cal)[:, 1],
                               np.exp(-fitted.expected_purchases(cdnow_cal, 39)))
    with pytest.raises(InvalidValueError, match="horizon is required"):
        BetaGeoChurnClassifier(columns=CAL).fit(cdnow_cal, y)
    with pytest.raises(InvalidValueError, match="only one class"):
        BetaGeoChurnClassifier(horizon=39, columns=CAL).fit(cdnow_cal, np.ones(len(y)))


def test_classifier_wrapper_cross_validates(cdnow_cal):
    from sklearn.model_selection import cross_val_score

    scores = cross_val_score(BetaGeoChurnClassifier(horizon=39, columns=CAL), cdnow_cal,
                             cdnow_cal["churned"], cv=3, scoring="roc_auc")
    assert np.all(scores > 0.6)


def test_classifier_default_score_is_accuracy(cdnow_cal):
    # The churn_score parameter no longer shadows ClassifierMixin.score.
    from sklearn.model_selection import cross_val_score

    y = cdnow_cal["churned"]
    clf = BetaGeoChurnClassifier(horizon=39, columns=CAL).fit(cdnow_cal, y)
    assert clf.score(cdnow_cal, y) == pytest.approx(np.mean(clf.predict(cdnow_cal) == y))
    scores = cross_val_score(BetaGeoChurnClassifier(horizon=39, columns=CAL), cdnow_cal, y,
                             cv=3, error_score="raise")
    assert np.isfinite(scores).all() and np.all(scores > 0.5)
