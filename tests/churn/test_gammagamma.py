import numpy as np
import pandas as pd
import pytest
from scipy import optimize

from custseg.churn import BetaGeoModel, GammaGammaModel
from custseg.churn._gammagamma import _gg_loglik
from custseg.datasets import load_cdnow
from custseg.exceptions import EmptyDataError, InvalidValueError, ModelAssumptionWarning
from custseg.features import calibration_holdout

COLS = ("frequency_cal", "monetary_value_cal")


@pytest.fixture(scope="module")
def cdnow_cal():
    return calibration_holdout(load_cdnow(sample=True), "1997-09-30", unit="W").features


@pytest.fixture(scope="module")
def fitted(cdnow_cal):
    return GammaGammaModel(columns=COLS).fit(cdnow_cal)


def test_cdnow_sample_parameters_match_published_values(fitted):
    for name, value in {"p": 6.25, "q": 3.74, "v": 15.44}.items():
        assert fitted.params_[name] == pytest.approx(value, abs=0.01), name
    assert fitted.n_customers_ == 946  # repeat customers only
    assert fitted.population_mean_spend_ == pytest.approx(
        fitted.p_ * fitted.v_ / (fitted.q_ - 1))
    assert abs(fitted.frequency_spend_corr_) < 0.3


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 15, 40).astype(float)
    m = rng.gamma(3, 10, 40)
    w = np.ones(40)
    err = optimize.check_grad(lambda t: _gg_loglik(t, x, m, w)[0],
                              lambda t: _gg_loglik(t, x, m, w)[1], np.log([2.0, 3.0, 20.0]))
    assert err < 1e-4


def test_expected_spend_shrinks_towards_population_mean(fitted):
    X = np.array([[0, 0.0], [1, 100.0], [10, 100.0], [100, 100.0]])
    spend = fitted.expected_average_spend(X)
    assert spend[0] == pytest.approx(fitted.population_mean_spend_)
    # More repeat purchases: closer to the customer's own mean (100).
    assert abs(spend[1] - 100) > abs(spend[2] - 100) > abs(spend[3] - 100)
    p, q, v = fitted.p_, fitted.q_, fitted.v_
    assert spend[2] == pytest.approx((p * v + p * 10 * 100) / (p * 10 + q - 1))


def test_strong_frequency_spend_correlation_warns():
    rng = np.random.default_rng(0)
    freq = rng.integers(1, 20, 300)
    spend = 5.0 * freq + rng.gamma(2, 2, 300)
    with pytest.warns(ModelAssumptionWarning, match="correlated"):
        model = GammaGammaModel().fit(np.column_stack([freq, spend]))
    assert model.frequency_spend_corr_ > 0.9


def test_customer_lifetime_value(cdnow_cal, fitted):
    bg = BetaGeoModel(columns=("frequency_cal", "recency_cal", "T_cal")).fit(cdnow_cal)
    clv = fitted.customer_lifetime_value(cdnow_cal, bg, horizon=52)
    np.testing.assert_allclose(
        clv, bg.expected_purchases(cdnow_cal, 52) * fitted.expected_average_spend(cdnow_cal))
    discounted = fitted.customer_lifetime_value(cdnow_cal, bg, 52, discount_rate=0.01, step=4)
    assert np.all(discounted <= clv + 1e-12) and np.all(discounted > 0.5 * clv)
    # With one step covering the whole horizon, discounting divides by (1 + rate).
    one = fitted.customer_lifetime_value(cdnow_cal, bg, 52, discount_rate=0.1, step=52)
    np.testing.assert_allclose(one, clv / 1.1)
    arr = cdnow_cal[["frequency_cal", "recency_cal", "T_cal", "monetary_value_cal"]].to_numpy()
    np.testing.assert_allclose(fitted.customer_lifetime_value(arr, bg, 52), clv)
    with pytest.raises(InvalidValueError, match="discount_rate"):
        fitted.customer_lifetime_value(cdnow_cal, bg, 52, discount_rate=-1)
    with pytest.raises(InvalidValueError, match="4 columns"):
        fitted.customer_lifetime_value(arr[:, :3], bg, 52)


def test_bad_input():
    with pytest.raises(EmptyDataError, match="at least 2"):
        GammaGammaModel().fit(np.array([[0, 0.0], [1, 10.0]]))
    with pytest.raises(InvalidValueError, match="1 of 3 repeat customers with a mean spend <= 0"):
        GammaGammaModel().fit(np.array([[1, 10.0], [2, -3.0], [3, 5.0]]))
    with pytest.raises(InvalidValueError, match="whole numbers"):
        GammaGammaModel().fit(np.array([[1.5, 10.0], [2, 3.0]]))


def test_one_time_buyers_are_ignored_in_fit(cdnow_cal, fitted):
    repeaters = cdnow_cal[cdnow_cal["frequency_cal"] > 0]
    again = GammaGammaModel(columns=COLS).fit(repeaters)
    assert again.params_ == pytest.approx(fitted.params_, rel=1e-6)
    assert isinstance(pd.Series(again.params_), pd.Series)
