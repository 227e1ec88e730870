"""K-means customer segments: the estimator (preprocessing, k selection and naming live beside it).

``_kmeans_preprocess`` holds the log and scaling, ``_kmeans_search`` the k-means
fits (the search over k on a sample, then all rows), ``_kmeans_kselect`` the
scores and rules that choose k, ``_kmeans_mixture`` the Gaussian-mixture BIC of
the default rule and ``_kmeans_profile`` the value order, profile and names.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils import check_random_state

from .._frame import read_table
from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted, validate_data
from ..exceptions import InvalidValueError
from ..utils._state import frame_from_state, frame_to_state
from ._kmeans_kselect import SELECTIONS
from ._kmeans_preprocess import Preprocessing, fit_preprocessing, preprocess
from ._kmeans_profile import describe, resolve_feature
from ._kmeans_search import KMeansSettings, fit_auto, fit_fixed, sample_rows

__all__ = ["KMeansSegmenter"]


class KMeansSegmenter(ClusterMixin, BaseEstimator):
    """K-means customer segments with preprocessing, automatic k and named, ordered labels.

    Takes a numeric matrix of per-customer features (for example the output of
    :func:`custseg.features.rfm` without the id and date columns) and:

    1. preprocesses it: a signed ``log1p`` of skewed columns (counts and money)
       and scaling, both learnt in ``fit`` and applied again in ``predict``;
    2. chooses the number of segments when ``n_clusters="auto"``: every k of
       ``k_range`` is fitted and scored (inertia, silhouette, Calinski-Harabasz,
       Davies-Bouldin, elbow); ``k_selection`` names the rule that picks k; all
       scores are kept in ``k_scores_``;
    3. orders the segments by value so that segment 0 is the most valuable and
       refits with the same ``random_state`` give identical labels;
    4. profiles and names every segment (``profile_``, ``segment_names_``).

    Parameters
    ----------
    n_clusters : int or "auto", default="auto"
        Number of segments, or ``"auto"`` to choose it over ``k_range``.
    k_range : tuple of (int, int), default=(2, 10)
        Smallest and largest k tried by ``n_clusters="auto"`` (both included). The
        largest is lowered to ``n_samples - 1`` on small data.
    k_selection : {"mixture_bic", "structure", "silhouette", "calinski_harabasz", \
"davies_bouldin", "elbow", "vote"}, default="mixture_bic"
        The rule that picks k among the scored ones (details and the evidence
        on the k selection page of the guide):

        - ``"mixture_bic"``: the lowest BIC of a full-covariance Gaussian mixture
          started from each k's fit, when that minimum is clear (not the largest
          k, still the lowest with the penalty doubled); else ``"structure"``;
        - ``"structure"``: the silhouette's k when it is >= 0.7, else the highest
          clear peak of the Calinski-Harabasz index (>= 1% above k - 1, not below
          k + 1), else the knee of the inertia curve;
        - ``"silhouette"``, ``"calinski_harabasz"``: the highest of that score;
          ``"davies_bouldin"``: the lowest; ``"elbow"``: the k farthest below the
          chord of the inertia curve (both axes scaled to [0, 1]);
        - ``"vote"``: those four vote; most votes wins, ties to the higher
          silhouette.

        Ties in any rule go to the smaller k.
    log_transform : bool or "auto", default="auto"
        Apply ``sign(x) * log1p(|x|)`` before scaling: to every column
        (``True``), to none (``False``), or (``"auto"``) to the columns that are
        non-negative with a skewness above 1 in the training data, such as
        purchase counts and spend. ``log_features_`` records the choice.
    scaling : {"standard", "robust"} or None, default="standard"
        Centre and scale every column after the log: mean and standard
        deviation (``"standard"``), median and inter-quartile range
        (``"robust"``), or not at all (``None``), measured on the training rows.
    algorithm : {"lloyd", "elkan", "minibatch"}, default="lloyd"
        ``"lloyd"`` and ``"elkan"`` run :class:`sklearn.cluster.KMeans`;
        ``"minibatch"`` runs :class:`sklearn.cluster.MiniBatchKMeans`, faster and
        slightly less accurate on millions of rows.
    n_init : int, default=3
        Number of k-means++ initialisations of the final fit; the best is kept.
        While choosing k, each candidate is fitted from one k-means++ start and
        from the fit of k - 1 plus one centre (the chosen k is then refitted
        with ``n_init``).
    max_iter : int, default=300
        Maximum number of iterations of one k-means run.
    tol : float, default=1e-4
        Relative tolerance of k-means convergence.
    search_sample_size : int or None, default=25_000
        The large-n path. With ``n_clusters="auto"`` and more rows than this,
        every candidate k is fitted and scored on a random sample of this many
        rows (drawn with ``random_state``); the chosen k is then refitted on all
        rows, starting from the sample's centres. A fixed ``n_clusters`` always
        fits all rows and scores the result on such a sample. ``None`` searches
        and scores on all rows. 25,000 rows leave a segment of 4% of the
        customers 1,000 rows and search a table of CDNOW's size whole.
    silhouette_sample_size : int or None, default=5_000
        The silhouette costs O(n^2); it is computed on a random sample of at most
        this many rows (of the rows being scored). ``None`` uses every row.
    order_by : str, int or None, default=None
        What "most valuable" means for the label order. ``None``: the mean of a
        segment centre's scaled coordinates, counting columns whose name contains
        ``"recency"`` negatively (recent is better); a feature name (with a
        DataFrame input) or column index: that feature's segment mean in its
        original units, highest first.
    revenue_feature : str, int or None, default="auto"
        Feature whose segment totals give ``profile_["revenue_share"]``.
        ``"auto"`` uses a column named ``"monetary_total"`` when there is one.
    random_state : int, RandomState instance or None, default=None
        Seed of the samples and of the k-means initialisations. Pass an int for
        reproducible segments.

    Attributes
    ----------
    n_clusters_ : int
        Number of segments used (the chosen k with ``n_clusters="auto"``).
    labels_ : ndarray of shape (n_samples,)
        Segment of every training row; 0 is the most valuable.
    cluster_centers_ : ndarray of shape (n_clusters_, n_features_in_)
        Segment centres in the preprocessed (log, scaled) space, in label order.
    inertia_ : float
        Sum of squared distances of the training rows to their centre, in the
        preprocessed space.
    n_iter_ : int
        Iterations of the final k-means run.
    k_scores_ : pandas.DataFrame
        One row per k tried (one row, the given k, with a fixed ``n_clusters``),
        indexed by ``k``, with columns ``inertia`` (of that k's fit on the rows
        it was fitted on: the search rows, or all rows for a fixed k),
        ``silhouette``, ``calinski_harabasz``, ``davies_bouldin`` (computed in
        the preprocessed space), ``elbow_distance`` (distance below the chord
        used by the elbow rule, NaN with fewer than three k), ``n_scored`` (rows
        the scores were computed on), ``n_silhouette`` (rows of the silhouette
        sample), ``bic`` and ``bic_penalty`` (BIC of the Gaussian mixture
        started from that k's fit, on at most 5,000 of the scored rows, and
        its parameter penalty; NaN with a fixed ``n_clusters``) and ``chosen``.
        A k whose fit found fewer distinct clusters than k has NaN scores.
    k_selection_rule_ : str
        The rule that picked ``n_clusters_``, in words, with the sample sizes.
    silhouette_samples_ : pandas.DataFrame
        Columns ``segment`` and ``silhouette``: the silhouette of every row of the
        silhouette sample under the final labels (for silhouette plots).
    profile_ : pandas.DataFrame
        One row per segment (index ``segment``): ``name``, ``size``, ``share`` of
        customers, ``revenue_share`` (when a revenue feature is known), then
        ``<feature>_mean`` and ``<feature>_median`` of every feature in its
        original units.
    segment_names_ : list of str
        One distinct name per segment, such as ``"high value, frequent, recent"``:
        at most three features whose segment centre lies more than half a
        standard deviation from the mean, value first ("very" beyond 1.5);
        segments that would share a name get comparatives of the feature that
        differs most among them (see the segments guide).
    log_features_ : ndarray of bool of shape (n_features_in_,)
        Columns that were log-transformed.
    preprocess_center_, preprocess_scale_ : ndarray of shape (n_features_in_,)
        Centre and scale applied after the log (0 and 1 with ``scaling=None``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names seen in ``fit`` (DataFrame input only).

    See Also
    --------
    RFMScorer : Rule-based segments from RFM scores.
    sklearn.cluster.KMeans : The clustering underneath.

    Notes
    -----
    Large data: the search over k runs on ``search_sample_size`` rows and the
    silhouette on ``silhouette_sample_size`` rows (one distance matrix for every
    k), so the cost of choosing k does not grow with the data and one fit of
    all rows at the chosen k follows: a few seconds for a million customers
    (``benchmarks/bench_kmeans_speed.py``). No thread settings of its own:
    scikit-learn's k-means uses the threads that OpenMP gives it (limit them
    with ``threadpoolctl``).

    Examples
    --------
    >>> import numpy as np
    >>> from custseg.segments import KMeansSegmenter
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 0.3, (50, 2)), rng.normal(5, 0.3, (50, 2))])
    >>> seg = KMeansSegmenter(k_range=(2, 5), random_state=0).fit(X)
    >>> seg.n_clusters_
    2
    >>> seg.k_scores_.index.tolist()
    [2, 3, 4, 5]
    >>> seg.labels_[:3], seg.labels_[-3:]
    (array([1, 1, 1]), array([0, 0, 0]))
    >>> seg.predict([[5.0, 5.0], [0.0, 0.1]])
    array([0, 1])
    """

    _parameter_constraints: dict[str, list[Any]] = {
        "n_clusters": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "k_range": [tuple, list],
        "k_selection": [StrOptions(set(SELECTIONS))],
        "log_transform": ["boolean", StrOptions({"auto"})],
        "scaling": [StrOptions({"standard", "robust"}), None],
        "algorithm": [StrOptions({"lloyd", "elkan", "minibatch"})],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "search_sample_size": [Interval(Integral, 10, None, closed="left"), None],
        "silhouette_sample_size": [Interval(Integral, 10, None, closed="left"), None],
        "order_by": [str, Integral, None],
        "revenue_feature": [str, Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_clusters: int | str = "auto",
        *,
        k_range: tuple[int, int] = (2, 10),
        k_selection: str = "mixture_bic",
        log_transform: bool | str = "auto",
        scaling: str | None = "standard",
        algorithm: str = "lloyd",
        n_init: int = 3,
        max_iter: int = 300,
        tol: float = 1e-4,
        search_sample_size: int | None = 25_000,
        silhouette_sample_size: int | None = 5_000,
        order_by: str | int | None = None,
        revenue_feature: str | int | None = "auto",
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.k_selection = k_selection
        self.log_transform = log_transform
        self.scaling = scaling
        self.algorithm = algorithm
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.search_sample_size = search_sample_size
        self.silhouette_sample_size = silhouette_sample_size
        self.order_by = order_by
        self.revenue_feature = revenue_feature
        self.random_state = random_state

    # ------------------------------------------------------------------ helpers
    def _feature_names(self, n_features: int) -> list[str]:
        names = getattr(self, "feature_names_in_", None)
        if names is not None:
            return [str(n) for n in names]
        return [f"x{j}" for j in range(n_features)]

    def _preprocess(self, X: np.ndarray) -> np.ndarray:
        """The fitted log and scaling applied to ``X`` (a new float64 array)."""
        prep = Preprocessing(self.log_features_, self.preprocess_center_, self.preprocess_scale_)
        return preprocess(X, prep, self._feature_names(X.shape[1]))

    # ---------------------------------------------------------------- fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> KMeansSegmenter:
        """Preprocess ``X``, choose k if asked, fit k-means and profile the segments.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric per-customer features, one row per customer.
        y : None
            Ignored.

        Returns
        -------
        self : KMeansSegmenter
            The fitted segmenter.
        """
        X = validate_data(self, read_table(X)[0], dtype=[np.float64, np.float32])
        if X.shape[0] < 2:
            raise InvalidValueError(
                "K-means needs at least 2 customers (rows) to form segments; got "
                f"{X.shape[0]} sample{'' if X.shape[0] == 1 else 's'}."
            )
        n, n_features = X.shape
        names = self._feature_names(n_features)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        prep = fit_preprocessing(X, self.log_transform, self.scaling, names)
        Z = preprocess(X, prep, names)
        score_idx = sample_rows(rng, n, self.search_sample_size)
        sil_sub = sample_rows(rng, len(score_idx), self.silhouette_sample_size)
        settings = KMeansSettings(self.algorithm, self.n_init, self.max_iter, self.tol, seed)
        if self.n_clusters == "auto":
            fit = fit_auto(Z, settings, self.k_range, self.k_selection, score_idx, sil_sub)
        else:
            fit = fit_fixed(Z, settings, int(self.n_clusters), score_idx, sil_sub)
        km, table = fit.kmeans, fit.table

        revenue = self.revenue_feature
        if revenue == "auto":
            revenue = "monetary_total" if "monetary_total" in names else None
        labels, centers, profile = describe(
            X, Z, km.labels_, km.cluster_centers_, names,
            order_by=resolve_feature(self.order_by, names, "order_by"),
            revenue=resolve_feature(revenue, names, "revenue_feature"),
        )

        table["chosen"] = table.index == len(km.cluster_centers_)

        # Tables are kept as arrays (safe to save with skops) and rebuilt on access.
        self.log_features_ = prep.log_features
        self.preprocess_center_ = prep.center
        self.preprocess_scale_ = prep.scale
        self._k_scores_state = frame_to_state(table)
        self._silhouette_state = frame_to_state(pd.DataFrame({
            "segment": labels[fit.sil_idx], "silhouette": fit.silhouette}))
        self._profile_state = frame_to_state(profile)
        self.segment_names_ = profile["name"].tolist()
        self.k_selection_rule_ = fit.rule
        self.n_clusters_ = len(centers)
        self.labels_ = labels
        self.cluster_centers_ = centers
        self.inertia_ = float(km.inertia_)
        self.n_iter_ = int(km.n_iter_)
        return self

    @property
    def k_scores_(self) -> pd.DataFrame:
        """Scores of every k tried (see the class docstring); a new DataFrame per access."""
        check_is_fitted(self)
        return frame_from_state(self._k_scores_state)

    @property
    def profile_(self) -> pd.DataFrame:
        """Size, shares and feature means/medians of every segment (see the class docstring)."""
        check_is_fitted(self)
        return frame_from_state(self._profile_state)

    @property
    def silhouette_samples_(self) -> pd.DataFrame:
        """Silhouette of every row of the silhouette sample (see the class docstring)."""
        check_is_fitted(self)
        return frame_from_state(self._silhouette_state)

    # ------------------------------------------------------------- prediction
    def predict(self, X: Any) -> np.ndarray:
        """Segment of new customers: the nearest centre after the fitted preprocessing.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The same features as in ``fit``.

        Returns
        -------
        ndarray of int of shape (n_samples,)
            Segment labels (0 is the most valuable).
        """
        check_is_fitted(self)
        X = validate_data(self, read_table(X)[0], dtype=[np.float64, np.float32], reset=False)
        Z = self._preprocess(X)
        return np.asarray(pairwise_distances_argmin(Z, self.cluster_centers_), dtype=np.int64)

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit and return the training labels (``labels_``).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Numeric per-customer features.
        y : None
            Ignored.
        **kwargs : dict
            Ignored.

        Returns
        -------
        ndarray of int of shape (n_samples,)
            Segment labels.
        """
        return np.asarray(self.fit(X).labels_)

    def score(self, X: Any, y: Any = None) -> float:
        """Opposite of the inertia of ``X`` (sum of squared distances to the centres).

        As :meth:`sklearn.cluster.KMeans.score`, in the preprocessed space:
        larger is better. Note that it always improves with k; to choose k with
        ``GridSearchCV`` pass a ``scoring`` such as the silhouette.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The same features as in ``fit``.
        y : None
            Ignored.

        Returns
        -------
        float
            Minus the inertia.
        """
        check_is_fitted(self)
        X = validate_data(self, read_table(X)[0], dtype=[np.float64, np.float32], reset=False)
        Z = self._preprocess(X)
        labels = pairwise_distances_argmin(Z, self.cluster_centers_)
        return -float(((Z - self.cluster_centers_[labels]) ** 2).sum())

