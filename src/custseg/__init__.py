"""custseg: customer segmentation from raw transaction logs.

Turns a transaction log (customer id, timestamp, amount) into per-customer
features (RFM, BTYD summaries, behaviour), segments, tiers, churn risk and value.

Examples
--------
>>> import custseg
>>> log = custseg.datasets.load_cdnow(sample=True)
>>> custseg.rfm(log).shape
(2357, 8)
"""

from . import datasets, exceptions
from .features import (
    BehaviouralFeatures,
    BTYDFeatures,
    CalibrationHoldout,
    CustomerFeatures,
    RFMFeatures,
    behavioural_features,
    btyd_summary,
    calibration_holdout,
    customer_features,
    rfm,
)
from .io import check_transactions, read_transactions

__version__ = "0.1.0"

__all__ = [
    "BTYDFeatures",
    "BehaviouralFeatures",
    "CalibrationHoldout",
    "CustomerFeatures",
    "RFMFeatures",
    "__version__",
    "behavioural_features",
    "btyd_summary",
    "calibration_holdout",
    "check_transactions",
    "customer_features",
    "datasets",
    "exceptions",
    "read_transactions",
    "rfm",
]
