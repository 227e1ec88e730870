"""Describing K-means segments: their value order, their profile table and their names.

The names say how a segment differs from the others, in words a marketer reads
("high value, frequent, recent"); two segments never share a name.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InvalidValueError, names_text

__all__ = ["describe", "profile_table", "resolve_feature", "segment_names", "value_order"]

_NAME_THRESHOLD = 0.5  # |z| of a segment centre above which a feature enters its name
_VERY = 1.5  # |z| above which the word gets "very"
_MAX_WORDS = 3  # words of the base name

# (name keywords, priority, (low word, high word), (lower, higher) comparatives)
_VOCABULARY: tuple[tuple[tuple[str, ...], int, tuple[str, str], tuple[str, str]], ...] = (
    (("recency",), 2, ("recent", "lapsed"), ("more recent", "less recent")),
    (("frequency", "purchases", "orders"), 1, ("infrequent", "frequent"),
     ("less frequent", "more frequent")),
    (("order_value", "monetary_mean", "basket", "aov"), 3, ("small baskets", "big baskets"),
     ("smaller baskets", "bigger baskets")),
    (("monetary", "spend", "revenue", "value", "amount", "clv"), 0, ("low value", "high value"),
     ("lower value", "higher value")),
    (("tenure",), 4, ("short tenure", "long-standing"), ("shorter tenure", "longer tenure")),
)


def _vocabulary(name: str) -> tuple[int, tuple[str, str], tuple[str, str]]:
    low = name.lower()
    for keys, priority, words, comparatives in _VOCABULARY:
        if any(key in low for key in keys):
            return priority, words, comparatives
    return 5, (f"low {name}", f"high {name}"), (f"lower {name}", f"higher {name}")


def _word(name: str, z: float) -> str:
    _, (low, high), _ = _vocabulary(name)
    if z > 0:
        return "long lapsed" if high == "lapsed" and z > _VERY else (
            f"very {high}" if z > _VERY and high != "lapsed" else high)
    return f"very {low}" if z < -_VERY else low


def segment_names(z: np.ndarray, names: list[str], means: np.ndarray) -> list[str]:
    """One distinct name per segment, from its standardised centre ``z`` (k x p).

    The base name lists, in priority order (value, frequency, recency, basket
    size, tenure, other features), at most three features whose centre lies
    more than half a standard deviation from the overall mean ("very" beyond
    1.5). Segments that share a name are told apart by the feature that differs
    most among them, in comparative words ("more recent" / "less recent"),
    repeatedly, until every name is unique; when no feature is left to compare,
    the segment means (``means``, original units) of the most different feature
    are written out.

    Examples
    --------
    >>> import numpy as np
    >>> from custseg.segments._kmeans_profile import segment_names
    >>> z = np.array([[1.0, -1.0], [-1.0, 0.8], [-0.9, 0.1]])
    >>> segment_names(z, ["monetary_total", "recency_days"], z)
    ['high value, recent', 'low value, lapsed', 'low value']
    >>> z = np.array([[1.0, -1.0], [-1.0, 0.7], [-0.9, 0.6]])
    >>> segment_names(z, ["monetary_total", "recency_days"], z)
    ['high value, recent', 'low value, lapsed, lower value', 'low value, lapsed, higher value']
    """
    k = len(z)
    base: list[str] = []
    for c in range(k):
        words = sorted(
            (_vocabulary(nm)[0], j) for j, nm in enumerate(names) if abs(z[c, j]) > _NAME_THRESHOLD
        )
        unique = list(dict.fromkeys(_word(names[j], z[c, j]) for _, j in words))
        base.append(", ".join(unique[:_MAX_WORDS]) or "average")
    out = list(base)
    compared: list[set[int]] = [set() for _ in range(k)]
    for _ in range(k * (len(names) + 1)):  # every pass splits a group: bounded
        groups = _duplicates(out)
        if not groups:
            return out
        for members in groups:
            _split(members, z, names, means, out, compared)
    return out


def _duplicates(names: list[str]) -> list[list[int]]:
    seen: dict[str, list[int]] = {}
    for c, name in enumerate(names):
        seen.setdefault(name, []).append(c)
    return [members for members in seen.values() if len(members) > 1]


def _split(
    members: list[int], z: np.ndarray, names: list[str], means: np.ndarray,
    out: list[str], compared: list[set[int]],
) -> None:
    """Tell the segments of one shared name apart by the feature that differs most."""
    sub = z[members]
    spread = sub.max(axis=0) - sub.min(axis=0)
    used = set().union(*(compared[c] for c in members))
    fresh = [j for j in np.argsort(-spread, kind="stable") if j not in used and spread[j] > 0]
    if fresh:
        j = int(fresh[0])
        mid = (sub[:, j].max() + sub[:, j].min()) / 2.0
        lower, higher = _vocabulary(names[j])[2]
        for c in members:
            out[c] = f"{out[c]}, {higher if z[c, j] > mid else lower}"
            compared[c].add(j)
        return
    # every feature compared already: write the means out, with enough digits to differ
    j = int(np.argmax(np.ptp(means[members], axis=0)))
    for digits in range(3, 18):
        labels = [f"{names[j]} {means[c, j]:.{digits}g}" for c in members]
        if len(set(labels)) == len(labels):
            break
    for c, label in zip(members, labels, strict=True):
        out[c] = f"{out[c]} ({label})"


def value_order(
    centers: np.ndarray, names: list[str], segment_means: np.ndarray | None
) -> np.ndarray:
    """Order of the segments, most valuable first.

    By ``segment_means`` (one feature's mean per segment, highest first) when
    given, else by the mean of the scaled centre coordinates, counting columns
    named ``*recency*`` negatively; ties are broken by the centre coordinates so
    that the order never depends on the labels k-means happened to give.
    """
    if segment_means is None:
        sign = np.array([-1.0 if "recency" in nm.lower() else 1.0 for nm in names])
        value = (centers * sign).mean(axis=1)
    else:
        value = np.where(np.isfinite(segment_means), segment_means, -np.inf)
    value = np.round(value, 10)  # platform noise must not reorder ties
    keys = [centers[:, j] for j in range(centers.shape[1] - 1, -1, -1)]
    return np.lexsort([*keys, -value])


def profile_table(
    X: np.ndarray, labels: np.ndarray, k: int, names: list[str], revenue: int | None
) -> pd.DataFrame:
    """Size, shares and the mean and median of every feature (original units) per segment."""
    counts = np.bincount(labels, minlength=k)
    sums = np.stack([np.bincount(labels, weights=X[:, j], minlength=k)
                     for j in range(X.shape[1])], axis=1)
    columns: dict[str, Any] = {"size": counts, "share": counts / counts.sum()}
    if revenue is not None:
        total = sums[:, revenue].sum()
        columns["revenue_share"] = sums[:, revenue] / total if total != 0 else np.full(k, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = sums / counts[:, None]
    order = np.argsort(labels, kind="stable")
    bounds = np.r_[0, np.cumsum(counts)]
    medians = np.full((k, X.shape[1]), np.nan)
    for c in range(k):
        if counts[c]:
            medians[c] = np.median(X[order[bounds[c]:bounds[c + 1]]], axis=0)
    for j, name in enumerate(names):
        columns[f"{name}_mean"] = means[:, j]
        columns[f"{name}_median"] = medians[:, j]
    return pd.DataFrame(columns, index=pd.RangeIndex(k, name="segment"))


def resolve_feature(spec: Any, names: list[str], param: str) -> int | None:
    """The column index that ``order_by`` or ``revenue_feature`` names (None stays None).

    Examples
    --------
    >>> from custseg.segments._kmeans_profile import resolve_feature
    >>> resolve_feature("monetary_total", ["recency_days", "monetary_total"], "order_by")
    1
    """
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in names:
            raise InvalidValueError(
                f"{param}={spec!r} is not a feature name; the features are {names_text(names)}."
            )
        return names.index(spec)
    idx = int(spec)
    if not 0 <= idx < len(names):
        raise InvalidValueError(
            f"{param}={spec!r} is not a column index of the {len(names)} features."
        )
    return idx


def describe(
    X: np.ndarray, Z: np.ndarray, labels: np.ndarray, centers: np.ndarray, names: list[str],
    *, order_by: int | None, revenue: int | None,
) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Relabel the segments in value order, then profile and name them.

    ``order_by`` is the column whose segment mean orders the segments (None:
    the composite value of :func:`value_order`), ``revenue`` the column of the
    revenue shares. Returns the new labels, the centres in label order and the
    profile with its ``name`` column.
    """
    profile = profile_table(X, labels, len(centers), names, revenue)
    by = None if order_by is None else profile[f"{names[order_by]}_mean"].to_numpy()
    order = value_order(centers, names, by)
    remap = np.empty(len(order), dtype=np.int64)
    remap[order] = np.arange(len(order))
    centers = centers[order]
    profile = profile.iloc[order].reset_index(drop=True).rename_axis("segment")
    std = Z.std(axis=0)
    z = (centers - Z.mean(axis=0)) / np.where(std > 0, std, 1.0)
    means = profile[[f"{nm}_mean" for nm in names]].to_numpy()
    profile.insert(0, "name", segment_names(z, names, means))
    return np.take(remap, labels), centers, profile
