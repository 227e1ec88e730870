"""Column names custseg reserves: its outputs and its internal working columns.

An input column that custseg keeps in its outputs (the customer id) must not be
named like a column custseg adds beside it, or one of the two would be lost;
no input column a stage reads may use the internal prefix ``__``. Both are
refused by :func:`custseg.io.check_transactions`, with the name and a fix.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["INTERNAL_PREFIX", "OUTPUT_COLUMNS", "duplicated", "is_output_column"]

INTERNAL_PREFIX = "__"

# Every column a custseg function or estimator writes beside the customer id.
OUTPUT_COLUMNS = frozenset({
    # features (rfm, customer_features, btyd_summary, calibration_holdout)
    "recency_days", "frequency", "monetary_total", "monetary_mean", "first_purchase",
    "last_purchase", "tenure_days", "ipt_mean_days", "ipt_median_days", "ipt_std_days",
    "ipt_cv", "spend_trend", "avg_order_value", "avg_order_quantity", "distinct_products",
    "recency", "T", "monetary_value", "frequency_holdout", "monetary_holdout",
    "duration_holdout",
    # segments, lifecycle, k-means
    "r_score", "f_score", "m_score", "rfm_cell", "rfm_score", "segment", "rfm_segment",
    "stage", "lifecycle_stage", "kmeans_segment", "kmeans_segment_name",
    # tiers
    "value_score", "tier", "grade",
    # churn
    "churned", "churn_probability", "churn_risk", "cutoff",
    # playbook
    "action", "action_priority", "priority",
})
_PATTERNS = (
    re.compile(r"(purchases|spend)_\d+d"),
    re.compile(r".+_(cal|holdout)"),
)


def is_output_column(name: str) -> bool:
    """Return whether custseg may write a column called ``name`` beside the customer id.

    Examples
    --------
    >>> is_output_column("tier"), is_output_column("spend_90d"), is_output_column("client")
    (True, True, False)
    """
    return name in OUTPUT_COLUMNS or any(p.fullmatch(name) for p in _PATTERNS)


def duplicated(names: Iterable[object]) -> list[str]:
    """The names that appear more than once, in order of first appearance.

    Examples
    --------
    >>> duplicated(["id", "amount", "date", "amount"])
    ['amount']
    """
    counts = Counter(str(n) for n in names)
    return [n for n in dict.fromkeys(str(n) for n in names) if counts[n] > 1]
