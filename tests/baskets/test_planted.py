"""The synthetic generator's planted rules are found back, segment by segment."""

from __future__ import annotations

import pytest

from custseg.baskets import AssociationRules
from custseg.datasets import make_baskets
from custseg.exceptions import InvalidValueError


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_planted_rule_is_recovered_in_its_segment(seed):
    lines, planted = make_baskets(20_000, n_segments=4, rules_per_segment=3, random_state=seed)
    # Planted support ~ 0.2 * 0.8 / 3 = 0.053 of a segment's baskets, confidence ~ 0.8.
    rules = AssociationRules(min_support=0.02, min_confidence=0.6, min_lift=2.0, by="segment",
                             product_col="product", order_col="order_id").fit(lines).rules_
    found = set(zip(rules["segment"], rules["antecedents"], rules["consequents"], strict=True))
    for segment, ante, cons in planted.itertuples(index=False):
        assert (segment, ante, cons) in found, (segment, sorted(ante), sorted(cons))
        # A segment's rule is its own: the other segments do not have it.
        assert not any((other, ante, cons) in found for other in set(planted["segment"]) - {
            segment})


def test_generator_is_reproducible_and_polars_on_request():
    a, ra = make_baskets(500, random_state=3)
    b, rb = make_baskets(500, random_state=3, as_frame="polars")
    assert a.equals(b.to_pandas())
    assert ra.equals(rb)
    assert (a["amount"] > 0).all()
    assert a.groupby("customer_id")["segment"].nunique().max() == 1


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"rule_rate": 1.5}, "rule_rate=1.5 must be in"),
    ({"n_products": 20, "rules_per_segment": 5}, "need 45 products of their own"),
    ({"as_frame": "spark"}, "as_frame='spark'"),
])
def test_generator_refuses_bad_settings(kwargs, match):
    with pytest.raises(InvalidValueError, match=match):
        make_baskets(100, **kwargs)
