"""The "what each segment buys together" section, on a hand-worked model and in the page."""

from __future__ import annotations

import re
import types

import pandas as pd
import pytest

from custseg.baskets import ProductRecommender
from custseg.report._baskets import baskets_section
from custseg.report._context import ReportContext

# Orders of segment x: 6 x {Binders, Paper, Labels}, 4 x {Binders}, 2 x {Paper};
# segment y: 5 x {Art, Paper}, 5 x {Phones}. Lines are built below.
_BASKETS = ([("x", {"Binders", "Paper", "Labels"})] * 6 + [("x", {"Binders"})] * 4
            + [("x", {"Paper"})] * 2 + [("y", {"Art", "Paper"})] * 5 + [("y", {"Phones"})] * 5)


def _log() -> pd.DataFrame:
    rows = []
    for i, (seg, items) in enumerate(_BASKETS):
        for item in sorted(items):
            rows.append({"customer_id": f"{seg}{i % 3}", "order_id": f"o{i}",
                         "date": pd.Timestamp("2024-01-01") + pd.Timedelta(days=i),
                         "amount": 1.0, "product": item, "segment": seg})
    return pd.DataFrame(rows)


def _context(rec: ProductRecommender) -> ReportContext:
    table = pd.DataFrame({"customer_id": ["x0", "y0"], "rfm_segment": ["x", "y"]})
    return ReportContext(table=table, model=types.SimpleNamespace(baskets_=rec))


def test_top_rules_per_segment_in_plain_words():
    rec = ProductRecommender(min_support=0.3, min_confidence=0.3, by="segment",
                             product_col="product", order_col="order_id").fit(_log())
    html = baskets_section(_context(rec))
    assert html is not None
    # Segment x, 12 baskets: Labels 6, Paper 8, Binders 10, all three together 6.
    # {Binders, Paper} -> Labels: confidence 1, lift 1 / (6/12) = 2 (Labels -> {Binders,
    # Paper} too: the rule with one consequent reads better); Labels -> Paper: confidence
    # 1, lift 1 / (8/12) = 1.5; Labels -> Binders: 1 / (10/12) = 1.2. Binders -> Paper has
    # lift 0.9: not shown.
    rows = re.findall(r"<td>x</td><td>(.*?)</td>", html)
    assert rows == [
        "customers who buy Binders and Paper also buy Labels: 2.0x as often as average",
        "customers who buy Labels also buy Paper: 1.5x as often as average",
        "customers who buy Labels also buy Binders: 1.2x as often as average"]
    # Segment y: 10 baskets, {Art, Paper} in 5: Art -> Paper, lift 1 / (5/10) = 2; its mirror
    # Paper -> Art has the same items and lift: only one of the two is shown.
    assert html.count("also buy Paper: 2.0x") + html.count("also buy Art: 2.0x") == 1
    assert html.index("<td>x</td>") < html.index("<td>y</td>")
    assert "<img" in html and "coloured by lift" in html


def test_no_section_without_the_stage_or_strong_rules():
    assert baskets_section(ReportContext(table=pd.DataFrame({"customer_id": ["a"]}))) is None
    rec = ProductRecommender(min_support=0.9, by="segment", product_col="product",
                             order_col="order_id").fit(_log())
    assert baskets_section(_context(rec)) is None


@pytest.mark.filterwarnings("ignore")
def test_the_page_of_a_pipeline_with_products_has_the_section():
    from custseg.datasets import make_baskets
    from custseg.pipeline import CustomerSegmentation
    from custseg.report import render_report

    lines, _ = make_baskets(3_000, n_customers=300, random_state=0)
    model = CustomerSegmentation(product_col="product", order_col="order_id",
                                 random_state=0, churn="drop").fit(lines)
    table = model.predict(lines)
    page = render_report(table, model=model)
    assert '<section id="baskets"><h2>What each segment buys together</h2>' in page
    assert "customers who buy " in page
