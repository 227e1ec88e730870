"""Churn-risk bands: relative to the data (shares of customers) or at fixed probabilities.

The bands are learnt from the churn probabilities of the training customers:
by default the top 10% of churn probability is ``"high"``, the next 20%
``"medium"`` and the rest ``"low"``, so on the training customers a band means the
same share of the base whatever the churn base rate. The cut points found are
probabilities, applied unchanged to later tables, where a band may hold a
different share.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidValueError

__all__ = ["RISK_BANDS", "apply_risk_bands", "learn_risk_bands"]

#: The churn-risk bands, lowest risk first.
RISK_BANDS = ("low", "medium", "high")


def _check_pair(value: Any, name: str, example: str) -> tuple[float, float]:
    pair = tuple(value) if isinstance(value, (tuple, list)) else ()
    if len(pair) != 2 or not all(isinstance(v, Real) and not isinstance(v, bool)
                                 for v in pair):
        raise InvalidValueError(f"{name}={value!r} must be two numbers, e.g. {example}.")
    return float(pair[0]), float(pair[1])


def check_band_spec(
    shares: Any, thresholds: Any, budget: Any
) -> tuple[str, tuple[float, float]]:
    """Return ``("relative", (high share, medium share))`` or ``("fixed", (low, high))``.

    ``budget`` (a share of customers) replaces the high share and makes the
    medium band twice as wide, capped so the two bands cover at most all customers.
    """
    if thresholds is not None:
        if budget is not None:
            raise InvalidValueError(
                f"churn_risk_budget={budget!r} sets relative bands; it cannot be combined with "
                f"fixed churn_risk_thresholds={thresholds!r}. Give one of them."
            )
        low, high = _check_pair(thresholds, "churn_risk_thresholds", "(0.5, 0.8)")
        if not 0.0 < low < high < 1.0:
            raise InvalidValueError(
                f"churn_risk_thresholds={thresholds!r} must be two increasing probabilities "
                "strictly between 0 and 1, e.g. (0.5, 0.8)."
            )
        return "fixed", (low, high)
    if budget is not None:
        if not (isinstance(budget, Real) and 0.0 < float(budget) < 1.0):
            raise InvalidValueError(
                f"churn_risk_budget={budget!r} must be a share of customers strictly between "
                "0 and 1, e.g. 0.05 for a campaign reaching 5% of the base."
            )
        b = float(budget)
        return "relative", (b, min(2.0 * b, 1.0 - b))
    top, mid = _check_pair(shares, "churn_risk_shares", "(0.1, 0.2)")
    if not (0.0 < top and 0.0 <= mid and top + mid < 1.0):
        raise InvalidValueError(
            f"churn_risk_shares={shares!r} must be the shares of customers in the high and "
            "medium bands, positive and summing to less than 1, e.g. (0.1, 0.2)."
        )
    return "relative", (top, mid)


def learn_risk_bands(
    proba: np.ndarray, churned: np.ndarray, kind: str, spec: tuple[float, float]
) -> tuple[tuple[float, float], pd.DataFrame]:
    """Cut points ``(low->medium, medium->high)`` and the bands' observed table.

    ``proba`` are churn probabilities of the training customers (out of fold) and
    ``churned`` their labels. For relative bands the cut points are the
    probability quantiles that leave the requested shares above them. The table
    has one row per band (``low``, ``medium``, ``high``): probability range,
    customers, share, observed churn rate, share of all churners captured and
    lift over the base rate.
    """
    p = np.asarray(proba, dtype=float)
    y = np.asarray(churned, dtype=bool)
    if kind == "fixed":
        cuts = spec
    else:
        top, mid = spec
        hi = float(np.quantile(p, 1.0 - top))
        lo = float(np.quantile(p, 1.0 - top - mid))
        cuts = (lo, hi)
    band = apply_risk_bands(p, cuts)
    base = float(y.mean()) if len(y) else float("nan")
    rows = []
    for code, name in enumerate(RISK_BANDS):
        sel = band == code
        n = int(sel.sum())
        rate = float(y[sel].mean()) if n else float("nan")
        rows.append({
            "band": name,
            "from_probability": (0.0, cuts[0], cuts[1])[code],
            "to_probability": (cuts[0], cuts[1], 1.0)[code],
            "customers": n,
            "share": n / len(p) if len(p) else float("nan"),
            "churn_rate": rate,
            "captured": float(y[sel].sum() / y.sum()) if y.sum() else float("nan"),
            "lift": rate / base if n and base > 0 else float("nan"),
        })
    return (float(cuts[0]), float(cuts[1])), pd.DataFrame(rows).set_index("band")


def apply_risk_bands(proba: np.ndarray, cuts: tuple[float, float]) -> np.ndarray:
    """Band codes (0 low, 1 medium, 2 high; -1 for a missing probability).

    A probability at or above a cut point is in the higher band.

    >>> apply_risk_bands(np.array([0.1, 0.5, 0.9, np.nan]), (0.5, 0.8)).tolist()
    [0, 1, 2, -1]
    """
    p = np.asarray(proba, dtype=float)
    band = np.where(p >= cuts[1], 2, np.where(p >= cuts[0], 1, 0))
    band[np.isnan(p)] = -1
    return band.astype(np.int64)
