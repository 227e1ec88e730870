"""Co-purchase lift over whole histories: customers who bought one product also buy another.

Per segment, for products ``i`` and ``j``: ``C`` customers bought both, where
``E = has_i * has_j / n`` would have by chance (``has_i`` customers of the
segment's ``n`` bought ``i``). The lift ``(C + k) / (E + k)`` with ``k =
COBUY_PRIOR`` pseudo-customers is 1 for a pair seen as often as chance, above 1
for products bought by the same customers (in the same basket or not) and below
1 for products whose customers avoid each other. A candidate's factor is the
geometric mean of its lifts over everything the customer bought, raised to a
weight: item-based collaborative filtering on customers, as Microsoft
Recommenders' SAR does with co-occurrence normalised by lift.
"""

from __future__ import annotations

import polars as pl

from ..io._validate import CID
from ._association import SEG
from ._baskets import ITEM

__all__ = ["COBUY_PRIOR", "cobuy_candidates", "cobuy_factor", "pair_lifts"]

COBUY_PRIOR = 3.0  # pseudo-customers: a pair seen once or twice stays near lift 1
FROM = "__from"


def pair_lifts(customers: pl.DataFrame, purchases: pl.DataFrame) -> tuple[pl.DataFrame,
                                                                           pl.DataFrame]:
    """From the fitted customers (``__cid``, ``__seg``) and purchases (``__cid``, ``__item``).

    Returns ``reach`` (``__seg``, ``__item``, ``__has``, ``__n_seg``: customers who
    bought it, customers of the segment) and ``lifts`` (``__seg``, ``__from``,
    ``__item``, ``__c``, ``__lift``) of every pair bought by at least one customer.
    """
    own = purchases.select(CID, ITEM).join(customers.select(CID, SEG), on=CID)
    reach = own.group_by(SEG, ITEM).agg(pl.len().alias("__has")).join(
        customers.group_by(SEG).agg(pl.len().alias("__n_seg")), on=SEG)
    pairs = own.join(own.select(CID, pl.col(ITEM).alias(FROM)), on=CID).filter(
        pl.col(ITEM) != pl.col(FROM)).group_by(SEG, FROM, ITEM).agg(pl.len().alias("__c"))
    lifts = _with_expected(pairs, reach).with_columns(
        ((pl.col("__c") + COBUY_PRIOR) / (pl.col("__e") + COBUY_PRIOR)).alias("__lift")).drop(
        "__e")
    return reach, lifts


def _with_expected(pairs: pl.DataFrame, reach: pl.DataFrame) -> pl.DataFrame:
    """``pairs`` (``__seg``, ``__from``, ``__item``, ...) with ``__e``, the chance count."""
    has_from = reach.select(SEG, pl.col(ITEM).alias(FROM), pl.col("__has").alias("__hf"),
                            "__n_seg")
    has_item = reach.select(SEG, ITEM, pl.col("__has").alias("__hi"))
    return pairs.join(has_from, on=[SEG, FROM], how="left").join(
        has_item, on=[SEG, ITEM], how="left").with_columns(
        (pl.col("__hf").fill_null(0) * pl.col("__hi").fill_null(0)
         / pl.col("__n_seg").fill_null(1)).alias("__e")).drop("__hf", "__hi", "__n_seg")


def cobuy_candidates(own: pl.DataFrame, lifts: pl.DataFrame, n: int) -> pl.DataFrame:
    """For each product a customer bought (``own``: ``__cid``, ``__seg``, ``__item``), its
    ``n`` products of highest lift above 1: ``__cid``, ``__item``."""
    top = lifts.filter(pl.col("__lift") > 1.0).sort(
        [SEG, FROM, "__lift", ITEM], descending=[False, False, True, False]).group_by(
        SEG, FROM, maintain_order=True).head(n)
    return own.select(CID, SEG, pl.col(ITEM).alias(FROM)).join(
        top.select(SEG, FROM, ITEM), on=[SEG, FROM]).select(CID, ITEM)


def cobuy_factor(cand: pl.DataFrame, own: pl.DataFrame, reach: pl.DataFrame,
                 lifts: pl.DataFrame, weight: float) -> pl.DataFrame:
    """Per candidate (``cand``: ``__cid``, ``__seg``, ``__item``): the factor and its reason.

    ``__cobuy``: the geometric mean lift of the candidate over the customer's other
    products (``own``: ``__cid``, ``__item``), raised to ``weight``; ``__via``,
    ``__via_lift``: the bought product of highest lift and that lift.
    """
    x = cand.select(CID, SEG, ITEM).join(own.select(CID, pl.col(ITEM).alias(FROM)),
                                         on=CID).filter(pl.col(ITEM) != pl.col(FROM))
    x = _with_expected(x.join(lifts.select(SEG, FROM, ITEM, "__lift"), on=[SEG, FROM, ITEM],
                              how="left"), reach)
    # A pair no customer bought: lift k / (E + k), below 1 when chance expected some.
    lift = pl.col("__lift").fill_null(COBUY_PRIOR / (pl.col("__e") + COBUY_PRIOR))
    x = x.with_columns(lift.alias("__lift"))
    return x.sort([CID, ITEM, "__lift", FROM], descending=[False, False, True, False]).group_by(
        CID, ITEM).agg((pl.col("__lift").log().mean() * weight).exp().alias("__cobuy"),
                       pl.col(FROM).first().alias("__via"),
                       pl.col("__lift").first().alias("__via_lift"))
