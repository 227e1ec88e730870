"""Actions: the decision matrix (value x churn risk x lifecycle stage) and campaign export."""

from ._campaign import campaign_list, write_campaign
from ._matrix import DEFAULT_DECISIONS, LOYAL_ACTIONS, DecisionMatrix, Rule

__all__ = ["DEFAULT_DECISIONS", "LOYAL_ACTIONS", "DecisionMatrix", "Rule", "campaign_list",
           "write_campaign"]
