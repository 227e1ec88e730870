"""How ProductRecommender scores products: popularity x own history x rule lift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ..io._validate import CID
from ._association import SEG
from ._baskets import ITEM
from ._cobuy import cobuy_candidates, cobuy_factor
from ._itemsets import N_BASKETS
from ._rules import ANTE, CONS

__all__ = ["Blend", "cold_start", "fired_rules", "history_tables", "rank", "score_candidates"]


@dataclass(frozen=True)
class Blend:
    """The settings of the score (see :class:`ProductRecommender`)."""

    rule_weight: float
    history_prior: float
    exclude_purchased: bool
    rebuy: bool  # the customer's own history counts (re-buys, strategy "rules")
    segmented: bool  # best sellers are per segment (reasons name the segment)
    cobuy_weight: float = 0.0  # exponent of the co-purchase lift (0: off)


def history_tables(bi: pl.DataFrame, keys: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """From basket items (``keys`` with ``__seg``, ``__item``): customers and purchases.

    ``customers``: ``__cid``, ``__seg``, ``__n`` (baskets); ``purchases``:
    ``__cid``, ``__item``, ``__n`` (baskets holding the item).
    """
    purchases = bi.group_by(CID, ITEM).agg(pl.len().alias(N_BASKETS)).sort(CID, ITEM)
    customers = bi.select(keys).unique().group_by(CID, SEG).agg(
        pl.len().alias(N_BASKETS)).sort(CID)
    return customers, purchases


def rank(ids: pl.DataFrame, scored: pl.DataFrame, n: int) -> pl.DataFrame:
    """The ``n`` best of each customer, in the order of ``ids`` then rank."""
    ranked = scored.sort([CID, "score", ITEM], descending=[False, True, False]).with_columns(
        pl.int_range(pl.len()).over(CID).add(1).alias("rank")).filter(pl.col("rank") <= n)
    return ids.with_row_index("__pos").join(ranked, on=CID, how="inner").sort(
        "__pos", "rank").select(CID, pl.col("rank").cast(pl.Int64), ITEM, "score", "reason")


def cold_start(who: pl.DataFrame, overall: pl.DataFrame, n: int) -> pl.DataFrame:
    """Customers without a known segment: the best sellers of all customers."""
    top = overall.head(n)
    pct = (pl.col("support") * 100).round(0).cast(pl.Int64).cast(pl.String)
    return who.join(top, how="cross").select(
        CID, ITEM, pl.col("support").alias("score"),
        pl.concat_str([pl.lit("best seller: in "), pct, pl.lit("% of all baskets")]).alias(
            "reason"))


def score_candidates(who: pl.DataFrame, best: pl.DataFrame, purchases: pl.DataFrame,
                     rules: pl.DataFrame, n: int, blend: Blend,
                     cobuy: tuple[pl.DataFrame, pl.DataFrame] | None = None) -> pl.DataFrame:
    """Customers of a known segment (``__cid``, ``__seg``, ``__n``): every candidate scored.

    Candidates are the segment's best sellers (enough to leave ``n`` after the
    customer's own products), the consequents of the rules that fired, with
    ``cobuy`` (``reach`` and ``lifts`` of :func:`pair_lifts`) the ``n`` products of
    highest co-purchase lift of each bought product and, with re-buys, the
    customer's own products.
    """
    own = purchases.join(who.select(CID), on=CID).rename({N_BASKETS: "__k"})
    longest = own.group_by(CID).len()["len"].max() if len(own) else 0
    longest = int(longest) if isinstance(longest, int) else 0
    top = best.group_by(SEG, maintain_order=True).head(n + longest)
    pairs = [who.join(top.select(SEG, ITEM), on=SEG).select(CID, ITEM)]
    fired = fired_rules(who, own, rules)
    pairs.append(fired.select(CID, ITEM))
    rebuy = blend.rebuy
    if rebuy:
        pairs.append(own.select(CID, ITEM))
    if cobuy is not None:
        pairs.append(cobuy_candidates(own.join(who.select(CID, SEG), on=CID), cobuy[1], n))
    cand = pl.concat(pairs, how="vertical_relaxed").unique().join(who, on=CID).join(
        best, on=[SEG, ITEM], how="left").join(own, on=[CID, ITEM], how="left").join(
        fired, on=[CID, ITEM], how="left").with_columns(
        pl.col("score").fill_null(0.0), pl.col("__k").fill_null(0))
    if blend.exclude_purchased:
        cand = cand.filter(pl.col("__k") == 0)
    base = pl.col("score")
    if rebuy:
        # The customer's own share of baskets holding the product, shrunk toward the
        # segment's with `history_prior` pseudo-baskets.
        alpha = blend.history_prior
        base = (pl.col("__k") + alpha * base) / (pl.col(N_BASKETS) + alpha)
    boost = pl.max_horizontal(pl.col("lift").fill_null(1.0), pl.lit(1.0)) ** blend.rule_weight
    if cobuy is not None:
        cand = cand.join(cobuy_factor(cand, own, cobuy[0], cobuy[1], blend.cobuy_weight),
                         on=[CID, ITEM], how="left")
        boost = boost * pl.col("__cobuy").fill_null(1.0)
    else:
        cand = cand.with_columns(pl.lit(None, pl.String).alias("__via"),
                                 pl.lit(None, pl.Float64).alias("__via_lift"))
    cand = cand.with_columns((base * boost).alias("__score"))
    pct = (pl.col("support").fill_null(0.0) * 100).round(0).cast(pl.Int64).cast(pl.String)
    times = pl.col("lift").round(1).cast(pl.String)
    if blend.segmented:
        popular = pl.concat_str([pl.lit("best seller of segment "),
                                 pl.col(SEG).cast(pl.String), pl.lit(": in "), pct,
                                 pl.lit("% of its baskets")])
    else:
        popular = pl.concat_str([pl.lit("best seller: in "), pct, pl.lit("% of all baskets")])
    # A rule is the reason when its lift shows in words ("1.1x as often as average").
    ruled = (pl.col("lift").fill_null(0.0).round(1) > 1.0) & pl.lit(
        blend.rule_weight > 0)
    reason = pl.when(ruled).then(pl.concat_str([
        pl.lit("bought "), pl.col(ANTE).cast(pl.List(pl.String)).list.join(" and "),
        pl.lit(": "), (pl.col("confidence") * 100).round(0).cast(pl.Int64).cast(pl.String),
        pl.lit("% of such baskets hold "), pl.col(ITEM).cast(pl.String), pl.lit(" ("),
        times, pl.lit("x as often as average)")])).when(pl.col("__k") > 0).then(
        pl.concat_str([pl.lit("bought again: in "), pl.col("__k").cast(pl.String),
                       pl.lit(" of the customer's "), pl.col(N_BASKETS).cast(pl.String),
                       pl.lit(" baskets")])).when(
        pl.col("__via_lift").fill_null(0.0).round(1) > 1.0).then(pl.concat_str([
            pl.lit("customers who bought "), pl.col("__via").cast(pl.String),
            pl.lit(" also buy "), pl.col(ITEM).cast(pl.String), pl.lit(": "),
            pl.col("__via_lift").round(1).cast(pl.String),
            pl.lit("x as many as by chance")])).otherwise(popular)
    return cand.select(CID, ITEM, pl.col("__score").alias("score"), reason.alias("reason"))


def fired_rules(who: pl.DataFrame, own: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    """Per customer and consequent: the rule of highest lift whose antecedents were bought.

    Rules of one consequent only (see below).
    """
    schema: dict[str, Any] = {CID: who.schema[CID], ITEM: own.schema[ITEM],
                              "lift": pl.Float64, "confidence": pl.Float64,
                              ANTE: pl.List(own.schema[ITEM])}
    if not len(rules) or not len(own):
        return pl.DataFrame(schema=schema)
    # Only rules with one consequent: the lift of {a} -> {b, c} belongs to the pair
    # {b, c}, and would lend c's lift to a best seller b bought with it by chance.
    rules = rules.filter(pl.col(CONS).list.len() == 1).with_row_index("__rid")
    ante = rules.select(SEG, "__rid", pl.col(ANTE).list.len().alias("__n_ante"),
                        pl.col(ANTE).alias(ITEM)).explode(ITEM)
    owned = own.join(who.select(CID, SEG), on=CID).select(CID, SEG, ITEM)
    fired = owned.join(ante, on=[SEG, ITEM]).group_by(CID, "__rid", "__n_ante").agg(
        pl.len().alias("__hits")).filter(pl.col("__hits") == pl.col("__n_ante"))
    cons = rules.select("__rid", "lift", "confidence", ANTE,
                        pl.col(CONS).alias(ITEM)).explode(ITEM)
    # Ties of lift and confidence go to the first antecedents in text order, so that
    # the reason is the same whatever order an engine found the rules in.
    hit = fired.join(cons, on="__rid").with_columns(
        pl.col(ANTE).cast(pl.List(pl.String)).list.join("\x1f").alias("__ante")).sort(
        [CID, ITEM, "lift", "confidence", "__ante"], descending=[False, False, True, True, False])
    return hit.unique([CID, ITEM], keep="first").select(list(schema))
