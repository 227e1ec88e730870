"""mlxtend's fpgrowth + association_rules on the same baskets: the reference rules."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

METRICS = ["antecedent support", "consequent support", "support", "confidence", "lift",
           "leverage", "conviction"]


def mlxtend_rules(baskets: list[set[Any]], *, min_support: float, min_confidence: float,
                  min_lift: float, max_len: int | None) -> pd.DataFrame:
    """The rules mlxtend finds on ``baskets`` (one set of items per basket)."""
    frequent_patterns = pytest.importorskip("mlxtend.frequent_patterns")
    pairs = pd.DataFrame([(n, i) for n, b in enumerate(baskets) for i in b],
                         columns=["basket", "item"])
    onehot = pd.crosstab(pairs["basket"], pairs["item"]).astype(bool)
    onehot.columns = list(onehot.columns)
    freq = frequent_patterns.fpgrowth(onehot, min_support=min_support, use_colnames=True,
                                      max_len=max_len)
    if freq.empty:
        return pd.DataFrame(columns=["antecedents", "consequents", *METRICS])
    rules = frequent_patterns.association_rules(
        freq, num_itemsets=len(onehot), metric="confidence", min_threshold=min_confidence)
    return rules[rules["lift"] >= min_lift]


def assert_same_rules(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    """Same rule set; every metric equal to 1e-9 (relative), infinities equal."""
    def keyed(df: pd.DataFrame) -> dict[tuple[frozenset, frozenset], dict[str, float]]:
        return {(frozenset(r["antecedents"]), frozenset(r["consequents"])):
                {m: float(r[m]) for m in METRICS} for _, r in df.iterrows()}

    a, b = keyed(ours), keyed(theirs)
    assert len(a) == len(ours), "a rule appears twice"
    assert set(a) == set(b), (sorted(map(str, set(a) - set(b)))[:5],
                              sorted(map(str, set(b) - set(a)))[:5])
    for key, metrics in a.items():
        for m, value in metrics.items():
            ref = b[key][m]
            if math.isinf(ref) or math.isinf(value):
                assert value == ref, (key, m, value, ref)
            else:
                assert math.isclose(value, ref, rel_tol=1e-9, abs_tol=1e-12), (key, m, value, ref)
