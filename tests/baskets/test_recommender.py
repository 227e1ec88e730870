"""ProductRecommender on hand-worked logs; its evaluation on a time split."""

from __future__ import annotations

import pandas as pd
import pytest

from custseg.baskets import ProductRecommender, compare_recommenders, recommendation_metrics
from custseg.datasets import make_baskets
from custseg.exceptions import InvalidDtypeError

# Day baskets: a {tea, milk}, b {tea, milk}, c {tea, jam}, d {tea}; segments x: a, b, d; y: c.
LOG = pd.DataFrame({
    "customer_id": ["a", "a", "b", "b", "c", "c", "d"],
    "date": pd.to_datetime(["2024-01-01"] * 7),
    "amount": [1.0] * 7,
    "product": ["tea", "milk", "tea", "milk", "tea", "jam", "tea"],
    "segment": ["x", "x", "x", "x", "y", "y", "x"],
})


def _rec(**kwargs) -> ProductRecommender:
    params = dict(min_support=0.3, min_confidence=0.5, min_lift=0.0, product_col="product")
    return ProductRecommender(**{**params, **kwargs}).fit(LOG)


def test_rule_then_best_sellers_and_every_customer_once():
    out = _rec().recommend(["d", "a", "new"], n=2)
    assert out["customer_id"].tolist() == ["d", "d", "a", "new", "new"]
    d = out[out["customer_id"] == "d"]
    assert d["product"].tolist() == ["milk", "jam"]  # tea -> milk (confidence 2/4), then jam
    assert d["score"].tolist() == [0.5, 0.25]
    assert d["reason"].iloc[0] == "bought tea: 50% of such baskets hold milk"
    assert out[out["customer_id"] == "a"]["product"].tolist() == ["jam"]  # all else bought
    assert out[out["customer_id"] == "new"]["product"].tolist() == ["tea", "milk"]


def test_exclude_purchased_false_recommends_bought_products_again():
    out = _rec(exclude_purchased=False).recommend(["a"], n=3)
    assert out["product"].tolist() == ["tea", "milk", "jam"]


def test_segments_give_their_own_best_sellers_and_rules():
    rec = _rec(by="segment")
    d = rec.recommend(["d"], n=1)
    assert d["product"].tolist() == ["milk"]
    assert d["score"].iloc[0] == pytest.approx(2 / 3)
    cold = rec.recommend(["new"], n=1, segments=pd.DataFrame(
        {"customer_id": ["new"], "segment": ["y"]}))
    assert cold["product"].iloc[0] in {"tea", "jam"}
    assert cold["reason"].iloc[0].startswith("best seller of segment y: in 100%")


def test_bad_customers_and_n_are_refused():
    rec = _rec()
    with pytest.raises(InvalidDtypeError, match="customers must be a list"):
        rec.recommend("a")
    with pytest.raises(InvalidDtypeError, match="n must be a positive integer"):
        rec.recommend(["a"], n=0)


def test_metrics_on_a_hand_worked_holdout():
    rec = _rec()
    holdout = pd.DataFrame({"customer_id": ["d", "d", "a"], "amount": [1.0] * 3,
                            "date": pd.to_datetime(["2024-02-01"] * 3),
                            "product": ["milk", "tea", "tea"], "segment": ["x"] * 3})
    m = recommendation_metrics(rec, holdout, n=2)
    # Only d buys a new product (milk), and milk is d's first recommendation.
    assert m == {"hit_rate": 1.0, "precision": 0.5, "recall": 1.0, "coverage": 2 / 3,
                 "n_customers": 1}


def test_rules_beat_global_best_sellers_on_synthetic_baskets():
    lines, _ = make_baskets(20_000, n_customers=4000, items_per_basket=2.0, rule_confidence=0.5,
                            random_state=0)
    rec = ProductRecommender(min_support=0.005, min_confidence=0.1, by="segment",
                             product_col="product", order_col="order_id")
    table = compare_recommenders(rec, lines, "2024-06-30").set_index("strategy")
    assert table.loc["rules", "hit_rate"] > table.loc["global_popular", "hit_rate"]
    assert table.loc["rules", "hit_rate"] >= table.loc["segment_popular", "hit_rate"]
    assert table["n_customers"].nunique() == 1
