"""Expected future value: BG/NBD purchases x Gamma-Gamma spend, and the unscorable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custseg.churn import BetaGeoModel, GammaGammaModel
from custseg.churn._future_value import ValueModels, fit_value_models, future_value
from custseg.datasets import load_cdnow
from custseg.features import btyd_summary


@pytest.fixture(scope="module")
def summary():
    return btyd_summary(load_cdnow(sample=True), observation_date="1997-09-30", future="drop")


def test_value_is_purchases_times_spend(summary):
    models = fit_value_models(summary)
    v = future_value(models, summary, horizon_days=365)
    bg = BetaGeoModel().fit(summary)
    np.testing.assert_allclose(v["expected_purchases"], bg.expected_purchases(summary, 365),
                               rtol=1e-6)
    np.testing.assert_allclose(v["p_alive"], bg.probability_alive(summary), rtol=1e-6)
    np.testing.assert_allclose(v["expected_value"], v["expected_purchases"] * v["expected_spend"])


def test_one_time_buyers_get_the_population_mean_spend(summary):
    models = fit_value_models(summary)
    v = future_value(models, summary, horizon_days=365)
    once = summary["frequency"] == 0
    assert v.loc[once, "expected_spend"].nunique() == 1
    assert v.loc[once, "expected_spend"].iloc[0] == pytest.approx(
        models.spend.population_mean_spend_)


def test_net_refund_customer_gets_the_population_mean():
    # Customer "r" has a repeat purchase but a mean repeat spend below zero.
    s = pd.DataFrame({"frequency": [2, 3, 1, 2], "recency": [20.0, 30.0, 5.0, 25.0],
                      "T": [40.0, 40.0, 40.0, 40.0], "monetary_value": [10.0, 20.0, 30.0, -5.0]})
    gg = GammaGammaModel(max_correlation=1.0).fit(s.iloc[:3])
    models = ValueModels(BetaGeoModel().fit(s[["frequency", "recency", "T"]]), gg, 20.0)
    v = future_value(models, s, horizon_days=30)
    assert v["expected_spend"].iloc[3] == pytest.approx(gg.population_mean_spend_)


def test_without_gamma_gamma_everyone_gets_the_mean_repeat_spend():
    s = pd.DataFrame({"frequency": [0, 0, 1], "recency": [0.0, 0.0, 10.0],
                      "T": [30.0, 20.0, 30.0], "monetary_value": [0.0, 0.0, 12.0]})
    models = fit_value_models(s)
    assert models.spend is None and models.fallback_spend == 12.0
    assert any("Gamma-Gamma not fitted" in n for n in models.notes)
    v = future_value(models, s, horizon_days=30)
    assert (v["expected_spend"] == 12.0).all()
    assert np.isfinite(v["expected_value"]).all()


def test_discounting_lowers_value(summary):
    models = fit_value_models(summary)
    plain = future_value(models, summary, horizon_days=365)
    disc = future_value(models, summary, horizon_days=365, discount_rate=0.2)
    assert (disc["expected_value"] <= plain["expected_value"] + 1e-12).all()
    assert disc["expected_value"].sum() < plain["expected_value"].sum()
    np.testing.assert_allclose(disc["expected_purchases"], plain["expected_purchases"])
