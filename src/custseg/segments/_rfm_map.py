"""Segment maps: the default 11-name RFM scheme, and a map of rules compiled to a name per cell."""

from __future__ import annotations

import re
from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np

from ..exceptions import InvalidValueError, names_text

__all__ = ["DEFAULT_SEGMENT_MAP"]

_RULE_KEYS = ("R", "F", "M", "FM")

#: The common 11-name scheme on the recency score R and the "FM" score
#: (F + M) / 2 rounded half up, for 5 levels. Every (R, FM) pair, hence every
#: one of the 125 R-F-M cells, has exactly one name:
#:
#: ====  ==============  ===================  ===================  ===============  ===============
#: R     FM = 1          FM = 2               FM = 3               FM = 4           FM = 5
#: ====  ==============  ===================  ===================  ===============  ===============
#: 5     New Customers   Potential Loyalists  Potential Loyalists  Champions        Champions
#: 4     Promising       Potential Loyalists  Potential Loyalists  Loyal Customers  Champions
#: 3     About To Sleep  Need Attention       Need Attention       Loyal Customers  Loyal Customers
#: 2     Hibernating     Hibernating          At Risk              At Risk          Can't Lose Them
#: 1     Lost            Lost                 At Risk              Can't Lose Them  Can't Lose Them
#: ====  ==============  ===================  ===================  ===============  ===============
DEFAULT_SEGMENT_MAP: dict[str, Any] = {
    "Champions": [{"R": 5, "FM": (4, 5)}, {"R": 4, "FM": 5}],
    "Loyal Customers": [{"R": 4, "FM": 4}, {"R": 3, "FM": (4, 5)}],
    "Potential Loyalists": {"R": (4, 5), "FM": (2, 3)},
    "New Customers": {"R": 5, "FM": 1},
    "Promising": {"R": 4, "FM": 1},
    "Need Attention": {"R": 3, "FM": (2, 3)},
    "About To Sleep": {"R": 3, "FM": 1},
    "At Risk": [{"R": 2, "FM": (3, 4)}, {"R": 1, "FM": 3}],
    "Can't Lose Them": [{"R": (1, 2), "FM": 5}, {"R": 1, "FM": 4}],
    "Hibernating": {"R": 2, "FM": (1, 2)},
    "Lost": {"R": 1, "FM": (1, 2)},
}
"""The common 11-name RFM scheme: segment name -> the (R, FM) scores it covers, best
segment first (this order is the best-first order of reports and migration tables)."""


def _parse_range(value: Any, key: str, name: str, n_levels: int) -> tuple[int, int]:
    if isinstance(value, Integral):
        lo = hi = int(value)
    else:
        try:
            lo, hi = (int(v) for v in value)
        except (TypeError, ValueError) as err:
            raise InvalidValueError(
                f"segment_map, segment {name!r}: {key}={value!r} must be a score or a (low, high) "
                "pair of scores."
            ) from err
    if not 1 <= lo <= hi <= n_levels:
        raise InvalidValueError(
            f"segment_map, segment {name!r}: {key}={value!r} must lie within 1..{n_levels} with "
            "low <= high."
        )
    return lo, hi


def _rule_mask(rule: Any, name: str, cells: dict[str, np.ndarray], codes: np.ndarray,
               n_levels: int) -> np.ndarray:
    """Boolean mask over all cells of one rule (a regex, a dict of ranges, or a list)."""
    if isinstance(rule, str):
        try:
            pattern = re.compile(rule)
        except re.error as err:
            raise InvalidValueError(
                f"segment_map, segment {name!r}: {rule!r} is not a valid regular expression "
                f"({err})."
            ) from err
        return np.array([pattern.fullmatch(c) is not None for c in codes])
    if isinstance(rule, Mapping):
        unknown = [k for k in rule if k not in _RULE_KEYS]
        if unknown or not rule:
            raise InvalidValueError(
                f"segment_map, segment {name!r}: keys must be among "
                f"{names_text(list(_RULE_KEYS))}; "
                f"got {names_text(list(rule))}."
            )
        mask = np.ones(len(codes), dtype=bool)
        for key, value in rule.items():
            lo, hi = _parse_range(value, key, name, n_levels)
            mask &= (cells[key] >= lo) & (cells[key] <= hi)
        return mask
    if isinstance(rule, (list, tuple)) and rule:
        mask = np.zeros(len(codes), dtype=bool)
        for part in rule:
            mask |= _rule_mask(part, name, cells, codes, n_levels)
        return mask
    raise InvalidValueError(
        f"segment_map, segment {name!r}: the rule must be a regular expression on the cell code "
        "(e.g. "
        f"'5[45][45]'), a dict of score ranges (e.g. {{'R': (4, 5), 'FM': 5}}) or a list "
        f"of those; got {rule!r}."
    )


def _all_cells(n_levels: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    grid = np.arange(1, n_levels + 1)
    r, f, m = (a.ravel() for a in np.meshgrid(grid, grid, grid, indexing="ij"))
    cells = {"R": r, "F": f, "M": m, "FM": (f + m + 1) // 2}
    codes = np.array([f"{a}{b}{c}" for a, b, c in zip(r, f, m, strict=True)])
    return cells, codes


def _compile_map(segment_map: Mapping[str, Any], n_levels: int) -> np.ndarray:
    """Name of every cell (index (R-1)*L^2 + (F-1)*L + (M-1)); reject gaps and overlaps."""
    if not isinstance(segment_map, Mapping) or not segment_map:
        raise InvalidValueError(
            "segment_map must be 'default', None or a non-empty dict {name: rule}; "
            f"got {segment_map!r}."
        )
    cells, codes = _all_cells(n_levels)
    names = list(segment_map)
    masks = np.array(
        [_rule_mask(segment_map[nm], str(nm), cells, codes, n_levels) for nm in names]
    )
    hits = masks.sum(axis=0)
    problems = []
    if (hits == 0).any():
        gaps = codes[hits == 0].tolist()
        problems.append(f"{len(gaps)} cell(s) have no name: {names_text(gaps)}")
    if (hits > 1).any():
        dup = [
            f"{codes[c]} ({', '.join(names[i] for i in np.flatnonzero(masks[:, c]))})"
            for c in np.flatnonzero(hits > 1)
        ]
        problems.append(f"{len(dup)} cell(s) have several names: {', '.join(dup[:12])}"
                        + (f" and {len(dup) - 12} more" if len(dup) > 12 else ""))
    if problems:
        raise InvalidValueError(
            f"segment_map must give every R-F-M cell (codes 'RFM', scores 1..{n_levels}) "
            "exactly one name; " + "; ".join(problems) + "."
        )
    return np.array([str(names[i]) for i in masks.argmax(axis=0)], dtype=object)
