"""Frequent itemsets by level-wise counting (Apriori) on the engine holding the baskets.

The basket-item table stays where it lives (polars, DuckDB, Spark): each level is a
join and a group-by written once as narwhals expressions, and only the frequent
itemsets, a few rows, come to the driver.

* level 1 counts the baskets of each item and keeps the items with support >=
  ``min_support``; the basket-item table is pruned to them (an infrequent item is
  in no frequent itemset);
* level k joins the baskets' frequent (k-1)-itemsets with their items greater than
  the last one (each candidate built once, items in increasing order), drops the
  candidates with an infrequent (k-1)-subset (Apriori pruning), counts the rest and
  keeps those with enough support.

No one-hot matrix of baskets x items is ever built. Support is ``count / n`` in
floating point, compared with ``>= min_support``, as mlxtend's ``fpgrowth`` does, so
the two agree on the itemsets at a threshold's edge.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

from .._frame import collect_small, computed
from ._baskets import ITEM

__all__ = ["COUNT", "N_BASKETS", "frequent_itemsets", "item_name"]

COUNT, N_BASKETS = "__count", "__n"


def item_name(i: int) -> str:
    """The internal column of the i-th item of an itemset."""
    return f"__i{i}"


def _cache(frame: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Compute a polars plan once (it is reused by the next level); other engines plan
    the whole query themselves."""
    return computed(frame)


def _frequent(
    rows: nw.LazyFrame[Any], groups: list[str], items: list[str], n: nw.LazyFrame[Any],
    min_support: float,
) -> nw.LazyFrame[Any]:
    counted = rows.group_by([*groups, *items]).agg(nw.len().alias(COUNT))
    counted = counted.join(n, on=groups) if groups else counted.join(n, how="cross")
    support = nw.col(COUNT).cast(nw.Float64()) / nw.col(N_BASKETS).cast(nw.Float64())
    return _cache(counted.filter(support >= nw.lit(float(min_support))))


def frequent_itemsets(
    basket_items: nw.LazyFrame[Any], keys: list[str], groups: list[str],
    min_support: float, max_len: int | None,
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Count the frequent itemsets of a basket-item table.

    Parameters
    ----------
    basket_items : narwhals.LazyFrame
        One row per (basket, item): the basket ``keys`` (the ``groups`` among
        them) and ``__item``.
    keys : list of str
        Columns identifying a basket; ``groups`` (a segment) are a function of it.
    groups : list of str
        Columns counted separately (each group's own baskets and support).
    min_support : float
        Smallest support kept.
    max_len : int or None
        Largest itemset size (None: no limit).

    Returns
    -------
    n_baskets : polars.DataFrame
        ``groups`` and ``__n``, the number of baskets of each group (one row
        without groups).
    levels : list of polars.DataFrame
        Level k (from 1) has ``groups``, ``__i0`` ... ``__i{k-1}`` (items in
        increasing order), ``__count`` and ``__n``.
    """
    bi = _cache(basket_items.select(*keys, ITEM))
    baskets = bi.select(keys).unique()
    n = (baskets.group_by(groups).agg(nw.len().alias(N_BASKETS)) if groups
         else baskets.select(nw.len().alias(N_BASKETS)))
    n = _cache(n)
    n_baskets = collect_small(n)
    first = item_name(0)
    level = _frequent(bi.rename({ITEM: first}), groups, [first], n, min_support)
    levels = [collect_small(level)]
    pruned = _cache(bi.rename({ITEM: first}).join(
        level.select(*groups, first), on=[*groups, first], how="semi"))
    rows = pruned
    k = 1
    while len(levels[-1]) and (max_len is None or k < max_len):
        k += 1
        items = [item_name(i) for i in range(k)]
        new, last = items[-1], items[-2]
        extra = pruned.rename({first: new})
        cand = rows.join(extra, on=keys).filter(nw.col(new) > nw.col(last))
        for dropped in range(k - 2):  # subsets without one of the older items
            subset = [c for i, c in enumerate(items) if i != dropped]
            names = {c: item_name(j) for j, c in enumerate(subset)}
            check = level.select(*groups, *items[:-1]).rename(
                {item_name(j): f"__s{j}" for j in range(k - 1)})
            on_right = [f"__s{j}" for j in range(k - 1)]
            cand = cand.join(check, left_on=[*groups, *names], right_on=[*groups, *on_right],
                             how="semi")
        cand = _cache(cand)
        level = _frequent(cand, groups, items, n, min_support)
        levels.append(collect_small(level))
        if not len(levels[-1]) or (max_len is not None and k >= max_len):
            break
        rows = _cache(cand.join(level.select(*groups, *items), on=[*groups, *items],
                                how="semi"))
    return n_baskets, [lv for lv in levels if len(lv)]


def subsets(k: int) -> list[tuple[int, ...]]:
    """The non-empty proper subsets of positions 0..k-1 (antecedent positions of a rule)."""
    return [c for r in range(1, k) for c in combinations(range(k), r)]
