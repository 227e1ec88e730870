"""What to do with each grade: the lead playbook, and the graded list as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..exceptions import InvalidValueError, names_text
from ..segments import Playbook

__all__ = ["LEAD_ACTIONS", "lead_actions", "lead_playbook", "write_leads"]

#: Default action per lead grade: (action, detail, priority).
LEAD_ACTIONS: dict[str, tuple[str, str, int]] = {
    "A": ("Exclusive account manager", "Assign a named account manager; contact within a "
          "working day; tailored proposal.", 1),
    "B": ("Nurture (sales-assisted)", "Personal follow-up every few weeks, case studies, a "
          "demo offer.", 2),
    "C": ("Nurture (marketing)", "Automated nurture e-mails and content until engagement "
          "rises; re-grade monthly.", 3),
    "D": ("Automated batch campaigns", "Low-cost batch campaigns only; no sales time until "
          "the grade improves.", 4),
}
"""The recommended treatment (action, detail, priority) of each lead grade A-D."""


def lead_playbook(actions: dict[str, Any] | None = None) -> Playbook:
    """The lead playbook: :data:`LEAD_ACTIONS`, with your own actions replacing or adding.

    Parameters
    ----------
    actions : dict, optional
        ``{grade: action}`` where an action is a string, an
        :class:`~custseg.segments.Action` or an ``(action, detail, priority)`` tuple.

    Returns
    -------
    Playbook
        Only lead grades (no RFM segment names).

    Examples
    --------
    >>> from custseg.leads import lead_playbook
    >>> lead_playbook().actions_for("A").action
    'Exclusive account manager'
    """
    return Playbook({**LEAD_ACTIONS, **(actions or {})}, use_defaults=False, default_action=None)


def lead_actions(table: Any, *, column: str = "grade", playbook: Playbook | None = None) -> Any:
    """Add the ``action``, ``detail`` and ``priority`` of every lead's grade.

    A combined grade such as ``"A2"`` takes the action of its fit grade
    (``"A"``) unless the playbook names it.

    Parameters
    ----------
    table : DataFrame
        Leads with a grade column (pandas, polars, pyarrow).
    column : str, default="grade"
        The grade column.
    playbook : Playbook, optional
        Default :func:`lead_playbook`.

    Returns
    -------
    DataFrame
        A copy of ``table`` with the three columns added.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.leads import lead_actions
    >>> leads = pd.DataFrame({"customer_id": ["a", "b"], "grade": ["A2", "D"]})
    >>> lead_actions(leads)[["customer_id", "grade", "action"]]
      customer_id grade                     action
    0           a    A2  Exclusive account manager
    1           b     D  Automated batch campaigns
    """
    import narwhals.stable.v2 as nw

    book = lead_playbook() if playbook is None else playbook
    frame = nw.from_native(table, eager_only=True)
    if column not in frame.columns:
        raise InvalidValueError(
            f"table has no grade column '{column}'; columns: "
            f"{names_text(list(frame.columns), limit=40)}."
        )
    known = book.actions
    for grade in {str(g) for g in frame[column].to_list() if g is not None}:
        if grade not in known and grade[:1] in known:
            book.set_action(grade, known[grade[:1]])
    native = frame.with_columns(nw.col(column).cast(nw.String())).to_native()
    out = book.assign(native, column=column)
    return nw.from_native(out, eager_only=True).with_columns(
        frame[column].alias(column)).to_native()


def write_leads(table: Any, path: str | Path, *, column: str = "grade",
                playbook: Playbook | None = None) -> Path:
    """Write the graded leads with their reasons and actions to a CSV file.

    Parameters
    ----------
    table : DataFrame
        Leads with a grade column and any reasons (``LeadScorer.reasons``,
        ``PointsScorer.reasons``).
    path : str or Path
        The CSV file (replaced if it exists; written beside it first).
    column : str, default="grade"
        The grade column.
    playbook : Playbook, optional
        Default :func:`lead_playbook`.

    Returns
    -------
    Path
        The path written.

    Examples
    --------
    >>> import pandas as pd, pathlib, tempfile
    >>> from custseg.leads import write_leads
    >>> leads = pd.DataFrame({"customer_id": ["a"], "grade": ["B"]})
    >>> path = write_leads(leads, pathlib.Path(tempfile.mkdtemp()) / "leads.csv")
    >>> path.read_text().splitlines()[0]
    'customer_id,grade,action,detail,priority'
    """
    import narwhals.stable.v2 as nw

    out = nw.from_native(lead_actions(table, column=column, playbook=playbook), eager_only=True)
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    out.to_pandas().to_csv(tmp, index=False)
    tmp.replace(path)
    return path
