"""Risk bands: relative shares, fixed cut points, a campaign budget (hand-worked)."""

from __future__ import annotations

import numpy as np
import pytest

from custseg.churn._bands import apply_risk_bands, check_band_spec, learn_risk_bands
from custseg.exceptions import InvalidValueError

# Ten customers, probabilities 0.05 .. 0.95; the three most likely all churned.
P = np.linspace(0.05, 0.95, 10)
Y = np.array([0, 0, 0, 1, 0, 0, 0, 1, 1, 1], dtype=bool)


def test_relative_bands_top_10_next_20():
    kind, spec = check_band_spec((0.1, 0.2), None, None)
    cuts, table = learn_risk_bands(P, Y, kind, spec)
    band = apply_risk_bands(P, cuts)
    # Top 10% = the last customer, next 20% = the two before.
    assert band.tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 1, 2]
    assert table["customers"].tolist() == [7, 2, 1]
    # Observed churn: low 2/7 (customers 4 and 8 of 10), medium 2/2, high 1/1.
    assert table.loc["low", "churn_rate"] == pytest.approx(1 / 7)
    assert table.loc["medium", "churn_rate"] == 1.0
    assert table.loc["high", "captured"] == pytest.approx(1 / 4)
    assert table.loc["high", "lift"] == pytest.approx(1.0 / 0.4)


def test_fixed_cut_points():
    kind, spec = check_band_spec((0.1, 0.2), (0.5, 0.8), None)
    cuts, table = learn_risk_bands(P, Y, kind, spec)
    assert cuts == (0.5, 0.8)
    assert apply_risk_bands(P, cuts).tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 2, 2]
    assert table.loc["high", "churn_rate"] == 1.0


def test_budget_sets_the_high_share():
    kind, spec = check_band_spec((0.1, 0.2), None, 0.2)
    assert (kind, spec) == ("relative", (0.2, 0.4))
    cuts, _ = learn_risk_bands(P, Y, kind, spec)
    assert apply_risk_bands(P, cuts).tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]


def test_missing_probability_has_no_band():
    assert apply_risk_bands(np.array([np.nan, 0.9]), (0.5, 0.8)).tolist() == [-1, 2]


@pytest.mark.parametrize(("shares", "thresholds", "budget", "match"), [
    ((0.6, 0.5), None, None, "churn_risk_shares"),
    ((0.1,), None, None, "churn_risk_shares"),
    ((0.1, 0.2), (0.8, 0.5), None, "churn_risk_thresholds"),
    ((0.1, 0.2), (0.5, 0.8), 0.1, "churn_risk_budget"),
    ((0.1, 0.2), None, 1.5, "churn_risk_budget"),
])
def test_bad_band_settings(shares, thresholds, budget, match):
    with pytest.raises(InvalidValueError, match=match):
        check_band_spec(shares, thresholds, budget)
