"""ProductRecommender: the next products for every customer, from segment rules and best sellers."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import narwhals.stable.v2 as nw
import polars as pl

from .._frame import collect_small
from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..exceptions import InvalidDtypeError
from ..io._validate import CID
from ._association import _TX_CONSTRAINTS, SEG, _BasketEstimator
from ._baskets import ITEM
from ._itemsets import N_BASKETS, frequent_itemsets
from ._rules import ANTE, CONS, rules_from_itemsets

__all__ = ["ProductRecommender"]

_ALL = "__all"


class ProductRecommender(_BasketEstimator):
    """Ranked products each customer has not bought yet, with the reason for each.

    ``fit`` reads the log up to ``observation_date`` (pass ``future="drop"`` to cut
    a longer log there) and learns, per segment (``by``) or for all customers:

    - the association rules of its baskets (:class:`AssociationRules`);
    - its best sellers: the share of its baskets holding each product;
    - each customer's purchased products and segment.

    :meth:`recommend` scores, for a customer, every consequent of a rule of
    the customer's segment whose antecedents the customer has bought, with the
    rule's confidence (the chance that a basket with the antecedents also holds
    it), and every best seller of the segment with its share of baskets: both
    estimate how likely the product is bought, so one ranking blends them, and a
    customer without a matching rule gets the segment's best sellers. A
    customer unknown to ``fit`` (cold start) gets the best sellers of the segment
    given in ``segments=``, or of all customers.

    ``strategy`` gives the two baselines of an evaluation: ``"segment_popular"``
    (segment best sellers only) and ``"global_popular"`` (best sellers of all
    customers only).

    Parameters
    ----------
    min_support, min_confidence, min_lift, max_len
        Thresholds of the rules, as in :class:`AssociationRules`.
    by : str, optional
        Segment column (see :class:`AssociationRules`).
    strategy : {"rules", "segment_popular", "global_popular"}, default="rules"
        What scores products (see above).
    exclude_purchased : bool, default=True
        Leave out products the customer has bought (``False`` for products that
        are bought again, such as groceries).
    customer_col, time_col, amount_col, product_col, order_col
        Column names, as in :class:`AssociationRules`.
    observation_date : date-like, optional
        Fit on the log up to this date.
    returns, future, time_format
        As in :func:`custseg.io.check_transactions`.

    Attributes
    ----------
    rules_ : polars.DataFrame
        The rules used (``by`` column with segments), strongest first.
    best_sellers_ : polars.DataFrame
        The segment (``by``; absent without), the product and ``support``.
    history_ : polars.DataFrame
        Each customer's products (customer, product) and segment.
    n_customers_ : int
        Customers seen in ``fit``.
    feature_names_in_ : ndarray of str
        Columns of the log seen in ``fit``.
    n_features_in_ : int
        Number of those columns.

    See Also
    --------
    AssociationRules : The rules behind the recommendations.
    recommendation_metrics : Hit rate, precision, recall and coverage on a holdout.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.baskets import ProductRecommender
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c", "c", "d"],
    ...     "date": pd.to_datetime(["2024-01-01"] * 7),
    ...     "amount": [1.0] * 7,
    ...     "product": ["tea", "milk", "tea", "milk", "tea", "jam", "tea"]})
    >>> rec = ProductRecommender(min_support=0.3, min_confidence=0.5, min_lift=0.0,
    ...                          product_col="product").fit(log)
    >>> rec.recommend(["d", "new"], n=1)
      customer_id  rank product  score                                      reason
    0           d     1    milk    0.5  bought tea: 50% of such baskets hold milk
    1         new     1     tea    1.0     best seller: in 100% of all baskets
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **_TX_CONSTRAINTS,
        "min_support": [Interval(Real, 0, 1, closed="right")],
        "min_confidence": [Interval(Real, 0, 1, closed="both")],
        "min_lift": [Interval(Real, 0, None, closed="left")],
        "max_len": [Interval(Integral, 2, None, closed="left"), None],
        "by": [str, None],
        "strategy": [StrOptions({"rules", "segment_popular", "global_popular"})],
        "exclude_purchased": ["boolean"],
    }

    def __init__(
        self,
        *,
        min_support: float = 0.01,
        min_confidence: float = 0.1,
        min_lift: float = 1.0,
        max_len: int | None = 3,
        by: str | None = None,
        strategy: str = "rules",
        exclude_purchased: bool = True,
        customer_col: str = "customer_id",
        time_col: str = "date",
        amount_col: str = "amount",
        product_col: str | None = None,
        order_col: str | None = None,
        observation_date: Any = None,
        returns: str = "net",
        future: str = "error",
        time_format: str | None = None,
    ) -> None:
        self.min_support = min_support
        self.min_confidence = min_confidence
        self.min_lift = min_lift
        self.max_len = max_len
        self.by = by
        self.strategy = strategy
        self.exclude_purchased = exclude_purchased
        self.customer_col = customer_col
        self.time_col = time_col
        self.amount_col = amount_col
        self.product_col = product_col
        self.order_col = order_col
        self.observation_date = observation_date
        self.returns = returns
        self.future = future
        self.time_format = time_format

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None, *, segments: Any = None) -> ProductRecommender:
        """Learn the rules, best sellers and purchase histories of the log.

        Parameters
        ----------
        X : dataframe, lazy frame or Transactions
            The transaction log with an item column.
        y : None
            Ignored.
        segments : dataframe, optional
            With ``by``: the segment of each customer (default: read from ``X``).

        Returns
        -------
        self : ProductRecommender
            The fitted recommender.
        """
        tx = self._check(X)
        items, keys = self._basket_items(X, tx, segments)
        if self.by is None or self.strategy == "global_popular":
            items = items.with_columns(nw.lit("all").alias(_ALL)) if self.by is None else \
                items.drop(SEG).with_columns(nw.lit("all").alias(_ALL))
            items = items.rename({_ALL: SEG})
            keys = [SEG, *[k for k in keys if k != SEG]]
        bi = collect_small(items.select(*keys, ITEM))
        n = bi.select(keys).unique().group_by(SEG).agg(pl.len().alias(N_BASKETS))
        best = bi.group_by(SEG, ITEM).agg(pl.len().alias("__c")).join(n, on=SEG).with_columns(
            (pl.col("__c") / pl.col(N_BASKETS)).alias("support")).sort(
            [SEG, "support", ITEM], descending=[False, True, False]).select(SEG, ITEM, "support")
        if self.strategy == "rules":
            _, levels = frequent_itemsets(nw.from_native(bi.lazy()), keys, [SEG],
                                          float(self.min_support), self.max_len)
            rules = rules_from_itemsets(levels, [SEG], min_confidence=float(self.min_confidence),
                                        min_lift=float(self.min_lift))
        else:
            rules = rules_from_itemsets([], [SEG], min_confidence=0.0, min_lift=0.0)
        history = bi.select(CID, SEG, ITEM).unique().sort(CID, ITEM)
        self.rules_ = rules.rename({SEG: str(self.by) if self.by else SEG}) if self.by else \
            rules.drop(SEG)
        self.best_sellers_ = best.rename({ITEM: str(tx.product_col)}).rename(
            {SEG: str(self.by) if self.by else "__seg"})
        if not self.by:
            self.best_sellers_ = self.best_sellers_.drop("__seg")
        self.history_ = history.rename({CID: tx.customer_col, ITEM: str(tx.product_col)}).rename(
            {SEG: str(self.by) if self.by else "__seg"})
        if not self.by:
            self.history_ = self.history_.drop("__seg")
        self.n_customers_ = history[CID].n_unique()
        self._record(tx)
        self._fit_info = (tx.customer_col, str(tx.product_col), tx.info)
        return self

    # --- internal tables in internal names -------------------------------------------------

    def _internal(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        cust, prod, _ = self._fit_info
        seg = str(self.by) if self.by else None
        pooled = self.by is None or self.strategy == "global_popular"

        def norm(df: pl.DataFrame, has_seg: bool) -> pl.DataFrame:
            names = {cust: CID, prod: ITEM}
            if has_seg and seg and seg in df.columns and not pooled:
                names[seg] = SEG
            df = df.rename({k: v for k, v in names.items() if k in df.columns})
            if SEG not in df.columns:
                df = df.drop(seg) if seg and seg in df.columns else df
                df = df.with_columns(pl.lit("all").alias(SEG))
            return df

        rules = self.rules_
        if seg and seg in rules.columns and not pooled:
            rules = rules.rename({seg: SEG})
        elif SEG not in rules.columns:
            rules = rules.with_columns(pl.lit("all").alias(SEG))
        return norm(self.best_sellers_, True), norm(self.history_, True), rules

    def recommend(self, customers: Any, n: int = 5, *, segments: Any = None) -> Any:
        """The ``n`` best products for each customer, with score and reason.

        Parameters
        ----------
        customers : list, array or Series of customer ids
            Customers to recommend for, each once; customers unknown to ``fit`` get
            best sellers (their segment's when ``segments`` names it).
        n : int, default=5
            Products per customer.
        segments : dataframe, optional
            With ``by``: segments of customers unknown to ``fit`` (customer column
            and ``by``).

        Returns
        -------
        pandas.DataFrame
            ``n`` rows per customer (fewer when fewer products are left), in the
            order of ``customers`` then rank: the customer column, ``rank`` (1 =
            best), the product column, ``score`` (the rule's confidence, or the
            best seller's share of baskets) and ``reason`` in words.
        """
        check_is_fitted(self)
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
            raise InvalidDtypeError(f"n must be a positive integer; got {n!r}.")
        cust, prod, _ = self._fit_info
        best, history, rules = self._internal()
        ids = self._ids(customers, history)
        seg_of = history.select(CID, SEG).unique(subset=[CID])
        wanted = ids.join(seg_of, on=CID, how="left")
        if self.by and segments is not None and self.strategy != "global_popular":
            extra = pl.from_pandas(nw.from_native(segments).to_pandas()) if not isinstance(
                segments, pl.DataFrame) else segments
            extra = extra.select(pl.col(cust).alias(CID), pl.col(str(self.by)).alias("__s2"))
            extra = extra.with_columns(pl.col(CID).cast(wanted.schema[CID]),
                                       pl.col("__s2").cast(best.schema[SEG]))
            wanted = wanted.join(extra, on=CID, how="left").with_columns(
                pl.coalesce(SEG, "__s2").alias(SEG)).drop("__s2")
        cold = wanted.filter(pl.col(SEG).is_null()).drop(SEG)
        overall = self._overall(best)
        cand = [self._popular(wanted.drop_nulls(SEG), best, history, n, "segment"),
                self._popular(cold, overall, history, n, "all")]
        if len(rules):
            cand.append(self._from_rules(wanted.drop_nulls(SEG), rules, history))
        scored = pl.concat([c for c in cand if len(c)], how="vertical_relaxed") if any(
            len(c) for c in cand) else pl.DataFrame(schema={CID: wanted.schema[CID],
                                                            ITEM: best.schema[ITEM],
                                                            "score": pl.Float64,
                                                            "reason": pl.String,
                                                            "__kind": pl.Int8})
        if self.exclude_purchased:
            scored = scored.join(history.select(CID, ITEM), on=[CID, ITEM], how="anti")
        scored = scored.sort([CID, "score", "__kind", ITEM],
                             descending=[False, True, False, False]).unique(
            subset=[CID, ITEM], keep="first", maintain_order=True)
        ranked = scored.sort([CID, "score", "__kind", ITEM],
                             descending=[False, True, False, False]).with_columns(
            pl.int_range(pl.len()).over(CID).add(1).alias("rank")).filter(pl.col("rank") <= n)
        out = ids.with_row_index("__pos").join(ranked, on=CID, how="inner").sort(
            "__pos", "rank").select(CID, pl.col("rank").cast(pl.Int64), ITEM, "score", "reason")
        return out.rename({CID: cust, ITEM: prod}).to_pandas()

    def predict(self, X: Any, n: int = 5) -> Any:
        """:meth:`recommend` for every customer of the log ``X``.

        Parameters
        ----------
        X : dataframe, lazy frame or Transactions
            A transaction log with the columns seen in ``fit``.
        n : int, default=5
            Products per customer.

        Returns
        -------
        pandas.DataFrame
            As :meth:`recommend`, customers in id order.
        """
        check_is_fitted(self)
        tx = self._check(X)
        ids = collect_small(tx.frame.select(CID).unique().sort(CID))[CID]
        return self.recommend(ids.to_list(), n=n)

    @classmethod
    def _test_instances(cls) -> list[ProductRecommender]:
        """Instances for the common tests, fitted on CDNOW (its quantity as the item)."""
        return [cls(min_support=0.001, min_confidence=0.0, min_lift=0.0,
                    product_col="quantity")]

    def _ids(self, customers: Any, history: pl.DataFrame) -> pl.DataFrame:
        if isinstance(customers, (str, bytes)) or not hasattr(customers, "__iter__"):
            raise InvalidDtypeError(
                f"customers must be a list, array or Series of customer ids; got "
                f"{type(customers).__name__}.")
        values = list(customers.tolist() if hasattr(customers, "tolist") else customers)
        try:
            ids = pl.Series(CID, values).cast(history.schema[CID], strict=True)
        except (pl.exceptions.PolarsError, TypeError, ValueError) as err:
            raise InvalidDtypeError(
                f"customers holds ids that cannot be compared with the log's customer ids "
                f"(dtype {history.schema[CID]}): {err}") from err
        return ids.to_frame().unique(maintain_order=True)

    @staticmethod
    def _overall(best: pl.DataFrame) -> pl.DataFrame:
        if best[SEG].n_unique() <= 1:
            return best.with_columns(pl.lit("all").alias(SEG))
        # Support over all baskets: weight each segment's share by its baskets (unknown here:
        # the mean share is used, a fair ranking of products across segments).
        return best.group_by(ITEM).agg(pl.col("support").sum() / best[SEG].n_unique()).with_columns(
            pl.lit("all").alias(SEG)).select(SEG, ITEM, "support")

    def _popular(self, who: pl.DataFrame, best: pl.DataFrame, history: pl.DataFrame, n: int,
                 scope: str) -> pl.DataFrame:
        if not len(who):
            return pl.DataFrame()
        longest = int(history.group_by(CID).len()["len"].max() or 0)  # type: ignore[arg-type]
        top = best.sort([SEG, "support", ITEM], descending=[False, True, False]).group_by(
            SEG, maintain_order=True).head(n + longest)
        joined = (who.join(top, on=SEG) if scope == "segment" else who.join(
            top.drop(SEG), how="cross"))
        pct = (pl.col("support") * 100).round(0).cast(pl.Int64).cast(pl.String)
        if scope == "segment" and self.by and self.strategy != "global_popular":
            reason = pl.concat_str([pl.lit("best seller of segment "), pl.col(SEG).cast(pl.String),
                                    pl.lit(": in "), pct, pl.lit("% of its baskets")])
        else:
            reason = pl.concat_str([pl.lit("best seller: in "), pct, pl.lit("% of all baskets")])
        return joined.select(CID, ITEM, pl.col("support").alias("score"),
                             reason.alias("reason"), pl.lit(1, pl.Int8).alias("__kind"))

    @staticmethod
    def _from_rules(who: pl.DataFrame, rules: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
        rules = rules.with_row_index("__rid")
        ante = rules.select(SEG, "__rid", pl.col(ANTE).list.len().alias("__k"),
                            pl.col(ANTE).alias(ITEM)).explode(ITEM)
        owned = history.join(who.select(CID), on=CID).select(CID, SEG, ITEM)
        fired = owned.join(ante, on=[SEG, ITEM]).group_by(CID, "__rid", "__k").agg(
            pl.len().alias("__hits")).filter(pl.col("__hits") == pl.col("__k"))
        cons = rules.select("__rid", "confidence", ANTE, pl.col(CONS).alias(ITEM)).explode(ITEM)
        hit = fired.join(cons, on="__rid")
        reason = pl.concat_str([
            pl.lit("bought "), pl.col(ANTE).cast(pl.List(pl.String)).list.join(" and "),
            pl.lit(": "), (pl.col("confidence") * 100).round(0).cast(pl.Int64).cast(pl.String),
            pl.lit("% of such baskets hold "), pl.col(ITEM).cast(pl.String)])
        return hit.select(CID, ITEM, pl.col("confidence").alias("score"), reason.alias("reason"),
                          pl.lit(0, pl.Int8).alias("__kind"))
