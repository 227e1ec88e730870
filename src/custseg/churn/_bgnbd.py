"""BG/NBD maths: log-likelihood and gradient, its maximisation, P(alive), expected purchases.

Pure functions of the four parameters ``(r, alpha, a, b)`` and the arrays of
frequency ``x``, recency ``tx`` and age ``T``; :class:`BetaGeoModel` fits and
applies them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize, special

__all__ = ["bgnbd_expected", "bgnbd_fit", "bgnbd_log_alive_odds", "bgnbd_no_purchase"]

_LOG_BOUND = 30.0  # log-parameters are kept in [-30, 30]


def _bgnbd_loglik(
    log_params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray,
) -> tuple[float, np.ndarray]:
    """Weighted BG/NBD log-likelihood and its gradient in the log-parameters.

    Written in log space (``gammaln``, ``betaln``, ``logaddexp``) so it stays finite
    for any frequency and age: no ratio of gamma functions or power is formed.
    """
    r, alpha, a, b = np.exp(log_params)
    rx = r + x
    log_aT = np.log(alpha + T)
    log_atx = np.log(alpha + tx)
    repeat = x > 0
    a1 = special.gammaln(rx) - special.gammaln(r) + r * np.log(alpha)
    bab = special.betaln(a, b)
    a2 = special.betaln(a, b + x) - bab - rx * log_aT
    a3 = np.full_like(x, -np.inf)
    a3[repeat] = (
        special.betaln(a + 1.0, b + x[repeat] - 1.0) - bab - rx[repeat] * log_atx[repeat]
    )
    lse = np.logaddexp(a2, a3)
    ll = a1 + lse
    w2 = np.exp(a2 - lse)
    w3 = np.exp(a3 - lse)

    dg = special.digamma
    dg_ab = dg(a + b)
    dg_abx = dg(a + b + x)
    d_r = dg(rx) - dg(r) + np.log(alpha) - w2 * log_aT - w3 * log_atx
    d_alpha = r / alpha - w2 * rx / (alpha + T) - w3 * rx / (alpha + tx)
    d2_a = dg_ab - dg_abx
    d2_b = dg(b + x) - dg_abx - dg(b) + dg_ab
    d3_a = dg(a + 1.0) - dg_abx - dg(a) + dg_ab
    d3_b = np.zeros_like(x)
    d3_b[repeat] = dg(b + x[repeat] - 1.0) - dg_abx[repeat] - dg(b) + dg_ab
    d_a = w2 * d2_a + w3 * d3_a
    d_b = w2 * d2_b + w3 * d3_b
    total = float(np.dot(w, ll))
    grad = np.array([
        np.dot(w, d_r) * r,
        np.dot(w, d_alpha) * alpha,
        np.dot(w, d_a) * a,
        np.dot(w, d_b) * b,
    ])
    return total, grad


def _loglik_each(log_params: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> Any:
    r, alpha, a, b = np.exp(log_params)
    rx = r + x
    a1 = special.gammaln(rx) - special.gammaln(r) + r * np.log(alpha)
    bab = special.betaln(a, b)
    a2 = special.betaln(a, b + x) - bab - rx * np.log(alpha + T)
    a3 = np.full_like(x, -np.inf)
    rep = x > 0
    a3[rep] = special.betaln(a + 1.0, b + x[rep] - 1.0) - bab - rx[rep] * np.log(alpha + tx[rep])
    return a1 + np.logaddexp(a2, a3)



def bgnbd_fit(
    x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray, penalizer: float,
    max_iter: int, tol: float,
) -> tuple[Any, float]:
    """Maximise the penalised mean log-likelihood over the log-parameters (L-BFGS-B).

    Returns the optimiser's result and the time ``scale`` it ran in: recency and T are
    divided by it (a tenth of the largest T), so ``exp(result.x[1]) * scale`` is alpha.
    """
    scale = float(T.max()) / 10.0 if T.max() > 0 else 1.0
    txs, Ts = tx / scale, T / scale
    n_total = float(w.sum())
    pen = float(penalizer)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, grad = _bgnbd_loglik(theta, x, txs, Ts, w)
        value = -ll / n_total + pen * float(theta @ theta)
        return value, -grad / n_total + 2.0 * pen * theta

    # A start near typical values (r, alpha/scale, a, b all O(1)).
    res = optimize.minimize(
        objective, np.zeros(4), jac=True, method="L-BFGS-B",
        bounds=[(-_LOG_BOUND, _LOG_BOUND)] * 4,
        options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-15},
    )
    return res, scale


def bgnbd_log_alive_odds(
    params: tuple[float, float, float, float], x: np.ndarray, tx: np.ndarray, T: np.ndarray,
) -> np.ndarray:
    """log of P(dead)/P(alive): -inf for one-time buyers."""
    r, alpha, a, b = params
    out = np.full_like(x, -np.inf)
    rep = x > 0
    xr = x[rep]
    out[rep] = (np.log(a) - np.log(b + xr - 1.0)
                + (r + xr) * (np.log(alpha + T[rep]) - np.log(alpha + tx[rep])))
    return out


def bgnbd_expected(
    params: tuple[float, float, float, float], x: np.ndarray, tx: np.ndarray, T: np.ndarray,
    t: float,
) -> np.ndarray:
    """E[purchases in the next ``t`` | x, tx, T] (Fader, Hardie & Lee, 2005, eq. 10)."""
    r, alpha, a, b = params
    if abs(a - 1.0) < 1e-8:  # removable singularity of the closed form
        a = 1.0 + 1e-8
    z = t / (alpha + T + t)
    log1mz = np.log(alpha + T) - np.log(alpha + T + t)
    hyp = special.hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
    inner = -np.expm1((a - 1.0) * log1mz + np.log(hyp))
    first = (a + b + x - 1.0) / (a - 1.0) * inner
    alive = special.expit(-bgnbd_log_alive_odds(params, x, tx, T))
    return np.asarray(np.maximum(first * alive, 0.0))


def bgnbd_no_purchase(
    params: tuple[float, float, float, float], x: np.ndarray, tx: np.ndarray, T: np.ndarray,
    t: float,
) -> np.ndarray:
    """P(no purchase in the next ``t`` | x, tx, T)."""
    r, alpha, _, _ = params
    log_none_if_alive = (r + x) * (np.log(alpha + T) - np.log(alpha + T + t))
    buy_if_alive = -np.expm1(log_none_if_alive)
    alive = special.expit(-bgnbd_log_alive_odds(params, x, tx, T))
    return np.asarray(np.clip(1.0 - alive * buy_if_alive, 0.0, 1.0))
