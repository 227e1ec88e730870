"""The BIC of a Gaussian mixture started from every k-means fit: the evidence of the default k rule.

K-means looks for round groups of one size; customer groups are elongated (spend
grows with the number of purchases, tenure with recency), so the k-means scores
(silhouette, Calinski-Harabasz) split or merge them. A Gaussian mixture with a
full covariance per component fits such groups, and its Bayesian information
criterion (BIC: minus twice the log-likelihood plus the number of parameters
times the log of the number of rows) says how many of them the data support.
Each mixture starts from the k-means fit of the same k (its sizes, centres and
per-segment covariances), so the two agree on what "segment" means; and, from
the largest k down, also from the mixture of k + 1 with its two most alike
components merged, since one poor k-means start (two groups merged, one split)
would otherwise make the next k look like the answer. The better BIC is kept.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

__all__ = ["BIC_ROWS", "REG_COVAR", "mixture_bic"]

REG_COVAR = 0.03  # variance added to every component, in the scaled space (see below)
BIC_ROWS = 5_000  # the mixtures are fitted on a random sample of at most this many rows


def _start(Z: np.ndarray, labels: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """Weights, means and covariances of the mixture that the k-means labels describe."""
    d = Z.shape[1]
    weights = np.bincount(labels, minlength=k) / len(Z)
    means = np.zeros((k, d))
    covs = np.zeros((k, d, d))
    for c in range(k):
        rows = Z[labels == c]
        means[c] = rows.mean(axis=0)
        covs[c] = np.cov(rows.T).reshape(d, d) if len(rows) > 1 else np.zeros((d, d))
    return weights, means, covs


def _merged(gm: Any) -> tuple[np.ndarray, ...]:
    """The mixture ``gm`` with its two most alike components merged (Runnalls 2007).

    The pair whose moment-preserving merge loses the least: the smallest
    ``(wi + wj) log det S - wi log det Si - wj log det Sj``, with ``S`` the
    covariance of the merged component.
    """
    w, mu = gm.weights_, gm.means_
    cov = gm.covariances_ - REG_COVAR * np.eye(mu.shape[1])  # _fit adds it again
    logdet = np.linalg.slogdet(cov)[1]
    best: tuple[float, int, int, np.ndarray, np.ndarray] | None = None
    for i in range(len(w)):
        for j in range(i + 1, len(w)):
            wij = w[i] + w[j]
            m = (w[i] * mu[i] + w[j] * mu[j]) / wij
            di, dj = mu[i] - m, mu[j] - m
            S = (w[i] * (cov[i] + np.outer(di, di)) + w[j] * (cov[j] + np.outer(dj, dj))) / wij
            with np.errstate(invalid="ignore"):  # a singular component (tiny data): inf - inf
                cost = wij * np.linalg.slogdet(S)[1] - w[i] * logdet[i] - w[j] * logdet[j]
            if not np.isfinite(cost):
                cost = np.inf
            if best is None or cost < best[0]:
                best = (cost, i, j, m, S)
    assert best is not None
    _, i, j, m, S = best
    keep = [c for c in range(len(w)) if c not in (i, j)]
    return (np.r_[w[keep], w[i] + w[j]], np.vstack([mu[keep], m]),
            np.concatenate([cov[keep], S[None]]))


def _fit(Z: np.ndarray, start: tuple[np.ndarray, ...]) -> Any:
    weights, means, covs = start
    eye = np.eye(Z.shape[1])
    gm = GaussianMixture(
        len(weights), covariance_type="full", reg_covar=REG_COVAR, weights_init=weights,
        means_init=means, precisions_init=np.stack([np.linalg.inv(c + REG_COVAR * eye)
                                                    for c in covs]), max_iter=100,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return gm.fit(Z)


def mixture_bic(Z: np.ndarray, labels: dict[int, np.ndarray]) -> dict[int, tuple[float, float]]:
    """BIC of a full-covariance Gaussian mixture for every k, started from its k-means labels.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        The preprocessed (log, scaled) rows.
    labels : dict of int to ndarray
        The k-means labels of ``Z`` for every k (every label 0..k-1 present).

    Returns
    -------
    dict of int to (float, float)
        For every k: the BIC, and its penalty (number of free parameters times
        ``log(n_samples)``), so that a rule can weigh the penalty again. A k
        whose labels leave a segment empty in ``Z`` is left out.

    Notes
    -----
    ``reg_covar=0.03`` (in units of the scaled features' variance) keeps a
    component from shrinking onto the spike of a discrete value, such as the
    many customers with exactly one purchase: with scikit-learn's 1e-6 the BIC
    of CDNOW keeps falling up to k = 10, one component per purchase count.

    Examples
    --------
    >>> import numpy as np
    >>> from custseg.segments._kmeans_mixture import mixture_bic
    >>> rng = np.random.RandomState(0)
    >>> Z = np.vstack([rng.normal(-3, 1, (200, 2)), rng.normal(3, 1, (200, 2))])
    >>> labels = {2: (Z[:, 0] > 0).astype(int), 3: np.digitize(Z[:, 0], [-3, 0])}
    >>> bic = mixture_bic(Z, labels)
    >>> bic[2][0] < bic[3][0]
    True
    """
    n, d = Z.shape
    fits = {k: _fit(Z, _start(Z, lab, k)) for k, lab in labels.items()
            if np.bincount(lab, minlength=k).min() >= 1}
    for k in sorted(fits, reverse=True):  # a poor k-means start: try the k + 1 mixture merged
        if k + 1 in fits:
            merged = _fit(Z, _merged(fits[k + 1]))
            if merged.bic(Z) < fits[k].bic(Z):
                fits[k] = merged
    return {k: (float(gm.bic(Z)), float((k * d + k * d * (d + 1) / 2 + k - 1) * np.log(n)))
            for k, gm in sorted(fits.items())}
