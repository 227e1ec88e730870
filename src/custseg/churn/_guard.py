"""The churn-model guard: is the model better than recency alone, and than BG/NBD?

:func:`churn_model_quality` compares the model's out-of-fold churn
probabilities on the pipeline's internal time split with two baselines on the
same customers: the days since the last purchase (recency alone) and the BG/NBD
probability of no purchase over the horizon. A model that does not beat
recency by at least ``min_auc_gain`` in ROC AUC is weak: its risk figures add
nothing to "how long since they last bought".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ..exceptions import CustsegError
from ._bands import learn_risk_bands
from ._betageo_classifier import BetaGeoChurnClassifier
from ._evaluation import churn_metrics

__all__ = ["MIN_AUC_GAIN", "Guard", "churn_model_quality", "is_weak", "measure_guard"]

#: The AUC the churn model must gain over recency alone.
MIN_AUC_GAIN = 0.01
#: Folds of the out-of-fold probabilities, and the customers of each class they need.
N_FOLDS = 3
MIN_CLASS = 10
#: Customers the BG/NBD baseline is fitted on (a random sample of a larger split; it
#: scores them all). Its four parameters settle long before: on a 100,000-customer
#: split, a 10,000-customer fit gives the same AUC to four decimals in a twentieth of
#: the time (1.5 s of the guard's 3.6 s; benchmarks/bench_report.py).
BG_FIT_CUSTOMERS = 10_000
_BG_COLUMNS = ("frequency_cal", "recency_cal", "T_cal")


def _calibration_error(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error: share-weighted |observed - predicted| over deciles."""
    order = np.argsort(p, kind="stable")
    err = 0.0
    for idx in np.array_split(order, min(n_bins, len(p))):
        if len(idx):
            err += len(idx) * abs(float(y[idx].mean()) - float(p[idx].mean()))
    return err / len(p)


def churn_model_quality(y: Any, scores: dict[str, Any]) -> pd.DataFrame:
    """Metrics of each churn score on the same customers, one row per score.

    Parameters
    ----------
    y : array-like of bool
        Churn labels of the internal split.
    scores : dict of str to array-like
        Scores by name; ``"recency"`` (days since last purchase) is a ranking,
        the others are probabilities.

    Returns
    -------
    pandas.DataFrame
        Indexed by name: ``roc_auc``, ``lift`` (top decile), ``brier`` and
        ``calibration_error`` (NaN for recency, which is no probability), and
        ``n`` and ``churn_rate``.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 0, 1, 1, 1, 0, 1, 0, 1, 1], dtype=bool)
    >>> q = churn_model_quality(y, {"model": np.linspace(0.1, 0.9, 10),
    ...                             "recency": np.arange(10.0)})
    >>> q["roc_auc"].round(2).tolist()
    [0.71, 0.71]
    """
    yy = np.asarray(y, dtype=bool)
    rows = {}
    for name, s in scores.items():
        arr = np.asarray(s, dtype=float)
        prob = name != "recency"
        m = churn_metrics(yy, arr, probability=prob)
        rows[name] = {
            # churn_metrics' own AUC (the same value): computing it again took a quarter
            # of the metrics (0.19 s -> 0.14 s of CPU for three scores of 70,000 customers).
            "roc_auc": m["roc_auc"],
            "lift": m["lift"],
            "brier": m["brier"],
            "calibration_error": _calibration_error(yy, arr) if prob else float("nan"),
            "n": m["n"],
            "churn_rate": m["churn_rate"],
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def is_weak(quality: pd.DataFrame, min_gain: float = MIN_AUC_GAIN) -> bool:
    """Whether the model's AUC is below recency's plus ``min_gain``."""
    model = float(quality.at["model", "roc_auc"])  # type: ignore[arg-type]
    recency = float(quality.at["recency", "roc_auc"])  # type: ignore[arg-type]
    return model < recency + min_gain


@dataclass
class Guard:
    """What the guard measured: quality per score, the verdict, the learnt risk bands."""

    quality: dict[str, dict[str, float]] | None
    weak: bool
    cuts: tuple[float, float]
    bands: dict[str, dict[str, float]]

    def message(self) -> str:
        """The warning's words."""
        assert self.quality is not None
        model, rec = self.quality["model"]["roc_auc"], self.quality["recency"]["roc_auc"]
        return (
            f"the churn model is not better than recency alone on its internal time split "
            f"(ROC AUC {model:.3f} against {rec:.3f} for days since the last purchase; "
            f"at least +{MIN_AUC_GAIN} is needed): its churn probabilities and risk bands add "
            "little to recency. See churn_quality_."
        )


def measure_guard(
    est: Any, X: pd.DataFrame, y: np.ndarray, *, horizon_days: int, kind: str,
    spec: tuple[float, float], random_state: int = 0,
) -> Guard:
    """Out-of-fold quality of a churn model on its split, and risk bands learnt from it.

    ``est`` is the model fitted on ``(X, y)``; a clone of it gives out-of-fold
    probabilities over 3 shuffled stratified folds; the BG/NBD baseline is fitted
    on at most 10,000 of the customers and scores all. With fewer than 10 customers
    of a class nothing is measured (``quality`` None) and the bands come from
    the fitted model's own probabilities.
    """
    yy = np.asarray(y, dtype=bool)
    counts = np.bincount(yy.astype(int), minlength=2)
    if counts.min() < MIN_CLASS:
        proba = np.asarray(est.predict_proba(X))[:, -1]
        cuts, table = learn_risk_bands(proba, yy, kind, spec)
        return Guard(None, False, cuts, _records(table))
    folds = StratifiedKFold(N_FOLDS, shuffle=True, random_state=random_state)
    oof = cross_val_predict(clone(est), X, yy, cv=folds, method="predict_proba")[:, -1]
    scores: dict[str, Any] = {"model": oof}
    if "recency_days" in X.columns:
        recency = X["recency_days"].to_numpy(dtype=float)
        scores["recency"] = np.where(np.isnan(recency), np.nanmax(recency), recency)
    if all(c in X.columns for c in _BG_COLUMNS):
        try:
            bg = BetaGeoChurnClassifier(horizon=float(horizon_days), columns=_BG_COLUMNS)
            scores["bgnbd"] = bg.fit(_sample(X, random_state)).predict_proba(X)[:, 1]
        except (CustsegError, ValueError, FloatingPointError):
            pass
    quality = churn_model_quality(yy, scores)
    weak = "recency" in quality.index and is_weak(quality)
    cuts, table = learn_risk_bands(oof, yy, kind, spec)
    return Guard(_records(quality), weak, cuts, _records(table))


def _sample(X: pd.DataFrame, random_state: int) -> pd.DataFrame:
    """At most :data:`BG_FIT_CUSTOMERS` rows of ``X``, drawn at random, in their order."""
    if len(X) <= BG_FIT_CUSTOMERS:
        return X
    rng = np.random.default_rng(random_state)
    return X.iloc[np.sort(rng.choice(len(X), BG_FIT_CUSTOMERS, replace=False))]


def _records(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {str(k): {str(c): float(v) for c, v in row.items()}
            for k, row in frame.iterrows()}
