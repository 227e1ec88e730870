"""custseg: customer segmentation from raw transaction logs.

Turns a transaction log (customer id, timestamp, amount) into per-customer
features (RFM, BTYD summaries, behaviour), segments, lifecycle stages, A/B/C/D
tiers, churn risk and future value. The subpackages follow the data's path:
``io`` → ``features`` → ``segments`` / ``tiers`` / ``churn`` → ``plotting`` /
``report`` / ``cli``; this module only re-exports their public names.

The names are imported on first use (PEP 562 module ``__getattr__``): ``import
custseg`` and ``custseg --version`` cost almost nothing, and ``custseg.rfm``
loads the feature stage only, not matplotlib, skops, the models or the report.

Examples
--------
>>> import custseg
>>> log = custseg.datasets.load_cdnow(sample=True)
>>> custseg.rfm(log).shape
(2357, 8)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the static view of the names loaded lazily below
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
    from .cohorts import cohort_retention, trends
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
    from .io import LogOptions, Transactions, check_transactions, read_transactions
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

# Public name -> the submodule (relative to this package) that defines it.
_LAZY = {
    "datasets": None,
    "exceptions": None,
    "plotting": None,
    "BetaGeoChurnClassifier": "churn",
    "BetaGeoModel": "churn",
    "ChurnPredictor": "churn",
    "GammaGammaModel": "churn",
    "RollingOriginSplit": "churn",
    "calibration_table": "churn",
    "churn_labels": "churn",
    "churn_metrics": "churn",
    "compare_churn_models": "churn",
    "gains_table": "churn",
    "lift_score": "churn",
    "cohort_retention": "cohorts",
    "trends": "cohorts",
    "BehaviouralFeatures": "features",
    "BTYDFeatures": "features",
    "CalibrationHoldout": "features",
    "CustomerFeatures": "features",
    "RFMFeatures": "features",
    "behavioural_features": "features",
    "btyd_summary": "features",
    "calibration_holdout": "features",
    "customer_features": "features",
    "rfm": "features",
    "LogOptions": "io",
    "Transactions": "io",
    "check_transactions": "io",
    "read_transactions": "io",
    "load": "persistence",
    "load_safe": "persistence",
    "read_metadata": "persistence",
    "save": "persistence",
    "CustomerSegmentation": "pipeline",
    "KMeansSegmenter": "segments",
    "LifecycleStager": "segments",
    "Playbook": "segments",
    "RFMScorer": "segments",
    "segment_migration": "segments",
    "TierClassifier": "tiers",
    "ValueGrader": "tiers",
    "ValueScorer": "tiers",
    "grade": "tiers",
    "tier_migration": "tiers",
    "tier_summary": "tiers",
}

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
    "LogOptions",
    "Playbook",
    "RFMFeatures",
    "RFMScorer",
    "RollingOriginSplit",
    "TierClassifier",
    "Transactions",
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
    "cohort_retention",
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
    "trends",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'custseg' has no attribute {name!r}")
    module = _LAZY[name]
    value = (importlib.import_module(f".{name}", __name__) if module is None
             else getattr(importlib.import_module(f".{module}", __name__), name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
