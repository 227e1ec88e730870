"""K-means segmentation with preprocessing, automatic k and value-ordered labels."""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from joblib import cpu_count
from sklearn import config_context
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import pairwise_distances_argmin
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted, validate_data
from ..exceptions import InvalidValueError
from ..utils._state import frame_from_state, frame_to_state

__all__ = ["KMeansSegmenter", "silhouette_sampled"]

_SELECTIONS = ("silhouette", "calinski_harabasz", "davies_bouldin", "elbow", "vote")
_NAME_THRESHOLD = 0.5  # |z| of a segment centre above which a feature enters its name
_SILHOUETTE_CHUNK = 512
_MAX_THREADS = 4  # threads of the NumPy passes, at most; never more than the cores
_BLOCK_ROWS = 32_768  # rows per block of the preprocessing pass (fits in cache)
_MOMENT_ROWS = 100_000  # about this many rows give the skewness, scaling and naming statistics
_MEDIAN_ROWS = 100_000  # rows used for the segment medians of the profile
_PRODUCT_SUMS_MAX_K = 4  # segment sums by indicator products up to this k


_CONTROLLER: ThreadpoolController | None = None


def _blas_controller() -> ThreadpoolController:
    """One threadpoolctl controller per process (building one inspects every library)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER


def _silhouette_sums(
    A: np.ndarray, BT: np.ndarray, onehot: np.ndarray, n_threads: int
) -> np.ndarray:
    """``sums[i, c]``: the sum of distances from row i to the rows of cluster c.

    ``A[i] @ BT[:, j]`` is the squared distance between rows i and j (see
    :func:`silhouette_sampled`). The distance matrix is symmetric, so only the
    blocks on and above the diagonal are computed, each serving both its rows
    and its columns. The blocks are dealt to a few threads (NumPy releases the
    GIL in the products and ufuncs); every block's per-cluster sums are kept and
    added up in one fixed order, so the result has the same bits whatever the
    number of threads.
    """
    n, k = len(A), onehot.shape[1]
    starts = range(0, n, _SILHOUETTE_CHUNK)
    pairs = [(i, j) for i in starts for j in starts if j >= i]
    workers = min(n_threads, len(pairs))

    def work(w: int) -> dict[tuple[int, int], np.ndarray]:
        out = {}
        for i, j in pairs[w::workers]:
            i1, j1 = min(i + _SILHOUETTE_CHUNK, n), min(j + _SILHOUETTE_CHUNK, n)
            d = A[i:i1] @ BT[:, j:j1]
            np.maximum(d, 0.0, out=d)
            if i == j:
                np.fill_diagonal(d, 0.0)
            np.sqrt(d, out=d)
            out[i, j] = d @ onehot[j:j1]  # rows of block i, columns of block j
            if i != j:
                out[j, i] = d.T @ onehot[i:i1]
        return out

    blocks: dict[tuple[int, int], np.ndarray] = {}
    if workers <= 1:
        blocks = work(0)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for part in pool.map(work, range(workers)):
                blocks.update(part)
    sums = np.zeros((n, k))
    for i in starts:
        rows = sums[i:i + _SILHOUETTE_CHUNK]
        for j in starts:
            rows += blocks[i, j]
    return sums


def silhouette_sampled(
    Z: np.ndarray, labels: np.ndarray, *, n_threads: int | None = None
) -> np.ndarray:
    """Silhouette value of every row of ``Z`` (euclidean), in O(n^2) time, chunked memory.

    Same definition as :func:`sklearn.metrics.silhouette_samples` (a row alone in
    its cluster scores 0) but computed with matrix products in float32 (agreeing
    with scikit-learn to about 1e-5), several times faster; the caller samples
    ``Z`` first when it is large.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        Rows to score.
    labels : ndarray of shape (n_samples,)
        Cluster of every row.
    n_threads : int or None, default=None
        Threads sharing the distance blocks; ``None``: the usable cores (at most 4).

    Returns
    -------
    ndarray of shape (n_samples,)
        The silhouette of every row, in [-1, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from custseg.segments._kmeans import silhouette_sampled
    >>> Z = np.array([[0.0], [0.1], [5.0], [5.2]])
    >>> silhouette_sampled(Z, np.array([0, 0, 1, 1])).round(2)
    array([0.98, 0.98, 0.96, 0.96])
    """
    Z64 = np.asarray(Z, dtype=np.float64)
    Z64 = Z64 - Z64.mean(axis=0)  # centring keeps float32 distances accurate
    Z32 = Z64.astype(np.float32)
    _, lab = np.unique(labels, return_inverse=True)
    n, k = len(Z32), int(lab.max()) + 1
    counts = np.bincount(lab, minlength=k).astype(np.float64)
    onehot = np.zeros((n, k), dtype=np.float32)
    onehot[np.arange(n), lab] = 1.0
    sq = np.einsum("ij,ij->i", Z32, Z32)[:, None]
    ones = np.ones((n, 1), dtype=np.float32)
    # |a - b|^2 = -2 a.b + |a|^2 + |b|^2 as one product of augmented matrices
    A = np.hstack([-2.0 * Z32, sq, ones])
    BT = np.ascontiguousarray(np.hstack([Z32, ones, sq]).T)
    # Thin products (few features): BLAS threads cost more than they save here.
    with _blas_controller().limit(limits=1, user_api="blas"):
        sums = _silhouette_sums(A, BT, onehot, n_threads or _n_threads())
    own = counts[lab]
    with np.errstate(divide="ignore", invalid="ignore"):
        a = sums[np.arange(n), lab] / np.maximum(own - 1.0, 1.0)
        means = sums / counts[None, :]
    means[np.arange(n), lab] = np.inf
    b = means.min(axis=1)
    denom = np.maximum(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(denom > 0, (b - a) / denom, 0.0)
    s[own <= 1] = 0.0
    return np.asarray(s)


def _knee(ks: np.ndarray, inertia: np.ndarray) -> tuple[int | None, np.ndarray]:
    """Knee of a decreasing curve: the point farthest below the chord; and every distance.

    Both axes are scaled to [0, 1]; the knee is the k whose point lies farthest
    below the straight line joining the first and last finite points (the
    "kneedle" idea). ``None`` (and NaN distances) with fewer than three finite
    points or a flat curve.
    """
    dist = np.full(len(ks), np.nan)
    ok = np.isfinite(inertia)
    span = inertia[ok].max() - inertia[ok].min() if ok.any() else 0.0
    if ok.sum() < 3 or span <= 0:
        return None, dist
    x = (ks - ks[ok].min()) / (ks[ok].max() - ks[ok].min())
    y = (inertia - inertia[ok].min()) / span
    first, last = np.flatnonzero(ok)[[0, -1]]
    chord = y[first] + (y[last] - y[first]) * (x - x[first]) / (x[last] - x[first])
    dist = np.where(ok, chord - y, np.nan)
    return int(np.nanargmax(dist)), dist


def _feature_word(name: str, z: float) -> tuple[int, str] | None:
    """The word a feature contributes to a segment name, with its sort priority."""
    if abs(z) <= _NAME_THRESHOLD:
        return None
    high = z > 0
    low_name = name.lower()
    if "recency" in low_name:
        return 2, ("lapsed" if high else "recent")
    if "frequency" in low_name or "purchases" in low_name or "orders" in low_name:
        return 1, ("frequent" if high else "infrequent")
    if any(w in low_name for w in ("order_value", "monetary_mean", "basket", "aov")):
        return 3, ("big baskets" if high else "small baskets")
    if any(w in low_name for w in ("monetary", "spend", "revenue", "value", "amount", "clv")):
        return 0, ("high value" if high else "low value")
    if "tenure" in low_name:
        return 4, ("long-standing" if high else "short tenure")
    return 5, f"{'high' if high else 'low'} {name}"


def _sample(rng: np.random.RandomState, n: int, size: int) -> np.ndarray:
    """Sorted indices of ``size`` distinct rows among ``n``, drawn from ``rng``.

    ``RandomState.choice(replace=False)`` shuffles all ``n`` rows; a Generator
    seeded from ``rng`` draws the sample in O(size) instead.
    """
    gen = np.random.default_rng(int(rng.randint(np.iinfo(np.int32).max)))
    return np.sort(gen.choice(n, size=size, replace=False))


def _cluster_indices(Z: np.ndarray, labels: np.ndarray, k: int) -> tuple[float, float]:
    """Calinski-Harabasz and Davies-Bouldin indices (as scikit-learn's), sharing one pass.

    ``labels`` must be consecutive integers ``0..k-1``; the per-cluster sums are
    bincounts, the residuals one gather.
    """
    n = len(Z)
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    sums = np.stack([np.bincount(labels, weights=Z[:, j], minlength=k)
                     for j in range(Z.shape[1])], axis=1)
    means = sums / np.maximum(counts, 1.0)[:, None]
    resid = Z - np.take(means, labels, axis=0)
    sq = np.einsum("ij,ij->i", resid, resid)
    # Calinski-Harabasz: between over within dispersion, degrees-of-freedom weighted
    within = float(sq.sum())
    total = Z.mean(axis=0)
    between = float(np.einsum("c,cj->", counts, (means - total) ** 2))
    ch = 1.0 if within <= 0 else between * (n - k) / (within * (k - 1.0))
    # Davies-Bouldin: mean over clusters of the worst (spread_i + spread_j) / gap_ij
    spread = np.bincount(labels, weights=np.sqrt(sq), minlength=k) / np.maximum(counts, 1.0)
    gap = np.sqrt(((means[:, None, :] - means[None, :, :]) ** 2).sum(axis=2))
    if np.allclose(spread, 0) or np.allclose(gap, 0):
        return ch, 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (spread[:, None] + spread[None, :]) / gap
    ratio[~np.isfinite(ratio)] = 0.0  # as scikit-learn: the diagonal and zero gaps
    return ch, float(ratio.max(axis=1).mean())


def _log_inplace(out: np.ndarray, src: np.ndarray, log_features: np.ndarray) -> None:
    """Log the ``log_features`` columns of ``out`` (a float64 copy of ``src``) in place.

    The whole block goes through one vectorised ``log1p`` (much faster than a
    masked one) and the other columns are copied back from ``src``; negative
    values get the signed log ``sign(x) * log1p(|x|)``.
    """
    logged = np.flatnonzero(log_features)
    if not logged.size:
        return
    with np.errstate(invalid="ignore", divide="ignore"):  # the un-logged columns
        if out.min() < 0:
            np.abs(out, out=out)
            np.log1p(out, out=out)
            for j in logged:
                np.copysign(out[:, j], src[:, j], out=out[:, j])
        else:
            np.log1p(out, out=out)
    for j in np.flatnonzero(~log_features):
        out[:, j] = src[:, j]


_DEFERRED = "deferred"  # marks a silhouette left for the first access


def _silhouette_or_none(Z: np.ndarray, labels: np.ndarray, idx: np.ndarray) -> np.ndarray | None:
    """Silhouette of the rows ``idx`` of ``Z``; None when undefined (one segment, or all)."""
    sil_labels = labels[idx]
    if 2 <= np.count_nonzero(np.bincount(sil_labels)) < len(idx):
        return silhouette_sampled(np.take(Z, idx, axis=0), sil_labels)
    return None


def _fit_finite(km: Any, Z: np.ndarray) -> Any:
    """Fit a k-means on our preprocessed matrix, skipping its finiteness check.

    ``fit`` validated the input (finite) and the log and scaling keep it finite;
    checking millions of values again would only cost time.
    """
    with config_context(assume_finite=True):
        return km.fit(Z)


def _n_threads() -> int:
    """Threads for the NumPy passes: the usable cores, at most _MAX_THREADS.

    ``OMP_NUM_THREADS``, when set, caps it as it caps scikit-learn's k-means
    (joblib sets it in its worker processes, so that parallel fits of a grid
    search do not oversubscribe the cores).
    """
    n = min(_MAX_THREADS, cpu_count())
    first = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if first.isdigit() and int(first) > 0:
        n = min(n, int(first))
    return max(1, n)


def _map_blocks(fn: Any, n: int) -> list[Any]:
    """``fn(start, stop)`` over blocks of _BLOCK_ROWS rows, in threads; results in order.

    NumPy releases the GIL in ufuncs and copies, so blocks run in parallel; each
    block's result lands at its own position, so the output never depends on
    the scheduling.
    """
    starts = range(0, n, _BLOCK_ROWS)
    workers = min(_n_threads(), len(starts))
    if workers <= 1:
        return [fn(start, min(start + _BLOCK_ROWS, n)) for start in starts]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda start: fn(start, min(start + _BLOCK_ROWS, n)), starts))


def _segment_sums(X: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows per segment, and the sum of every column per segment (shape (k, p)).

    With few segments a weighted bincount keeps adding into the same few cells
    (each addition waits for the last), so a product with each segment's 0/1
    indicator is several times faster; with more segments the bincount wins.
    """
    counts = np.bincount(labels, minlength=k)
    if k <= _PRODUCT_SUMS_MAX_K:
        sums = np.empty((k, X.shape[1]))
        indicator = np.empty(len(labels))
        for c in range(k):
            np.equal(labels, c, out=indicator)
            sums[c] = indicator @ X
        return counts, sums
    sums = np.stack([np.bincount(labels, weights=X[:, j], minlength=k)
                     for j in range(X.shape[1])], axis=1)
    return counts, sums.reshape(k, X.shape[1])


def _segment_stats(
    X: np.ndarray, labels: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, column sums and column medians of every segment (see the two helpers)."""
    counts, sums = _segment_sums(X, labels, k)
    return counts, sums, _segment_medians(X, labels, k)


def _segment_medians(X: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Median of every column per segment: exact up to _MEDIAN_ROWS rows, else on that
    many evenly spaced rows; NaN for an empty segment."""
    step = max(1, len(X) // _MEDIAN_ROWS)
    cols = np.ascontiguousarray(X[::step].T)  # one row per feature: contiguous partitions
    lm = labels[::step]
    medians = np.full((k, X.shape[1]), np.nan)
    for c in range(k):
        mask = lm == c
        if mask.any():
            medians[c] = _row_medians(cols[:, mask])
    return medians


def _row_medians(A: np.ndarray) -> np.ndarray:
    """``np.median(A, axis=1)`` for finite ``A``, from a single-pivot partition.

    NumPy's median partitions around two (or three) pivots, several times slower
    than around one; the lower middle value is then the maximum of the lower half.
    """
    m = A.shape[1]
    h = m // 2
    part = np.partition(A, h, axis=1)
    if m % 2:
        return np.asarray(part[:, h])
    return np.asarray((part[:, :h].max(axis=1) + part[:, h]) / 2.0)


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
    k_selection : {"silhouette", "calinski_harabasz", "davies_bouldin", "elbow", \
"vote"}, default="silhouette"
        The rule that picks k among the scored ones:

        - ``"silhouette"``: highest mean silhouette;
        - ``"calinski_harabasz"``: highest Calinski-Harabasz index;
        - ``"davies_bouldin"``: lowest Davies-Bouldin index;
        - ``"elbow"``: the knee of the inertia curve, the k farthest below the
          straight line joining the first and last points once both axes are
          scaled to [0, 1];
        - ``"vote"``: each of the four criteria above votes for its best k; the
          k with most votes wins, ties going to the higher silhouette.

        Ties in any rule go to the smaller k.
    log_transform : bool or "auto", default="auto"
        Apply ``sign(x) * log1p(|x|)`` before scaling: to every column
        (``True``), to none (``False``), or (``"auto"``) to the columns that are
        non-negative with a skewness above 1 in the training data (measured on
        the statistics rows, see ``scaling``), such as purchase counts and
        spend. ``log_features_`` records the choice.
    scaling : {"standard", "robust"} or None, default="standard"
        Centre and scale every column after the log: mean and standard
        deviation (``"standard"``), median and inter-quartile range
        (``"robust"``), or not at all (``None``). Like the skewness, these are
        measured on the statistics rows: every row of a training set under
        200,000 rows, else every ``n // 100,000``-th row (100,000 to 199,999
        evenly spaced rows), as scikit-learn's ``QuantileTransformer`` and
        ``KBinsDiscretizer`` subsample; the training matrix is then written in
        a single pass.
    algorithm : {"lloyd", "elkan", "minibatch"}, default="lloyd"
        ``"lloyd"`` and ``"elkan"`` run :class:`sklearn.cluster.KMeans`;
        ``"minibatch"`` runs :class:`sklearn.cluster.MiniBatchKMeans`, faster and
        slightly less accurate on millions of rows.
    n_init : int, default=3
        Number of k-means++ initialisations of the final fit; the best is kept.
        While choosing k, each candidate is fitted and scored from one
        initialisation (the chosen k is then refitted with ``n_init``).
    max_iter : int, default=300
        Maximum number of iterations of one k-means run.
    tol : float, default=1e-4
        Relative tolerance of k-means convergence.
    search_sample_size : int or None, default=100_000
        The large-n path. With ``n_clusters="auto"`` and more rows than this,
        every candidate k is fitted and scored on a random sample of this many
        rows; the chosen k is then refitted on all rows, starting from the
        sample's centres. A fixed ``n_clusters`` always fits all rows and scores
        the result on such a sample. ``None`` searches and scores on all rows.
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
        sample) and ``chosen``. A k whose fit found fewer distinct clusters than
        k has NaN scores. With a fixed ``n_clusters`` the silhouette is computed
        on the first access (see ``silhouette_samples_``).
    k_selection_rule_ : str
        The rule that picked ``n_clusters_``, in words, with the sample sizes.
    silhouette_samples_ : pandas.DataFrame
        Columns ``segment`` and ``silhouette``: the silhouette of every row of the
        silhouette sample under the final labels (for silhouette plots). When
        the final fit is not one the search already scored (a fixed
        ``n_clusters``, or a search on a sample), ``fit`` keeps the sample's
        rows and computes the silhouette on the first access to this table or
        to ``k_scores_`` (a few tens of milliseconds), so that ``fit`` costs
        little more than the k-means; the values are the same either way.
    profile_ : pandas.DataFrame
        One row per segment (index ``segment``): ``name``, ``size``, ``share`` of
        customers, ``revenue_share`` (when a revenue feature is known), then
        ``<feature>_mean`` and ``<feature>_median`` of every feature in its
        original units. Means are exact; medians too up to 100,000 rows, and
        computed on 100,000 evenly spaced rows beyond.
    segment_names_ : list of str
        One name per segment, such as ``"high value, frequent, recent"``: the
        features whose segment centre lies more than half a standard deviation
        from the overall mean (in the preprocessed space), at most three, value
        first, then frequency, recency, basket size, tenure and the others;
        ``"average"`` when none does. Features are recognised by name
        (``monetary``/``spend``: value, ``frequency``/``purchases``: frequent,
        ``recency``: recent/lapsed, ``order_value``: baskets, ``tenure``);
        other features read ``"high <name>"``. Duplicate names get the segment
        number appended.
    log_features_ : ndarray of bool of shape (n_features_in_,)
        Columns that were log-transformed.
    preprocess_center_, preprocess_scale_ : ndarray of shape (n_features_in_,)
        Centre and scale applied after the log (0 and 1 with ``scaling=None``),
        measured on the statistics rows (see ``scaling``).
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
    silhouette on ``silhouette_sample_size`` rows, so choosing k among 2..10 for a
    million customers takes seconds; ``algorithm="minibatch"`` speeds up the
    final fit further. With a fixed k, ``fit`` costs little more than the
    k-means itself (about 10% more for k=2 on a million rows, less for larger
    k): the preprocessing is one pass over cache-sized row blocks, the
    Calinski-Harabasz and Davies-Bouldin indices and the segment statistics run
    side by side, and the silhouette waits for its first use (see
    ``silhouette_samples_``). Those passes use up to four threads (never more than
    the usable cores, as :func:`joblib.cpu_count` reports, nor more than
    ``OMP_NUM_THREADS`` when it is set). Results have the
    same bits whatever the number of threads.

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
        "k_selection": [StrOptions(set(_SELECTIONS))],
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
        k_selection: str = "silhouette",
        log_transform: bool | str = "auto",
        scaling: str | None = "standard",
        algorithm: str = "lloyd",
        n_init: int = 3,
        max_iter: int = 300,
        tol: float = 1e-4,
        search_sample_size: int | None = 100_000,
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

    def _resolve_feature(self, spec: Any, names: list[str], param: str) -> int:
        if isinstance(spec, str):
            if spec not in names:
                raise InvalidValueError(
                    f"{param}={spec!r} is not a feature name; the features are {names}."
                )
            return names.index(spec)
        idx = int(spec)
        if not 0 <= idx < len(names):
            raise InvalidValueError(
                f"{param}={spec!r} is not a column index of the {len(names)} features."
            )
        return idx

    def _k_bounds(self, n_rows: int) -> tuple[int, int]:
        try:
            lo, hi = (int(v) for v in self.k_range)
        except (TypeError, ValueError) as err:
            raise InvalidValueError(
                f"k_range={self.k_range!r} must be a pair of integers (smallest, largest k)."
            ) from err
        if lo < 2 or hi < lo:
            raise InvalidValueError(
                f"k_range={self.k_range!r} must satisfy 2 <= smallest <= largest "
                "(the silhouette needs at least 2 segments)."
            )
        hi = min(hi, n_rows - 1)
        if hi < lo:
            raise InvalidValueError(
                f"n_clusters='auto' with k_range={self.k_range!r} needs at least {lo + 1} "
                f"rows to score k={lo}; got n_samples={n_rows}."
            )
        return lo, hi

    def _fit_preprocess(self, X: np.ndarray) -> np.ndarray:
        """Learn the log columns and the scaling; return the preprocessed training matrix.

        The skewness and the scaling statistics come from at most about
        _MOMENT_ROWS evenly spaced rows (every row below twice that), so the
        training matrix is then written in a single pass.
        """
        n, n_features = X.shape
        # column-major: NumPy's column statistics are several times faster on it
        S = np.array(X[:: max(1, n // _MOMENT_ROWS)], dtype=np.float64, order="F")
        if self.log_transform == "auto":
            mean = S.mean(axis=0)
            std = S.std(axis=0)
            with np.errstate(divide="ignore", invalid="ignore"):
                d = S - mean
                skew = np.where(std > 0, (d * d * d).mean(axis=0) / std**3, 0.0)
            # a column-wise min is slow on a C-ordered array: check the whole array first
            nonneg = np.full(n_features, True) if X.min() >= 0 else X.min(axis=0) >= 0
            self.log_features_ = nonneg & (skew > 1.0)
        else:
            self.log_features_ = np.full(n_features, bool(self.log_transform))
        _log_inplace(S, S.copy(), self.log_features_)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow: caught below
            if self.scaling == "standard":
                center, scale = S.mean(axis=0), S.std(axis=0)
            elif self.scaling == "robust":
                center = np.median(S, axis=0)
                q75, q25 = np.percentile(S, [75, 25], axis=0)
                scale = q75 - q25
            else:
                center, scale = np.zeros(n_features), np.ones(n_features)
        bad = ~(np.isfinite(center) & np.isfinite(scale))
        if bad.any():  # squares overflow beyond about 1e154
            names = self._feature_names(n_features)
            raise InvalidValueError(
                f"Columns {[names[j] for j in np.flatnonzero(bad)]} are too large to scale "
                f"(their centre or spread over {len(S):,} rows overflows float64); rescale "
                "them or use log_transform=True."
            )
        self.preprocess_center_ = np.asarray(center, dtype=np.float64)
        self.preprocess_scale_ = np.asarray(np.where(scale > 0, scale, 1.0), dtype=np.float64)
        return self._preprocess(X)

    def _preprocess(self, X: np.ndarray) -> np.ndarray:
        """A new float64 C-ordered array: ``(log(X) - center) / scale``, in one pass.

        k-means then works on it in place. The rows are processed in blocks that
        stay in the CPU cache, shared between a few threads: each block is copied,
        logged as a whole (a vectorised ``log1p``; the un-logged columns are
        copied back), centred and scaled. A value that overflows is reported
        with its column.
        """
        n, p = X.shape
        Z = np.empty((n, p), dtype=np.float64)
        center, scale = self.preprocess_center_, self.preprocess_scale_

        def block(start: int, stop: int) -> bool:
            out = Z[start:stop]
            src = X[start:stop]
            out[...] = src
            _log_inplace(out, src, self.log_features_)
            out -= center
            with np.errstate(over="ignore", invalid="ignore"):
                out /= scale
                return bool(np.isfinite(out.sum())) or bool(np.isfinite(out).all())

        if not all(_map_blocks(block, n)):
            names = self._feature_names(p)
            bad = [names[j] for j in np.flatnonzero(~np.isfinite(Z).all(axis=0))]
            raise InvalidValueError(
                f"Columns {bad} overflow float64 once centred and scaled (scale "
                f"{self.preprocess_scale_.round(6).tolist()}); rescale them, or use "
                "log_transform=True or scaling='standard'."
            )
        return Z

    def _kmeans(self, k: int, seed: int, init: Any = "k-means++", n_init: int | None = None) -> Any:
        # copy_x=False: the matrix is our own preprocessed copy, k-means may centre it in place
        n_init = self.n_init if n_init is None else n_init
        if self.algorithm == "minibatch":
            return MiniBatchKMeans(
                n_clusters=k, init=init, n_init=n_init, max_iter=self.max_iter, tol=self.tol,
                batch_size=4096, random_state=seed,
            )
        return KMeans(
            n_clusters=k, init=init, n_init=n_init, max_iter=self.max_iter, tol=self.tol,
            algorithm=self.algorithm, random_state=seed, copy_x=False,
        )

    def _score(
        self, Z: np.ndarray, labels: np.ndarray, sil_idx: np.ndarray | None
    ) -> tuple[dict[str, float], np.ndarray | None]:
        """Scores of one labelling, and the silhouette of every row of the sample.

        ``sil_idx=None`` leaves the silhouette out (NaN): it is computed later.
        """
        nan = {"silhouette": np.nan, "calinski_harabasz": np.nan, "davies_bouldin": np.nan}
        present = np.bincount(labels) > 0  # k-means labels: small non-negative integers
        k = int(present.sum())
        if k < 2 or k >= len(Z):
            return nan, None
        if not present.all():  # consecutive, as scikit-learn
            labels = np.take(np.cumsum(present) - 1, labels)
        values = None if sil_idx is None else _silhouette_or_none(Z, labels, sil_idx)
        ch, db = _cluster_indices(Z, labels, k)
        scores = {
            "silhouette": np.nan if values is None else float(values.mean()),
            "calinski_harabasz": ch,
            "davies_bouldin": db,
        }
        return scores, values

    def _silhouette_index(self, n: int, rng: np.random.RandomState) -> np.ndarray:
        size = self.silhouette_sample_size
        if size is None or n <= size:
            return np.arange(n)
        return _sample(rng, n, size)

    def _choose(self, table: pd.DataFrame, knee: int | None) -> tuple[int, str]:
        ks = table.index.to_numpy()
        sil = table["silhouette"].to_numpy()

        def best(values: np.ndarray, larger: bool) -> int | None:
            ok = np.isfinite(values)
            if not ok.any():
                return None
            v = np.where(ok, values if larger else -values, -np.inf)
            return int(ks[int(np.argmax(v))])  # argmax: first (smallest k) on ties

        picks = {
            "silhouette": best(sil, True),
            "calinski_harabasz": best(table["calinski_harabasz"].to_numpy(), True),
            "davies_bouldin": best(table["davies_bouldin"].to_numpy(), False),
            "elbow": None if knee is None else int(ks[knee]),
        }
        rule = self.k_selection
        words = {
            "silhouette": "the highest mean silhouette",
            "calinski_harabasz": "the highest Calinski-Harabasz index",
            "davies_bouldin": "the lowest Davies-Bouldin index",
            "elbow": "the knee of the inertia curve (farthest below the chord)",
        }
        if rule == "vote":
            votes: dict[int, int] = {}
            for k in picks.values():
                if k is not None:
                    votes[k] = votes.get(k, 0) + 1
            if not votes:
                chosen = None
            else:
                top = max(votes.values())
                tied = [k for k, v in votes.items() if v == top]
                sil_of = dict(zip(ks, sil, strict=True))
                chosen = sorted(tied, key=lambda k: (-np.nan_to_num(sil_of[k], nan=-2.0), k))[0]
            detail = ", ".join(f"{name}: {k}" for name, k in picks.items())
            text = f"vote of four criteria ({detail}); ties to the higher silhouette"
        else:
            chosen = picks[rule]
            text = words[rule]
        if chosen is None:
            raise InvalidValueError(
                f"k_selection={rule!r} could not score any k in k_range={self.k_range!r}: "
                "every fit found fewer distinct clusters than k (too few distinct rows?)."
            )
        return chosen, text

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
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        n, n_features = X.shape
        names = self._feature_names(n_features)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        Z = self._fit_preprocess(X)

        if self.n_clusters == "auto":
            k_lo, k_hi = self._k_bounds(n)
            labels, centers, n_iter, inertia, table, rule, sil_idx, sil_values = self._search(
                Z, k_lo, k_hi, rng, seed
            )
            counts, sums, medians = _segment_stats(X, labels, len(centers))
        else:
            k = int(self.n_clusters)
            if k > n:
                raise InvalidValueError(f"n_clusters={k} must be <= n_samples={n}.")
            size = self.search_sample_size
            score_idx = _sample(rng, n, size) if size is not None and n > size else np.arange(n)
            sub = self._silhouette_index(len(score_idx), rng)
            sil_idx = score_idx[sub]
            km = _fit_finite(self._kmeans(k, seed), Z)
            labels, centers = km.labels_, km.cluster_centers_
            n_iter, inertia = int(km.n_iter_), float(km.inertia_)
            # a worker computes the segment statistics while this thread computes the
            # Calinski-Harabasz and Davies-Bouldin indices (NumPy releases the GIL; the
            # scores do not depend on the label order); one BLAS thread each, as
            # spinning BLAS threads would fight over the cores. The silhouette waits
            # for the first look at it (see silhouette_samples_).
            blas = _blas_controller().limit(limits=1, user_api="blas")
            with blas, ThreadPoolExecutor(max_workers=1) as pool:
                stats = pool.submit(_segment_stats, X, labels, k)
                scores, _ = self._score(np.take(Z, score_idx, axis=0), labels[score_idx], None)
                counts, sums, medians = stats.result()
            sil_values = _DEFERRED
            row: dict[str, Any] = {"k": k, "inertia": inertia, **scores}
            row.update(elbow_distance=np.nan, n_scored=len(score_idx), n_silhouette=len(sub),
                       chosen=True)
            table = pd.DataFrame([row]).set_index("k")
            rule = f"fixed n_clusters={k}"

        order = self._value_order(counts, sums, centers, names)
        remap = np.empty(len(order), dtype=np.int64)
        remap[order] = np.arange(len(order))
        labels = np.take(remap, labels)
        centers = centers[order]
        self._set_profile(Z, centers, names, counts[order], sums[order], medians[order])

        # Tables are kept as arrays (safe to save with skops) and rebuilt on access.
        self._k_scores_state = frame_to_state(table)
        self._silhouette_state: dict[str, Any] | None = None
        self._silhouette_deferred: dict[str, Any] | None = None
        if sil_values is _DEFERRED:  # computed on first access, from the sample's rows
            self._silhouette_deferred = {
                "Z": np.take(Z, sil_idx, axis=0), "labels": labels[sil_idx],
                "in_table": self.n_clusters != "auto",
            }
        else:
            self._set_silhouette(labels[sil_idx], sil_values)
        self.k_selection_rule_ = rule
        self.n_clusters_ = len(centers)
        self.labels_ = labels
        self.cluster_centers_ = centers
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        return self

    def _search(
        self, Z: np.ndarray, k_lo: int, k_hi: int, rng: np.random.RandomState, seed: int
    ) -> tuple[Any, ...]:
        n = len(Z)
        size = self.search_sample_size
        sampled = size is not None and n > size
        search_idx = _sample(rng, n, size) if size is not None and sampled else None
        Zs = np.take(Z, search_idx, axis=0) if search_idx is not None else Z
        sil_idx_s = self._silhouette_index(len(Zs), rng)
        rows, fits = [], {}
        sil_cache: dict[int, np.ndarray | None] = {}
        for k in range(k_lo, k_hi + 1):
            with warnings.catch_warnings():
                # a k above the number of distinct rows: scored NaN below
                warnings.simplefilter("ignore", ConvergenceWarning)
                km = _fit_finite(self._kmeans(k, seed, n_init=1), Zs)
            fits[k] = km
            row: dict[str, Any] = {"k": k, "inertia": float(km.inertia_)}
            if np.count_nonzero(np.bincount(km.labels_)) < k:
                row.update(silhouette=np.nan, calinski_harabasz=np.nan, davies_bouldin=np.nan)
                row["inertia"] = np.nan
            else:
                scores, sil_cache[k] = self._score(Zs, km.labels_, sil_idx_s)
                row.update(scores)
            row.update(n_scored=len(Zs), n_silhouette=len(sil_idx_s))
            rows.append(row)
        table = pd.DataFrame(rows).set_index("k")
        ks = table.index.to_numpy()
        knee, dist = _knee(ks.astype(np.float64), table["inertia"].to_numpy())
        table.insert(4, "elbow_distance", dist)
        chosen, text = self._choose(table, knee)
        table["chosen"] = table.index == chosen
        where = (
            f"fitted (one k-means++ run) and scored on a random sample of {len(Zs):,} of "
            f"{n:,} rows; the chosen k refitted with n_init={self.n_init} on the sample, "
            "then on all rows from the sample's centres"
            if sampled else f"fitted (one k-means++ run) and scored on all {n:,} rows; the "
            f"chosen k refitted with n_init={self.n_init}"
        )
        rule = (
            f"k={chosen} of k={k_lo}..{k_hi}: {text}; every k {where}; silhouette on "
            f"{len(sil_idx_s):,} rows"
        )
        best = fits[chosen]
        if self.n_init > 1:  # the chosen k gets all its initialisations
            best = _fit_finite(self._kmeans(chosen, seed), Zs)
        if sampled:
            km = _fit_finite(
                self._kmeans(chosen, seed, init=best.cluster_centers_, n_init=1), Z
            )
            labels, centers = km.labels_, km.cluster_centers_
            n_iter, inertia = int(km.n_iter_), float(km.inertia_)
            sil_idx = self._silhouette_index(n, rng)
            sil_values: np.ndarray | str | None = _DEFERRED
        else:
            labels, centers = best.labels_, best.cluster_centers_
            n_iter, inertia = int(best.n_iter_), float(best.inertia_)
            sil_idx = sil_idx_s
            sil_values = sil_cache.get(chosen) if best is fits[chosen] else _DEFERRED
        return labels, centers, n_iter, inertia, table, rule, sil_idx, sil_values

    def _set_silhouette(self, labels: np.ndarray, values: np.ndarray | None) -> None:
        if values is None:  # silhouette undefined (a single segment in the sample)
            values = np.full(len(labels), np.nan)
        self._silhouette_state = frame_to_state(
            pd.DataFrame({"segment": labels, "silhouette": values})
        )

    def _resolve_silhouette(self) -> None:
        """Compute a deferred silhouette (see ``silhouette_samples_``) and store it."""
        deferred = getattr(self, "_silhouette_deferred", None)
        if deferred is None:
            return
        labels = deferred["labels"]
        values = _silhouette_or_none(deferred["Z"], labels, np.arange(len(labels)))
        self._set_silhouette(labels, values)
        if deferred["in_table"]:
            table = frame_from_state(self._k_scores_state)
            table["silhouette"] = np.nan if values is None else float(values.mean())
            self._k_scores_state = frame_to_state(table)
        self._silhouette_deferred = None

    def _value_order(
        self, counts: np.ndarray, sums: np.ndarray, centers: np.ndarray, names: list[str]
    ) -> np.ndarray:
        if self.order_by is None:
            sign = np.array([-1.0 if "recency" in nm.lower() else 1.0 for nm in names])
            value = (centers * sign).mean(axis=1)
        else:
            j = self._resolve_feature(self.order_by, names, "order_by")
            value = np.where(counts > 0, sums[:, j] / np.maximum(counts, 1), -np.inf)
        value = np.round(value, 10)  # platform noise must not reorder ties
        keys = [centers[:, j] for j in range(centers.shape[1] - 1, -1, -1)]
        return np.lexsort([*keys, -value])

    def _set_profile(
        self, Z: np.ndarray, centers: np.ndarray, names: list[str], counts: np.ndarray,
        sums: np.ndarray, medians: np.ndarray,
    ) -> None:
        k = len(centers)
        columns: dict[str, Any] = {"size": counts, "share": counts / counts.sum()}
        rev = self.revenue_feature
        if rev == "auto":
            rev = "monetary_total" if "monetary_total" in names else None
        if rev is not None:
            j = self._resolve_feature(rev, names, "revenue_feature")
            total = sums[:, j].sum()
            columns["revenue_share"] = sums[:, j] / total if total != 0 else np.full(k, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = sums / counts[:, None]
        for j, name in enumerate(names):
            columns[f"{name}_mean"] = means[:, j]
            columns[f"{name}_median"] = medians[:, j]
        profile = pd.DataFrame(columns, index=pd.RangeIndex(k, name="segment"))
        if self.scaling == "standard":  # 0 and 1 by construction
            mean, std = np.zeros(Z.shape[1]), np.ones(Z.shape[1])
        else:
            S = Z[:: max(1, len(Z) // _MOMENT_ROWS)]
            mean, std = S.mean(axis=0), S.std(axis=0)
            std = np.where(std > 0, std, 1.0)
        z = (centers - mean) / std
        seg_names: list[str] = []
        for c in range(k):
            words = [w for j, nm in enumerate(names) if (w := _feature_word(nm, z[c, j]))]
            words.sort(key=lambda w: w[0])
            unique = list(dict.fromkeys(w for _, w in words))  # two money columns: one word
            seg_names.append(", ".join(unique[:3]) or "average")
        seen: dict[str, int] = {}
        for name in seg_names:
            seen[name] = seen.get(name, 0) + 1
        self.segment_names_ = [
            f"{nm} ({c})" if seen[nm] > 1 else nm for c, nm in enumerate(seg_names)
        ]
        profile.insert(0, "name", self.segment_names_)
        self._profile_state = frame_to_state(profile)

    @property
    def k_scores_(self) -> pd.DataFrame:
        """Scores of every k tried (see the class docstring); a new DataFrame per access."""
        check_is_fitted(self)
        self._resolve_silhouette()
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
        self._resolve_silhouette()
        assert self._silhouette_state is not None
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
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
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
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        Z = self._preprocess(X)
        labels = pairwise_distances_argmin(Z, self.cluster_centers_)
        return -float(((Z - self.cluster_centers_[labels]) ** 2).sum())
