"""Data sets: the bundled CDNOW purchase log, synthetic transactions and synthetic leads."""

from ._cdnow import load_cdnow
from ._leads import LEAD_DRIVERS, make_lead_activities, make_leads
from ._synthetic import make_transactions

__all__ = ["LEAD_DRIVERS", "load_cdnow", "make_lead_activities", "make_leads",
           "make_transactions"]
