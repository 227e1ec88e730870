"""Churn and future value: labels and time splits, churn predictors, BG/NBD, Gamma-Gamma."""

from ._betageo import BetaGeoModel
from ._betageo_classifier import BetaGeoChurnClassifier
from ._evaluation import (
    calibration_table,
    churn_metrics,
    compare_churn_models,
    gains_table,
    lift_score,
)
from ._gammagamma import GammaGammaModel
from ._labels import RollingOriginSplit, churn_labels
from ._predictor import ChurnPredictor

__all__ = [
    "BetaGeoChurnClassifier",
    "BetaGeoModel",
    "ChurnPredictor",
    "GammaGammaModel",
    "RollingOriginSplit",
    "calibration_table",
    "churn_labels",
    "churn_metrics",
    "compare_churn_models",
    "gains_table",
    "lift_score",
]
