"""Human labels of custseg's column names, with their units, for every plot and the report."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["COLUMN_LABELS", "column_label"]

#: Column name -> the label a business reader sees (axes, legends, table headers), with
#: its unit in brackets. Used by every plot of :mod:`custseg.plotting` and by the report;
#: a column not listed is shown with its underscores as spaces.
COLUMN_LABELS: Mapping[str, str] = {
    # features
    "recency_days": "Days since last purchase",
    "frequency": "Purchases",
    "monetary_total": "Total spend",
    "monetary_mean": "Average order value",
    "tenure_days": "Days since first purchase",
    "first_purchase": "First purchase",
    "last_purchase": "Last purchase",
    "recency": "Recency (days)",
    "T": "Age (days)",
    "monetary_value": "Average spend per repeat purchase",
    # segments, stages, tiers, churn, playbook
    "rfm_segment": "RFM segment",
    "rfm_score": "RFM score",
    "lifecycle_stage": "Lifecycle stage",
    "kmeans_segment": "Cluster",
    "kmeans_segment_name": "Cluster",
    "tier": "Value tier",
    "value_score": "Value score",
    "churn_probability": "Churn probability",
    "churn_risk": "Churn risk",
    "action": "Recommended action",
    "expected_purchases": "Expected purchases",
    "clv": "Customer lifetime value",
    "expected_value": "Expected future value",
    "value_at_stake": "Value at stake",
    "expected_spend": "Expected spend per purchase",
    "p_alive": "Probability still a customer",
    # trends and cohorts
    "period": "Period",
    "revenue": "Revenue",
    "orders": "Orders",
    "active_customers": "Active customers",
    "new_customers": "New customers",
    "retained_customers": "Retained customers",
    "reactivated_customers": "Reactivated customers",
    "lost_customers": "Lost customers",
    "cohort": "Cohort (first purchase)",
    "customers": "Customers",
}
"""Column name -> human label (with its unit) used by every plot and by the report."""


def column_label(column: object, labels: Mapping[str, str] | None = None) -> str:
    """The human label of ``column``: from ``labels``, then :data:`COLUMN_LABELS`.

    Examples
    --------
    >>> from custseg.plotting import column_label
    >>> column_label("recency_days"), column_label("rfm_segment"), column_label("my_col")
    ('Days since last purchase', 'RFM segment', 'My col')
    """
    name = str(column)
    if labels is not None and name in labels:
        return labels[name]
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]
