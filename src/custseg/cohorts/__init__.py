"""How a customer base moves over time: trends per period and cohort retention.

:func:`trends` gives revenue, orders and active, new, retained, reactivated and
lost customers per week or month; :func:`cohort_retention` the share of each
acquisition cohort still buying n periods later. Both read the validated log
(:class:`custseg.io.Transactions`) like every other stage.
"""

from ._periods import FREQS, MONTHLY_FROM_DAYS
from ._retention import cohort_retention
from ._trends import TREND_COLUMNS, trends

__all__ = ["FREQS", "MONTHLY_FROM_DAYS", "TREND_COLUMNS", "cohort_retention", "trends"]
