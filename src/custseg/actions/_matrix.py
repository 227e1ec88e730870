"""The decision matrix: one action per customer from value x churn risk x lifecycle stage.

A marketer's action should not come from a segment name alone: a "Champion" who has gone
quiet with a high churn probability needs a retention call, not VIP care. The
:class:`DecisionMatrix` reads three columns of the customer table, each reduced to a few
levels, and takes the first rule that matches:

- **stage**: ``lifecycle_stage`` (prospect, new, active, dormant, churned);
- **value**: ``high`` or ``low``: tier A or B is high (``value_column="tier"``), or
  ``expected_value`` at or above ``value_quantile`` of the table;
- **risk**: ``churn_risk`` (low, medium, high), ``unknown`` when missing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidValueError, MissingColumnError, names_text

__all__ = ["DEFAULT_DECISIONS", "LOYAL_ACTIONS", "DecisionMatrix", "Rule"]

STAGE_LEVELS = ("prospect", "new", "active", "dormant", "churned")
VALUE_LEVELS = ("high", "low")
RISK_LEVELS = ("low", "medium", "high", "unknown")
ANY = "*"


@dataclass(frozen=True)
class Rule:
    """One row of the matrix: a (stage, value, risk) pattern (``"*"`` = any) and its action.

    Examples
    --------
    >>> Rule("active", "high", "low", "VIP care", 1).matches("active", "high", "low")
    True
    """

    stage: str
    value: str
    risk: str
    action: str
    priority: int = 3

    def matches(self, stage: str, value: str, risk: str) -> bool:
        """Whether the pattern covers one combination of levels."""
        return all(p in (ANY, v) for p, v in ((self.stage, stage), (self.value, value),
                                              (self.risk, risk)))


LOYAL_ACTIONS = frozenset({"VIP care", "Loyalty programme", "Upsell / cross-sell"})
"""Actions meant for loyal customers: the default matrix gives them only at low churn risk."""

DEFAULT_DECISIONS: tuple[tuple[str, str, str, str, int], ...] = (
    ("prospect", ANY, ANY, "First-purchase offer", 3),
    ("new", ANY, ANY, "Welcome series", 2),
    ("churned", "high", ANY, "Win-back offer", 2),
    ("churned", "low", ANY, "No spend", 5),
    (ANY, "high", "high", "Personal retention contact", 1),
    (ANY, "high", "medium", "Retention offer", 1),
    (ANY, "low", "high", "Low-cost reactivation", 4),
    (ANY, "low", "medium", "Reactivation e-mail", 3),
    ("dormant", "high", "low", "Reminder with recommendations", 2),
    ("dormant", "low", "low", "Reminder e-mail", 4),
    ("active", "high", "low", "VIP care", 1),
    ("active", "low", "low", "Upsell / cross-sell", 3),
    (ANY, ANY, "unknown", "Standard communication", 4),
)
"""The default matrix of :class:`DecisionMatrix`: (stage, value, risk, action, priority) rows,
first match wins, ``"*"`` matches any level (the table on the decisions guide page)."""


class DecisionMatrix:
    """One action per customer from value x churn risk x lifecycle stage.

    Parameters
    ----------
    rules : sequence of Rule or of (stage, value, risk, action, priority), optional
        The matrix, first match wins; default :data:`DEFAULT_DECISIONS`. ``"*"``
        matches any level. Every combination of stage x value x risk must be covered
        (checked when the matrix is used, like the RFM segment map).
    value_column : {"tier", "expected_value"}, default="tier"
        Value from the tier (A and B are high) or from expected future value (at or
        above the ``value_quantile`` of the table is high). Falls back on the other
        column when the table lacks it.
    value_quantile : float, default=0.7
        Quantile of ``expected_value`` from which value is high.

    See Also
    --------
    custseg.pipeline.CustomerSegmentation : Adds ``action`` and ``reason`` with this matrix.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.actions import DecisionMatrix
    >>> table = pd.DataFrame({"customer_id": [1, 2, 3, 4],
    ...                       "tier": ["A", "A", "D", "B"],
    ...                       "churn_risk": ["high", "low", "low", "low"],
    ...                       "lifecycle_stage": ["dormant", "active", "churned", "new"]})
    >>> out = DecisionMatrix().decide(table)
    >>> out[["action", "reason"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['Personal retention contact', 'tier A, churn risk high, dormant'],
     ['VIP care', 'tier A, churn risk low, active'],
     ['No spend', 'tier D, churn risk low, churned'],
     ['Welcome series', 'tier B, churn risk low, new']]
    """

    def __init__(self, rules: Any = None, *, value_column: str = "tier",
                 value_quantile: float = 0.7) -> None:
        self.rules = rules
        self.value_column = value_column
        self.value_quantile = value_quantile

    def get_rules(self) -> list[Rule]:
        """The rules as :class:`Rule` objects, checked for gaps.

        Returns
        -------
        list of Rule
            The matrix, first match first.
        """
        raw = DEFAULT_DECISIONS if self.rules is None else self.rules
        rules = [r if isinstance(r, Rule) else Rule(*r) for r in raw]
        for r in rules:
            for name, level, allowed in (("stage", r.stage, STAGE_LEVELS),
                                         ("value", r.value, VALUE_LEVELS),
                                         ("risk", r.risk, RISK_LEVELS)):
                if level != ANY and level not in allowed:
                    raise InvalidValueError(
                        f"rule {r} has {name} {level!r}; expected '*' or one of "
                        f"{names_text(allowed)}."
                    )
        gaps = [c for c in itertools.product(STAGE_LEVELS, VALUE_LEVELS, RISK_LEVELS)
                if not any(r.matches(*c) for r in rules)]
        if gaps:
            shown = ", ".join("/".join(g) for g in gaps[:5])
            raise InvalidValueError(
                f"the decision matrix leaves {len(gaps)} combination(s) of stage/value/risk "
                f"without an action, e.g. {shown}; add rules for them (or a last rule "
                "('*', '*', '*', action, priority))."
            )
        return rules

    def to_frame(self) -> pd.DataFrame:
        """The matrix as a table (stage, value, risk, action, priority), first match first.

        Returns
        -------
        pandas.DataFrame
            One row per rule.
        """
        return pd.DataFrame([vars(r) for r in self.get_rules()])

    def _levels(self, table: pd.DataFrame, value_cut: float | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if "lifecycle_stage" not in table.columns:
            raise MissingColumnError.from_missing_and_available(
                ["lifecycle_stage"], [str(c) for c in table.columns], context="DecisionMatrix")
        stage = table["lifecycle_stage"].astype(object).to_numpy()
        col = self.value_column
        if col not in table.columns:
            col = "expected_value" if col == "tier" else "tier"
        if col == "tier" and "tier" in table.columns:
            tier = table["tier"].astype(object)
            value = np.where(tier.isin(["A", "B"]), "high", "low")
            words = ("tier " + tier.fillna("?").astype(str)).to_numpy()
        elif col == "expected_value" and col in table.columns:
            ev = table["expected_value"].to_numpy(dtype=float)
            cut = value_cut if value_cut is not None else (
                np.nanquantile(ev, self.value_quantile) if np.isfinite(ev).any() else np.inf)
            value = np.where(ev >= cut, "high", "low")
            words = np.asarray([f"{v} value" for v in value], dtype=object)
        else:
            raise MissingColumnError.from_missing_and_available(
                ["tier", "expected_value"], [str(c) for c in table.columns],
                context="DecisionMatrix",
                hint=" The decision matrix needs one value column, 'tier' or 'expected_value'.")
        risk = (table["churn_risk"].astype(object).fillna("unknown").to_numpy()
                if "churn_risk" in table.columns else np.full(len(table), "unknown"))
        return stage, np.asarray(value, dtype=object), np.asarray(risk, dtype=object), words

    def decide(self, table: Any, *, value_cut: float | None = None) -> pd.DataFrame:
        """Add ``action``, ``action_priority`` and ``reason`` to a customer table.

        Parameters
        ----------
        table : pandas.DataFrame
            One row per customer with ``lifecycle_stage``, ``tier`` or
            ``expected_value``, and ``churn_risk``.
        value_cut : float, optional
            When value is graded by ``expected_value``: the value at and above which
            it is high. Default: the ``value_quantile`` of ``table``; a slice of a
            larger table (a Spark partition) is given the cut of the whole table.

        Returns
        -------
        pandas.DataFrame
            A copy of ``table`` with the three columns; exactly one action per customer.
        """
        rules = self.get_rules()
        out = pd.DataFrame(table).copy()
        stage, value, risk, words = self._levels(out, value_cut)
        stage = np.where(pd.isna(stage), "prospect", stage).astype(object)
        action = np.empty(len(out), dtype=object)
        priority = np.zeros(len(out), dtype=np.int64)
        done = np.zeros(len(out), dtype=bool)
        for r in rules:
            hit = ~done
            if r.stage != ANY:
                hit &= stage == r.stage
            if r.value != ANY:
                hit &= value == r.value
            if r.risk != ANY:
                hit &= risk == r.risk
            action[hit], priority[hit] = r.action, r.priority
            done |= hit
        unknown = ~np.isin(stage, STAGE_LEVELS) | ~np.isin(risk, RISK_LEVELS)
        if unknown.any() or not done.all():
            bad = sorted({f"{s}/{k}" for s, k in zip(stage[~done | unknown],
                                                     risk[~done | unknown], strict=True)})
            raise InvalidValueError(
                f"{int((~done | unknown).sum())} customer(s) have a stage/risk the matrix does "
                f"not know, e.g. {names_text(bad[:3])}."
            )
        out["action"] = action
        out["action_priority"] = priority
        out["reason"] = [f"{w}, churn risk {k}, {s}" for w, k, s in
                         zip(words, risk, stage, strict=True)]
        return out

    def __repr__(self) -> str:
        return (f"DecisionMatrix(rules={'default' if self.rules is None else len(self.rules)}, "
                f"value_column={self.value_column!r})")
