"""LeadScorer's additive model: calibration, and each attribute's own term.

The boosting grows one attribute per tree, so the raw score is a constant plus one term per
attribute; calibration is a positive linear map of it (Platt scaling), which keeps both the
ranking of the leads and the exactness of the reasons.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

__all__ = [
    "MIN_CALIBRATION_LEADS",
    "calibration",
    "contributions",
    "partial",
    "reference",
    "seed",
    "sigmoid",
]


#: Fewest leads for Platt scaling: below it (and whenever the out-of-fold scores rank the
#: converted leads no higher than the others) the model's own log-odds are kept.
MIN_CALIBRATION_LEADS = 200


def calibration(raw_oof: np.ndarray, y01: np.ndarray, n_folds: int) -> tuple[float, float, str]:
    """Platt slope, intercept and ``"sigmoid"``, or ``(1, 0, "none")`` when unsafe.

    The calibrated log-odds ``slope * raw + offset`` keep the ranking of the raw scores
    only with a positive slope. On small data the out-of-fold scores mostly carry each
    fold's base rate, which is anti-correlated with the held-out fold's, so Platt's slope
    comes out negative and would invert the ranking: then, and below
    :data:`MIN_CALIBRATION_LEADS` leads or without two folds, no calibration is applied.
    """
    if n_folds >= 2 and y01.size >= MIN_CALIBRATION_LEADS:
        platt = LogisticRegression(C=1e6).fit(raw_oof.reshape(-1, 1), y01)
        slope, offset = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        if slope > 0 and np.isfinite(offset):
            return slope, offset, "sigmoid"
    return 1.0, 0.0, "none"


def seed(random_state: Any) -> Any:
    """An int seed for the folds from ``random_state`` (``None`` stays ``None``)."""
    return random_state if random_state is None or isinstance(random_state, Integral) else (
        np.random.RandomState(random_state).randint(2**31 - 1)
        if not isinstance(random_state, np.random.RandomState)
        else random_state.randint(2**31 - 1))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, safe for large log-odds."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -500, 500))))


def partial(model: Any, column: np.ndarray, j: int, width: int) -> np.ndarray:
    """Raw score of the all-missing lead with attribute ``j`` set to each value of ``column``.

    The model is additive (one attribute per tree), so this is the attribute's own term
    plus a constant. Evaluated once per distinct value.
    """
    values, inverse = np.unique(column, return_inverse=True, equal_nan=True)
    grid = np.full((len(values), width), np.nan)
    grid[:, j] = values
    return np.asarray(model.decision_function(grid))[inverse.ravel()]


def reference(model: Any, M: np.ndarray) -> tuple[float, np.ndarray]:
    """The all-missing lead's raw score and each attribute's mean term over the leads."""
    width = M.shape[1]
    ref = float(model.decision_function(np.full((1, width), np.nan))[0])
    means = np.asarray([(partial(model, M[:, j], j, width) - ref).mean() for j in range(width)])
    return ref, means


def contributions(model: Any, M: np.ndarray, slope: float, ref_raw: float,
                  ref_means: np.ndarray) -> np.ndarray:
    """Each attribute's term of the calibrated log-odds, relative to an average lead."""
    out = np.empty_like(M)
    for j in range(M.shape[1]):
        out[:, j] = slope * (partial(model, M[:, j], j, M.shape[1]) - ref_raw
                             - ref_means[j])
    return out
