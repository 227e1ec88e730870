"""Expected future value per customer: BG/NBD purchases x Gamma-Gamma spend.

:func:`fit_value_models` fits both models on the BTYD summary of a log (in days);
:func:`future_value` applies them to a summary as of any date. Customers the
models cannot score are handled as follows (documented on the definitions page):

- a customer whose only rows are refunds has no purchase, so no BTYD summary:
  all four columns are missing (NaN), and so is the value at stake;
- a one-time buyer (no repeat purchase) is scored by BG/NBD as usual and gets the
  population mean spend per purchase of the Gamma-Gamma model;
- a repeat customer whose mean repeat spend is not positive (net refunds) is left
  out of the Gamma-Gamma fit and, like a one-time buyer, gets the population mean;
- when the Gamma-Gamma model cannot be fitted (fewer than two repeat customers
  with positive spend) or its population mean is infinite (``q <= 1``), every
  customer gets the mean spend per repeat purchase of the log instead;
- where BG/NBD's parameters are degenerate (a log of a few customers) and its
  expectation is not finite, the customer's own rate, ``(frequency + 1) / T``,
  times the horizon, is used.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import CustsegError, EmptyDataError
from ._betageo import BetaGeoModel
from ._gammagamma import GammaGammaModel

__all__ = ["VALUE_COLUMNS", "ValueModels", "fit_value_models", "future_value"]

#: The per-customer columns of :func:`future_value`.
VALUE_COLUMNS = ("p_alive", "expected_purchases", "expected_spend", "expected_value")
_SUMMARY = ("frequency", "recency", "T")
# Length, in days, of one discounting period.
_STEP_DAYS = 30.0


@dataclass
class ValueModels:
    """The fitted purchase and spend models, and what was done about their limits."""

    purchases: BetaGeoModel
    spend: GammaGammaModel | None
    fallback_spend: float
    notes: list[str] = field(default_factory=list)


def _quiet_fit(model: Any, X: Any, notes: list[str]) -> Any:
    """Fit and keep custseg's model warnings (assumption, convergence) as notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X)
    for w in caught:
        notes.append(f"{type(model).__name__}: {w.message}")
    return model


def fit_value_models(summary: pd.DataFrame) -> ValueModels:
    """Fit BG/NBD and Gamma-Gamma on a BTYD summary in days.

    Parameters
    ----------
    summary : pandas.DataFrame
        Columns ``frequency``, ``recency``, ``T`` (days) and ``monetary_value``.

    Returns
    -------
    ValueModels
        The fitted models.
    """
    if not len(summary):
        raise EmptyDataError("no customer has a purchase (only refunds, or none), so the "
                             "future-value models have no one to learn from.")
    notes: list[str] = []
    bg = _quiet_fit(BetaGeoModel(columns=_SUMMARY), summary[list(_SUMMARY)], notes)
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    fallback = float(repeat["monetary_value"].mean()) if len(repeat) else 0.0
    gg: GammaGammaModel | None = None
    try:
        gg = _quiet_fit(GammaGammaModel(), repeat[["frequency", "monetary_value"]], notes)
    except (CustsegError, ValueError) as err:
        notes.append(f"Gamma-Gamma not fitted ({err}); every customer gets the mean spend "
                     f"per repeat purchase, {fallback:.2f}.")
    if gg is not None and not np.isfinite(gg.population_mean_spend_):
        notes.append("Gamma-Gamma population mean spend is infinite (q <= 1); customers "
                     f"without repeat spend get the mean spend per repeat purchase, "
                     f"{fallback:.2f}.")
    return ValueModels(bg, gg, fallback, notes)


def _spend(models: ValueModels, summary: pd.DataFrame) -> np.ndarray:
    x = summary["frequency"].to_numpy(dtype=float)
    m = summary["monetary_value"].to_numpy(dtype=float)
    if models.spend is None:
        return np.full(len(x), models.fallback_spend)
    usable = (x > 0) & (m > 0)
    spend = models.spend.expected_average_spend(
        np.column_stack([np.where(usable, x, 0.0), np.where(usable, m, 0.0)])
    )
    return np.asarray(np.where(np.isfinite(spend), spend, models.fallback_spend))


def future_value(
    models: ValueModels, summary: pd.DataFrame, horizon_days: float, discount_rate: float = 0.0
) -> pd.DataFrame:
    """P(alive), expected purchases, spend and value over the next ``horizon_days``.

    Parameters
    ----------
    models : ValueModels
        From :func:`fit_value_models`.
    summary : pandas.DataFrame
        BTYD summary in days, one row per customer.
    horizon_days : float
        Length of the future period.
    discount_rate : float, default=0.0
        Yearly discount rate; purchases expected in each 30-day period ``i`` are
        divided by ``(1 + discount_rate) ** (30 i / 365)``.

    Returns
    -------
    pandas.DataFrame
        The :data:`VALUE_COLUMNS`, row for row with ``summary``.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import btyd_summary
    >>> s = btyd_summary(load_cdnow(sample=True), observation_date="1997-09-30", future="drop")
    >>> v = future_value(fit_value_models(s), s, horizon_days=365)
    >>> list(v.columns), bool((v["expected_value"] >= 0).all())
    (['p_alive', 'expected_purchases', 'expected_spend', 'expected_value'], True)
    """
    with np.errstate(all="ignore"):  # degenerate parameters are caught below
        return _future_value(models, summary, horizon_days, discount_rate)


def _future_value(
    models: ValueModels, summary: pd.DataFrame, horizon_days: float, discount_rate: float
) -> pd.DataFrame:
    bg = models.purchases
    x = summary["frequency"].to_numpy(dtype=float)
    tx = summary["recency"].to_numpy(dtype=float)
    T = summary["T"].to_numpy(dtype=float)
    alive = bg.probability_alive(np.column_stack([x, tx, T])) if len(x) else np.zeros(0)
    t = float(horizon_days)
    if discount_rate == 0 or not len(x):
        purchases = bg._expected(x, tx, T, t) if len(x) else np.zeros(0)
        discounted = purchases
    else:
        purchases = bg._expected(x, tx, T, t)
        discounted = np.zeros(len(x))
        previous = np.zeros(len(x))
        i = 0
        while i * _STEP_DAYS < t - 1e-9:
            i += 1
            current = bg._expected(x, tx, T, min(i * _STEP_DAYS, t))
            discounted += (current - previous) / (1.0 + discount_rate) ** (
                i * _STEP_DAYS / 365.0)
            previous = current
    bad = ~(np.isfinite(purchases) & np.isfinite(discounted))
    if bad.any():  # degenerate BG/NBD parameters (a tiny log): the customer's own rate
        naive = np.where(T > 0, (x + 1.0) / T * t, 0.0)
        purchases = np.where(bad, naive, purchases)
        discounted = np.where(bad, naive, discounted)
    spend = _spend(models, summary)
    return pd.DataFrame({
        "p_alive": np.asarray(alive, dtype=float),
        "expected_purchases": np.asarray(purchases, dtype=float),
        "expected_spend": spend,
        "expected_value": np.asarray(discounted, dtype=float) * spend,
    }, index=summary.index)
