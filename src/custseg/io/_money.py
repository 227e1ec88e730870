"""Exact money: how a log's amounts are summed without rounding drift or overflow.

Amounts are summed as whole integers (int64) of ``10**-exponent`` currency
units, so a sum does not depend on the order rows are added in, on the engine
or on which other customers are in the table. The exponent is 6 (millionths)
unless the log's absolute amounts add up to so much that millionths would not
fit in 64 bits (about 4.6e12 currency units); it is then lowered, one digit at a
time, but never below the number of decimals the amounts have. A log whose
amounts cannot be summed exactly at their own precision in 64 bits (sums above
about 4.6e16 for cents) is refused.

A sum is turned back into currency units by a division rounded to the
amounts' own number of decimals (at most 6), so a total of cents is a number
of cents: 156.46, never 156.45999999999998, on every engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import narwhals.stable.v2 as nw

from .._advice import role as _role
from ..exceptions import InvalidValueError

__all__ = ["MAX_DECIMALS", "MoneyScale", "decimal_stats", "money_scale", "money_stats",
           "sample_decimals"]

MAX_DECIMALS = 6
# Sums stay below 2**62, half the int64 range: the float total used to choose the
# exponent can itself be a little off.
_LIMIT = float(2**62)


@dataclass(frozen=True)
class MoneyScale:
    """Integer unit of the exact sums (``10**-exponent``) and the amounts' decimals."""

    exponent: int = MAX_DECIMALS
    decimals: int = MAX_DECIMALS


def _decimal_places(amount: nw.Expr, d: int) -> nw.Expr:
    """Rows whose amount has more than ``d`` decimals (beyond float noise)."""
    scaled = amount * float(10**d)
    off = (scaled - scaled.round(0)).abs()
    # Half an ulp of the product is the noise of the multiplication itself.
    return (off > 1e-9 + 2.0**-52 * scaled.abs()).cast(nw.Int64()).sum()


def decimal_stats(amount: nw.Expr, places: Iterable[int] = range(MAX_DECIMALS)
                  ) -> dict[str, nw.Expr]:
    """For each ``d`` of ``places``, the number of rows with more than ``d`` decimals."""
    return {f"__dp{d}": _decimal_places(amount, d) for d in places}


def sample_decimals(stats: dict[str, Any]) -> int:
    """The decimals of a sample of the amounts, from its :func:`decimal_stats` (all places).

    A lower bound of the whole log's: every place below it has a row with more
    decimals in the sample, so in the log too.
    """
    return next((d for d in range(MAX_DECIMALS) if not stats[f"__dp{d}"]), MAX_DECIMALS)


def money_stats(amount: nw.Expr, *, start: int = 0) -> dict[str, nw.Expr]:
    """Aggregates :func:`money_scale` needs, to compute with the validation's other stats.

    ``start`` is the :func:`sample_decimals` of a sample: only that one place is
    checked on the whole log (the places below it are known to be exceeded). The
    six checks cost about half of a validation pass over 10M rows; one costs a
    sixth of that (benchmarks/bench_scale.py). When a row has more decimals than
    the sample, :func:`money_scale` asks for the places above ``start``
    (``more``) in a second pass.
    """
    return {"__abs_total": amount.abs().sum(),
            **decimal_stats(amount, range(start, min(start + 1, MAX_DECIMALS)))}


def money_scale(stats: dict[str, Any], amount_col: str, *, start: int,
                more: Callable[[range], dict[str, Any]]) -> MoneyScale:
    """The scale for a log, from the values of :func:`money_stats` (with ``start``).

    ``more(places)`` returns the :func:`decimal_stats` of the whole log for those
    places; it is called only when the log has more decimals than ``start``.

    Raises
    ------
    InvalidValueError
        The absolute amounts add up to more than 64-bit integers hold at the
        amounts' own precision.
    """
    decimals = start
    if start < MAX_DECIMALS and stats[f"__dp{start}"]:
        # A row has more decimals than the sample: the places above, on the whole log.
        places = range(start + 1, MAX_DECIMALS)
        rest = more(places) if places else {}
        decimals = next((d for d in places if not rest[f"__dp{d}"]), MAX_DECIMALS)
    total = float(stats["__abs_total"] or 0.0)
    exponent = MAX_DECIMALS
    while exponent > decimals and total * 10.0**exponent >= _LIMIT:
        exponent -= 1
    if total * 10.0**exponent >= _LIMIT:
        raise InvalidValueError(
            f"column '{amount_col}' ({_role('amount_col')}): the amounts add up to "
            f"{total:.4g} in "
            f"absolute value, too much to sum exactly at their {decimals} decimal place(s) "
            f"(the limit is about {_LIMIT / 10.0**decimals:.2g}); express them in a larger "
            "unit (thousands, say) or round them to fewer decimals."
        )
    return MoneyScale(exponent=exponent, decimals=decimals)
