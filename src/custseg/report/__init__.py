"""The self-contained HTML report of a per-customer segmentation table."""

from ._figures import report_figures
from ._html import render_report, write_report

__all__ = ["render_report", "report_figures", "write_report"]
