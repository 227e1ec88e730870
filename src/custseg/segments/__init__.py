"""Segments: RFM scores and named segments, lifecycle stages, K-means, migration, playbook.

Examples
--------
>>> from custseg.datasets import load_cdnow
>>> from custseg.features import rfm
>>> from custseg.segments import RFMScorer
>>> table = rfm(load_cdnow(sample=True), observation_date="1998-06-30")
>>> scores = RFMScorer().fit_transform(table)
>>> scores["segment"].nunique() <= 11
True
"""

from ._kmeans import KMeansSegmenter
from ._lifecycle import STAGES, LifecycleStager
from ._migration import Migration, segment_migration
from ._playbook import DEFAULT_ACTIONS, Action, Playbook
from ._rfm_map import DEFAULT_SEGMENT_MAP
from ._rfm_score import RFMScorer

__all__ = [
    "DEFAULT_ACTIONS",
    "DEFAULT_SEGMENT_MAP",
    "STAGES",
    "Action",
    "KMeansSegmenter",
    "LifecycleStager",
    "Migration",
    "Playbook",
    "RFMScorer",
    "segment_migration",
]
