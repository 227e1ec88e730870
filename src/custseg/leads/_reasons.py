"""Reasons in words: the top positive and negative contributions of every lead."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .._attributes import category_values

__all__ = ["attribute_texts", "reason_columns"]


def value_text(value: Any) -> str:
    """A lead's value as shown in a reason: the category, a short number or ``missing``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "missing"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    return str(value)


def attribute_texts(frame: pd.DataFrame, M: np.ndarray, features: list[str],
                    kinds: dict[str, str], codes: dict[str, Any]) -> np.ndarray:
    """``"<attribute> = <value>"`` of every lead and attribute (an unseen category says so)."""
    texts = np.empty(M.shape, dtype=object)
    for j, col in enumerate(features):
        if kinds[col] == "categorical":
            shown = [value_text(v) + ("" if v is None or v in codes[col]
                                      else " (not seen in fit)")
                     for v in category_values(frame[col])]
        else:
            shown = [value_text(v) for v in M[:, j]]
        texts[:, j] = [f"{col} = {s}" for s in shown]
    return texts


def reason_columns(
    contributions: np.ndarray, texts: np.ndarray, n_reasons: int, fmt: str = "{:+.2f}"
) -> dict[str, list[Any]]:
    """``positive_1..n`` and ``negative_1..n`` reason texts, strongest first.

    ``contributions`` and ``texts`` are (n_leads, n_parts); a reason reads
    ``"<text>: <contribution>"``. Parts contributing exactly 0 are never reasons; a lead
    with fewer reasons gets ``None`` in the remaining columns.
    """
    n = contributions.shape[0]
    order = np.argsort(-contributions, axis=1, kind="stable")
    out: dict[str, list[Any]] = {}
    for side in ("positive", "negative"):
        cols: list[list[Any]] = [[None] * n for _ in range(n_reasons)]
        for i in range(n):
            row = order[i] if side == "positive" else order[i][::-1]
            picked = [j for j in row if (contributions[i, j] > 0 if side == "positive"
                                         else contributions[i, j] < 0)][:n_reasons]
            for r, j in enumerate(picked):
                cols[r][i] = f"{texts[i, j]}: {fmt.format(contributions[i, j])}"
        for r in range(n_reasons):
            out[f"{side}_{r + 1}"] = cols[r]
    return out
