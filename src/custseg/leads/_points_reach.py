"""The totals a points rule set can reach, and grade bands checked against them."""

from __future__ import annotations

from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import polars as pl

from ..exceptions import InvalidValueError, names_text
from ._rules import PointsRule, points_expression

__all__ = ["attainable_totals", "check_reachable"]

_MAX_TOTALS = 200_000  # distinct attainable totals kept before falling back to bounds


def attainable_totals(rules: tuple[PointsRule, ...], kinds: dict[str, str],
                       base: float) -> np.ndarray:
    """Every total some lead can reach (rules on different columns fire independently).

    Each column's rules are evaluated, with the scorer's own expressions, on every value
    that can change them (each listed value, each threshold and its neighbours, an
    unlisted value, blank); the totals are the sums over columns.
    """
    totals = np.asarray([base])
    for column, kind in kinds.items():
        own = [r for r in rules if r.column == column]
        values: list[Any] = [None]
        if kind == "numeric":
            numbers = {float(v) for r in own for v in r.values} or {0.0}
            for v in numbers:
                values += [v, float(np.nextafter(v, -np.inf)), float(np.nextafter(v, np.inf))]
            dtype: Any = pl.Float64
        else:
            values += [*sorted({str(v) for r in own for v in r.values}), "\x00(unlisted)"]
            dtype = pl.String
        frame = nw.from_native(pl.DataFrame({column: values}, schema={column: dtype}))
        sums = frame.select(*(points_expression(r, kind) for r in own)).to_numpy().sum(axis=1)
        column_totals = np.unique(sums)
        if totals.size * column_totals.size > _MAX_TOTALS:  # bounds only: a superset
            lo, hi = totals.min() + column_totals.min(), totals.max() + column_totals.max()
            totals = np.asarray([lo, hi])
            continue
        totals = np.unique(np.round((totals[:, None] + column_totals[None, :]).ravel(), 9))
    return totals


def check_reachable(grades: tuple[Any, ...], minimums: np.ndarray, totals: np.ndarray) -> None:
    uppers = np.concatenate([[np.inf], minimums])
    lowers = np.concatenate([minimums, [-np.inf]])
    for g, lo, hi in zip(grades, lowers, uppers, strict=True):
        if not np.any((totals >= lo) & (totals < hi)):
            band = (f"points >= {lo:g}" if np.isinf(hi) else f"points < {hi:g}" if np.isinf(lo)
                    else f"{lo:g} <= points < {hi:g}")
            raise InvalidValueError(
                f"grade {g!r} ({band}) is unreachable: with these rules a lead gets between "
                f"{totals.min():g} and {totals.max():g} points, and no total falls in that band "
                f"(reachable totals: {names_text([f'{t:g}' for t in totals], quote=False)}). "
                "Change the rules or the grade minimums."
            )
