"""Campaign export: the full list of customers per action, ordered by value at stake."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import MissingColumnError

__all__ = ["campaign_list", "write_campaign"]

_KEEP = ("action", "action_priority", "reason", "value_at_stake", "expected_value",
         "churn_probability", "churn_risk", "lifecycle_stage", "tier")


def campaign_list(table: Any, *, customer_col: str = "customer_id",
                  action: str | None = None) -> pd.DataFrame:
    """Every customer with their action, grouped by action, biggest value at stake first.

    Parameters
    ----------
    table : pandas.DataFrame
        A customer table with ``action`` (from :class:`DecisionMatrix` or the pipeline).
    customer_col : str, default="customer_id"
        The customer id column.
    action : str, optional
        Keep only this action's customers.

    Returns
    -------
    pandas.DataFrame
        The id and the columns of :data:`_KEEP` present, ordered by action priority, action,
        then ``value_at_stake`` (or ``expected_value``, else ``monetary_total``) descending;
        missing values last.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"customer_id": [1, 2, 3], "action": ["VIP care", "No spend", "VIP care"],
    ...                   "action_priority": [1, 5, 1], "value_at_stake": [5.0, 9.0, 7.0]})
    >>> campaign_list(t)["customer_id"].tolist()
    [3, 1, 2]
    """
    df = pd.DataFrame(table)
    missing = [c for c in (customer_col, "action") if c not in df.columns]
    if missing:
        raise MissingColumnError.from_missing_and_available(
            missing, [str(c) for c in df.columns], context="campaign_list")
    cols = [customer_col] + [c for c in _KEEP if c in df.columns]
    if "monetary_total" in df.columns and "value_at_stake" not in df.columns:
        cols.append("monetary_total")
    out = df[cols].copy()
    if action is not None:
        out = out[out["action"] == action]
    key = next((c for c in ("value_at_stake", "expected_value", "monetary_total")
                if c in out.columns), None)
    by = (["action_priority"] if "action_priority" in out.columns else []) + ["action"]
    asc = [True] * len(by)
    if key is not None:
        by.append(key)
        asc.append(False)
    return out.sort_values(by, ascending=asc, kind="stable", na_position="last").reset_index(
        drop=True)


def write_campaign(table: Any, path: str | Path, **kwargs: Any) -> Path:
    """Write :func:`campaign_list` to a CSV file (written whole, then renamed into place).

    Parameters
    ----------
    table : pandas.DataFrame
        A customer table with ``action``.
    path : str or Path
        The CSV file.
    **kwargs
        Passed to :func:`campaign_list`.

    Returns
    -------
    Path
        The file written.
    """
    out = campaign_list(table, **kwargs)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        out.to_csv(tmp, index=False)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
