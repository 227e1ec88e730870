"""The report's sections, declared once, in page order.

A section is an anchor, a heading and a function ``build(ctx) -> str | None`` that
returns the section's HTML body from a :class:`~custseg.report._context.ReportContext`
(the per-customer table, the model, the validated log, the table one period earlier),
or None when the table lacks what it needs (the section is then left out, also from
the navigation).

To add a section, write its module (``report/_name.py``) with its ``build`` function
and add one line to :data:`SECTIONS` where it belongs in the page, e.g.::

    from ._name import name_section
    ...
    Section("name", "Heading", name_section),

``ctx.figure(name, draw, caption)`` draws and embeds a figure; ``table_html`` (in
``_tables.py``) writes a table that scrolls on a phone (``sortable=True`` sorts it by
a click on a heading). Sections run in order; nothing else needs to change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ._baskets import baskets_section
from ._changes import changes_section
from ._context import ReportContext
from ._customers import (
    clusters_section,
    lifecycle_section,
    rfm_map_section,
    segments_section,
    tiers_section,
)
from ._decisions import decisions_section
from ._leads import lead_sections
from ._playbook import playbook_section
from ._risk import at_risk_section, churn_section
from ._trend_sections import cohorts_section, trends_section

__all__ = ["SECTIONS", "Section"]


@dataclass(frozen=True)
class Section:
    """One section of the report: ``<section id=anchor><h2>heading</h2>build(ctx)``."""

    anchor: str
    heading: str
    build: Callable[[ReportContext], str | None]


def leads_section(ctx: ReportContext) -> str | None:
    found = lead_sections(ctx.table)
    return found[0][2] if found else None


#: The sections, in page order (see the module docstring to add one).
SECTIONS: list[Section] = [
    Section("changes", "What changed", changes_section),
    Section("trends", "Trends", trends_section),
    Section("cohorts", "Cohort retention", cohorts_section),
    Section("segments", "Customer segments", segments_section),
    Section("baskets", "What each segment buys together", baskets_section),
    Section("tiers", "Value tiers", tiers_section),
    Section("lifecycle", "Lifecycle stages", lifecycle_section),
    Section("churn", "Churn risk", churn_section),
    Section("at-risk", "Valuable customers at high risk", at_risk_section),
    Section("clusters", "Behavioural clusters", clusters_section),
    Section("decisions", "Decisions: model quality, risk bands, actions and value",
            decisions_section),
    Section("playbook", "Playbook and campaign lists", playbook_section),
    Section("leads", "Lead grades", leads_section),
    Section("rfm-map", "Recency and frequency map", rfm_map_section),
]
