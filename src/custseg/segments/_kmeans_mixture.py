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

The EM is the one of :class:`sklearn.mixture.GaussianMixture` (full covariances,
the same steps, stopping rule and BIC: the same BIC to about 1e-15, and the same
``benchmarks/bench_kselect.py`` output), written out with NumPy's stacked
``cholesky`` and ``inv``. Kept because scikit-learn inverts each 6 x 6 Cholesky
factor with SciPy's triangular solve, which SciPy's OpenBLAS runs on every core,
about 1,400 times per search; on a busy 2-core machine each call waits for a
free core. Measured on the 17 mixtures of one search (k = 2..10 and the 8 merged
starts, 5,000 x 6 rows, default threads, load average 9 to 12): scikit-learn's
``GaussianMixture`` with the same starts 16.5-20.2 s (13.5-17.0 s with
``max_iter=20``), this EM 1.5-1.8 s, the same BIC for every k. With one thread
both take about 0.85 s of CPU: the saving is the threads' waiting only.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import logsumexp

__all__ = ["BIC_ROWS", "REG_COVAR", "mixture_bic"]

REG_COVAR = 0.03  # variance added to every component, in the scaled space (see below)
BIC_ROWS = 5_000  # the mixtures are fitted on a random sample of at most this many rows
_MAX_ITER, _TOL = 100, 1e-3  # EM stops when the mean log-likelihood gains less than _TOL


class _Mixture(NamedTuple):
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray  # with REG_COVAR on the diagonal
    bic: float


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


def _merged(gm: _Mixture) -> tuple[np.ndarray, ...]:
    """The mixture ``gm`` with its two most alike components merged (Runnalls 2007).

    The pair whose moment-preserving merge loses the least: the smallest
    ``(wi + wj) log det S - wi log det Si - wj log det Sj``, with ``S`` the
    covariance of the merged component.
    """
    w, mu = gm.weights, gm.means
    cov = gm.covariances - REG_COVAR * np.eye(mu.shape[1])  # _fit adds it again
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


def _precision_factors(covariances: np.ndarray) -> np.ndarray:
    """Upper-triangular ``P`` with ``P @ P.T`` the inverse of every covariance."""
    return np.linalg.inv(np.linalg.cholesky(covariances)).transpose(0, 2, 1)


def _log_density(Z: np.ndarray, weights: np.ndarray, means: np.ndarray,
                 factors: np.ndarray) -> np.ndarray:
    """Log of weight x Gaussian density of every row under every component."""
    d = Z.shape[1]
    log_det = np.log(np.diagonal(factors, axis1=1, axis2=2)).sum(axis=1)
    squared = np.empty((len(Z), len(means)))
    for c in range(len(means)):
        y = Z @ factors[c] - means[c] @ factors[c]
        squared[:, c] = (y * y).sum(axis=1)
    return -0.5 * (d * np.log(2 * np.pi) + squared) + log_det + np.log(weights)


def _fit(Z: np.ndarray, start: tuple[np.ndarray, ...]) -> _Mixture:
    """EM of a full-covariance Gaussian mixture from ``start``, as scikit-learn runs it."""
    weights, means, covs = start
    n, d = Z.shape
    covs = covs + REG_COVAR * np.eye(d)
    factors = _precision_factors(covs)
    lower = -np.inf
    for _ in range(_MAX_ITER):
        previous = lower
        weighted = _log_density(Z, weights, means, factors)  # E step
        norm = logsumexp(weighted, axis=1)
        lower = float(norm.mean())
        resp = np.exp(weighted - norm[:, None])
        nk = resp.sum(axis=0) + 10 * np.finfo(resp.dtype).eps  # M step
        means = resp.T @ Z / nk[:, None]
        covs = np.empty((len(nk), d, d))
        for c in range(len(nk)):
            diff = Z - means[c]
            covs[c] = (resp[:, c] * diff.T) @ diff / nk[c]
            covs[c].flat[:: d + 1] += REG_COVAR
        weights = nk / nk.sum()
        factors = _precision_factors(covs)
        if abs(lower - previous) < _TOL:
            break
    score = float(logsumexp(_log_density(Z, weights, means, factors), axis=1).mean())
    return _Mixture(weights, means, covs, -2 * score * n + _penalty(len(weights), d, n))


def _penalty(k: int, d: int, n: int) -> float:
    """Free parameters of a k-component full-covariance mixture x log(n)."""
    return float((k * d + k * d * (d + 1) / 2 + k - 1) * np.log(n))


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
            if merged.bic < fits[k].bic:
                fits[k] = merged
    return {k: (gm.bic, _penalty(k, d, n)) for k, gm in sorted(fits.items())}
