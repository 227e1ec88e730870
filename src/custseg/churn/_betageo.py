"""BG/NBD ("beta-geometric / negative binomial") purchase model, fitted by maximum likelihood."""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy import special
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..exceptions import InvalidValueError
from ._bgnbd import (
    _loglik_each,
    bgnbd_expected,
    bgnbd_fit,
    bgnbd_log_alive_odds,
    bgnbd_no_purchase,
)
from ._summary import _check_horizon, _compress, _summary, _SummaryInputMixin, _weights

__all__ = ["BetaGeoModel"]

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
        res, scale = bgnbd_fit(x, tx, T, w, self.penalizer, self.max_iter, self.tol)
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
        self.n_customers_ = round(float(w.sum()))
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
        return bgnbd_log_alive_odds(self._params(), x, tx, T)

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
        return bgnbd_expected(self._params(), x, tx, T, t)

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
        return bgnbd_no_purchase(self._params(), x, tx, T, t)

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


def __getattr__(name: str) -> Any:
    # Models saved by custseg 0.1 name custseg.churn._betageo.BetaGeoChurnClassifier:
    # the class now lives in _betageo_classifier (which imports this module).
    if name == "BetaGeoChurnClassifier":
        from ._betageo_classifier import BetaGeoChurnClassifier

        return BetaGeoChurnClassifier
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
