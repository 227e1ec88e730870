"""Customer tiers: transparent value scores, A/B/C/D grades and readable tier rules.

Examples
--------
>>> from custseg.datasets import load_cdnow
>>> from custseg.features import rfm
>>> from custseg.tiers import TierClassifier, ValueGrader
>>> feats = rfm(load_cdnow(sample=True), observation_date="1998-06-30")
>>> grades = ValueGrader().fit_predict(feats)
>>> X = feats[["recency_days", "frequency", "monetary_total"]]
>>> clf = TierClassifier(max_depth=3, random_state=0).fit(X, grades.to_numpy())
>>> clf.classes_.tolist()
['A', 'B', 'C', 'D']
>>> print(clf.export_rules("sql"))  # doctest: +ELLIPSIS
CASE
  WHEN ... THEN 'A'
...
END
"""

from ._classifier import TierClassifier
from ._cuts import grade
from ._grader import ValueGrader
from ._summary import tier_migration, tier_summary
from ._value_scorer import ValueScorer

__all__ = [
    "TierClassifier",
    "ValueGrader",
    "ValueScorer",
    "grade",
    "tier_migration",
    "tier_summary",
]
