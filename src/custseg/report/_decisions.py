"""Report section on decisions: churn-model quality, risk bands, the decision matrix, value.

It reads the fitted model's guard (``churn_quality_``), its risk bands
(``churn_risk_bands_``), its decision matrix (``playbook_``) and the table's
``expected_value`` and ``value_at_stake``. :func:`weak_model_notice` is the notice shown
next to every churn-risk figure when the churn model is not better than recency alone.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._context import ReportContext, esc
from ._tables import table_html

__all__ = ["decisions_section", "weak_model_notice"]

_QUALITY_NAMES = {"model": "churn model", "recency": "recency alone (days since last purchase)",
                  "bgnbd": "BG/NBD (probability of no purchase)"}


def weak_model_notice(model: Any) -> str:
    """A warning paragraph when the model's churn guard found it weak, else ``""``."""
    if not getattr(model, "churn_model_weak_", False):
        return ""
    q = model.churn_quality_
    return (
        '<p class="notice" style="border-left:4px solid #c0392b;padding:.4em .8em;'
        'background:#fdecea"><strong>Caution: the churn model is not better than recency '
        f"alone</strong> (ROC AUC {q['model']['roc_auc']:.3f} against "
        f"{q['recency']['roc_auc']:.3f} on its training split). Read churn probabilities and "
        "risk bands as a ranking by days since the last purchase.</p>"
    )


def _quality(model: Any) -> str:
    q = getattr(model, "churn_quality_", None)
    if not q:
        return ("<p>The churn model could not be measured on its training split (too few "
                "customers of a class).</p>")
    rows = pd.DataFrame([
        {"score": _QUALITY_NAMES.get(k, k), "ROC AUC": v["roc_auc"],
         "lift of the top 10%": v["lift"], "Brier score": v["brier"],
         "calibration error": v["calibration_error"]}
        for k, v in q.items()]).round(3)
    return ("<h3>Churn model quality</h3><p>Measured on the model's internal time split "
            "(out-of-fold probabilities), against two baselines on the same customers.</p>"
            + table_html(rows, numeric=list(rows.columns[1:])))


def _bands(model: Any) -> str:
    bands = getattr(model, "churn_risk_bands_", None)
    if not bands:
        return ""
    rows = pd.DataFrame([
        {"band": k, "churn probability from": v["from_probability"],
         "to": v["to_probability"], "customers": int(v["customers"]),
         "observed churn rate": _percent(v["churn_rate"]),
         "share of churners": _percent(v["captured"]),
         "lift": v["lift"]} for k, v in bands.items()]).round(3)
    return ("<h3>Risk bands</h3><p>Cut points learnt on the training split; the observed "
            "churn rate is that of the split's customers in each band.</p>"
            + table_html(rows, numeric=list(rows.columns[1:])))


def _percent(share: float) -> str:
    """A share as a percentage with one decimal ("81.1%"); blank when undefined."""
    return "" if share is None or pd.isna(share) else f"{100 * share:.1f}%"


def _matrix(model: Any) -> str:
    matrix = getattr(model, "playbook_", None)
    if matrix is None or not hasattr(matrix, "to_frame") or not hasattr(matrix, "decide"):
        return ""
    rows = matrix.to_frame().rename(columns={"stage": "lifecycle stage",
                                             "risk": "churn risk"})
    return ("<h3>Decision matrix</h3><p>Each customer gets the action of the first row that "
            "matches their lifecycle stage, value (tier A or B is high) and churn risk "
            "(* = any).</p>" + table_html(rows, numeric=["priority"]))


def _value(df: pd.DataFrame) -> str:
    if "expected_value" not in df.columns or "action" not in df.columns:
        return ""
    agg: dict[str, Any] = {"customers": ("action", "size"),
                           "expected_value": ("expected_value", "sum")}
    if "value_at_stake" in df.columns:
        agg["value_at_stake"] = ("value_at_stake", "sum")
    rows = df.groupby("action", observed=True).agg(**agg)
    rows = rows.sort_values(rows.columns[-1], ascending=False).reset_index().round(2)
    total = float(df["expected_value"].sum())
    return (f"<h3>Expected future value and value at stake</h3><p>Expected spend of all "
            f"customers over the value horizon: {esc(f'{total:,.2f}')}. Value at stake is "
            "expected value x churn probability.</p>"
            + table_html(rows, numeric=list(rows.columns[1:])))


def decisions_section(ctx: ReportContext) -> str | None:
    """Model quality, risk bands, decision matrix, expected value; None without a model."""
    model = ctx.model
    if model is None or getattr(model, "churn_", None) is None:
        return None
    return (weak_model_notice(model) + _quality(model) + _bands(model) + _matrix(model)
            + _value(ctx.table))
