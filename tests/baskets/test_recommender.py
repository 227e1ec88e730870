"""ProductRecommender on hand-worked logs; its evaluation on a time split."""

from __future__ import annotations

import pandas as pd
import pytest

from custseg.baskets import ProductRecommender, compare_recommenders, recommendation_metrics
from custseg.datasets import make_baskets
from custseg.exceptions import InvalidDtypeError

# Day baskets: a {tea, milk}, b {tea, milk}, c {jam}, d {tea}, e {jam, milk}; segments x: a, b,
# d; y: c, e. Shares of the 5 baskets: tea 3/5, milk 3/5, jam 2/5; tea -> milk has confidence
# 2/3 and lift (2/3) / (3/5) = 10/9.
LOG = pd.DataFrame({
    "customer_id": ["a", "a", "b", "b", "c", "d", "e", "e"],
    "date": pd.to_datetime(["2024-01-01"] * 8),
    "amount": [1.0] * 8,
    "product": ["tea", "milk", "tea", "milk", "jam", "tea", "jam", "milk"],
    "segment": ["x", "x", "x", "x", "y", "x", "y", "y"],
})


def _rec(**kwargs) -> ProductRecommender:
    params = dict(min_support=0.3, min_confidence=0.5, min_lift=0.0, product_col="product")
    return ProductRecommender(**{**params, **kwargs}).fit(LOG)


def test_rule_then_best_sellers_and_every_customer_once():
    out = _rec(rule_weight=1.0).recommend(["d", "a", "new"], n=2)
    assert out["customer_id"].tolist() == ["d", "d", "a", "new", "new"]
    d = out[out["customer_id"] == "d"]
    assert d["product"].tolist() == ["milk", "jam"]
    # rule_weight=1: popularity 3/5 times lift 10/9 is the rule's confidence 2/3.
    assert d["score"].tolist() == pytest.approx([2 / 3, 2 / 5])
    assert d["reason"].iloc[0] == ("bought tea: 67% of such baskets hold milk "
                                   "(1.1x as often as average)")
    assert d["reason"].iloc[1] == "best seller: in 40% of all baskets"
    assert out[out["customer_id"] == "a"]["product"].tolist() == ["jam"]  # all else bought
    assert out[out["customer_id"] == "new"]["product"].tolist() == ["milk", "tea"]


@pytest.mark.parametrize(("weight", "score"), [(0.0, 3 / 5), (0.5, 3 / 5 * (10 / 9) ** 0.5)])
def test_rule_weight_is_the_exponent_of_the_lift(weight, score):
    d = _rec(rule_weight=weight).recommend(["d"], n=1)
    assert d["product"].tolist() == ["milk"]
    assert d["score"].iloc[0] == pytest.approx(score)
    assert d["reason"].iloc[0].startswith("bought tea" if weight else "best seller")


def test_exclude_purchased_false_blends_the_customers_own_history():
    out = _rec(exclude_purchased=False, history_prior=20.0).recommend(["d"], n=3)
    assert out["product"].tolist() == ["tea", "milk", "jam"]
    # tea: (1 basket of 1 + 20 x 3/5) / (1 + 20); milk: 20 x 3/5 / 21 x (10/9) ** 0.5.
    assert out["score"].tolist() == pytest.approx(
        [13 / 21, 12 / 21 * (10 / 9) ** 0.5, 8 / 21])
    assert out["reason"].iloc[0] == "bought again: in 1 of the customer's 1 baskets"


def test_segments_give_their_own_best_sellers_shrunk_toward_all():
    rec = _rec(by="segment", shrinkage=0.0)
    d = rec.recommend(["d"], n=2)
    # Segment x (a, b, d): tea 1, milk 2/3; tea -> milk has lift 1 there, so no boost.
    assert d["product"].tolist() == ["milk"]
    assert d["score"].iloc[0] == pytest.approx(2 / 3)
    assert d["reason"].iloc[0] == "best seller of segment x: in 67% of its baskets"
    cold = rec.recommend(["new"], n=1, segments=pd.DataFrame(
        {"customer_id": ["new"], "segment": ["y"]}))
    assert cold["product"].tolist() == ["jam"]
    assert cold["reason"].iloc[0] == "best seller of segment y: in 100% of its baskets"
    shrunk = _rec(by="segment", shrinkage=3.0).recommend(["d"], n=1)
    assert shrunk["score"].iloc[0] == pytest.approx((2 + 3 * 3 / 5) / (3 + 3))


def test_fitted_state_is_what_recommend_needs_not_the_log():
    rec = _rec(by="segment")
    assert not hasattr(rec, "history_")
    assert rec.customers_.columns == ["customer_id", "segment", "n_baskets"]
    assert rec.customers_.height == 5
    assert rec.purchases_.columns == ["customer_id", "product", "n_baskets"]
    assert rec.purchases_.height == 8
    assert rec.overall_best_sellers_["product"].to_list() == ["milk", "tea", "jam"]


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
    m = recommendation_metrics(rec, holdout, n=2)  # d is recommended milk, then jam
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


def test_predict_uses_the_purchases_of_the_log_it_is_given():
    rec = _rec(by="segment", shrinkage=0.0)
    later = pd.concat([LOG, pd.DataFrame({
        "customer_id": ["d", "f", "g"], "date": pd.to_datetime(["2024-02-01"] * 3),
        "amount": [1.0] * 3, "product": ["milk", "tea", "jam"],
        "segment": ["x", "y", "z"]})], ignore_index=True)
    out = rec.predict(later, n=1).set_index("customer_id")
    # d has bought milk since fit: nothing of segment x is left (tea, milk both bought).
    assert "d" not in out.index
    # f is new, of segment y (jam 1, milk 1/2 in fit): jam; g's segment z is unknown to
    # fit: the best sellers of all customers (milk and tea 3/5, milk first by name).
    assert out.loc["f", "product"] == "jam"
    assert out.loc["g", "product"] == "milk"
    assert out.loc["g", "reason"] == "best seller: in 60% of all baskets"
    assert out.index.tolist() == sorted(out.index)


# Baskets of separate days: a {tea}, {jam}; b {tea}, {jam}; c {tea}; d, e, f {milk}. Shares of
# the 8 baskets: tea 3/8, jam 2/8, milk 3/8. Customers (6): tea 3, jam 2, milk 3; tea and jam
# 2 (chance: 3 x 2 / 6 = 1), tea and milk 0 (chance 3 x 3 / 6 = 1.5).
COBUY = pd.DataFrame({
    "customer_id": ["a", "a", "b", "b", "c", "d", "e", "f"],
    "date": pd.to_datetime(["2024-01-01", "2024-01-02"] * 2 + ["2024-01-01"] * 4),
    "amount": [1.0] * 8,
    "product": ["tea", "jam", "tea", "jam", "tea", "milk", "milk", "milk"],
})


@pytest.mark.parametrize("weight", [0.0, 1.0, 2.0])
def test_cobuy_weight_is_the_exponent_of_the_lift_over_whole_histories(weight):
    rec = ProductRecommender(min_support=0.3, rule_weight=0.0, cobuy_weight=weight,
                             product_col="product").fit(COBUY)
    out = rec.recommend(["c"], n=2)
    # Lifts (count + 3) / (chance + 3): jam (2 + 3) / (1 + 3), milk 3 / (1.5 + 3).
    scores = {"jam": 2 / 8 * (5 / 4) ** weight, "milk": 3 / 8 * (2 / 3) ** weight}
    assert out["product"].tolist() == sorted(scores, key=lambda p: -scores[p])
    assert out["score"].tolist() == pytest.approx(sorted(scores.values(), reverse=True))
    jam = out.set_index("product").loc["jam", "reason"]
    assert jam.startswith("customers who bought tea also buy jam: 1.") if weight else (
        jam == "best seller: in 25% of all baskets")
    assert out.set_index("product").loc["milk", "reason"] == "best seller: in 38% of all baskets"


def test_cobuy_candidates_reach_beyond_the_best_sellers():
    rec = ProductRecommender(min_support=0.3, rule_weight=0.0, cobuy_weight=2.0,
                             product_col="product").fit(COBUY)
    # n=1: jam is not the top best seller (milk is) but the lift brings it in and ahead.
    assert rec.recommend(["c"], n=1)["product"].tolist() == ["jam"]
    base = ProductRecommender(min_support=0.3, cobuy_weight=2.0, strategy="global_popular",
                              product_col="product").fit(COBUY)
    assert base.recommend(["c"], n=1)["product"].tolist() == ["milk"]  # baselines: no lift


def test_a_rule_of_two_consequents_lends_no_lift_to_either():
    # Baskets {a, b, c}, {a, c}, {b}, {b}, {d}, {a} (x's): a -> c has lift (2/3) / (2/6) = 2,
    # a -> b lift (1/3) / (3/6) < 1 (left out), a -> {b, c} lift (1/3) / (1/6) = 2: that
    # lift is the pair's, not b's.
    log = pd.DataFrame({
        "customer_id": ["p", "p", "p", "q", "q", "r", "s", "t", "x"],
        "date": pd.to_datetime(["2024-01-01"] * 9), "amount": [1.0] * 9,
        "product": ["a", "b", "c", "a", "c", "b", "b", "d", "a"]})
    rec = ProductRecommender(min_support=0.1, min_confidence=0.1, rule_weight=1.0,
                             product_col="product").fit(log)
    assert any(len(c) == 2 for c in rec.rules_["consequents"].to_list())
    out = rec.recommend(["x"], n=2)
    assert out["product"].tolist() == ["c", "b"]
    assert out["score"].tolist() == pytest.approx([2 / 3, 1 / 2])
    assert out["reason"].iloc[1] == "best seller: in 50% of all baskets"
