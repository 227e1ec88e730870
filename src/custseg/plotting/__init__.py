"""Plots of features, segments, tiers and churn (matplotlib, drawn on a given ``ax``).

Every function has the signature ``plot_*(..., ax=None, **kwargs) -> Axes``: it
draws only on ``ax`` (a new figure is made when ``ax`` is None), never touches
global pyplot state, and imports matplotlib only when called.
"""

from ._baskets import plot_rules
from ._btyd import plot_expected_purchases
from ._churn import plot_calibration, plot_gains, plot_lift, plot_roc
from ._clusters import plot_k_selection, plot_silhouette
from ._features import plot_rfm_heatmap
from ._labels import COLUMN_LABELS, column_label
from ._leads import plot_conversion_by_grade, plot_points_waterfall
from ._migration import plot_migration
from ._segments import plot_lifecycle, plot_segment_profile, plot_segment_sizes
from ._tiers import plot_tier_rules
from ._trends import plot_cohort_retention, plot_trends

__all__ = [
    "COLUMN_LABELS",
    "column_label",
    "plot_calibration",
    "plot_cohort_retention",
    "plot_conversion_by_grade",
    "plot_expected_purchases",
    "plot_gains",
    "plot_k_selection",
    "plot_lifecycle",
    "plot_lift",
    "plot_migration",
    "plot_points_waterfall",
    "plot_rfm_heatmap",
    "plot_roc",
    "plot_rules",
    "plot_segment_profile",
    "plot_segment_sizes",
    "plot_silhouette",
    "plot_tier_rules",
    "plot_trends",
]
