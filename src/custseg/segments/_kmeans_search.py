"""The k-means fits of :class:`KMeansSegmenter`: the search over k on a sample, then all rows.

With ``n_clusters="auto"`` every candidate k is fitted and scored on a random
sample of at most ``search_sample_size`` rows (:func:`fit_auto`), the chosen k
is refitted there with ``n_init`` starts, and one more run fits all rows from
the sample's centres. A fixed k fits all rows directly (:func:`fit_fixed`) and
is scored on the same kind of sample. The scores and the rules live in
``_kmeans_kselect``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans

from ..exceptions import InvalidValueError
from ._kmeans_kselect import (
    choose_k,
    k_bounds,
    score_ks,
    score_row,
    score_table,
    silhouette_distances,
    silhouette_or_none,
)

__all__ = ["Fit", "KMeansSettings", "fit_auto", "fit_fixed", "sample_rows", "search_words"]


@dataclass(frozen=True)
class KMeansSettings:
    """The parameters of one k-means run, as the segmenter was given them."""

    algorithm: str
    n_init: int
    max_iter: int
    tol: float
    seed: int

    def kmeans(self, k: int, init: Any = "k-means++", n_init: int | None = None) -> Any:
        """An unfitted k-means with ``k`` clusters (``n_init`` defaults to the setting)."""
        n_init = self.n_init if n_init is None else n_init
        if self.algorithm == "minibatch":
            return MiniBatchKMeans(
                n_clusters=k, init=init, n_init=n_init, max_iter=self.max_iter, tol=self.tol,
                batch_size=4096, random_state=self.seed,
            )
        return KMeans(
            n_clusters=k, init=init, n_init=n_init, max_iter=self.max_iter, tol=self.tol,
            algorithm=self.algorithm, random_state=self.seed,
        )


@dataclass(frozen=True)
class Fit:
    """The final k-means run on all rows, how it was chosen, and its silhouettes.

    ``sil_idx`` are the rows of the silhouette sample, ``silhouette`` their
    silhouette under the final labels (NaN when undefined: one segment).
    """

    kmeans: Any
    table: pd.DataFrame
    rule: str
    sil_idx: np.ndarray
    silhouette: np.ndarray


def _fit(km: Any, table: pd.DataFrame, rule: str, Z: np.ndarray, sil_idx: np.ndarray,
         sil_dist: np.ndarray | None) -> Fit:
    values = silhouette_or_none(Z[sil_idx], km.labels_[sil_idx], sil_dist)
    return Fit(km, table, rule, sil_idx,
               np.full(len(sil_idx), np.nan) if values is None else values)


def sample_rows(rng: np.random.RandomState, n: int, size: int | None) -> np.ndarray:
    """Sorted indices of ``size`` distinct rows among ``n`` (all rows when ``size`` is None
    or not smaller).

    Examples
    --------
    >>> import numpy as np
    >>> from custseg.segments._kmeans_search import sample_rows
    >>> sample_rows(np.random.RandomState(0), 5, None).tolist()
    [0, 1, 2, 3, 4]
    >>> len(sample_rows(np.random.RandomState(0), 1000, 10))
    10
    """
    if size is None or n <= size:
        return np.arange(n)
    return np.sort(rng.choice(n, size=size, replace=False))


def search_words(n_search: int, n: int, n_sil: int, n_init: int) -> str:
    """How the search was run, in words (the end of ``k_selection_rule_``)."""
    fitted = "fitted (a k-means++ start and one grown from k - 1) and scored on"
    if n_search < n:
        where = (f"{fitted} a random sample of {n_search:,} of {n:,} rows; the chosen k "
                 f"refitted with n_init={n_init} on the sample, then on all rows from the "
                 "sample's centres")
    else:
        where = f"{fitted} all {n:,} rows; the chosen k refitted with n_init={n_init}"
    return f"every k {where}; silhouette on {n_sil:,} rows"


def fit_auto(
    Z: np.ndarray, settings: KMeansSettings, k_range: Any, k_selection: str,
    score_idx: np.ndarray, sil_sub: np.ndarray,
) -> Fit:
    """Score every k of ``k_range`` on the rows ``score_idx``, pick one, fit all rows with it.

    ``sil_sub`` are the positions of the silhouette rows within ``score_idx``.
    """
    n = len(Z)
    Zs = Z[score_idx]
    sil_dist = silhouette_distances(Zs[sil_sub])
    k_lo, k_hi = k_bounds(k_range, n)
    table, fits = score_ks(
        Zs, range(k_lo, k_hi + 1), sil_sub,
        lambda k, init: settings.kmeans(k, init=init, n_init=1), settings.seed, sil_dist,
    )
    k, text = choose_k(table, k_selection, k_range)
    best = fits[k]
    if settings.n_init > 1:  # all the starts for the chosen k; the search fit stays in
        refit = settings.kmeans(k).fit(Zs)
        best = refit if refit.inertia_ < best.inertia_ else best
    km = best
    if len(score_idx) < n:  # the sample's centres start the fit on all rows
        km = settings.kmeans(k, init=best.cluster_centers_, n_init=1).fit(Z)
    rule = f"k={k} of k={k_lo}..{k_hi}: {text}; " + search_words(
        len(score_idx), n, len(sil_sub), settings.n_init)
    return _fit(km, table, rule, Z, score_idx[sil_sub], sil_dist)


def fit_fixed(
    Z: np.ndarray, settings: KMeansSettings, k: int, score_idx: np.ndarray, sil_sub: np.ndarray,
) -> Fit:
    """Fit ``k`` clusters on all rows; its one row of scores on the rows ``score_idx``."""
    if k > len(Z):
        raise InvalidValueError(f"n_clusters={k} must be <= n_samples={len(Z)}.")
    km = settings.kmeans(k).fit(Z)
    sil_idx = score_idx[sil_sub]
    sil_dist = silhouette_distances(Z[sil_idx])
    row = score_row(Z[score_idx], km.labels_[score_idx], float(km.inertia_), sil_sub,
                    sil_dist)
    return _fit(km, score_table({k: row}), f"fixed n_clusters={k}", Z, sil_idx, sil_dist)
