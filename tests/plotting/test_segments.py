import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import polars as pl
import pytest
from matplotlib.collections import PolyCollection
from sklearn.metrics import silhouette_samples, silhouette_score

from custseg.exceptions import (
    EmptyDataError,
    InvalidDtypeError,
    InvalidValueError,
    MissingColumnError,
)
from custseg.plotting import (
    plot_k_selection,
    plot_lifecycle,
    plot_migration,
    plot_segment_profile,
    plot_segment_sizes,
    plot_silhouette,
)
from custseg.segments import KMeansSegmenter, LifecycleStager, segment_migration

TABLE = pd.DataFrame({
    "customer_id": list("abcdef"),
    "segment": ["gold", "gold", "silver", "silver", "silver", "bronze"],
    "monetary_total": [50.0, 30.0, 5.0, 5.0, 5.0, 5.0],
    "recency_days": [1.0, 1.0, 3.0, 3.0, 3.0, 3.0],
    "frequency": [6, 2, 1, 1, 1, 1],
})


def _ticks(labels):
    return [t.get_text() for t in labels]


# ----------------------------------------------------------------- segment sizes
def test_segment_sizes_customers_and_revenue(ax):
    plot_segment_sizes(TABLE, value_col="monetary_total", ax=ax)
    customers, revenue = ax.containers
    assert customers.get_label() == "Customers" and revenue.get_label() == "Revenue"
    # ordered by size, largest first: silver 3, gold 2, bronze 1 out of 6
    assert _ticks(ax.get_yticklabels()) == ["silver", "gold", "bronze"]
    np.testing.assert_allclose(customers.datavalues, [50.0, 100 / 3, 100 / 6])
    # revenue: silver 15, gold 80, bronze 5 of 100
    np.testing.assert_allclose(revenue.datavalues, [15.0, 80.0, 5.0])
    assert ax.yaxis_inverted()
    assert ax.get_xlabel() == "Share (%)"
    assert [t.get_text() for t in ax.texts] == ["50.0%", "33.3%", "16.7%", "15.0%", "80.0%", "5.0%"]


def test_segment_sizes_from_labels_with_order(ax):
    labels = pl.Series("tier", ["A", "B", "B", "D"])
    plot_segment_sizes(labels, order=["A", "B", "C", "D"], ax=ax)
    assert len(ax.containers) == 1
    np.testing.assert_allclose(ax.containers[0].datavalues, [25.0, 50.0, 0.0, 25.0])
    assert _ticks(ax.get_yticklabels()) == ["A", "B", "C", "D"]
    assert ax.get_legend() is None


def test_segment_sizes_categorical_order(ax):
    cat = pd.Categorical(["x", "y", "y"], categories=["y", "x"], ordered=True)
    plot_segment_sizes(pd.DataFrame({"segment": cat}), ax=ax)
    assert _ticks(ax.get_yticklabels()) == ["y", "x"]


def test_segment_sizes_errors(ax):
    with pytest.raises(MissingColumnError, match="'seg'"):
        plot_segment_sizes(TABLE, segment_col="seg", ax=ax)
    with pytest.raises(InvalidValueError, match=r"does not list the segment values 'bronze' "):
        plot_segment_sizes(TABLE, order=["gold", "silver"], ax=ax)
    with pytest.raises(InvalidValueError, match="sums to 0"):
        plot_segment_sizes(TABLE.assign(monetary_total=0.0), value_col="monetary_total", ax=ax)
    with pytest.raises(InvalidValueError, match="pass a dataframe"):
        plot_segment_sizes(["a"], value_col="monetary_total", ax=ax)
    with pytest.raises(EmptyDataError):
        plot_segment_sizes(TABLE.iloc[:0], ax=ax)


# ---------------------------------------------------------------- segment profile
def test_snake_plot_values_are_segment_means_of_z_scores(ax):
    plot_segment_profile(TABLE, features=["recency_days", "monetary_total"], ax=ax)
    lines = {line.get_label(): line for line in ax.get_lines()
             if not line.get_label().startswith("_")}
    assert list(lines) == ["silver", "gold", "bronze"]
    rec = TABLE["recency_days"]
    mon = TABLE["monetary_total"]
    z_rec = (rec - rec.mean()) / rec.std(ddof=0)
    z_mon = (mon - mon.mean()) / mon.std(ddof=0)
    for name, line in lines.items():
        member = TABLE["segment"] == name
        np.testing.assert_allclose(line.get_ydata(),
                                   [z_rec[member].mean(), z_mon[member].mean()])
        np.testing.assert_array_equal(line.get_xdata(), [0, 1])
    assert _ticks(ax.get_xticklabels()) == ["Days since last purchase", "Total spend"]
    assert ax.get_ylabel() == "Mean z-score (0 = average customer)"
    assert ax.get_legend().get_title().get_text() == "Segment"


def test_snake_plot_raw_means_and_default_features(ax):
    plot_segment_profile(TABLE, standardize=False, order=["gold", "silver", "bronze"], ax=ax)
    assert _ticks(ax.get_xticklabels()) == ["Total spend", "Days since last purchase", "Purchases"]
    gold = ax.get_lines()[0]
    assert gold.get_label() == "gold"
    np.testing.assert_allclose(gold.get_ydata(), [40.0, 1.0, 4.0])
    assert ax.get_ylabel() == "Mean value"


def test_snake_plot_constant_feature_is_zero(ax):
    plot_segment_profile(TABLE.assign(flat=2.0), features=["flat"], ax=ax)
    for line in ax.get_lines()[:3]:
        np.testing.assert_array_equal(line.get_ydata(), [0.0])


def test_snake_plot_errors(ax):
    with pytest.raises(InvalidDtypeError, match=r"features 'customer_id' are not numeric"):
        plot_segment_profile(TABLE, features=["customer_id"], ax=ax)
    with pytest.raises(InvalidValueError, match="no numeric feature column"):
        plot_segment_profile(TABLE[["customer_id", "segment"]], ax=ax)


# ---------------------------------------------------------------------- lifecycle
def test_lifecycle_counts_and_labels(ax):
    data = pd.DataFrame({"lifecycle": ["new", "active", "active", "lost", "active"]})
    plot_lifecycle(data, "lifecycle", order=["new", "active", "at risk", "lost"], ax=ax)
    np.testing.assert_array_equal(ax.containers[0].datavalues, [1, 3, 0, 1])
    assert _ticks(ax.get_xticklabels()) == ["new", "active", "at risk", "lost"]
    assert [t.get_text() for t in ax.texts] == ["1\n20.0%", "3\n60.0%", "0\n0.0%", "1\n20.0%"]
    assert ax.get_ylabel() == "Customers"


def test_lifecycle_from_stager_in_lifecycle_order(ax):
    log = pd.DataFrame({
        "customer_id": ["a", "a", "b", "b", "c", "d", "d"],
        "date": pd.to_datetime(["2024-01-01", "2024-03-20", "2024-01-05", "2024-02-01",
                                "2024-03-25", "2023-06-01", "2023-07-01"]),
        "amount": [10.0, 20.0, 5.0, 5.0, 30.0, 8.0, 9.0]})
    stager = LifecycleStager(active_days=30, churn_days=90, observation_date="2024-03-31")
    stages = stager.fit_transform(log, customers=["a", "b", "c", "d", "e", "f"])
    plot_lifecycle(stages, ax=ax)
    assert _ticks(ax.get_xticklabels()) == ["prospect", "new", "active", "dormant", "churned"]
    np.testing.assert_array_equal(ax.containers[0].datavalues, [2, 1, 1, 1, 1])


def test_lifecycle_from_series_largest_first(ax):
    plot_lifecycle(pd.Series(["b", "a", "a"]), ax=ax)
    assert _ticks(ax.get_xticklabels()) == ["a", "b"]
    np.testing.assert_array_equal(ax.containers[0].datavalues, [2, 1])


# ---------------------------------------------------------------------- migration
def test_migration_counts_and_shares(ax):
    counts = pd.DataFrame([[3, 1, 0], [0, 2, 2]], index=pd.Index(["A", "B"], name="1997"),
                          columns=pd.Index(["A", "B", "C"], name="1998"))
    plot_migration(counts, ax=ax)
    # the rows are aligned on the columns' labels: C gets an empty row, the diagonal is "stayed"
    np.testing.assert_array_equal(ax.images[0].get_array(), [[3, 1, 0], [0, 2, 2], [0, 0, 0]])
    assert ax.get_xlabel() == "1998" and ax.get_ylabel() == "1997"
    assert _ticks(ax.get_xticklabels()) == ["A", "B", "C"]
    assert _ticks(ax.get_yticklabels()) == ["A", "B", "C"]
    assert [t.get_text() for t in ax.texts] == ["3", "1", "2", "2"]  # empty cells are blank
    assert len(ax.patches) == 3  # the diagonal cells are outlined
    other = plot_migration(counts, normalize=True, ax=plt.figure().subplots())
    np.testing.assert_allclose(other.images[0].get_array(),
                               [[0.75, 0.25, 0], [0, 0.5, 0.5], [0, 0, 0]])
    assert [t.get_text() for t in other.texts][:2] == ["75%", "25%"]
    assert other.figure.axes[1].get_ylabel() == "Share of the row"


def test_migration_from_segment_migration(ax):
    before = pd.Series({"a": "A", "b": "A", "c": "B"})
    after = pd.Series({"a": "A", "b": "B", "d": "B"})
    moves = segment_migration(before, after)
    plot_migration(moves, normalize=True, ax=ax)
    np.testing.assert_allclose(ax.images[0].get_array(), moves.shares.to_numpy())
    assert _ticks(ax.get_yticklabels()) == [str(i) for i in moves.counts.index]
    assert "(gone)" in _ticks(ax.get_xticklabels())


def test_migration_crosstab_and_errors(ax):
    before = pd.Series(["x", "x", "y"], name="before")
    after = pd.Series(["x", "y", "y"], name="after")
    plot_migration(pd.crosstab(before, after), annotate=False, ax=ax)
    np.testing.assert_array_equal(ax.images[0].get_array(), [[1, 1], [0, 1]])
    assert len(ax.texts) == 0
    with pytest.raises(InvalidValueError, match="1 missing, infinite or negative"):
        plot_migration(pd.DataFrame([[1, -1]]), ax=ax)


# -------------------------------------------------------------------- k selection
@pytest.fixture(scope="module")
def segmenter():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 0.3, (40, 2)), rng.normal(4, 0.3, (40, 2)),
                   rng.normal((0, 4), 0.3, (40, 2))])
    return X, KMeansSegmenter(k_range=(2, 5), random_state=0).fit(X)


def test_k_selection_from_segmenter(segmenter, ax):
    _, seg = segmenter
    plot_k_selection(seg, ax=ax)
    scores = seg.k_scores_
    inertia = ax.lines[0]
    np.testing.assert_array_equal(inertia.get_xdata(), [2, 3, 4, 5])
    np.testing.assert_allclose(inertia.get_ydata(), scores["inertia"])
    twin = next(a for a in ax.figure.axes if a is not ax)
    np.testing.assert_allclose(twin.lines[0].get_ydata(), scores["silhouette"])
    assert (ax.get_ylabel(), twin.get_ylabel()) == ("inertia", "silhouette")
    chosen = ax.lines[1]
    assert chosen.get_label() == f"chosen k = {seg.n_clusters_}" == "chosen k = 3"
    assert chosen.get_xdata()[0] == 3


def test_k_selection_from_table_one_metric(ax):
    table = pd.DataFrame({"k": [4, 2, 3], "davies_bouldin": [0.9, 0.5, 0.7]})
    plot_k_selection(table, metrics="davies_bouldin", ax=ax)
    assert len(ax.figure.axes) == 1 and len(ax.lines) == 1
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.5, 0.7, 0.9])
    with pytest.raises(MissingColumnError, match="silhouette"):
        plot_k_selection(table, ax=ax)
    with pytest.raises(InvalidValueError, match="one or two"):
        plot_k_selection(table, metrics=(), ax=ax)


# --------------------------------------------------------------------- silhouette
def test_silhouette_bands_match_sklearn(segmenter, ax):
    X, seg = segmenter
    plot_silhouette(X, seg.labels_, ax=ax)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert [b.get_label() for b in bands] == ["0", "1", "2"]
    expected = silhouette_samples(X, seg.labels_)
    for band, level in zip(bands, [0, 1, 2], strict=True):
        xs = band.get_paths()[0].vertices[:, 0]
        # the band spans from 0 to the largest coefficient of its segment
        assert xs.max() == pytest.approx(expected[seg.labels_ == level].max())
    assert ax.lines[0].get_xdata()[0] == pytest.approx(silhouette_score(X, seg.labels_))
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2"]


def test_silhouette_from_fitted_segmenter(segmenter, ax):
    _, seg = segmenter
    plot_silhouette(seg, ax=ax)
    assert len(ax.collections) == seg.n_clusters_
    mean = seg.silhouette_samples_["silhouette"].mean()
    assert ax.lines[0].get_xdata()[0] == pytest.approx(mean)


def test_silhouette_sample_and_errors(segmenter, ax):
    X, seg = segmenter
    plot_silhouette(X, seg.labels_, sample_size=30, random_state=0, ax=ax)
    # each band has one row (y value) per customer: 30 sampled customers in all
    n_rows = sum(len(np.unique(c.get_paths()[0].vertices[:, 1])) for c in ax.collections)
    assert n_rows == 30
    with pytest.raises(InvalidValueError, match="between 2 and"):
        plot_silhouette(X, np.zeros(len(X)), ax=ax)
    with pytest.raises(InvalidValueError, match="aligned"):
        plot_silhouette(X, seg.labels_[:5], ax=ax)
    with pytest.raises(InvalidValueError, match="fitted KMeansSegmenter"):
        plot_silhouette(X, ax=ax)
