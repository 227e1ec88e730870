"""Lead and account grading: attribute points, engagement with decay, a learned score, grades.

Examples
--------
>>> import pandas as pd
>>> from custseg.leads import PointsScorer
>>> prospects = pd.DataFrame({"industry": ["ICT", "Retail"], "employees": [900, 12]})
>>> scorer = PointsScorer(["industry in {ICT}: +15", "employees >= 500: +20"]).fit(prospects)
>>> scorer.transform(prospects)["points"].tolist()
[35.0, 0.0]
"""

from ._grades import combine_grades, grade_leads, grade_matrix
from ._points import PointsScorer

__all__ = ["PointsScorer", "combine_grades", "grade_leads", "grade_matrix"]
