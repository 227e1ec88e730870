"""Data sets: the bundled CDNOW purchase log and a synthetic transaction generator."""

from ._cdnow import load_cdnow
from ._synthetic import make_transactions

__all__ = ["load_cdnow", "make_transactions"]
