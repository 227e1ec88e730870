import numpy as np
import pandas as pd
import polars as pl
import pytest
from matplotlib.figure import Figure
from sklearn.metrics import roc_auc_score, roc_curve

from custseg.churn import BetaGeoModel, calibration_table, gains_table
from custseg.datasets import load_cdnow
from custseg.exceptions import InvalidDtypeError, InvalidValueError
from custseg.features import btyd_summary
from custseg.plotting import (
    plot_calibration,
    plot_expected_purchases,
    plot_gains,
    plot_lift,
    plot_roc,
)

Y = np.array([1, 0, 1, 1, 0, 0, 1, 0, 0, 0])
SCORE = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])


def _labels(ax):
    return [line.get_label() for line in ax.lines]


# ---------------------------------------------------------------------------- ROC
def test_roc_curve_matches_sklearn(ax):
    plot_roc(Y, SCORE, ax=ax)
    fpr, tpr, _ = roc_curve(Y, SCORE)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), fpr)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), tpr)
    auc = roc_auc_score(Y, SCORE)
    assert auc == pytest.approx(19 / 24)  # 19 of the 24 churner/stayer pairs ranked right
    assert _labels(ax) == [f"model (AUC = {auc:.3f})", "chance"]
    assert ax.get_xlabel() == "false positive rate"
    assert ax.get_ylabel() == "true positive rate"


def test_roc_two_models_share_one_chance_line(ax):
    plot_roc(Y, SCORE, label="logit", ax=ax)
    plot_roc(pd.Series(Y.astype(bool)), pl.Series(SCORE[::-1]), label="reverse", ax=ax)
    assert [lab.split(" (")[0] for lab in _labels(ax)] == ["logit", "chance", "reverse"]
    assert _labels(ax)[2] == "reverse (AUC = 0.208)"
    assert [t.get_text() for t in ax.get_legend().get_texts()][2].startswith("reverse")


# -------------------------------------------------------------------------- gains
def test_gains_curve_by_hand(ax):
    plot_gains(Y, SCORE, ax=ax)
    model, perfect, random = ax.lines
    np.testing.assert_allclose(model.get_xdata(), np.arange(11) * 10.0)
    # churners at ranks 1, 3, 4, 7 of 10; 4 churners
    np.testing.assert_allclose(model.get_ydata(),
                               [0, 25, 25, 50, 75, 75, 75, 100, 100, 100, 100])
    np.testing.assert_allclose(perfect.get_xdata(), [0, 40, 100])
    np.testing.assert_allclose(perfect.get_ydata(), [0, 100, 100])
    np.testing.assert_allclose(random.get_ydata(), [0, 100])
    assert _labels(ax) == ["model", "perfect", "random"]
    assert ax.get_ylabel() == "churners reached (%)"


def test_gains_tied_scores_are_one_step(ax):
    # scores 3, 3, 1, 1: the two tied pairs are contacted together, whatever the row order
    plot_gains([0, 1, 1, 0], [3, 3, 1, 1], ax=ax)
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0, 50, 100])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0, 50, 100])
    other = plot_gains([1, 0, 0, 1], [3, 3, 1, 1], ax=Figure().subplots())
    np.testing.assert_allclose(other.lines[0].get_ydata(), [0, 50, 100])


# --------------------------------------------------------------------------- lift
def test_lift_by_hand(ax):
    plot_lift(Y, SCORE, n_bins=5, ax=ax)
    # pairs of customers from the top: (1,0) (1,1) (0,0) (1,0) (0,0); overall rate 0.4
    np.testing.assert_allclose(ax.containers[0].datavalues, [1.25, 2.5, 0.0, 1.25, 0.0])
    np.testing.assert_array_equal([p.get_x() + p.get_width() / 2 for p in ax.containers[0]],
                                  [1, 2, 3, 4, 5])
    assert ax.lines[0].get_ydata()[0] == 1.0  # the average line
    assert [t.get_text() for t in ax.texts] == ["1.25", "2.50", "0.00", "1.25", "0.00"]
    assert "40.0%" in ax.get_title()


def test_lift_unequal_groups(ax):
    plot_lift(Y, SCORE, n_bins=3, ax=ax)  # groups of 3, 3, 4: (1,0,1) (1,0,0) (1,0,0,0)
    np.testing.assert_allclose(ax.containers[0].datavalues,
                               [(2 / 3) / 0.4, (1 / 3) / 0.4, (1 / 4) / 0.4])
    np.testing.assert_allclose(ax.containers[0].datavalues,
                               gains_table(Y, SCORE, n_bins=3)["lift"])


def test_lift_and_roc_read_predict_proba_columns(ax):
    proba = np.column_stack([1 - SCORE, SCORE])
    plot_lift(Y, proba, n_bins=5, ax=ax)
    np.testing.assert_allclose(ax.containers[0].datavalues, [1.25, 2.5, 0.0, 1.25, 0.0])


# -------------------------------------------------------------------- calibration
def test_calibration_by_hand_and_matches_calibration_table(ax):
    plot_calibration(Y, SCORE, n_bins=2, ax=ax)
    # lowest 5 scores (0.1..0.5 and 0.6): groups of 5 by sorted probability
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [0.3, 0.79])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.2, 0.6])
    rng = np.random.RandomState(0)
    p = rng.uniform(size=500)
    y = (rng.uniform(size=500) < p).astype(int)
    other = plot_calibration(y, p, n_bins=5, strategy="uniform", ax=Figure().subplots())
    table = calibration_table(y, p, n_bins=5, strategy="uniform")
    np.testing.assert_allclose(other.lines[0].get_xdata(), table["mean_predicted"])
    np.testing.assert_allclose(other.lines[0].get_ydata(), table["observed_rate"])
    assert len(other.lines[0].get_xdata()) == 5
    assert _labels(ax) == ["model", "perfectly calibrated"]
    assert ax.get_xlabel() == "Mean predicted churn probability"
    # a second model on the same Axes: the diagonal is listed once
    plot_calibration(Y, SCORE[::-1], n_bins=2, label="other", ax=ax)
    assert _labels(ax) == ["model", "perfectly calibrated", "other"]


# --------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("plot", [plot_roc, plot_gains, plot_lift, plot_calibration])
def test_bad_targets_and_scores(plot, ax):
    with pytest.raises(InvalidValueError, match="both classes"):
        plot(np.zeros(4), np.linspace(0, 1, 4), ax=ax)
    with pytest.raises(InvalidValueError, match=r"2 values are not, for example '2' and '3'\."):
        plot([0, 1, 2, 3], [0.1, 0.2, 0.3, 0.4], ax=ax)
    with pytest.raises(InvalidValueError, match="y_true has 3 values but y_score has 2"):
        plot([0, 1, 1], [0.1, 0.2], ax=ax)
    with pytest.raises(InvalidValueError, match="1 missing or infinite"):
        plot([0, 1, 1], [0.1, np.nan, 0.3], ax=ax)
    with pytest.raises(InvalidDtypeError, match="y_true must hold 0/1"):
        plot(["a", "b"], [0.1, 0.2], ax=ax)


def test_calibration_and_lift_parameters(ax):
    with pytest.raises(InvalidValueError, match="2 values outside"):
        plot_calibration([0, 1, 1], [-0.1, 0.5, 1.2], ax=ax)
    with pytest.raises(InvalidValueError, match="strategy='equal'"):
        plot_calibration([0, 1], [0.1, 0.9], strategy="equal", ax=ax)
    with pytest.raises(InvalidValueError, match="n_bins=20"):
        plot_lift(Y, SCORE, n_bins=20, ax=ax)


# ------------------------------------------------------------------------ BG/NBD
@pytest.fixture(scope="module")
def bgnbd():
    return BetaGeoModel().fit(btyd_summary(load_cdnow(sample=True), unit="W"))


def test_expected_purchases_matrix(bgnbd, ax):
    plot_expected_purchases(bgnbd, T=40, horizon=10, max_frequency=5, ax=ax)
    grid = ax.images[0].get_array()
    assert grid.shape == (6, 41)  # frequency 0..5, recency 0..40
    # each cell is the model's expectation for (frequency, recency, T=40)
    for f, r in [(1, 0), (3, 20), (5, 40), (0, 0)]:
        expected = bgnbd.expected_purchases(np.array([[f, r, 40.0]]), 10)[0]
        assert grid[f, r] == pytest.approx(expected)
    # a one-time buyer has recency 0: the rest of the bottom row is blank
    assert grid.mask[0, 1:].all() and not grid.mask[1:].any()
    # more recent and more frequent customers are expected to buy more
    assert grid[5, 40] > grid[5, 10] and grid[5, 40] > grid[1, 40]
    assert ax.images[0].origin == "lower"
    assert ax.figure.axes[1].get_ylabel() == "Expected purchases in the next 10 time units"
    assert ax.get_ylabel() == "Frequency (repeat purchases)"
    weekly = plot_expected_purchases(bgnbd, T=40, horizon=1, unit="weeks",
                                     ax=Figure().subplots())
    assert weekly.figure.axes[1].get_ylabel() == "Expected purchases in the next 1 week"
    assert weekly.get_xlabel() == "Recency: age at the last purchase (weeks)"


def test_expected_purchases_coarse_grid_and_annotations(bgnbd, ax):
    plot_expected_purchases(bgnbd, T=400, max_frequency=2, ax=ax)
    assert ax.images[0].get_array().shape == (3, 81)  # step of 5 over 0..400
    assert len(ax.texts) == 0
    other = plot_expected_purchases(bgnbd, T=3, max_frequency=1, annotate=True)
    assert len(other.texts) == 1 + 4  # (0, 0) and frequency 1 at recency 0..3


def test_expected_purchases_errors(bgnbd, ax):
    with pytest.raises(InvalidValueError, match="max_recency=50"):
        plot_expected_purchases(bgnbd, T=40, max_recency=50, ax=ax)
    with pytest.raises(InvalidValueError, match="T=-1"):
        plot_expected_purchases(bgnbd, T=-1, ax=ax)
    with pytest.raises(InvalidValueError, match="fitted BetaGeoModel"):
        plot_expected_purchases(object(), T=10, ax=ax)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        plot_expected_purchases(BetaGeoModel(), T=10, ax=ax)
