"""plot_rules: support against confidence, coloured by lift, on rules worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.baskets import AssociationRules
from custseg.exceptions import MissingColumnError
from custseg.plotting import plot_rules

# Day baskets: a {tea, milk}, b {tea, milk}, c {tea, jam}, d {tea}; segments x: a, b; y: c, d.
LOG = pd.DataFrame({
    "customer_id": ["a", "a", "b", "b", "c", "c", "d"],
    "date": pd.to_datetime(["2024-01-01"] * 7), "amount": [1.0] * 7,
    "product": ["tea", "milk", "tea", "milk", "tea", "jam", "tea"],
    "segment": ["x", "x", "x", "x", "y", "y", "y"],
})


def _rules(**kwargs):
    return AssociationRules(min_support=0.25, min_confidence=0.2, min_lift=0.0,
                            product_col="product", **kwargs).fit(LOG).rules_


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_one_point_per_rule_coloured_by_lift(ax, kind):
    rules = _rules()
    # 4 rules: tea -> milk (s 1/2, c 1/2, lift 1), milk -> tea (1/2, 1, 1),
    # tea -> jam (1/4, 1/4, 1), jam -> tea (1/4, 1, 1).
    frame = rules if kind == "pandas" else pl.from_pandas(
        rules.assign(antecedents=[sorted(v) for v in rules["antecedents"]],
                     consequents=[sorted(v) for v in rules["consequents"]]))
    plot_rules(frame, label_top=2, ax=ax)
    points = ax.collections[0]
    got = sorted(map(tuple, np.asarray(points.get_offsets()).round(6)))
    assert got == [(0.25, 0.25), (0.25, 1.0), (0.5, 0.5), (0.5, 1.0)]
    assert np.allclose(points.get_array(), 1.0)
    assert ax.figure.axes[-1].get_ylabel() == "lift"  # the colour bar
    assert len(ax.texts) == 2 and "\u2192" in ax.texts[0].get_text()
    assert ax.get_title() == "Association rules (4)"


def test_one_segment_and_an_empty_table(ax):
    rules = _rules(by="segment")
    plot_rules(rules, segment="y", by="segment", label_top=0, ax=ax)
    n_y = int((rules["segment"] == "y").sum())
    assert len(ax.collections[0].get_offsets()) == n_y > 0
    assert ax.get_title() == f"Association rules: y ({n_y})"
    empty = rules.iloc[:0]
    ax2 = plot_rules(empty, ax=ax.figure.add_subplot(2, 1, 2))
    assert [t.get_text() for t in ax2.texts] == ["no rule"]


def test_missing_columns_are_named(ax):
    with pytest.raises(MissingColumnError, match="lift"):
        plot_rules(pd.DataFrame({"antecedents": [], "consequents": [], "support": [],
                                 "confidence": []}), ax=ax)
    with pytest.raises(MissingColumnError, match="by"):
        plot_rules(_rules(), segment="x", ax=ax)
