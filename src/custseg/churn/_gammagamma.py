"""Gamma-Gamma spend model and customer lifetime value."""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from scipy import optimize, special
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..exceptions import EmptyDataError, InvalidValueError, ModelAssumptionWarning
from ..features._periods import matrix_width, period_summary
from ._betageo import BetaGeoModel
from ._summary import (
    _check_horizon,
    _compress,
    _SummaryInputMixin,
    _weights,
    check_column_names,
    read_columns,
)

__all__ = ["GammaGammaModel"]

_LOG_BOUND = 30.0


def _gg_loglik(
    log_params: np.ndarray, x: np.ndarray, m: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray]:
    """Weighted Gamma-Gamma log-likelihood of mean spends and its log-parameter gradient."""
    p, q, v = np.exp(log_params)
    px = p * x
    log_xm_v = np.log(x * m + v)
    ll = (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q)
          + q * np.log(v) + (px - 1.0) * np.log(m) + px * np.log(x) - (px + q) * log_xm_v)
    dg_pxq = special.digamma(px + q)
    d_p = x * (dg_pxq - special.digamma(px) + np.log(m) + np.log(x) - log_xm_v)
    d_q = dg_pxq - special.digamma(q) + np.log(v) - log_xm_v
    d_v = q / v - (px + q) / (x * m + v)
    grad = np.array([np.dot(w, d_p) * p, np.dot(w, d_q) * q, np.dot(w, d_v) * v])
    return float(np.dot(w, ll)), grad


class GammaGammaModel(_SummaryInputMixin, BaseEstimator):
    """Gamma-Gamma model of each customer's average spend per purchase.

    Fader, Hardie & Lee's spend model (2005): the value of each purchase of a
    customer is gamma distributed with shape ``p`` around a customer-level mean,
    whose scale is itself gamma distributed (shape ``q``, rate ``v``) across
    customers. Fitted by maximum likelihood on the repeat customers' number of
    repeat purchases and mean repeat spend (``frequency`` and ``monetary_value``
    of :func:`custseg.features.btyd_summary`); customers with no repeat purchase
    are left out of the fit.

    The model assumes that spend per purchase is independent of purchase
    frequency. ``fit`` records the correlation between the two over the repeat
    customers in ``frequency_spend_corr_`` and warns with
    :class:`~custseg.exceptions.ModelAssumptionWarning` when its absolute value
    exceeds ``max_correlation``.

    Parameters
    ----------
    columns : tuple of 2 str, default=("frequency", "monetary_value")
        Names of the repeat-purchase count and mean repeat spend columns when
        ``X`` is a summary dataframe.
    layout : {"summary", "periods"}, default="summary"
        How ``X`` is read:

        - ``"summary"``: one row per customer; a dataframe by the names in
          ``columns``, an array by position: exactly two columns, in this order,
          the frequency (repeat purchases, a whole number >= 0) and the mean
          spend of the repeat purchases; other arrays are refused.
        - ``"periods"``: a customer-by-period matrix (an array, or a dataframe
          whose columns are the periods), one row per customer and one column
          per period of equal length, oldest first; each value is the customer's
          spend in that period, 0 for none. The frequency is the number of
          purchase periods minus one and the mean spend that of the purchase
          periods after the first (as :func:`custseg.features.btyd_summary`).
          Any matrix of finite values >= 0 is valid. Predictions need a matrix
          of as many periods as in ``fit``.
    penalizer : float, default=0.0
        L2 penalty on the log-parameters (per customer).
    max_correlation : float, default=0.3
        Absolute frequency-spend correlation above which ``fit`` warns.
    max_iter : int, default=1000
        Maximum number of L-BFGS iterations.

    Attributes
    ----------
    params_ : dict
        Fitted ``{"p", "q", "v"}``.
    p_, q_, v_ : float
        The same, one attribute each.
    frequency_spend_corr_ : float
        Pearson correlation of frequency and mean spend over the repeat customers.
    population_mean_spend_ : float
        Mean spend per purchase of a customer with no repeat purchase,
        ``p * v / (q - 1)`` (infinite when ``q <= 1``).
    n_customers_ : int
        Repeat customers fitted on.
    log_likelihood_ : float
        Log-likelihood at the optimum.
    n_features_in_ : int
        Columns of the array or period matrix seen in ``fit`` (2, or the number
        of periods); not set when fitted on a summary dataframe.

    See Also
    --------
    BetaGeoModel : The purchase model the lifetime value combines with.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: Using
    Iso-Value Curves for Customer Base Analysis. Journal of Marketing Research
    42(4), 415-430. Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma
    Model of Monetary Value.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import calibration_holdout
    >>> from custseg.churn import GammaGammaModel
    >>> split = calibration_holdout(load_cdnow(sample=True), "1997-09-30", unit="W")
    >>> gg = GammaGammaModel(columns=("frequency_cal", "monetary_value_cal"))
    >>> gg = gg.fit(split.features)
    >>> {k: round(v, 2) for k, v in gg.params_.items()}
    {'p': 6.25, 'q': 3.74, 'v': 15.44}
    >>> round(gg.frequency_spend_corr_, 3)
    0.114
    """

    _parameter_constraints: dict = {
        "columns": [tuple, list],
        "layout": [StrOptions({"summary", "periods"})],
        "penalizer": [Interval(Real, 0, None, closed="left")],
        "max_correlation": [Interval(Real, 0, 1, closed="both")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        columns: tuple[str, ...] = ("frequency", "monetary_value"),
        *,
        layout: str = "summary",
        penalizer: float = 0.0,
        max_correlation: float = 0.3,
        max_iter: int = 1000,
    ) -> None:
        self.columns = columns
        self.layout = layout
        self.penalizer = penalizer
        self.max_correlation = max_correlation
        self.max_iter = max_iter

    def _read(self, X: Any, *, fit: bool = False) -> tuple[np.ndarray, np.ndarray]:
        if self.layout == "periods":
            n_periods = None if fit else self._n_periods()
            s = period_summary(X, type(self).__name__, n_periods)
            return s.frequency, s.monetary_value
        cols = check_column_names(self.columns, 2)
        x, m = read_columns(X, cols)
        bad = (x < 0) | (x != np.round(x))
        if bad.any():
            raise InvalidValueError(
                f"column '{cols[0]}' has {int(bad.sum())} of {len(x)} rows that are not whole "
                "numbers >= 0; expected repeat-purchase counts."
            )
        return x, m

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> GammaGammaModel:
        """Fit ``p``, ``q`` and ``v`` on the repeat customers of ``X``.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 2) or (n_customers, n_periods)
            Repeat-purchase count and mean repeat spend (see ``columns`` and
            ``layout``); rows with no repeat purchase are ignored.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_customers,), optional
            Customer weights.

        Returns
        -------
        self : GammaGammaModel
            The fitted model.
        """
        x, m = self._read(X, fit=True)
        weights = _weights(sample_weight, len(x))
        repeat = x > 0
        if int(repeat.sum()) < 2:
            where = (f"X has {int(repeat.sum())} of {len(x)} sample(s) with a repeat purchase "
                     f"(in {matrix_width(X)} feature(s), the periods)"
                     if self.layout == "periods" else
                     f"column '{self.columns[0]}' has {int(repeat.sum())} repeat customers "
                     "(frequency > 0)")
            raise EmptyDataError(f"{where}; the Gamma-Gamma model needs at least 2.")
        x, m, weights = x[repeat], m[repeat], weights[repeat]
        bad = m <= 0
        if bad.any():
            raise InvalidValueError(
                f"column '{self.columns[1]}' has {int(bad.sum())} of {len(m)} repeat customers "
                "with a mean spend <= 0; the Gamma-Gamma model needs positive spend "
                "(drop these customers or fit on positive spends)."
            )
        corr = _weighted_corr(x, m, weights)
        if np.isfinite(corr) and abs(corr) > self.max_correlation:
            warnings.warn(
                f"frequency and mean spend are correlated (r={corr:.2f}, above "
                f"max_correlation={self.max_correlation}); the Gamma-Gamma model assumes "
                "they are independent, so its spend estimates may be biased.",
                ModelAssumptionWarning, stacklevel=2,
            )
        (x, m), w = _compress(x, m, weights=weights)
        scale = float(np.average(m, weights=w))
        ms = m / scale
        n_total = float(w.sum())
        pen = float(self.penalizer)

        def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
            ll, grad = _gg_loglik(theta, x, ms, w)
            return -ll / n_total + pen * float(theta @ theta), -grad / n_total + 2 * pen * theta

        res = optimize.minimize(
            objective, np.zeros(3), jac=True, method="L-BFGS-B",
            bounds=[(-_LOG_BOUND, _LOG_BOUND)] * 3,
            options={"maxiter": self.max_iter, "gtol": 1e-10, "ftol": 1e-15},
        )
        if not res.success and res.nit >= self.max_iter:
            warnings.warn(
                f"GammaGammaModel did not converge in max_iter={self.max_iter} iterations "
                f"({res.message}).", ConvergenceWarning, stacklevel=2,
            )
        p, q, v_s = np.exp(res.x)
        v = v_s * scale
        self.params_ = {"p": float(p), "q": float(q), "v": float(v)}
        self.p_, self.q_, self.v_ = self.params_["p"], self.params_["q"], self.params_["v"]
        self.frequency_spend_corr_ = float(corr)
        self.population_mean_spend_ = float(p * v / (q - 1.0)) if q > 1 else math.inf
        self.n_customers_ = round(n_total)
        self.log_likelihood_ = float(_gg_loglik(np.log([p, q, v]), x, m, w)[0])
        self.n_iter_ = int(res.nit)
        self._record_width(X)
        return self

    def expected_average_spend(self, X: Any) -> np.ndarray:
        """Expected spend per future purchase of each customer.

        ``(p * v + p * frequency * monetary_value) / (p * frequency + q - 1)``:
        a weighted mean of the population mean and the customer's own mean spend,
        the customer's weight growing with their number of repeat purchases.
        Customers with no repeat purchase get the population mean.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 2) or (n_customers, n_periods)
            Repeat-purchase count and mean repeat spend (see ``columns`` and
            ``layout``).

        Returns
        -------
        ndarray of shape (n_customers,)
            Expected spend per purchase (infinite when ``q <= 1`` for customers
            with no repeat purchase).

        Examples
        --------
        >>> import numpy as np
        >>> from custseg.churn import GammaGammaModel
        >>> rng = np.random.default_rng(0)
        >>> freq = rng.integers(1, 10, 200)
        >>> spend = rng.gamma(4.0, 10.0, 200)
        >>> gg = GammaGammaModel().fit(np.column_stack([freq, spend]))
        >>> gg.expected_average_spend(np.array([[0, 0.0], [5, 40.0]])).shape
        (2,)
        """
        check_is_fitted(self)
        x, m = self._read(X)
        p, q, v = self.p_, self.q_, self.v_
        denom = p * x + q - 1.0
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (p * v + p * x * np.where(x > 0, m, 0.0)) / denom
        return np.asarray(np.where(denom > 0, out, np.inf))

    def customer_lifetime_value(
        self,
        X: Any,
        purchase_model: BetaGeoModel,
        horizon: float,
        *,
        discount_rate: float = 0.0,
        step: float = 1.0,
    ) -> np.ndarray:
        """Expected spend of each customer over the next ``horizon`` (lifetime value).

        The expected number of purchases from ``purchase_model`` times the
        expected spend per purchase. With a ``discount_rate`` the horizon is cut
        into periods of ``step`` time units, and the purchases expected in period
        ``i`` are discounted by ``(1 + discount_rate) ** i``.

        Parameters
        ----------
        X : dataframe or array of shape (n_customers, 4) or (n_customers, n_periods)
            A dataframe holding both models' columns, or an array with columns
            frequency, recency, T and mean repeat spend, in this order; with
            ``layout="periods"`` (for both models) the customer-by-period matrix.
        purchase_model : BetaGeoModel
            A fitted BG/NBD model (same time unit as ``horizon``).
        horizon : float
            Length of the future period, in the time unit of the data.
        discount_rate : float, default=0.0
            Discount rate per period of ``step`` time units (e.g. 0.01 per month).
        step : float, default=1.0
            Length of one discounting period, in the time unit of the data.

        Returns
        -------
        ndarray of shape (n_customers,)
            Expected (discounted) spend over the horizon.

        Examples
        --------
        >>> from custseg.datasets import load_cdnow
        >>> from custseg.features import calibration_holdout
        >>> from custseg.churn import BetaGeoModel, GammaGammaModel
        >>> data = calibration_holdout(load_cdnow(sample=True), "1997-09-30", unit="W").features
        >>> bg = BetaGeoModel(columns=("frequency_cal", "recency_cal", "T_cal")).fit(data)
        >>> gg = GammaGammaModel(columns=("frequency_cal", "monetary_value_cal")).fit(data)
        >>> clv = gg.customer_lifetime_value(data, bg, horizon=52, discount_rate=0.01)
        >>> clv.shape, bool((clv >= 0).all())
        ((2357,), True)
        """
        check_is_fitted(self)
        check_is_fitted(purchase_model)
        t = _check_horizon(horizon)
        if not (isinstance(discount_rate, Real) and 0 <= discount_rate < math.inf):
            raise InvalidValueError(f"discount_rate={discount_rate!r} must be a number >= 0.")
        if not (isinstance(step, Real) and 0 < step < math.inf):
            raise InvalidValueError(f"step={step!r} must be a positive number of time units.")
        if self.layout == "periods" or purchase_model.layout == "periods":
            if self.layout != purchase_model.layout:
                raise InvalidValueError(
                    f"GammaGammaModel has layout='{self.layout}' and the purchase model "
                    f"layout='{purchase_model.layout}'; both must read the same X (set the "
                    "same layout).")
            bg_X = gg_X = X
        elif isinstance(X, np.ndarray) or not hasattr(X, "columns"):
            arr = np.asarray(X, dtype=float)
            if arr.ndim != 2 or arr.shape[1] != 4:
                raise InvalidValueError(
                    f"X has shape {arr.shape}; expected a dataframe with both models' columns "
                    "or an array of 4 columns: frequency, recency, T, mean repeat spend."
                )
            bg_X, gg_X = arr[:, :3], arr[:, [0, 3]]
        else:
            bg_X = gg_X = X
        spend = self.expected_average_spend(gg_X)
        x, tx, T = _summary_for(purchase_model, bg_X)
        if discount_rate == 0:
            return np.asarray(spend * purchase_model._expected(x, tx, T, t))
        n_steps = math.ceil(t / step - 1e-12)
        total = np.zeros_like(spend)
        previous = np.zeros_like(spend)
        for i in range(1, n_steps + 1):
            current = purchase_model._expected(x, tx, T, min(i * step, t))
            total += (current - previous) / (1.0 + discount_rate) ** i
            previous = current
        return np.asarray(spend * total)


def _summary_for(model: BetaGeoModel, X: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return model._read(X)


def _weighted_corr(x: np.ndarray, m: np.ndarray, w: np.ndarray) -> float:
    if len(x) < 2:
        return math.nan
    xm, mm = np.average(x, weights=w), np.average(m, weights=w)
    cov = np.average((x - xm) * (m - mm), weights=w)
    sx = np.sqrt(np.average((x - xm) ** 2, weights=w))
    sm = np.sqrt(np.average((m - mm) ** 2, weights=w))
    if sx == 0 or sm == 0:
        return math.nan
    return float(cov / (sx * sm))
