"""custseg: customer segmentation from raw transaction logs.

Turns a transaction log (customer id, timestamp, amount) into per-customer
features (RFM, BTYD summaries, behaviour), segments, lifecycle stages, A/B/C/D
tiers, churn risk and future value. The subpackages follow the data's path:
``io`` → ``features`` → ``segments`` / ``tiers`` / ``churn`` → ``plotting`` /
``report`` / ``cli``; this module only re-exports their public names.

Examples
--------
>>> import custseg
>>> log = custseg.datasets.load_cdnow(sample=True)
>>> custseg.rfm(log).shape
(2357, 8)
"""

from . import datasets, exceptions, plotting
from .churn import (
    BetaGeoChurnClassifier,
    BetaGeoModel,
    ChurnPredictor,
    GammaGammaModel,
    RollingOriginSplit,
    calibration_table,
    churn_labels,
    churn_metrics,
    compare_churn_models,
    gains_table,
    lift_score,
)
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
from .persistence import load, load_safe, read_metadata, save
from .pipeline import CustomerSegmentation
from .segments import (
    KMeansSegmenter,
    LifecycleStager,
    Playbook,
    RFMScorer,
    segment_migration,
)
from .tiers import TierClassifier, ValueGrader, ValueScorer, grade, tier_migration, tier_summary

__version__ = "0.1.0"

__all__ = [
    "BTYDFeatures",
    "BehaviouralFeatures",
    "BetaGeoChurnClassifier",
    "BetaGeoModel",
    "CalibrationHoldout",
    "ChurnPredictor",
    "CustomerFeatures",
    "CustomerSegmentation",
    "GammaGammaModel",
    "KMeansSegmenter",
    "LifecycleStager",
    "Playbook",
    "RFMFeatures",
    "RFMScorer",
    "RollingOriginSplit",
    "TierClassifier",
    "ValueGrader",
    "ValueScorer",
    "__version__",
    "behavioural_features",
    "btyd_summary",
    "calibration_holdout",
    "calibration_table",
    "check_transactions",
    "churn_labels",
    "churn_metrics",
    "compare_churn_models",
    "customer_features",
    "datasets",
    "exceptions",
    "gains_table",
    "grade",
    "lift_score",
    "load",
    "load_safe",
    "plotting",
    "read_metadata",
    "read_transactions",
    "rfm",
    "save",
    "segment_migration",
    "tier_migration",
    "tier_summary",
]
