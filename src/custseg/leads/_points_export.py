"""A fitted :class:`PointsScorer`'s rule set as text, a dict, JSON or a SQL expression."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

from ..exceptions import InvalidValueError
from ._rules import sql_condition, sql_points

if TYPE_CHECKING:
    from ._points import PointsScorer

__all__ = ["export_points_rules"]


def export_points_rules(scorer: PointsScorer, format: str, *, grade: bool,
                        points_col: str | None) -> Any:
    """The rules of a fitted ``scorer`` (see :meth:`PointsScorer.export_rules`)."""
    if format not in {"text", "dict", "json", "sql"}:
        raise InvalidValueError(
            f"format must be one of 'text', 'dict', 'json', 'sql'; got {format!r}."
        )
    if format == "sql":
        return _sql_grade(scorer, points_col) if grade else _sql_points(scorer)
    data: dict[str, Any] = {"base": scorer.base_, "rules": [r.to_dict() for r in scorer.rules_]}
    if scorer.grades_ is not None and scorer.grade_minimums_ is not None:
        mins = [*scorer.grade_minimums_.tolist(), None]
        data["grades"] = [[_plain(g), m] for g, m in zip(scorer.grades_, mins, strict=True)]
    if format == "dict":
        return data
    if format == "json":
        return json.dumps(data, indent=2)
    lines = [f"base: {sql_points(scorer.base_)}"]
    lines += [f"{r.condition}: {_signed(r.points)}"
              + ("" if r.name == r.condition else f"  ({r.name})") for r in scorer.rules_]
    return "\n".join(lines)


def _sql_points(scorer: PointsScorer) -> str:
    parts = [sql_points(scorer.base_)]
    for r in scorer.rules_:
        cond = sql_condition(r, scorer.column_kinds_[r.column])
        parts.append(f"  + CASE WHEN {cond} THEN {sql_points(r.points)} ELSE 0 END")
    return "\n".join(parts)


def _sql_grade(scorer: PointsScorer, points_col: str | None) -> str:
    from ..tiers._rules import sql_identifier, sql_label

    if scorer.grades_ is None or scorer.grade_minimums_ is None:
        raise InvalidValueError("the rule set has no grades to export.")
    total = sql_identifier(points_col) if points_col else f"({_sql_points(scorer)})"
    lines = ["CASE"]
    for g, low in zip(scorer.grades_[:-1], scorer.grade_minimums_, strict=True):
        lines.append(f"  WHEN {total} >= {sql_points(low)} THEN {sql_label(g)}")
    lines.append(f"  ELSE {sql_label(scorer.grades_[-1])}")
    lines.append("END")
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _signed(points: float) -> str:
    return f"{points:+g}"
