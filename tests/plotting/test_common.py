"""Every plot function: the shared contract of custseg.plotting."""

import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes

from custseg import plotting
from custseg.churn import BetaGeoModel
from custseg.tiers import TierClassifier

RNG = np.random.RandomState(0)
FEATURES = pd.DataFrame({
    "segment": ["a", "a", "b", "b", "c", "c"] * 2,
    "recency_days": [1.0, 5.0, 30.0, 40.0, 200.0, 300.0] * 2,
    "frequency": [9, 7, 3, 2, 1, 1] * 2,
    "monetary_total": [500.0, 300.0, 80.0, 60.0, 10.0, 15.0] * 2,
})
Y = np.array([0, 0, 1, 0, 1, 1, 0, 1, 1, 0])
P = np.array([0.1, 0.3, 0.7, 0.2, 0.9, 0.6, 0.4, 0.8, 0.5, 0.35])


def _bgnbd():
    summary = pd.DataFrame({"frequency": [0, 2, 5, 1, 0, 3, 8, 0],
                            "recency": [0.0, 10.0, 30.0, 4.0, 0.0, 20.0, 35.0, 0.0],
                            "T": [40.0] * 8})
    return BetaGeoModel().fit(summary)


TRENDS = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]),
                       "revenue": [10.0, 12.0, 4.0], "active_customers": [3, 4, 2],
                       "new_customers": [3, 2, 0], "lost_customers": [0, 1, 2],
                       "complete": [True, True, False]})
RETENTION = pd.DataFrame({"cohort": pd.to_datetime(["2024-01-01", "2024-02-01"]),
                          "customers": [3, 2], "0": [1.0, 1.0], "1": [1 / 3, None]})

CALLS = {
    "plot_rfm_heatmap": lambda ax: plotting.plot_rfm_heatmap(FEATURES, bins=3, ax=ax),
    "plot_segment_sizes": lambda ax: plotting.plot_segment_sizes(
        FEATURES, value_col="monetary_total", ax=ax),
    "plot_segment_profile": lambda ax: plotting.plot_segment_profile(FEATURES, ax=ax),
    "plot_k_selection": lambda ax: plotting.plot_k_selection(
        pd.DataFrame({"k": [2, 3], "inertia": [2.0, 1.0], "silhouette": [0.5, 0.4]}), ax=ax),
    "plot_silhouette": lambda ax: plotting.plot_silhouette(
        FEATURES[["recency_days"]], FEATURES["segment"], ax=ax),
    "plot_lifecycle": lambda ax: plotting.plot_lifecycle(["new", "active", "churned"], ax=ax),
    "plot_migration": lambda ax: plotting.plot_migration(pd.DataFrame([[1, 2], [3, 4]]), ax=ax),
    "plot_tier_rules": lambda ax: plotting.plot_tier_rules(
        TierClassifier(max_depth=2).fit(FEATURES[["monetary_total"]],
                                        ["A", "A", "B", "B", "C", "C"] * 2), ax=ax),
    "plot_roc": lambda ax: plotting.plot_roc(Y, P, ax=ax),
    "plot_gains": lambda ax: plotting.plot_gains(Y, P, ax=ax),
    "plot_lift": lambda ax: plotting.plot_lift(Y, P, n_bins=5, ax=ax),
    "plot_calibration": lambda ax: plotting.plot_calibration(Y, P, n_bins=3, ax=ax),
    "plot_expected_purchases": lambda ax: plotting.plot_expected_purchases(
        _bgnbd(), T=40, max_frequency=5, ax=ax),
    "plot_conversion_by_grade": lambda ax: plotting.plot_conversion_by_grade(
        pd.DataFrame({"grade": ["A", "B"], "n": [10, 20], "conversion_rate": [0.3, 0.1]}),
        ax=ax),
    "plot_points_waterfall": lambda ax: plotting.plot_points_waterfall(
        {"industry in {ICT}": 15, "budget unknown": -5}, ax=ax),
    "plot_trends": lambda ax: plotting.plot_trends(TRENDS, ax=ax),
    "plot_cohort_retention": lambda ax: plotting.plot_cohort_retention(RETENTION, ax=ax),
    "plot_rules": lambda ax: plotting.plot_rules(pd.DataFrame({
        "antecedents": [frozenset({"tea"}), frozenset({"milk"})],
        "consequents": [frozenset({"milk"}), frozenset({"tea"})],
        "support": [0.5, 0.5], "confidence": [0.5, 1.0], "lift": [1.0, 1.0]}), ax=ax),
}
# The one public non-plot: the column-label map every plot uses.
LABEL_NAMES = {"COLUMN_LABELS", "column_label"}


def test_every_public_plot_is_covered_here():
    plots = [name for name in plotting.__all__ if name not in LABEL_NAMES]
    assert sorted(CALLS) == sorted(plots)
    assert all(name.startswith("plot_") for name in plots)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_draws_on_the_given_axes_only(name, ax):
    before = len(ax.get_children())
    out = CALLS[name](ax)
    assert out is ax
    assert len(ax.get_children()) > before  # something was drawn on it
    assert ax.get_title()  # every plot says what it shows
    assert plt.get_fignums() == []  # pyplot never saw a figure


@pytest.mark.parametrize("name", sorted(CALLS))
def test_makes_its_own_figure_without_axes(name):
    out = CALLS[name](None)
    assert isinstance(out, Axes)
    assert plt.get_fignums() == [out.figure.number]


def test_importing_plotting_does_not_import_matplotlib():
    code = ("import sys, custseg.plotting; "
            "print(any(m.split('.')[0] == 'matplotlib' for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_kwargs_reach_the_main_artist(ax):
    from matplotlib.colors import to_rgba

    plotting.plot_segment_sizes(FEATURES, color="red", ax=ax)
    assert all(p.get_facecolor() == to_rgba("red") for p in ax.containers[0])
    roc = plotting.plot_roc(Y, P, linestyle=":", ax=plt.figure().subplots())
    assert roc.lines[0].get_linestyle() == ":"
    heat = plotting.plot_migration(pd.DataFrame([[1, 2], [3, 4]]), cmap="magma",
                                   ax=plt.figure().subplots())
    assert heat.images[0].get_cmap().name == "magma"
    tree = plotting.plot_tier_rules(
        TierClassifier(max_depth=1).fit(FEATURES[["monetary_total"]], ["A", "B"] * 6),
        color="navy", ax=plt.figure().subplots())
    assert tree.texts[0].get_color() == "navy"
