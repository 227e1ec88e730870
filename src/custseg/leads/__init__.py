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

from ._actions import LEAD_ACTIONS, lead_actions, lead_playbook, write_leads
from ._engagement import engagement_points
from ._grades import combine_grades, grade_leads, grade_matrix
from ._monitor import (
    GradeDrift,
    GradeReport,
    LeadEvaluation,
    grade_drift,
    grade_report,
    lead_evaluation,
)
from ._points import PointsScorer
from ._scorer import LeadScorer

__all__ = [
    "LEAD_ACTIONS",
    "GradeDrift",
    "GradeReport",
    "LeadEvaluation",
    "LeadScorer",
    "PointsScorer",
    "combine_grades",
    "engagement_points",
    "grade_drift",
    "grade_leads",
    "grade_matrix",
    "grade_report",
    "lead_actions",
    "lead_evaluation",
    "lead_playbook",
    "write_leads",
]
