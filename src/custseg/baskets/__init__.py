"""Baskets: what customers buy together, per segment, and what to offer each one next.

A basket is one order (with an order id column) or one customer and calendar day,
the purchase occasion of :func:`custseg.features.rfm`; items are the values of a
``product_col`` (product, category, sub-category or any item id).
"""

from ._association import AssociationRules
from ._baskets import basket_table, item_counts, item_history
from ._evaluation import compare_recommenders, recommendation_metrics
from ._recommender import ProductRecommender
from ._words import describe_rules, join_items, rule_sentence

__all__ = ["AssociationRules", "ProductRecommender", "basket_table", "compare_recommenders",
           "describe_rules", "item_counts", "item_history", "join_items",
           "recommendation_metrics", "rule_sentence"]
