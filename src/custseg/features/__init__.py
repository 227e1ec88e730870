"""Per-customer features from a transaction log: RFM, BTYD summaries, behaviour, splits."""

from ._builders import behavioural_features, btyd_summary, customer_features, rfm
from ._split import CalibrationHoldout, calibration_holdout
from ._transformers import BehaviouralFeatures, BTYDFeatures, CustomerFeatures, RFMFeatures

__all__ = [
    "BTYDFeatures",
    "BehaviouralFeatures",
    "CalibrationHoldout",
    "CustomerFeatures",
    "RFMFeatures",
    "behavioural_features",
    "btyd_summary",
    "calibration_holdout",
    "customer_features",
    "rfm",
]
