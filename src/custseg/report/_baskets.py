"""The "what each segment buys together" section: top rules per segment, in words."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ._context import ReportContext, esc
from ._tables import best_first, table_html

__all__ = ["baskets_section"]

#: Rules shown per segment (strongest lift first).
TOP_RULES = 3
#: Baskets a rule must hold to be shown: fewer is chance more than habit.
MIN_BASKETS = 5


def _top_rules(rules: Any, by: str | None, order: list[Any]) -> pd.DataFrame:
    from ..baskets import describe_rules

    frame = rules.to_pandas().assign(antecedents=rules["antecedents"].to_list(),
                                     consequents=rules["consequents"].to_list())
    frame = frame[(frame["lift"] > 1.0) & (frame["n_baskets"] >= MIN_BASKETS)]
    if frame.empty:
        return frame
    frame = frame.assign(rule=describe_rules(frame))
    # A pair of items gives two rules (A -> B, B -> A) with the same lift: keep one.
    # Of rules with the same items and strength, the one reading "A and B -> C" (one
    # consequent, the most antecedents) is kept.
    frame = frame.assign(
        __items=[frozenset(a) | frozenset(c) for a, c in
                 zip(frame["antecedents"], frame["consequents"], strict=True)],
        __n_cons=[len(c) for c in frame["consequents"]],
        __n_ante=[-len(a) for a in frame["antecedents"]])
    group = [by] if by else []
    frame = frame.sort_values([*group, "lift", "confidence", "__n_cons", "__n_ante", "rule"],
                              ascending=[True] * len(group) + [False, False, True, True, True],
                              kind="stable")
    frame = frame.drop_duplicates([*group, "__items"])
    top = frame.groupby(group, sort=False).head(TOP_RULES) if group else frame.head(TOP_RULES)
    if by:
        rank = {v: i for i, v in enumerate(order)}
        top = top.sort_values(by, key=lambda s: s.map(lambda v: rank.get(v, len(rank))),
                              kind="stable")
    return top


def baskets_section(ctx: ReportContext) -> str | None:
    """Top rules of each segment in plain words, with a plot of all rules."""
    rec = getattr(ctx.model, "baskets_", None)
    if rec is None or not len(rec.rules_):
        return None
    by = str(rec.by) if rec.by else None
    segment_col = "rfm_segment" if "rfm_segment" in ctx.table.columns else None
    order = best_first(ctx.table[segment_col], segment_col) if segment_col else []
    top = _top_rules(rec.rules_, by, order)
    if top.empty:
        return None
    item = esc(rec.product_col)
    intro = (f"<p>What customers buy together, by <strong>{item}</strong>: the strongest "
             f"rules of each segment (a basket is one order, else one customer-day), seen "
             f"in at least {MIN_BASKETS} baskets. \"3.1x as often as average\" is the lift: "
             "baskets holding the first items hold the last that many times as often as an "
             "average basket of the segment. Confidence is the share of those baskets that "
             "hold it. Each customer's next best products are in the customer table "
             "(<code>next_best_products</code>).</p>")
    shown = top[[*([by] if by else []), "rule", "confidence", "n_baskets"]].rename(
        columns={"rule": "what they buy together", "n_baskets": "baskets"})
    if by:
        shown = shown.rename(columns={by: "segment"})
    shown = shown.assign(confidence=[f"{v:.0%}" for v in shown["confidence"]])
    table = table_html(shown, numeric=("baskets", "confidence"))

    def draw(ax: Any) -> Any:
        from ..plotting import plot_rules

        return plot_rules(rec.rules_, ax=ax)

    figure = ctx.figure("baskets_rules", draw,
                        "Every rule: support (share of baskets) against confidence, "
                        "coloured by lift", height=4.5)
    return intro + table + figure
