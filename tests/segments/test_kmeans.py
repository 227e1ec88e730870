"""Tests of KMeansSegmenter: auto-k, value order, profile, names, large-n path, sklearn glue."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import polars as pl
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score, silhouette_samples, silhouette_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from custseg.exceptions import InvalidValueError
from custseg.features import customer_features, rfm
from custseg.segments import KMeansSegmenter
from custseg.segments._kmeans_kselect import knee
from tests._data import cdnow_path
from tests.segments._helpers import blobs, planted_log

RFM_COLS = ["recency_days", "frequency", "monetary_total"]


# --- acceptance: planted groups ---------------------------------------------------------

def test_auto_k_finds_the_planted_groups_of_a_synthetic_log():
    log, truth = planted_log()
    feats = rfm(log, observation_date="2022-12-31")
    y = feats["customer_id"].map(truth).to_numpy()
    seg = KMeansSegmenter(k_range=(2, 8), random_state=0).fit(feats[["frequency", "monetary_mean"]])
    assert seg.n_clusters_ == 4
    assert adjusted_rand_score(y, seg.labels_) >= 0.9
    # every k tried has every score; exactly the chosen one is flagged
    scores = seg.k_scores_
    assert scores.index.tolist() == list(range(2, 9))
    score_cols = ["silhouette", "calinski_harabasz", "davies_bouldin", "inertia"]
    assert scores[score_cols].notna().all().all()
    assert scores["chosen"].sum() == 1 and scores.index[scores["chosen"]][0] == 4
    assert scores["silhouette"].idxmax() == 4
    # names come from the profile: the frequent big spenders are segment 0
    assert seg.segment_names_[0] == "frequent, big baskets"
    assert seg.segment_names_[-1] == "infrequent, small baskets"


@pytest.mark.parametrize(
    "rule",
    ["mixture_bic", "structure", "silhouette", "calinski_harabasz", "davies_bouldin", "elbow",
     "vote"],
)
def test_every_selection_rule_is_recorded(rule):
    seg = KMeansSegmenter(k_range=(2, 6), k_selection=rule, random_state=0).fit(blobs())
    table = seg.k_scores_
    chosen = table.index[table["chosen"]].tolist()
    assert chosen == [seg.n_clusters_]
    if rule == "silhouette":
        assert seg.n_clusters_ == table["silhouette"].idxmax()
    elif rule == "calinski_harabasz":
        assert seg.n_clusters_ == table["calinski_harabasz"].idxmax()
    elif rule == "davies_bouldin":
        assert seg.n_clusters_ == table["davies_bouldin"].idxmin()
    elif rule == "elbow":
        assert seg.n_clusters_ == table["elbow_distance"].idxmax()
    assert seg.n_clusters_ == 3  # three clear blobs: every rule agrees
    assert f"k={seg.n_clusters_} of k=2..6" in seg.k_selection_rule_


@pytest.mark.parametrize("seed", range(4))
def test_default_rule_counts_elongated_groups(seed):
    # three parallel, elongated groups (spend rising with purchases, as in customer data):
    # round k-means scores miscount them, the BIC of a full-covariance mixture does not
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(3), 300)
    along, across = rng.normal(0, 1.5, 900), y * 1.5 + rng.normal(0, 0.3, 900)
    X = np.c_[along + across, along - across]
    seg = KMeansSegmenter(k_range=(2, 6), log_transform=False, random_state=0).fit(X)
    assert seg.n_clusters_ == 3
    assert "the lowest BIC of a Gaussian mixture" in seg.k_selection_rule_
    table = seg.k_scores_
    assert table["bic"].idxmin() == 3
    assert (table["bic"] + table["bic_penalty"]).idxmin() == 3
    assert (table["bic_penalty"].diff().dropna() > 0).all()


def test_without_groups_the_default_rule_falls_back_to_the_structure_rule():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({
        "recency_days": rng.uniform(0, 500, 2000),
        "frequency": 1 + rng.poisson(rng.gamma(1.0, 2.0, 2000)),
        "monetary_total": rng.lognormal(4, 1, 2000),
    })
    seg = KMeansSegmenter(random_state=0).fit(X)
    structure = KMeansSegmenter(k_selection="structure", random_state=0).fit(X)
    assert seg.k_selection_rule_.split(": ", 1)[1].startswith(
        "no clear minimum of the BIC of a Gaussian mixture, so ")
    assert seg.n_clusters_ == structure.n_clusters_
    np.testing.assert_array_equal(seg.labels_, structure.labels_)


def test_knee_of_a_hand_made_curve():
    ks = np.arange(2, 8, dtype=float)
    inertia = np.array([100.0, 40.0, 12.0, 10.0, 9.0, 8.0])
    position, dist = knee(ks, inertia)
    assert ks[position] == 4
    assert dist[0] == pytest.approx(0.0) and dist[-1] == pytest.approx(0.0)
    assert knee(ks[:2], inertia[:2])[0] is None


def test_silhouette_samples_are_sklearns_on_the_preprocessed_rows():
    X = blobs(300)
    seg = KMeansSegmenter(n_clusters=3, random_state=0).fit(X)
    sil = seg.silhouette_samples_
    assert len(sil) == 300  # below silhouette_sample_size: every row
    np.testing.assert_array_equal(sil["segment"].to_numpy(), seg.labels_)
    expected = silhouette_samples(seg._preprocess(X), seg.labels_)
    np.testing.assert_allclose(sil["silhouette"].to_numpy(), expected)
    assert seg.k_scores_.loc[3, "silhouette"] == pytest.approx(expected.mean())


def test_silhouette_of_a_one_customer_segment_is_zero_as_sklearns():
    # one far outlier is a segment of its own: silhouette 0 (Rousseeuw; sklearn's convention)
    X = np.vstack([blobs(300), [[500.0, 500.0]]])
    seg = KMeansSegmenter(n_clusters=4, log_transform=False, random_state=0).fit(X)
    sil = seg.silhouette_samples_["silhouette"].to_numpy()
    assert np.bincount(seg.labels_).min() == 1 and sil[-1] == 0.0
    np.testing.assert_allclose(sil, silhouette_samples(seg._preprocess(X), seg.labels_))


def test_silhouette_is_sampled_on_large_data():
    X = np.tile(blobs(300), (20, 1)) + np.random.RandomState(0).normal(0, 0.05, (6000, 2))
    seg = KMeansSegmenter(n_clusters=3, silhouette_sample_size=500, random_state=0).fit(X)
    assert seg.k_scores_.loc[3, "n_silhouette"] == 500
    sil = seg.silhouette_samples_
    assert len(sil) == 500 and set(sil["segment"]) == {0, 1, 2}
    # the same score, on another sample of the preprocessed matrix, agrees closely
    full = silhouette_score(seg._preprocess(X), seg.labels_, sample_size=3000, random_state=0)
    assert seg.k_scores_.loc[3, "silhouette"] == pytest.approx(full, abs=0.05)


def test_silhouette_of_a_sample_above_5000_rows_is_sklearns():
    # above 5,000 rows each silhouette computes its own distances (no 200 MB matrix kept)
    X = np.tile(blobs(300), (17, 1)) + np.random.RandomState(0).normal(0, 0.05, (5100, 2))
    seg = KMeansSegmenter(n_clusters=3, silhouette_sample_size=None, random_state=0).fit(X)
    expected = silhouette_samples(seg._preprocess(X), seg.labels_)
    np.testing.assert_allclose(seg.silhouette_samples_["silhouette"].to_numpy(), expected)


def test_bic_is_scikit_learns_gaussian_mixture_from_the_same_start():
    from sklearn.mixture import GaussianMixture

    X = blobs(300)
    seg = KMeansSegmenter(k_range=(3, 3), n_init=1, log_transform=False, scaling=None,
                          random_state=0).fit(X)
    lab = seg.labels_
    weights = np.bincount(lab) / len(X)
    means = np.array([X[lab == c].mean(axis=0) for c in range(3)])
    precisions = np.array([np.linalg.inv(np.cov(X[lab == c].T) + 0.03 * np.eye(2))
                           for c in range(3)])
    gm = GaussianMixture(3, covariance_type="full", reg_covar=0.03, weights_init=weights,
                         means_init=means, precisions_init=precisions).fit(X)
    assert seg.k_scores_.loc[3, "bic"] == pytest.approx(gm.bic(X), rel=1e-9)
    assert seg.k_scores_.loc[3, "bic_penalty"] == pytest.approx(gm._n_parameters() * np.log(300))



@pytest.fixture(scope="module")
def cdnow_master_features() -> pd.DataFrame:
    raw = pd.read_csv(cdnow_path("master"), sep=r"\s+", dtype={"customer_id": str})
    log = pd.DataFrame({
        "customer_id": raw["customer_id"],
        "date": pd.to_datetime(raw["date"].astype(str), format="%Y%m%d"),
        "amount": raw["dollar_value"].astype(float),
    })
    return customer_features(log, observation_date="1998-06-30")[RFM_COLS]


def test_cdnow_default_rule_picks_4_to_8_segments_stable_over_random_states(
    cdnow_master_features,
):
    X = cdnow_master_features
    fits = [KMeansSegmenter(random_state=rs).fit(X) for rs in range(5)]
    ks = [seg.n_clusters_ for seg in fits]
    assert all(4 <= k <= 8 for k in ks), ks
    aris = [adjusted_rand_score(a.labels_, b.labels_) for a, b in itertools.combinations(fits, 2)]
    assert min(aris) >= 0.95, aris
    again = KMeansSegmenter(random_state=0).fit(X)
    np.testing.assert_array_equal(again.labels_, fits[0].labels_)
    pd.testing.assert_frame_equal(again.k_scores_, fits[0].k_scores_)
    # the earlier silhouette default picks two segments on the same scores
    assert fits[0].k_scores_["silhouette"].idxmax() == 2
    # segment 0 is the most valuable: highest spend, most purchases, most recent
    prof = fits[0].profile_
    assert prof["monetary_total_mean"].idxmax() == 0
    assert prof["recency_days_mean"].idxmin() == 0
    assert prof["revenue_share"].sum() == pytest.approx(1.0)
    assert prof["size"].sum() == len(X)
    assert len(set(fits[0].segment_names_)) == fits[0].n_clusters_


# --- order, profile and names ---------------------------------------------------------------

def test_labels_are_ordered_by_value_whatever_the_row_order():
    X = blobs()
    perm = np.random.RandomState(1).permutation(len(X))
    a = KMeansSegmenter(n_clusters=3, random_state=0).fit(X)
    b = KMeansSegmenter(n_clusters=3, random_state=5).fit(X[perm])
    np.testing.assert_array_equal(a.labels_[perm], b.labels_)
    # composite value: mean of scaled centre coordinates, highest first
    assert np.all(np.diff(a.cluster_centers_.mean(axis=1)) < 0)
    assert a.predict([[6.0, 6.0]])[0] == 0 and a.predict([[0.0, 0.0]])[0] == 2


def test_order_by_a_feature_and_recency_counts_negatively():
    df = pd.DataFrame({
        "recency_days": np.r_[np.full(50, 10.0), np.full(50, 300.0)],
        "monetary_total": np.r_[np.full(50, 20.0), np.full(50, 500.0)],
    })
    df += np.random.RandomState(0).normal(0, 1, df.shape)
    by_default = KMeansSegmenter(n_clusters=2, log_transform=False, random_state=0).fit(df)
    # recent and cheap vs lapsed and rich: recency counts negatively, so the composite value
    # ties (broken by the centre coordinates); ordering by a named feature decides
    by_money = KMeansSegmenter(n_clusters=2, order_by="monetary_total", random_state=0).fit(df)
    assert by_money.profile_.loc[0, "monetary_total_mean"] > 400
    by_recency = KMeansSegmenter(n_clusters=2, order_by=0, random_state=0).fit(df)
    assert by_recency.profile_.loc[0, "recency_days_mean"] > 250
    assert set(by_default.labels_) == {0, 1}
    assert by_money.segment_names_ == ["high value, lapsed", "low value, recent"]


def test_profile_columns_and_values_by_hand():
    X = pd.DataFrame({"frequency": [1.0, 1.0, 2.0, 10.0, 12.0, 14.0],
                      "monetary_total": [10.0, 12.0, 14.0, 100.0, 120.0, 200.0]})
    seg = KMeansSegmenter(n_clusters=2, random_state=0).fit(X)
    prof = seg.profile_
    assert list(prof.columns) == [
        "name", "size", "share", "revenue_share", "frequency_mean", "frequency_median",
        "monetary_total_mean", "monetary_total_median",
    ]
    assert prof["size"].tolist() == [3, 3]
    assert prof.loc[0, "frequency_mean"] == pytest.approx(12.0)
    assert prof.loc[0, "monetary_total_median"] == pytest.approx(120.0)
    assert prof.loc[1, "monetary_total_mean"] == pytest.approx(12.0)
    assert prof.loc[0, "revenue_share"] == pytest.approx(420.0 / 456.0)
    assert prof["name"].tolist() == seg.segment_names_ == [
        "high value, frequent", "low value, infrequent"]
    assert seg.feature_names_in_.tolist() == ["frequency", "monetary_total"]


def test_log_transform_auto_picks_skewed_non_negative_columns():
    rng = np.random.RandomState(0)
    X = np.c_[rng.lognormal(0, 1.5, 500), rng.normal(0, 1, 500), rng.uniform(0, 1, 500)]
    seg = KMeansSegmenter(n_clusters=2, random_state=0).fit(X)
    assert seg.log_features_.tolist() == [True, False, False]
    assert KMeansSegmenter(n_clusters=2, log_transform=True).fit(X).log_features_.all()
    off = KMeansSegmenter(n_clusters=2, log_transform=False, scaling=None).fit(X)
    assert not off.log_features_.any()
    np.testing.assert_array_equal(off.preprocess_scale_, np.ones(3))


def test_robust_scaling_uses_median_and_iqr():
    X = np.c_[np.arange(1.0, 101.0), np.arange(1.0, 101.0) * 2]
    seg = KMeansSegmenter(n_clusters=2, log_transform=False, scaling="robust").fit(X)
    np.testing.assert_allclose(seg.preprocess_center_, [50.5, 101.0])
    np.testing.assert_allclose(seg.preprocess_scale_, [49.5, 99.0])


def test_names_never_repeat_and_say_what_differs():
    X = np.r_[np.zeros(20), np.full(20, 0.1), np.full(20, 10.0)].reshape(-1, 1)
    X = X + np.random.RandomState(0).normal(0, 0.01, X.shape)
    seg = KMeansSegmenter(n_clusters=3, log_transform=False, random_state=0).fit(X)
    # the two low segments differ only in x0: the comparative says which is higher
    assert seg.segment_names_ == ["high x0", "low x0, higher x0", "low x0, lower x0"]


@pytest.mark.parametrize("k", [6, 10])
def test_names_are_unique_and_without_numbers_at_large_k(k):
    rng = np.random.RandomState(k)
    X = pd.DataFrame({
        "recency_days": rng.uniform(0, 500, 2000),
        "frequency": 1 + rng.poisson(rng.gamma(1.0, 2.0, 2000)),
        "monetary_total": rng.lognormal(4, 1, 2000),
    })
    seg = KMeansSegmenter(n_clusters=k, random_state=0).fit(X)
    names = seg.segment_names_
    assert len(set(names)) == k
    assert not any(ch.isdigit() for name in names for ch in name), names
    assert seg.profile_["name"].tolist() == names


def test_one_feature_and_many_segments_still_get_distinct_names():
    X = np.arange(40.0).reshape(-1, 1)
    seg = KMeansSegmenter(n_clusters=8, log_transform=False, random_state=0).fit(X)
    assert len(set(seg.segment_names_)) == 8


# --- large n ------------------------------------------------------------------------------

def test_large_n_path_searches_on_a_sample_then_fits_all_rows():
    X = np.tile(blobs(300), (10, 1)) + np.random.RandomState(0).normal(0, 0.2, (3000, 2))
    seg = KMeansSegmenter(k_range=(2, 5), search_sample_size=600, random_state=0).fit(X)
    assert seg.n_clusters_ == 3
    assert (seg.k_scores_["n_scored"] == 600).all()
    assert "sample of 600 of 3,000 rows" in seg.k_selection_rule_
    assert len(seg.labels_) == 3000
    np.testing.assert_array_equal(seg.predict(X), seg.labels_)


def test_minibatch_algorithm_finds_the_same_segments():
    X = blobs(600)
    full = KMeansSegmenter(n_clusters=3, random_state=0).fit(X)
    mini = KMeansSegmenter(n_clusters=3, algorithm="minibatch", random_state=0).fit(X)
    assert adjusted_rand_score(full.labels_, mini.labels_) == pytest.approx(1.0)
    np.testing.assert_array_equal(full.labels_, mini.labels_)  # same value order


# --- sklearn integration -------------------------------------------------------------------

def test_pipeline_gridsearch_clone_and_polars_input():
    X = blobs()
    pipe = Pipeline([("shift", FunctionTransformer(lambda a: a + 10.0)),
                     ("seg", KMeansSegmenter(k_range=(2, 4), random_state=0))])
    pipe.fit(X)
    assert pipe.named_steps["seg"].n_clusters_ == 3
    assert pipe.predict(X[:5]).shape == (5,)

    def silhouette(est, X, y=None):
        return silhouette_score(X, est.predict(X))

    grid = GridSearchCV(KMeansSegmenter(random_state=0), {"n_clusters": [2, 3, 4]},
                        scoring=silhouette, cv=KFold(3, shuffle=True, random_state=0)).fit(X)
    assert grid.best_params_ == {"n_clusters": 3}
    params = clone(grid.best_estimator_).get_params()
    assert params["n_clusters"] == 3 and params["random_state"] == 0

    df = pl.DataFrame({"a": X[:, 0], "b": X[:, 1]})
    seg = KMeansSegmenter(n_clusters=3, random_state=0).fit(df)
    assert seg.feature_names_in_.tolist() == ["a", "b"]
    assert seg.profile_.columns[-1] == "b_median"


def test_score_is_minus_the_inertia():
    X = blobs()
    seg = KMeansSegmenter(n_clusters=3, random_state=0).fit(X)
    assert seg.score(X) == pytest.approx(-seg.inertia_)


def test_caller_data_is_not_modified():
    X = blobs() + 5.0
    before = X.copy()
    KMeansSegmenter(k_range=(2, 4), log_transform=True, random_state=0).fit(X)
    np.testing.assert_array_equal(X, before)


# --- bad input ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"k_range": (1, 4)}, r"k_range=\(1, 4\) must satisfy 2 <= smallest"),
        ({"k_range": (5, 3)}, r"k_range=\(5, 3\)"),
        ({"k_range": ("a", 3)}, "must be a pair of integers"),
        ({"order_by": "nope"}, "order_by='nope' is not a feature name"),
        ({"revenue_feature": 9}, "revenue_feature=9 is not a column index"),
    ],
)
def test_bad_parameters_name_the_parameter(params, match):
    X = pd.DataFrame(blobs(), columns=["a", "b"])
    with pytest.raises(InvalidValueError, match=match):
        KMeansSegmenter(random_state=0, **params).fit(X)


def test_bad_parameter_values_use_sklearn_validation():
    with pytest.raises(ValueError, match="k_selection"):
        KMeansSegmenter(k_selection="best").fit(blobs())
    with pytest.raises(ValueError, match="n_clusters"):
        KMeansSegmenter(n_clusters=0).fit(blobs())


def test_too_few_rows_for_auto_k():
    with pytest.raises(InvalidValueError, match=r"needs at least 5 customers .rows. to score 4 "
                       r"segments; got 4. Give the number of segments instead, n_clusters=4"):
        KMeansSegmenter(k_range=(4, 6)).fit(np.arange(8.0).reshape(4, 2))


def test_too_few_distinct_rows_are_scored_nan_not_crashing():
    X = np.repeat([[0.0, 0.0], [5.0, 5.0], [0.0, 5.0]], 10, axis=0)
    seg = KMeansSegmenter(k_range=(2, 6), random_state=0).fit(X)
    assert seg.n_clusters_ == 3
    assert seg.k_scores_.loc[[4, 5, 6], "silhouette"].isna().all()


def test_predict_with_other_columns_fails_clearly():
    X = pd.DataFrame(blobs(), columns=["a", "b"])
    seg = KMeansSegmenter(n_clusters=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="feature names"):
        seg.predict(pd.DataFrame(blobs(), columns=["a", "c"]))


def test_signed_log_handles_negative_values():
    X = np.c_[np.linspace(-100, 100, 60), np.linspace(0, 1000, 60)]
    seg = KMeansSegmenter(n_clusters=2, log_transform=True, scaling=None).fit(X)
    Z = seg._preprocess(X)
    np.testing.assert_allclose(Z[:, 0], np.sign(X[:, 0]) * np.log1p(np.abs(X[:, 0])))
    np.testing.assert_allclose(Z[:, 1], np.log1p(X[:, 1]))
    # new data with negatives in a column that had none in fit: still the signed log
    np.testing.assert_allclose(seg._preprocess(np.array([[1.0, -9.0]]))[0],
                               [np.log1p(1.0), -np.log1p(9.0)])


def test_standard_scaling_is_the_mean_and_std_of_the_logged_columns():
    rng = np.random.RandomState(2)
    X = np.c_[rng.lognormal(3, 1, 1_000), rng.normal(0, 1, 1_000), rng.poisson(2, 1_000)]
    seg = KMeansSegmenter(n_clusters=2, random_state=0).fit(X)
    assert seg.log_features_.tolist() == [True, False, False]
    L = X.copy()
    L[:, 0] = np.log1p(L[:, 0])
    np.testing.assert_allclose(seg.preprocess_center_, L.mean(axis=0))
    np.testing.assert_allclose(seg.preprocess_scale_, L.std(axis=0))
    np.testing.assert_allclose(seg._preprocess(X), (L - L.mean(axis=0)) / L.std(axis=0))


def test_predict_overflow_names_the_column():
    X = pd.DataFrame({"a": np.arange(20.0), "b": np.r_[np.zeros(10), np.ones(10)]})
    seg = KMeansSegmenter(n_clusters=2, log_transform=False, random_state=0).fit(X)
    new = pd.DataFrame({"a": [1.0], "b": [1.7e308]})
    with pytest.raises(InvalidValueError, match=r"Columns 'b' overflow float64"):
        seg.predict(new)


def test_values_too_large_to_scale_fail_clearly():
    X = pd.DataFrame({"ok": np.arange(10.0), "huge": np.linspace(1e300, 1e301, 10)})
    with pytest.raises(InvalidValueError, match=r"Columns 'huge' are too large to scale"):
        KMeansSegmenter(n_clusters=2, log_transform=False).fit(X)


def test_robust_scaling_overflow_fails_clearly():
    x = np.r_[np.zeros(5), 1e-300, 2e-300, 3e-300, np.zeros(4), 1e300]
    X = pd.DataFrame({"ok": np.arange(13.0), "spiky": x})
    with pytest.raises(InvalidValueError, match=r"Columns 'spiky' overflow"):
        KMeansSegmenter(n_clusters=2, log_transform=False, scaling="robust").fit(X)


def test_the_fitted_segmenter_keeps_no_training_rows():
    X = blobs(600)
    seg = KMeansSegmenter(n_clusters=3, random_state=0).fit(X)
    big = [name for name, value in vars(seg).items()
           if isinstance(value, np.ndarray) and value.ndim == 2 and len(value) > 10]
    assert big == []  # only labels_ (one value per row) and small tables


@pytest.mark.parametrize("suffix", [".joblib", ".skops"])
def test_a_saved_segmenter_loads_with_its_tables(tmp_path, suffix):
    from custseg.persistence import load, save

    X = pd.DataFrame(blobs(200), columns=["a", "b"])
    seg = KMeansSegmenter(k_range=(2, 4), random_state=0).fit(X)
    loaded = load(save(seg, tmp_path / f"seg{suffix}"), trusted=suffix == ".joblib")
    pd.testing.assert_frame_equal(loaded.k_scores_, seg.k_scores_)
    pd.testing.assert_frame_equal(loaded.silhouette_samples_, seg.silhouette_samples_)
    pd.testing.assert_frame_equal(loaded.profile_, seg.profile_)
    np.testing.assert_array_equal(loaded.predict(X), seg.labels_)
