"""Synthetic order lines with products, segments and planted association rules."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from sklearn.utils import check_random_state

from ..exceptions import InvalidValueError

__all__ = ["make_baskets"]


def _check(name: str, value: float, low: float, high: float | None = None) -> None:
    if not (value >= low and (high is None or value <= high)):
        bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise InvalidValueError(f"{name}={value!r} must be {bound}.")


def make_baskets(
    n_baskets: int = 10_000,
    *,
    n_products: int = 500,
    n_customers: int | None = None,
    n_segments: int = 3,
    items_per_basket: float = 4.0,
    zipf_exponent: float = 1.0,
    segment_mix: float = 0.5,
    rules_per_segment: int = 3,
    rule_rate: float = 0.2,
    rule_confidence: float = 0.8,
    start: str = "2023-01-01",
    n_days: int = 730,
    as_frame: str = "pandas",
    random_state: int | np.random.RandomState | None = None,
) -> tuple[Any, pd.DataFrame]:
    """Make order lines with products, customer segments and known association rules.

    Every basket (one order) belongs to a customer, every customer to a segment.
    A basket holds ``1 + Poisson(items_per_basket - 1)`` draws of products with
    Zipf popularity (product ``k`` of the ranking drawn with weight
    ``1 / k ** zipf_exponent``); each segment ranks products its own way in a
    share ``segment_mix`` of the draws (a reordering of the popular half of the
    products), so segments have best sellers of their own.

    Rules are planted per segment: each segment has ``rules_per_segment`` rules
    ``{a} -> {c}`` or ``{a, b} -> {c}`` over long-tail products of its own, and each
    customer one of them as a habit. A basket of the customer holds the
    antecedent with probability ``rule_rate``, and then also the consequent
    with probability ``rule_confidence``: the rule's confidence in its segment
    is about ``rule_confidence`` and its support about ``rule_rate *
    rule_confidence / rules_per_segment``.

    Parameters
    ----------
    n_baskets : int, default=10_000
        Number of baskets (orders).
    n_products : int, default=500
        Number of products (``"P00001"`` ...), most popular first.
    n_customers : int, optional
        Number of customers (default: one per 5 baskets); baskets are spread
        over them uniformly at random.
    n_segments : int, default=3
        Number of segments (``"S1"`` ...), assigned to customers uniformly.
    items_per_basket : float, default=4.0
        Mean number of product draws per basket (at least 1), before the planted
        items; a product drawn twice is one line.
    zipf_exponent : float, default=1.0
        Exponent of the Zipf popularity.
    segment_mix : float, default=0.5
        Share of draws that follow the segment's own ranking, in [0, 1].
    rules_per_segment : int, default=3
        Planted rules per segment (0 for none).
    rule_rate, rule_confidence : float, default=0.2 and 0.8
        Probability that a basket holds its customer's antecedent, and that it
        then holds the consequent, both in [0, 1].
    start : str, default="2023-01-01"
        First day; orders are dated uniformly over ``n_days`` days.
    n_days : int, default=730
        Length of the window in days.
    as_frame : {"pandas", "polars"}, default="pandas"
        Kind of frame of the order lines.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible data.

    Returns
    -------
    lines : DataFrame
        One row per product of each order, sorted by date and order: ``order_id``,
        ``customer_id``, ``date``, ``product``, ``amount`` (positive) and
        ``segment``.
    rules : pandas.DataFrame
        The planted rules: ``segment``, ``antecedents`` and ``consequents``
        (frozensets of products).

    See Also
    --------
    custseg.baskets.AssociationRules : Finds the planted rules back.
    make_transactions : Transactions without products.

    Examples
    --------
    >>> from custseg.datasets import make_baskets
    >>> lines, planted = make_baskets(2_000, random_state=0)
    >>> list(lines.columns)
    ['order_id', 'customer_id', 'date', 'product', 'amount', 'segment']
    >>> planted.shape
    (9, 3)
    """
    for name, value, low, high in (
        ("n_baskets", n_baskets, 1, None), ("n_products", n_products, 4, None),
        ("n_segments", n_segments, 1, None), ("items_per_basket", items_per_basket, 1, None),
        ("zipf_exponent", zipf_exponent, 0, None), ("segment_mix", segment_mix, 0, 1),
        ("rules_per_segment", rules_per_segment, 0, None), ("rule_rate", rule_rate, 0, 1),
        ("rule_confidence", rule_confidence, 0, 1), ("n_days", n_days, 1, None),
    ):
        _check(name, value, low, high)
    if as_frame not in ("pandas", "polars"):
        raise InvalidValueError(f"as_frame={as_frame!r} is not one of ('pandas', 'polars').")
    n_cust = int(n_customers) if n_customers is not None else max(1, n_baskets // 5)
    _check("n_customers", n_cust, 1)
    needed = 3 * rules_per_segment * n_segments
    if needed > n_products // 2:
        raise InvalidValueError(
            f"{rules_per_segment} rules per segment in {n_segments} segments need "
            f"{needed} products of their own, more than half of n_products={n_products}.")
    rng = check_random_state(random_state)

    weights = 1.0 / np.arange(1, n_products + 1) ** zipf_exponent
    weights /= weights.sum()
    cdf = np.cumsum(weights)
    half = n_products // 2  # segments reorder the popular half; the long tail is common
    ranks = np.stack([np.concatenate([rng.permutation(half), np.arange(half, n_products)])
                      for _ in range(n_segments)])

    cust_segment = rng.randint(0, n_segments, n_cust)
    basket_cust = rng.randint(0, n_cust, n_baskets)
    basket_seg = cust_segment[basket_cust]
    sizes = 1 + rng.poisson(items_per_basket - 1.0, n_baskets)
    line_basket = np.repeat(np.arange(n_baskets), sizes)
    draws = np.minimum(np.searchsorted(cdf, rng.random_sample(len(line_basket))),
                       n_products - 1)
    own = rng.random_sample(len(line_basket)) < segment_mix
    seg_of_line = basket_seg[line_basket]
    products = np.where(own, ranks[seg_of_line, draws], draws)

    # Planted rules: products of the long tail, distinct across all rules.
    pool = rng.permutation(np.arange(half, n_products))[:needed].reshape(
        n_segments, rules_per_segment, 3)
    two = rng.random_sample((n_segments, rules_per_segment)) < 0.5  # two-item antecedents
    planted_b: list[np.ndarray] = [line_basket]
    planted_p: list[np.ndarray] = [products]
    if rules_per_segment:
        habit = rng.randint(0, rules_per_segment, n_cust)
        b_rule = habit[basket_cust]
        hit = np.flatnonzero(rng.random_sample(n_baskets) < rule_rate)
        rules = pool[basket_seg[hit], b_rule[hit]]
        with_b = two[basket_seg[hit], b_rule[hit]]
        cons = rng.random_sample(len(hit)) < rule_confidence
        planted_b += [hit, hit[with_b], hit[cons]]
        planted_p += [rules[:, 0], rules[with_b, 1], rules[cons, 2]]
    lines = pl.DataFrame({"__b": np.concatenate(planted_b),
                          "__p": np.concatenate(planted_p)}).unique(maintain_order=True)
    days = rng.randint(0, n_days, n_baskets)
    seconds = rng.randint(8 * 3600, 20 * 3600, n_baskets)
    when = (np.datetime64(pd.Timestamp(start).isoformat(), "s")
            + days.astype("timedelta64[D]") + seconds.astype("timedelta64[s]"))
    amount = np.round(rng.lognormal(2.5, 0.7, len(lines)), 2) + 0.01
    b = lines["__b"].to_numpy()
    width = len(str(n_products))
    out = pl.DataFrame({
        "order_id": b + 1,
        "customer_id": basket_cust[b] + 1,
        "date": when[b].astype("datetime64[us]"),
        "product": lines["__p"].to_numpy() + 1,
        "amount": amount,
        "segment": basket_seg[b] + 1,
    }).with_columns(
        pl.format("O{}", pl.col("order_id").cast(pl.String).str.zfill(len(str(n_baskets)))),
        pl.format("C{}", pl.col("customer_id").cast(pl.String).str.zfill(len(str(n_cust)))),
        pl.format("P{}", pl.col("product").cast(pl.String).str.zfill(width)),
        pl.format("S{}", pl.col("segment").cast(pl.String)),
    ).sort(["date", "order_id", "product"])
    rows = []
    for s in range(n_segments):
        for r in range(rules_per_segment):
            ante = [pool[s, r, 0]] + ([pool[s, r, 1]] if two[s, r] else [])
            rows.append((f"S{s + 1}", frozenset(f"P{p + 1:0{width}d}" for p in ante),
                         frozenset({f"P{pool[s, r, 2] + 1:0{width}d}"})))
    truth = pd.DataFrame(rows, columns=["segment", "antecedents", "consequents"])
    return (out.to_pandas() if as_frame == "pandas" else out), truth
