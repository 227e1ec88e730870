"""What every report section reads: the table, the model, the log, the earlier table."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: Resolution of the report's PNG figures (dots per inch of their 7-8 inch width).
DPI = 96


def esc(value: Any) -> str:
    """``value`` as HTML text."""
    return html.escape(str(value))


def figure_to_base64(fig: Any, *, dpi: int = DPI) -> str:
    """Encode a figure as a base64 PNG (for a ``data:`` URI)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def new_figure(width: float = 7.0, height: float = 4.0) -> tuple[Any, Any]:
    """A bare Figure and its Axes (no pyplot: nothing enters pyplot's global state)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


@dataclass
class ReportContext:
    """The inputs of the report's sections (see :data:`custseg.report._sections.SECTIONS`).

    Attributes
    ----------
    table : pandas.DataFrame
        The per-customer table as of ``as_of``.
    model : CustomerSegmentation or None
        The fitted model.
    customer_col : str
        The customer id column of ``table``.
    as_of : pandas.Timestamp or None
        Date of the table.
    transactions : Transactions or None
        The validated log cut at ``as_of`` (trends, cohorts), when given.
    previous : pandas.DataFrame or None
        The per-customer table one period earlier (what changed), when known.
    previous_as_of : pandas.Timestamp or None
        Its date.
    freq : str or None
        The period of the trends and of the comparison ("week" or "month").
    figures : dict of str to bytes
        Every figure drawn so far, as PNG bytes, by name (the demo saves them).
    """

    table: pd.DataFrame
    model: Any = None
    customer_col: str = "customer_id"
    as_of: pd.Timestamp | None = None
    transactions: Any = None
    previous: pd.DataFrame | None = None
    previous_as_of: pd.Timestamp | None = None
    freq: str | None = None
    figures: dict[str, bytes] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per report (trends are read by several sections)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def figure(self, name: str, draw: Callable[[Any], Any], caption: str, *,
               width: float = 7.0, height: float = 4.0) -> str:
        """Draw ``draw(ax)`` on a new figure; return it as an embedded ``<figure>``."""
        fig, ax = new_figure(width, height)
        draw(ax)
        data = figure_to_base64(fig)
        self.figures[name] = base64.b64decode(data)
        return (f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}" '
                f'width="{int(width * DPI)}" height="{int(height * DPI)}">'
                f"<figcaption>{esc(caption)}</figcaption></figure>")
