"""The report's lead-grading section: leads per grade, their action, conversion when known."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from ._tables import has, table_html

LEAD_GRADE, LEAD_OUTCOME = "lead_grade", "converted"


def _best_first(grades: pd.Series) -> list[Any]:
    if isinstance(grades.dtype, pd.CategoricalDtype) and grades.cat.ordered:
        return [g for g in grades.cat.categories[::-1] if (grades == g).any()]
    return sorted(grades.dropna().astype(str).unique())  # "A" ... "D" read from a file


def lead_sections(df: pd.DataFrame) -> list[tuple[str, str, str]]:
    """The "Lead grades" section when the table has a ``lead_grade`` column.

    With a ``converted`` column (what the leads did later), the section adds the
    conversion rate per grade, its chart and the monotonicity check of
    :func:`custseg.leads.grade_report`.
    """
    if not has(df, LEAD_GRADE):
        return []
    from ..leads import grade_report, lead_playbook

    grades = df[LEAD_GRADE]
    order = _best_first(grades)
    book = lead_playbook()
    rows = []
    for g in order:
        n = int((grades.astype(str) == str(g)).sum())
        key = str(g) if str(g) in book.actions else str(g)[:1]
        action = book.actions.get(key)
        rows.append({"grade": str(g), "leads": n, "share": f"{100 * n / len(df):.1f}%",
                     "action": action.action if action else "Review manually"})
    body = ("<p>Prospects and accounts graded by fit and, when known, engagement (A best). "
            "Each grade has its own treatment: an exclusive account manager for A, nurture "
            "for B and C, automated batch campaigns for D.</p>" + table_html(pd.DataFrame(rows)))
    if has(df, LEAD_OUTCOME):
        ordered = pd.Series(pd.Categorical(grades.astype(str), categories=[str(g) for g in
                                           order][::-1], ordered=True), index=df.index)
        report = grade_report(ordered, pd.Series(df[LEAD_OUTCOME].to_numpy(), index=df.index))
        table = report.table[["grade", "n", "converted", "conversion_rate", "lift"]]
        verdict = ("each grade converts more than the next" if report.is_monotonic else
                   "not monotonic: " + ", ".join(f"{a} converts no more than {b}"
                                                 for a, b in report.violations))
        body += (f"<p>Later outcome: {100 * report.overall_rate:.1f}% of the graded leads "
                 f"converted; {html.escape(verdict)}.</p>" + table_html(table)
                 + _conversion_figure(report))
    return [("leads", "Lead grades", body)]


def _conversion_figure(report: Any) -> str:
    from ..plotting import plot_conversion_by_grade
    from ._context import esc, figure_to_base64, new_figure

    fig, ax = new_figure(6.0, 3.5)  # a bare Figure: no pyplot, no global state
    plot_conversion_by_grade(report, ax=ax)
    data = figure_to_base64(fig)
    caption = "Conversion rate by lead grade"
    return (f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")
