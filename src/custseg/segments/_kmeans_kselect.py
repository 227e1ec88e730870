"""Choosing the number of K-means segments: score every candidate k, then apply one rule.

:func:`score_ks` fits every k of the range on the search rows and scores it;
:func:`choose_k` applies the rule named by ``KMeansSegmenter(k_selection=...)``.
The default rule and the evidence for it are in ``docs/guide/k-selection.md`` and
``benchmarks/bench_kselect.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    pairwise_distances,
    silhouette_samples,
)

from .._advice import option
from ..exceptions import InvalidValueError
from ._kmeans_mixture import BIC_ROWS, mixture_bic

__all__ = [
    "SELECTIONS", "choose_k", "k_bounds", "knee", "score_ks", "score_row", "score_table",
    "silhouette_distances", "silhouette_or_none",
]

SELECTIONS = (
    "mixture_bic", "structure", "silhouette", "calinski_harabasz", "davies_bouldin", "elbow",
    "vote",
)

_WORDS = {
    "silhouette": "the highest mean silhouette",
    "calinski_harabasz": "the highest Calinski-Harabasz index",
    "davies_bouldin": "the lowest Davies-Bouldin index",
    "elbow": "the knee of the inertia curve (farthest below the chord)",
}


_CACHED_DISTANCES = 5_000**2  # entries (200 MB): the default silhouette sample's matrix


def silhouette_distances(Z: np.ndarray) -> np.ndarray | None:
    """The distances between the silhouette rows, computed once for every k of a fit.

    Every silhouette of a fit (each candidate k, then the final labels) is
    measured on the same rows; one matrix instead of one per k saves most of
    the silhouette's cost (1M x 6 with the defaults: see
    ``benchmarks/bench_kmeans_speed.py``). None for a sample above 5,000 rows
    (a matrix above 200 MB), where each silhouette computes its own in chunks.
    """
    return pairwise_distances(Z) if len(Z) ** 2 <= _CACHED_DISTANCES else None


def silhouette_or_none(
    Z: np.ndarray, labels: np.ndarray, distances: np.ndarray | None = None
) -> np.ndarray | None:
    """Silhouette of every row of ``Z``; None when undefined (one segment, or one per row).

    ``distances``: :func:`silhouette_distances` of ``Z``, when computed. Then
    the distance of every row to each segment is one product of the matrix
    with the segments' indicator columns, and the formula is scikit-learn's
    (``silhouette_samples``: singletons 0, the same values to about 1e-15):
    scikit-learn sums each row's distances with one ``bincount`` per row, which
    took 1.4 s of the 3.0 s of CPU of auto-k on 1,000,000 x 6 (ten silhouettes
    of 5,000 rows; 0.1 s this way, ``benchmarks/bench_kmeans_speed.py``).
    """
    segments, codes = np.unique(labels, return_inverse=True)
    if not 2 <= len(segments) < len(labels):
        return None
    if distances is None:
        return np.asarray(silhouette_samples(Z, labels))
    rows = np.arange(len(codes))
    indicator = np.zeros((len(codes), len(segments)))
    indicator[rows, codes] = 1.0
    sums = distances @ indicator  # row i, segment c: sum of the distances from i to c
    sizes = indicator.sum(axis=0)
    own = sizes[codes]
    with np.errstate(divide="ignore", invalid="ignore"):  # a singleton: 0 / 0, then 0
        within = sums[rows, codes] / (own - 1)
        sums[rows, codes] = np.inf
        nearest = (sums / sizes).min(axis=1)
        values = (nearest - within) / np.maximum(within, nearest)
    return np.nan_to_num(values)


def knee(ks: np.ndarray, inertia: np.ndarray) -> tuple[int | None, np.ndarray]:
    """Knee of a decreasing curve: the point farthest below the chord; and every distance.

    Both axes are scaled to [0, 1]; the knee is the position of the k whose
    point lies farthest below the straight line joining the first and last
    finite points (the "kneedle" idea). ``None`` (and NaN distances) with
    fewer than three finite points or a flat curve.

    Examples
    --------
    >>> import numpy as np
    >>> from custseg.segments._kmeans_kselect import knee
    >>> position, _ = knee(np.arange(2.0, 8.0), np.array([100, 40, 12, 10, 9, 8.0]))
    >>> position
    2
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


def score_row(
    Z: np.ndarray, labels: np.ndarray, inertia: float, sil_idx: np.ndarray,
    sil_dist: np.ndarray | None = None,
) -> dict[str, Any]:
    """The scores of one labelling of ``Z`` (one row of ``k_scores_``, without ``k``).

    NaN scores when the labelling found fewer than two clusters, or one per row.
    ``sil_dist``: :func:`silhouette_distances` of ``Z[sil_idx]``, when computed.
    """
    row: dict[str, Any] = {"inertia": inertia, "silhouette": np.nan,
                           "calinski_harabasz": np.nan, "davies_bouldin": np.nan}
    if 2 <= len(np.unique(labels)) < len(Z):
        values = silhouette_or_none(Z[sil_idx], labels[sil_idx], sil_dist)
        row.update(
            silhouette=np.nan if values is None else float(values.mean()),
            calinski_harabasz=float(calinski_harabasz_score(Z, labels)),
            davies_bouldin=float(davies_bouldin_score(Z, labels)),
        )
    row.update(n_scored=len(Z), n_silhouette=len(sil_idx))
    return row


def score_table(rows: dict[int, dict[str, Any]]) -> pd.DataFrame:
    """The ``k_scores_`` table of scored rows ``{k: row}``, with the elbow distances."""
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("k")
    _, dist = knee(table.index.to_numpy(dtype=np.float64), table["inertia"].to_numpy())
    table.insert(4, "elbow_distance", dist)
    for column in ("bic", "bic_penalty"):
        if column not in table:
            table[column] = np.nan
    return table


def _grown(Z: np.ndarray, centers: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """The centres of a fit with k - 1 clusters plus one row drawn as k-means++ draws."""
    d2 = ((Z[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2).min(axis=1)
    total = d2.sum()
    row = rng.randint(len(Z)) if total <= 0 else rng.choice(len(Z), p=d2 / total)
    return np.vstack([centers, Z[row]])


def score_ks(
    Z: np.ndarray, ks: range, sil_idx: np.ndarray, make_kmeans: Callable[[int, Any], Any],
    seed: int, sil_dist: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict[int, Any]]:
    """Fit every k on ``Z`` and score it; the table and the fits.

    ``make_kmeans(k, init)`` builds one k-means run. Every k gets a k-means++
    run and a run grown from the best fit with k - 1 clusters (its centres plus
    one row drawn as k-means++ draws); the lower inertia wins. One unlucky
    start would otherwise leave a bump in the score curves, and a bump passes
    for a peak (on CDNOW, a poor k = 6 made k = 7 look like a peak for one
    random_state in five).

    A k above the number of distinct rows finds fewer clusters than k: its
    scores (inertia included) are NaN and no rule picks it. Every other k also
    gets the BIC of a Gaussian mixture started from its fit
    (:func:`~custseg.segments._kmeans_mixture.mixture_bic`), on a random sample
    of at most 5,000 of the rows.
    """
    rng = np.random.RandomState(seed)
    rows, fits = {}, {}
    previous = None
    for k in ks:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # too few distinct rows
            km = make_kmeans(k, "k-means++").fit(Z)
            if previous is not None:
                grown = make_kmeans(k, _grown(Z, previous.cluster_centers_, rng)).fit(Z)
                km = grown if grown.inertia_ < km.inertia_ else km
        fits[k] = previous = km
        if len(np.unique(km.labels_)) < k:
            rows[k] = score_row(Z, np.zeros(len(Z), dtype=np.int64), np.nan, sil_idx, sil_dist)
        else:
            rows[k] = score_row(Z, km.labels_, float(km.inertia_), sil_idx, sil_dist)
    bic_idx = np.arange(len(Z))
    if len(Z) > BIC_ROWS:
        bic_idx = np.sort(rng.choice(len(Z), size=BIC_ROWS, replace=False))
    full = {k: fits[k].labels_[bic_idx] for k in ks if np.isfinite(rows[k]["inertia"])}
    for k, (bic, penalty) in mixture_bic(Z[bic_idx], full).items():
        rows[k].update(bic=bic, bic_penalty=penalty)
    return score_table(rows), fits


def k_bounds(k_range: Any, n_rows: int) -> tuple[int, int]:
    """The smallest and largest k to try, checked against ``n_rows``."""
    try:
        lo, hi = (int(v) for v in k_range)
    except (TypeError, ValueError) as err:
        raise InvalidValueError(
            f"k_range={k_range!r} must be a pair of integers (smallest, largest k)."
        ) from err
    if lo < 2 or hi < lo:
        raise InvalidValueError(
            f"k_range={k_range!r} must satisfy 2 <= smallest <= largest "
            "(the silhouette needs at least 2 segments)."
        )
    hi = min(hi, n_rows - 1)
    if hi < lo:
        raise InvalidValueError(
            f"choosing the number of segments needs at least {lo + 1} customers (rows) to "
            f"score {lo} segments; got {n_rows}. Give the number of segments instead, "
            f"{option('n_clusters', value=min(lo, n_rows))}."
        )
    return lo, hi


def _best(ks: np.ndarray, values: np.ndarray, larger: bool) -> int | None:
    ok = np.isfinite(values)
    if not ok.any():
        return None
    v = np.where(ok, values if larger else -values, -np.inf)
    return int(ks[int(np.argmax(v))])  # argmax: the smallest k on ties


_PEAK_RISE = 0.01  # a peak stands at least 1% above the k before it
_STRONG_SILHOUETTE = 0.7  # Kaufman & Rousseeuw: "a strong structure has been found"


def _peak(ks: np.ndarray, values: np.ndarray) -> int | None:
    """The k of the highest clear peak of ``values``; None when there is none.

    A clear peak is an interior k whose value is at least 1% above that of the
    k before it and not below that of the k after it (consecutive k, finite
    values). The 1% keeps the flat curves of data without planted groups, where
    neighbours differ by a fraction of a percent from one random start to the
    next, from pretending to a structure.
    """
    peaks = [i for i in range(1, len(ks) - 1)
             if np.isfinite(values[i - 1:i + 2]).all() and ks[i + 1] - ks[i - 1] == 2
             and values[i] >= values[i - 1] * (1 + _PEAK_RISE) and values[i] >= values[i + 1]]
    return None if not peaks else int(ks[max(peaks, key=lambda i: (values[i], -i))])


def _structure(
    ks: np.ndarray, sil: np.ndarray, ch: np.ndarray, picks: dict[str, int | None]
) -> tuple[int | None, str]:
    """The default rule: a strong silhouette, else a clear Calinski-Harabasz peak, else the knee."""
    best = picks["silhouette"]
    if best is not None and np.nanmax(sil) >= _STRONG_SILHOUETTE:
        return best, (f"the highest mean silhouette, which shows a strong structure "
                      f"(>= {_STRONG_SILHOUETTE})")
    peak = _peak(ks, ch)
    if peak is not None:
        return peak, ("the highest clear peak of the Calinski-Harabasz index (at least 1% "
                      "above the k before it, not below the k after it)")
    knee_k = picks["elbow"] if picks["elbow"] is not None else picks["calinski_harabasz"]
    return knee_k, ("no strong silhouette and no clear peak of the Calinski-Harabasz index "
                    "(no planted groups): the knee of the inertia curve")


def _mixture_bic(
    ks: np.ndarray, bic: np.ndarray, penalty: np.ndarray
) -> tuple[int | None, str]:
    """The default rule's first step: the k of the lowest BIC, when that minimum is clear.

    Clear: inside the range (not its largest k, where the BIC may still be
    falling) and still the lowest when every parameter is charged twice (BIC
    plus its penalty). Planted groups pass (48 of the 48 tables of
    ``benchmarks/bench_kselect.py``); a continuum such as CDNOW, where each more
    component buys a little more likelihood, does not.
    """
    ok = np.isfinite(bic) & np.isfinite(penalty)
    if ok.sum() < 3:
        return None, ""
    first = int(np.argmin(np.where(ok, bic, np.inf)))
    strict = int(np.argmin(np.where(ok, bic + penalty, np.inf)))
    if first != strict or first == int(np.flatnonzero(ok)[-1]):
        return None, ""
    return int(ks[first]), ("the lowest BIC of a Gaussian mixture (full covariances, started "
                            "from each k's k-means fit), a clear minimum: inside the range and "
                            "still the lowest with the BIC penalty doubled")


def choose_k(table: pd.DataFrame, rule: str, k_range: Any) -> tuple[int, str]:
    """The k that ``rule`` picks from the score table, and the rule in words."""
    ks = table.index.to_numpy()
    sil = table["silhouette"].to_numpy()
    dist = table["elbow_distance"].to_numpy()
    picks = {
        "silhouette": _best(ks, sil, True),
        "calinski_harabasz": _best(ks, table["calinski_harabasz"].to_numpy(), True),
        "davies_bouldin": _best(ks, table["davies_bouldin"].to_numpy(), False),
        "elbow": _best(ks, dist, True),
    }
    if rule == "mixture_bic":
        chosen, text = _mixture_bic(ks, table["bic"].to_numpy(), table["bic_penalty"].to_numpy())
        if chosen is None:
            chosen, text = _structure(ks, sil, table["calinski_harabasz"].to_numpy(), picks)
            text = f"no clear minimum of the BIC of a Gaussian mixture, so {text}"
    elif rule == "structure":
        chosen, text = _structure(ks, sil, table["calinski_harabasz"].to_numpy(), picks)
    elif rule == "vote":
        votes: dict[int, int] = {}
        for k in picks.values():
            if k is not None:
                votes[k] = votes.get(k, 0) + 1
        chosen = None
        if votes:
            top = max(votes.values())
            sil_of = dict(zip(ks, sil, strict=True))
            tied = [k for k, v in votes.items() if v == top]
            chosen = sorted(tied, key=lambda k: (-np.nan_to_num(sil_of[k], nan=-2.0), k))[0]
        detail = ", ".join(f"{name}: {k}" for name, k in picks.items())
        text = f"vote of four criteria ({detail}); ties to the higher silhouette"
    else:
        chosen, text = picks[rule], _WORDS[rule]
    if chosen is None:
        raise InvalidValueError(
            f"no number of segments from {k_range[0]} to {k_range[1]} could be scored: "
            "every K-means fit found fewer distinct groups than segments asked for (the "
            "customers' features have too few distinct values)."
        )
    return chosen, text
