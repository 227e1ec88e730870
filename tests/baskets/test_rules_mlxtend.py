"""AssociationRules equals mlxtend's fpgrowth + association_rules, rule for rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from custseg.baskets import AssociationRules
from tests._data import superstore_path
from tests.baskets._reference import assert_same_rules, mlxtend_rules

pytest.importorskip("mlxtend")

COLS = dict(customer_col="Customer ID", time_col="Order Date", amount_col="Sales",
            order_col="Order ID")


@pytest.fixture(scope="module")
def superstore() -> pd.DataFrame:
    return pd.read_csv(superstore_path())


def _baskets(log: pd.DataFrame, item: str) -> list[set]:
    return [set(g) for _, g in log.groupby("Order ID")[item]]


@pytest.mark.parametrize(("item", "min_support", "min_confidence", "min_lift", "max_len"), [
    ("Sub-Category", 0.01, 0.0, 0.0, None),
    ("Sub-Category", 0.005, 0.05, 1.0, None),
    ("Sub-Category", 0.002, 0.1, 1.2, 3),
    ("Sub-Category", 0.02, 0.0, 0.0, 2),
    ("Category", 0.001, 0.2, 0.0, None),
    ("Product ID", 0.0002, 0.0, 0.0, None),
])
def test_superstore_rules_equal_mlxtend(superstore, item, min_support, min_confidence,
                                        min_lift, max_len):
    est = AssociationRules(min_support=min_support, min_confidence=min_confidence,
                           min_lift=min_lift, max_len=max_len, product_col=item, **COLS)
    ours = est.fit(superstore).rules_
    theirs = mlxtend_rules(_baskets(superstore, item), min_support=min_support,
                           min_confidence=min_confidence, min_lift=min_lift, max_len=max_len)
    assert len(theirs) > 0
    assert_same_rules(ours, theirs)
    assert est.n_baskets_ == {None: 5009}


@pytest.mark.parametrize(("min_support", "min_confidence", "max_len"), [
    (0.01, 0.0, None), (0.004, 0.1, 3), (0.02, 0.05, 2)])
def test_superstore_rules_per_segment_equal_mlxtend(superstore, min_support, min_confidence,
                                                    max_len):
    est = AssociationRules(min_support=min_support, min_confidence=min_confidence,
                           min_lift=0.0, max_len=max_len, by="Segment",
                           product_col="Sub-Category", **COLS)
    rules = est.fit(superstore).rules_
    assert set(rules["Segment"]) == {"Consumer", "Corporate", "Home Office"}
    for segment, lines in superstore.groupby("Segment"):
        theirs = mlxtend_rules(_baskets(lines, "Sub-Category"), min_support=min_support,
                               min_confidence=min_confidence, min_lift=0.0, max_len=max_len)
        assert_same_rules(rules[rules["Segment"] == segment], theirs)
        assert est.n_baskets_[segment] == lines["Order ID"].nunique()


def _synthetic(seed: int, n_baskets: int = 600) -> pd.DataFrame:
    """Customer-day baskets (no order id) over 15 items, some bought together."""
    rng = np.random.default_rng(seed)
    rows = []
    popularity = 1.0 / np.arange(1, 16)
    popularity /= popularity.sum()
    for b in range(n_baskets):
        customer = f"c{b % 150:03d}"
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=b // 150)
        items = set(rng.choice(15, size=rng.integers(1, 6), p=popularity))
        if 0 in items and rng.random() < 0.7:
            items |= {3, 7}
        if 5 in items and rng.random() < 0.8:
            items.add(11)
        for i in items:
            rows.append((customer, day, float(rng.integers(1, 20)), f"item{i:02d}",
                         "north" if int(customer[1:]) % 2 else "south"))
    return pd.DataFrame(rows, columns=["customer_id", "date", "amount", "product", "region"])


def _day_baskets(log: pd.DataFrame) -> list[set]:
    return [set(g) for _, g in log.groupby(["customer_id", "date"])["product"]]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("min_support", "min_confidence", "min_lift", "max_len"), [
    (0.02, 0.0, 0.0, None), (0.05, 0.3, 1.0, None), (0.01, 0.5, 1.5, 3), (0.1, 0.0, 0.0, 2)])
def test_synthetic_rules_equal_mlxtend(seed, min_support, min_confidence, min_lift, max_len):
    log = _synthetic(seed)
    ours = AssociationRules(min_support=min_support, min_confidence=min_confidence,
                            min_lift=min_lift, max_len=max_len,
                            product_col="product").fit(log).rules_
    theirs = mlxtend_rules(_day_baskets(log), min_support=min_support,
                           min_confidence=min_confidence, min_lift=min_lift, max_len=max_len)
    assert len(theirs) > 0
    assert_same_rules(ours, theirs)


@pytest.mark.parametrize(("min_support", "min_confidence"), [(0.02, 0.0), (0.05, 0.4)])
def test_synthetic_rules_per_segment_equal_mlxtend(min_support, min_confidence):
    log = _synthetic(2)
    rules = AssociationRules(min_support=min_support, min_confidence=min_confidence,
                             min_lift=0.0, by="region", product_col="product").fit(log).rules_
    for region, lines in log.groupby("region"):
        theirs = mlxtend_rules(_day_baskets(lines), min_support=min_support,
                               min_confidence=min_confidence, min_lift=0.0, max_len=None)
        assert_same_rules(rules[rules["region"] == region], theirs)
