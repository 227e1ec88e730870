"""Tie-aware quantile bins: the RFM score (1..n_levels) of each value."""

from __future__ import annotations

import numpy as np

__all__ = ["balanced_bins"]


def balanced_bins(values: np.ndarray, n_levels: int) -> tuple[np.ndarray, np.ndarray]:
    """Tie-aware quantile bins of ``values`` (higher is better); returns (edges, scores).

    Distinct values are taken in increasing order and gathered into bins of about
    ``remaining rows / remaining levels`` rows each; a group of tied values is
    never split, and a bin closes as soon as it reaches its target (or when adding
    the next group would move it farther from the target). A value ``v`` falls in
    bin ``searchsorted(edges, v, side="left")`` (``edges`` are the largest value
    of every bin but the last) and scores ``scores[bin]``. With fewer bins than
    levels (few distinct values), scores are spread evenly over 1..n_levels
    (lowest bin 1, highest n_levels); a single bin scores the middle level.
    """
    uniq, counts = np.unique(values, return_counts=True)
    n_groups = len(uniq)
    uppers: list[float] = []
    remaining, levels_left, i = int(counts.sum()), n_levels, 0
    while i < n_groups:
        if levels_left == 1:
            uppers.append(float(uniq[-1]))
            break
        target = remaining / levels_left
        # leave at least one distinct value for each remaining level when possible
        last_allowed = max(i, n_groups - levels_left)
        j, cum = i, int(counts[i])
        while j < last_allowed and cum < target:
            nxt = int(counts[j + 1])
            if abs(cum + nxt - target) > abs(cum - target):
                break
            j += 1
            cum += nxt
        uppers.append(float(uniq[j]))
        remaining -= cum
        levels_left -= 1
        i = j + 1
    m = len(uppers)
    if m == 1:
        scores = np.array([(n_levels + 1) // 2])
    elif m == n_levels:
        scores = np.arange(1, n_levels + 1)
    else:
        scores = 1 + np.round(np.arange(m) * (n_levels - 1) / (m - 1)).astype(np.int64)
    return np.asarray(uppers[:-1], dtype=np.float64), scores.astype(np.int64)
