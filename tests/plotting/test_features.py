import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.datasets import load_cdnow
from custseg.exceptions import (
    EmptyDataError,
    InvalidDtypeError,
    InvalidValueError,
    MissingColumnError,
)
from custseg.features import rfm
from custseg.plotting import plot_rfm_heatmap

# Hand-made scores: R (x) and F (y) in {1, 2}; monetary means per cell worked out by hand.
SCORES = pd.DataFrame({
    "customer_id": ["a", "b", "c", "d", "e"],
    "R": [1, 1, 2, 2, 2],
    "F": [1, 2, 1, 1, 2],
    "monetary_total": [10.0, 30.0, 20.0, 40.0, 50.0],
})


def _ticks(labels):
    return [t.get_text() for t in labels]


def test_mean_value_per_cell(ax):
    out = plot_rfm_heatmap(SCORES, x="R", y="F", bins=None, ax=ax)
    assert out is ax
    grid = ax.images[0].get_array()
    # rows = F (bottom = 1), columns = R
    np.testing.assert_allclose(grid, [[10.0, 30.0], [30.0, 50.0]])
    assert ax.images[0].origin == "lower"
    assert ax.get_xlabel() == "R" and ax.get_ylabel() == "F"
    assert _ticks(ax.get_xticklabels()) == ["1", "2"]
    assert _ticks(ax.get_yticklabels()) == ["1", "2"]
    assert sorted(t.get_text() for t in ax.texts) == ["10", "30", "30", "50"]
    colorbar_ax = ax.figure.axes[1]
    assert colorbar_ax.get_ylabel() == "Average total spend"


def test_counts_and_sum(ax):
    plot_rfm_heatmap(SCORES, x="R", y="F", value=None, bins=None, ax=ax)
    np.testing.assert_array_equal(ax.images[0].get_array(), [[1, 2], [1, 1]])
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1", "2"]
    other = plot_rfm_heatmap(SCORES, x="R", y="F", agg="sum", bins=None, annotate=False,
                             ax=plt.figure().subplots())
    np.testing.assert_allclose(other.images[0].get_array(), [[10.0, 60.0], [30.0, 50.0]])
    assert len(other.texts) == 0


def test_quantile_bins_and_empty_cells(ax):
    table = pd.DataFrame({"recency_days": [1.0, 2.0, 3.0, 10.0, 11.0, 12.0],
                          "frequency": [5, 5, 5, 1, 1, 2],
                          "monetary_total": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    plot_rfm_heatmap(table, bins=2, ax=ax)
    grid = ax.images[0].get_array()
    assert _ticks(ax.get_xticklabels()) == ["1–3", "10–12"]
    assert _ticks(ax.get_yticklabels()) == ["1–2", "5"]
    # low frequency customers are the late ones; the top-right and bottom-left cells are empty
    assert grid.mask[0, 0] and grid.mask[1, 1]
    assert grid[0, 1] == pytest.approx(5.0) and grid[1, 0] == pytest.approx(2.0)
    assert len(ax.texts) == 2


def test_cdnow_default_and_polars_input(ax):
    table = rfm(load_cdnow(sample=True))
    plot_rfm_heatmap(pl.from_pandas(table), ax=ax)
    grid = ax.images[0].get_array()
    assert grid.shape == (3, 5)  # frequency ties merge the quantile edges
    # the cells hold the mean spend of their customers: recompute one by hand
    low_f = table["frequency"] <= 2
    recent = table["recency_days"] <= table["recency_days"].quantile(0.2)
    assert grid[0, 0] == pytest.approx(table.loc[low_f & recent, "monetary_total"].mean())


def test_missing_rows_are_dropped(ax):
    table = SCORES.assign(R=[1.0, 1.0, 2.0, np.nan, 2.0])
    plot_rfm_heatmap(table, x="R", y="F", value=None, bins=None, ax=ax)
    assert ax.images[0].get_array().sum() == 4


def test_new_figure_when_no_ax():
    assert plt.get_fignums() == []
    out = plot_rfm_heatmap(SCORES, x="R", y="F", bins=None)
    assert plt.get_fignums() == [out.figure.number]


def test_draws_only_on_the_given_axes(ax):
    plot_rfm_heatmap(SCORES, x="R", y="F", bins=None, ax=ax)
    assert plt.get_fignums() == []


def test_text_column_is_used_value_by_value(ax):
    table = SCORES.assign(segment=["x", "y", "x", "z", "y"])
    plot_rfm_heatmap(table, x="segment", y="F", value=None, bins=2, ax=ax)
    assert _ticks(ax.get_xticklabels()) == ["x", "y", "z"]
    np.testing.assert_array_equal(ax.images[0].get_array(), [[2, 0, 1], [0, 2, 0]])
    with pytest.raises(InvalidDtypeError, match="value column 'segment' has dtype"):
        plot_rfm_heatmap(table, x="R", y="F", value="segment", ax=ax)


def test_errors(ax):
    with pytest.raises(MissingColumnError,
                       match=r"column 'recency' is not in data\..*Available columns"):
        plot_rfm_heatmap(SCORES, x="recency", y="F", ax=ax)
    with pytest.raises(InvalidValueError, match="bins=0"):
        plot_rfm_heatmap(SCORES, x="R", y="F", bins=0, ax=ax)
    with pytest.raises(InvalidValueError, match="agg='nope'"):
        plot_rfm_heatmap(SCORES, x="R", y="F", agg="nope", ax=ax)
    with pytest.raises(EmptyDataError, match="0 rows"):
        plot_rfm_heatmap(SCORES.iloc[:0], x="R", y="F", ax=ax)
