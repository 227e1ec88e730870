"""Data sets: the bundled CDNOW purchase log, synthetic transactions, baskets and leads."""

from ._baskets import make_baskets
from ._cdnow import load_cdnow
from ._leads import LEAD_DRIVERS, make_lead_activities, make_leads
from ._synthetic import make_transactions

__all__ = ["LEAD_DRIVERS", "load_cdnow", "make_baskets", "make_lead_activities", "make_leads",
           "make_transactions"]
