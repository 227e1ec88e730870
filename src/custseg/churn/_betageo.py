"""BG/NBD ("beta-geometric / negative binomial") purchase model, fitted by maximum likelihood."""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy import optimize, special
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning, DataConversionWarning

from .._frame import is_frame
from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..base import FrameInputMixin
from ..exceptions import ColumnMismatchError, InvalidValueError
from ..features._periods import matrix_width, period_summary
from ._predictor import binary_classes
from ._summary import check_column_names, read_columns

__all__ = ["BetaGeoChurnClassifier", "BetaGeoModel"]

_LOG_BOUND = 30.0  # log-parameters are kept in [-30, 30]


def _check_summary(x: np.ndarray, tx: np.ndarray, T: np.ndarray, cols: tuple[str, ...]) -> None:
    """Check that (frequency, recency, T) is a valid BTYD summary."""
    n = len(x)
    fcol, rcol, tcol = cols
    checks = [
        ((x < 0) | (x != np.round(x)), f"column '{fcol}' has {{k}} of {n} rows that are not "
         "whole numbers >= 0; expected repeat-purchase counts"),
        (tx < 0, f"column '{rcol}' has {{k}} of {n} negative rows; expected the time between "
         "the first and the last purchase (>= 0)"),
        (T < tx - 1e-9 * np.maximum(tx, 1.0), f"column '{tcol}' has {{k}} of {n} rows smaller than "
         f"'{rcol}'; expected the customer's age T >= recency"),
        ((x == 0) & (tx > 1e-9 * np.maximum(T, 1.0)), f"column '{rcol}' has {{k}} of {n} rows "
         f"that are positive while '{fcol}' is 0; a one-time buyer has recency 0"),
    ]
    for bad, msg in checks:
        k = int(np.count_nonzero(bad))
        if k:
            raise InvalidValueError(msg.format(k=k) + ".")


def _summary(
    X: Any, columns: Any, layout: str = "summary", who: str = "BetaGeoModel",
    n_periods: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(frequency, recency, T) of a summary table, a summary array or a period matrix."""
    if layout == "periods":
        s = period_summary(X, who, n_periods)
        return s.frequency, s.recency, s.T
    cols = check_column_names(columns, 3)
    x, tx, T = read_columns(X, cols)
    _check_summary(x, tx, T, cols)
    return x, tx, T


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


def _compress(*columns: np.ndarray, weights: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Merge identical customers into one row with a summed weight (same likelihood)."""
    stacked = np.column_stack(columns)
    uniq, inverse = np.unique(stacked, axis=0, return_inverse=True)
    w = np.bincount(inverse.ravel(), weights=weights, minlength=len(uniq))
    return [uniq[:, j] for j in range(uniq.shape[1])], w


def _check_horizon(horizon: Any) -> float:
    if isinstance(horizon, bool) or not isinstance(horizon, Real) \
            or not math.isfinite(float(horizon)):
        raise InvalidValueError(
            f"horizon={horizon!r} must be a finite number of time units (those of recency and T)."
        )
    if horizon < 0:
        raise InvalidValueError(f"horizon={horizon!r} must be >= 0.")
    return float(horizon)


class _SummaryInputMixin(FrameInputMixin):
    """Estimators whose ``fit`` reads named columns of a per-customer BTYD summary.

    With ``layout="summary"`` a dataframe is read by column name and an array by
    position (the summary columns in order); with ``layout="periods"`` ``X`` is a
    customer-by-period matrix (:mod:`custseg.features._periods`), on which any
    matrix of finite values >= 0 is a valid history: scikit-learn's estimator
    checks run on that reading (``tests/test_common.py``).
    """

    layout: str

    def _n_periods(self) -> int | None:
        """The width of the period matrix seen in fit (``None`` before or for a table)."""
        if self.layout != "periods":
            return None
        return getattr(self, "n_features_in_", None)

    def _record_width(self, X: Any) -> None:
        """At the end of ``fit``: ``n_features_in_`` of a matrix (none for a summary table)."""
        if self.layout == "summary" and is_frame(X):
            self.__dict__.pop("n_features_in_", None)
        else:
            self.n_features_in_ = matrix_width(X)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.positive_only = True  # counts, ages, spends and period values >= 0
        return tags


class BetaGeoModel(_SummaryInputMixin, BaseEstimator):
    """BG/NBD model of repeat purchasing (Fader, Hardie & Lee, 2005).

    While "alive", a customer buys at a Poisson rate ``lambda`` (gamma
    distributed across customers with shape ``r`` and rate ``alpha``); after
    each purchase they "die" (leave for good) with probability ``p`` (beta
    distributed with parameters ``a`` and ``b``). The four parameters are fitted
    by maximum likelihood on each customer's frequency (repeat purchases),
    recency (age at the last purchase) and age ``T``, the columns of
    :func:`custseg.features.btyd_summary` (or the ``*_cal`` columns of
    :func:`custseg.features.calibration_holdout`).

    The log-likelihood is computed in log space (``gammaln``, ``betaln``,
    ``logaddexp``) with an exact gradient, so it stays finite for any frequency
    or age, and identical customers are merged before fitting.

    **P(alive) is not a churn score.** The model can only conclude that a
    customer has died after a repeat purchase (death happens right after a
    purchase), so :meth:`probability_alive` is exactly 1 for every one-time
    buyer, however long ago they bought. Ranking by ``1 - P(alive)`` therefore
    puts the customers most likely gone (single purchase, long ago) *last*: on
    CDNOW its churn AUC is below 0.5. Use :meth:`probability_no_purchase` (the
    probability of no purchase over the next ``horizon``, which combines death
    and a low purchase rate) or :meth:`expected_purchases` instead;
    :class:`BetaGeoChurnClassifier` exposes the former as ``predict_proba``.

    Parameters
    ----------
    columns : tuple of 3 str, default=("frequency", "recency", "T")
        Names of the frequency, recency and age columns when ``X`` is a
        dataframe.
    layout : {"summary", "periods"}, default="summary"
        How ``X`` is read:

        - ``"summary"``: one row per customer; a dataframe by the names in
          ``columns``, an array by position: exactly three columns, in this
          order, the frequency (repeat purchases, a whole number >= 0), the
          recency (age at the last purchase, 0 for a one-time buyer) and the age
          ``T`` (>= recency), in one time unit; other arrays are refused.
        - ``"periods"``: a customer-by-period matrix (an array, or a dataframe
          whose columns are the periods), one row per customer and one column
          per period of equal length, oldest first, the last one holding the
          observation date; a value > 0 is a purchase in that period (a count or
          a spend). Frequency, recency and T are read from it in periods:
          purchase periods minus one, last minus first purchase period, last
          period minus first purchase period. Any matrix of finite values >= 0
          is valid; a row with no purchase is a customer whose clock has not
          started (frequency, recency and T 0: it adds nothing to the likelihood).
          Predictions need a matrix of as many periods as in ``fit``.
    penalizer : float, default=0.0
        L2 penalty on the log-parameters (per customer), to stabilise fits on
        small samples. 0 gives the maximum likelihood estimate.
    max_iter : int, default=1000
        Maximum number of L-BFGS iterations.
    tol : float, default=1e-10
        Convergence tolerance of the optimiser (on the projected gradient of the
        mean log-likelihood).

    Attributes
    ----------
    params_ : dict
        Fitted ``{"r", "alpha", "a", "b"}`` (``alpha`` in the time unit of the data).
    r_, alpha_, a_, b_ : float
        The same, one attribute each.
    log_likelihood_ : float
        Log-likelihood of the training customers at the optimum.
    n_customers_ : int
        Number of customers fitted on (sum of weights when weighted).
    n_iter_ : int
        Iterations the optimiser ran.
    n_features_in_ : int
        Columns of the array or period matrix seen in ``fit`` (3, or the number
        of periods); not set when fitted on a summary dataframe.

    See Also
    --------
    BetaGeoChurnClassifier : The churn probability as a classifier.
    GammaGammaModel : Spend model for customer lifetime value.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting Your
    Customers" the Easy Way: An Alternative to the Pareto/NBD Model. Marketing
    Science 24(2), 275-284.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import calibration_holdout
    >>> from custseg.churn import BetaGeoModel
    >>> split = calibration_holdout(load_cdnow(sample=True), "1997-09-30", unit="W")
    >>> bg = BetaGeoModel(columns=("frequency_cal", "recency_cal", "T_cal"))
    >>> bg = bg.fit(split.features)
    >>> {k: round(v, 3) for k, v in bg.params_.items()}
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}
    >>> bg.probability_no_purchase(split.features, horizon=39).round(3)[:3]
    array([0.445, 0.883, 0.856])

    A customer-by-period matrix (here four weeks, the last holding the
    observation date) reads as frequency, recency and T in periods:

    >>> import numpy as np
    >>> weeks = np.array([[0, 12.5, 0, 8.0], [3.0, 0, 0, 0], [0, 4.0, 4.0, 4.0]])
    >>> summary = np.array([[1, 2, 2], [0, 0, 3], [2, 2, 2.0]])  # frequency, recency, T
    >>> on_weeks = BetaGeoModel(layout="periods").fit(weeks)
    >>> on_weeks.params_ == BetaGeoModel().fit(summary).params_
    True
    """

    _parameter_constraints: dict = {
        "columns": [tuple, list],
        "layout": [StrOptions({"summary", "periods"})],
        "penalizer": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        columns: tuple[str, ...] = ("frequency", "recency", "T"),
        *,
        layout: str = "summary",
        penalizer: float = 0.0,
        max_iter: int = 1000,
        tol: float = 1e-10,
    ) -> None:
        self.columns = columns
        self.layout = layout
        self.penalizer = penalizer
        self.max_iter = max_iter
        self.tol = tol

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> BetaGeoModel:
        """Fit the four parameters by maximum likelihood.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T of each customer (see ``columns`` and
            ``layout``).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_customers,), optional
            Weight of each customer (for example a count of identical customers).

        Returns
        -------
        self : BetaGeoModel
            The fitted model.
        """
        x, tx, T = _summary(X, self.columns, self.layout, type(self).__name__)
        weights = _weights(sample_weight, len(x))
        (x, tx, T), w = _compress(x, tx, T, weights=weights)
        scale = float(T.max()) / 10.0 if T.max() > 0 else 1.0
        txs, Ts = tx / scale, T / scale
        n_total = float(w.sum())
        pen = float(self.penalizer)

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            ll, grad = _bgnbd_loglik(theta, x, txs, Ts, w)
            value = -ll / n_total + pen * float(theta @ theta)
            return value, -grad / n_total + 2.0 * pen * theta

        # A start near typical values (r, alpha/scale, a, b all O(1)).
        res = optimize.minimize(
            objective, np.zeros(4), jac=True, method="L-BFGS-B",
            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * 4,
            options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 1e-15},
        )
        if not res.success and res.nit >= self.max_iter:
            warnings.warn(
                f"BetaGeoModel did not converge in max_iter={self.max_iter} iterations "
                f"({res.message}); increase max_iter or penalizer.",
                ConvergenceWarning, stacklevel=2,
            )
        r, alpha_s, a, b = np.exp(res.x)
        self.params_ = {"r": float(r), "alpha": float(alpha_s * scale),
                        "a": float(a), "b": float(b)}
        self.r_, self.alpha_ = self.params_["r"], self.params_["alpha"]
        self.a_, self.b_ = self.params_["a"], self.params_["b"]
        self.log_likelihood_ = float(
            np.dot(w, _loglik_each(np.log([r, alpha_s * scale, a, b]), x, tx, T))
        )
        self.n_customers_ = round(n_total)
        self.n_iter_ = int(res.nit)
        self._record_width(X)
        return self

    def _read(self, X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(frequency, recency, T) of ``X`` once fitted (a period matrix of the fit's width)."""
        check_is_fitted(self)
        return _summary(X, self.columns, self.layout, type(self).__name__,
                        self._n_periods())

    # ----------------------------------------------------------------- predictions
    def _params(self) -> tuple[float, float, float, float]:
        check_is_fitted(self)
        return self.r_, self.alpha_, self.a_, self.b_

    def _log_alive_odds(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        """log of P(dead)/P(alive): -inf for one-time buyers."""
        r, alpha, a, b = self._params()
        out = np.full_like(x, -np.inf)
        rep = x > 0
        xr = x[rep]
        out[rep] = (np.log(a) - np.log(b + xr - 1.0)
                    + (r + xr) * (np.log(alpha + T[rep]) - np.log(alpha + tx[rep])))
        return out

    def probability_alive(self, X: Any) -> np.ndarray:
        """Probability that each customer is still alive at the end of their observation.

        Not a churn score: it is 1 for every customer with no repeat purchase (see
        the class notes); use :meth:`probability_no_purchase`.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).

        Returns
        -------
        ndarray of shape (n_customers,)
            P(alive) in [0, 1].

        Examples
        --------
        >>> import numpy as np
        >>> from custseg.churn import BetaGeoModel
        >>> bg = BetaGeoModel().fit(np.array([[0, 0, 30], [2, 5, 30], [5, 28, 30.0]]))
        >>> float(bg.probability_alive(np.array([[0, 0, 30.0]]))[0])
        1.0
        """
        x, tx, T = self._read(X)
        return np.asarray(special.expit(-self._log_alive_odds(x, tx, T)))

    def expected_purchases(self, X: Any, horizon: float) -> np.ndarray:
        """Expected number of purchases of each customer in the next ``horizon``.

        The conditional expectation E[Y(horizon) | frequency, recency, T] of Fader,
        Hardie & Lee (2005, eq. 10), with the Gauss hypergeometric function taken
        through Euler's transformation so that it stays finite for large
        frequencies.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).
        horizon : float
            Length of the future period, in the time unit of the data.

        Returns
        -------
        ndarray of shape (n_customers,)
            Expected purchases (>= 0).

        Examples
        --------
        >>> import numpy as np
        >>> from custseg.churn import BetaGeoModel
        >>> summary = np.array([[0, 0, 30], [2, 5, 30], [5, 28, 30], [1, 2, 10.0]])
        >>> bg = BetaGeoModel().fit(summary)
        >>> bool(np.all(np.diff(bg.expected_purchases(summary, [1, 10, 100][1])) != 0))
        True
        """
        x, tx, T = self._read(X)
        t = _check_horizon(horizon)
        return self._expected(x, tx, T, t)

    def _expected(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: float) -> np.ndarray:
        r, alpha, a, b = self._params()
        if abs(a - 1.0) < 1e-8:  # removable singularity of the closed form
            a = 1.0 + 1e-8
        z = t / (alpha + T + t)
        log1mz = np.log(alpha + T) - np.log(alpha + T + t)
        hyp = special.hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        inner = -np.expm1((a - 1.0) * log1mz + np.log(hyp))
        first = (a + b + x - 1.0) / (a - 1.0) * inner
        alive = special.expit(-self._log_alive_odds(x, tx, T))
        return np.asarray(np.maximum(first * alive, 0.0))

    def expected_purchases_new_customer(self, horizon: Any) -> np.ndarray:
        """Expected purchases of a new customer in their first ``horizon`` (E[X(t)]).

        Parameters
        ----------
        horizon : float or array-like
            Time(s) since the first purchase, in the time unit of the data.

        Returns
        -------
        ndarray
            Expected repeat purchases, one per horizon.

        Examples
        --------
        >>> import numpy as np
        >>> from custseg.churn import BetaGeoModel
        >>> bg = BetaGeoModel().fit(np.array([[0, 0, 30], [2, 5, 30], [5, 28, 30.0]]))
        >>> curve = bg.expected_purchases_new_customer([0, 10, 20])
        >>> float(curve[0]), bool(curve[2] > curve[1] > 0)
        (0.0, True)
        """
        check_is_fitted(self)
        t = np.atleast_1d(np.asarray(horizon, dtype=float))
        if not np.all(np.isfinite(t)) or np.any(t < 0):
            raise InvalidValueError(f"horizon={horizon!r} must hold finite numbers >= 0.")
        zeros = np.zeros(1)
        return np.array([self._expected(zeros, zeros, zeros, float(h))[0] for h in t])

    def probability_no_purchase(self, X: Any, horizon: float) -> np.ndarray:
        """Probability that each customer makes no purchase in the next ``horizon``.

        The churn probability to use: ``1 - P(alive) * (1 - ((alpha + T) / (alpha
        + T + horizon)) ** (r + frequency))``. A customer makes no purchase if they
        are already dead, or alive but their (posterior gamma) purchase rate
        produces no purchase in the horizon. Unlike ``1 - P(alive)`` it grows with
        the time since the last purchase for one-time buyers too.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).
        horizon : float
            Length of the future period, in the time unit of the data.

        Returns
        -------
        ndarray of shape (n_customers,)
            Probabilities in [0, 1].

        Examples
        --------
        >>> import numpy as np
        >>> from custseg.churn import BetaGeoModel
        >>> bg = BetaGeoModel().fit(np.array([[0, 0, 30], [2, 5, 30], [5, 28, 30.0]]))
        >>> p = bg.probability_no_purchase(np.array([[0, 0, 5], [0, 0, 50.0]]), horizon=10)
        >>> bool(p[1] > p[0])
        True
        """
        x, tx, T = self._read(X)
        return self._no_purchase(x, tx, T, _check_horizon(horizon))

    def _no_purchase(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray, t: float) -> np.ndarray:
        r, alpha, _, _ = self._params()
        log_none_if_alive = (r + x) * (np.log(alpha + T) - np.log(alpha + T + t))
        buy_if_alive = -np.expm1(log_none_if_alive)
        alive = special.expit(-self._log_alive_odds(x, tx, T))
        return np.asarray(np.clip(1.0 - alive * buy_if_alive, 0.0, 1.0))

    def log_likelihood(self, X: Any) -> np.ndarray:
        """Log-likelihood of each customer's (frequency, recency, T) under the model.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).

        Returns
        -------
        ndarray of shape (n_customers,)
            Log-likelihoods (densities of the purchase times in the data's unit).

        Examples
        --------
        >>> import numpy as np
        >>> from custseg.churn import BetaGeoModel
        >>> summary = np.array([[0, 0, 30], [2, 5, 30], [5, 28, 30.0]])
        >>> bg = BetaGeoModel().fit(summary)
        >>> bool(np.isclose(bg.log_likelihood(summary).sum(), bg.log_likelihood_))
        True
        """
        x, tx, T = self._read(X)
        r, alpha, a, b = self._params()
        return np.asarray(_loglik_each(np.log([r, alpha, a, b]), x, tx, T))

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood per customer (higher is better).

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).
        y : None
            Ignored.

        Returns
        -------
        float
            Mean log-likelihood.

        Examples
        --------
        >>> import numpy as np
        >>> from custseg.churn import BetaGeoModel
        >>> summary = np.array([[0, 0, 30], [2, 5, 30], [5, 28, 30.0]])
        >>> bg = BetaGeoModel().fit(summary)
        >>> bool(bg.score(summary) < 0)
        True
        """
        return float(np.mean(self.log_likelihood(X)))


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


def _weights(sample_weight: Any, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=float).ravel()
    if w.shape != (n,):
        raise InvalidValueError(
            f"sample_weight has {w.shape[0]} values; expected one per customer ({n})."
        )
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise InvalidValueError(
            f"sample_weight has {int(bad.sum())} of {n} values that are negative, NaN or "
            "infinite; expected finite weights >= 0."
        )
    if w.sum() <= 0:
        raise InvalidValueError(
            "sample_weight sums to 0 (every weight is zero); expected a positive total weight.")
    return w


class BetaGeoChurnClassifier(_SummaryInputMixin, ClassifierMixin, BaseEstimator):
    """Churn classifier from a BG/NBD model: P(no purchase in the horizon).

    Wraps :class:`BetaGeoModel` so that its churn probability goes through the
    same evaluation as :class:`ChurnPredictor` (``predict_proba``,
    cross-validation, :func:`compare_churn_models`). The BG/NBD model is
    unsupervised: ``fit`` uses only the frequency, recency and T columns; ``y``
    only fixes the class labels (the positive class, "churned", is the larger
    label, for example ``True`` or 1).

    Parameters
    ----------
    horizon : float, default=None
        Churn horizon in the time unit of the summary: a customer churns if they
        make no purchase within it. Required.
    columns : tuple of 3 str, default=("frequency", "recency", "T")
        Names of the frequency, recency and age columns of ``X``.
    layout : {"summary", "periods"}, default="summary"
        How ``X`` is read: a summary (a dataframe by the names in ``columns``, an
        array of three columns frequency, recency and T), or a customer-by-period
        matrix (see :class:`BetaGeoModel`).
    churn_score : {"no_purchase", "expected_purchases"}, default="no_purchase"
        The churn score: the probability of no purchase in the horizon (a
        probability, for ``predict_proba``), or the expected number of purchases
        in the horizon, mapped to ``exp(-expected)`` (a monotone score, not a
        calibrated probability).
    threshold : float, default=0.5
        ``predict`` flags customers whose churn probability is at least this.
    penalizer : float, default=0.0
        Passed to :class:`BetaGeoModel`.

    Attributes
    ----------
    model_ : BetaGeoModel
        The fitted BG/NBD model.
    classes_ : ndarray of shape (2,)
        Class labels; ``classes_[1]`` is "churned".
    n_features_in_ : int
        Columns of the array or period matrix seen in ``fit`` (not set when
        fitted on a summary dataframe).

    See Also
    --------
    BetaGeoModel : The underlying model and why P(alive) is not a churn score.
    ChurnPredictor : Supervised churn model.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import calibration_holdout
    >>> from custseg.churn import BetaGeoChurnClassifier
    >>> split = calibration_holdout(load_cdnow(sample=True), "1997-09-30", unit="W")
    >>> clf = BetaGeoChurnClassifier(
    ...     horizon=39, columns=("frequency_cal", "recency_cal", "T_cal"))
    >>> clf = clf.fit(split.features, split.features["churned"])
    >>> clf.predict_proba(split.features).shape
    (2357, 2)
    """

    _parameter_constraints: dict = {
        "horizon": [Interval(Real, 0, None, closed="neither"), None],
        "columns": [tuple, list],
        "layout": [StrOptions({"summary", "periods"})],
        "churn_score": [StrOptions({"no_purchase", "expected_purchases"})],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "penalizer": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        horizon: float | None = None,
        *,
        columns: tuple[str, ...] = ("frequency", "recency", "T"),
        layout: str = "summary",
        churn_score: str = "no_purchase",
        threshold: float = 0.5,
        penalizer: float = 0.0,
    ) -> None:
        self.horizon = horizon
        self.columns = columns
        self.layout = layout
        self.churn_score = churn_score
        self.threshold = threshold
        self.penalizer = penalizer

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> BetaGeoChurnClassifier:
        """Fit the BG/NBD model on the summary columns of ``X``.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).
        y : array-like of shape (n_customers,), optional
            Churn labels; only their two values are used (default ``[False, True]``).
        sample_weight : array-like of shape (n_customers,), optional
            Customer weights.

        Returns
        -------
        self : BetaGeoChurnClassifier
            The fitted classifier.
        """
        if self.horizon is None:
            raise InvalidValueError(
                "horizon is required: the churn horizon in the time unit of the summary "
                "(e.g. horizon=39 for 39 weeks)."
            )
        labels = None if y is None else _labels(y)
        classes = np.array([False, True]) if labels is None else binary_classes(labels)
        # X is read under this estimator's name first, so that its errors name it
        n_rows = len(_summary(X, self.columns, self.layout, type(self).__name__)[0])
        model = BetaGeoModel(columns=self.columns, layout=self.layout,
                             penalizer=self.penalizer)
        model = model.fit(X, sample_weight=sample_weight)
        if labels is not None and len(labels) != n_rows:
            raise ColumnMismatchError(f"y has {len(labels)} labels for {n_rows} customers.")
        self.model_ = model
        self.classes_ = classes
        self._record_width(X)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # churned or not
        tags.target_tags.required = False  # y only names the two classes
        tags.classifier_tags.poor_score = True  # unsupervised: y does not change the fit
        return tags


    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class: columns ``[not churned, churned]``.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).

        Returns
        -------
        ndarray of shape (n_customers, 2)
            Class probabilities in the order of ``classes_``.
        """
        check_is_fitted(self)
        assert self.horizon is not None
        x, tx, T = _summary(X, self.columns, self.layout, type(self).__name__,
                            self._n_periods())
        if self.churn_score == "no_purchase":
            churn = self.model_._no_purchase(x, tx, T, float(self.horizon))
        else:
            churn = np.exp(-self.model_._expected(x, tx, T, float(self.horizon)))
        return np.column_stack([1.0 - churn, churn])

    def predict(self, X: Any) -> np.ndarray:
        """Churn label of each customer: churn probability >= ``threshold``.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 3) or (n_customers, n_periods)
            Frequency, recency and T (see ``columns`` and ``layout``).

        Returns
        -------
        ndarray of shape (n_customers,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)[:, 1]
        return np.asarray(self.classes_[(proba >= self.threshold).astype(int)])


def _labels(y: Any) -> np.ndarray:
    """``y`` as a 1-D array; a column vector is taken with scikit-learn's warning."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected: y is read as its "
            "one column (pass an array of shape (n_customers,)).",
            DataConversionWarning, stacklevel=3)
        return arr.ravel()
    if arr.ndim != 1:
        raise InvalidValueError(
            f"y has shape {arr.shape}; expected one churn label per customer (a 1-D array).")
    return arr
