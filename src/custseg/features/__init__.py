"""Per-customer features from a transaction log: RFM, BTYD summaries, behaviour, splits."""

from typing import TYPE_CHECKING, Any

from ._builders import behavioural_features, btyd_summary, customer_features, rfm
from ._split import CalibrationHoldout, calibration_holdout

if TYPE_CHECKING:
    from ._transformers import BehaviouralFeatures, BTYDFeatures, CustomerFeatures, RFMFeatures

# The scikit-learn transformers load on first use: the functions need no scikit-learn
# (nor scipy), which would add 70 MB to the peak memory of rfm on a 10M-row log
# (benchmarks/bench_scale.py) and most of the import time.
_TRANSFORMERS = ("BTYDFeatures", "BehaviouralFeatures", "CustomerFeatures", "RFMFeatures")


def __getattr__(name: str) -> Any:
    if name in _TRANSFORMERS:
        from . import _transformers

        return getattr(_transformers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
