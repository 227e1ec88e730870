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
    """Ranked next products for each customer, with the reason for each.

    ``fit`` reads the log up to ``observation_date`` (pass ``future="drop"`` to cut
    a longer log there) and learns, per segment (``by``) or for all customers:

    - the association rules of its baskets (:class:`AssociationRules`);
    - its best sellers: the share of its baskets holding each product;
    - how many baskets of each customer hold each product.

    :meth:`recommend` scores every candidate product of a customer (the
    segment's best sellers, the consequents of the segment's rules whose
    antecedents the customer has bought and, when re-buys count, the customer's
    own products) by three factors multiplied:

    1. popularity: the product's share of the segment's baskets, shrunk toward
       its share of all baskets by ``shrinkage`` pseudo-baskets (a small segment
       leans on the overall best sellers);
    2. with ``exclude_purchased=False``, the customer's own history: the share
       of the customer's baskets holding the product, shrunk toward the
       popularity by ``history_prior`` pseudo-baskets (a product bought in most
       of a customer's baskets is bought again);
    3. the lift of the strongest rule that fired (how many times as often as
       average the product is bought with what the customer bought), raised to
       ``rule_weight``: 0 ignores rules, 1 turns the popularity into the rule's
       confidence.

    A customer without a matching rule gets the segment's best sellers; a
    customer unknown to ``fit`` (cold start) gets the best sellers of the
    segment given in ``segments=``, or of all customers.

    ``strategy`` gives the two baselines of an evaluation: ``"segment_popular"``
    (the segment's best sellers by their plain share of baskets) and
    ``"global_popular"`` (best sellers of all customers).

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
        are bought again, such as groceries or product categories).
    rule_weight : float, default=0.5
        Exponent of the rule's lift in the score, >= 0.
    shrinkage : float, default=100.0
        Pseudo-baskets of the overall best sellers added to each segment's, >= 0.
    history_prior : float, default=20.0
        Pseudo-baskets of the segment's popularity added to each customer's own
        baskets (> 0; smaller trusts the customer's history more). Used only
        with ``exclude_purchased=False``.
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
        The segment (``by``; absent without), the product, ``support`` (share of
        the segment's baskets) and ``score`` (shrunk popularity), best first.
    overall_best_sellers_ : polars.DataFrame
        The product and ``support`` over all baskets, best first.
    customers_ : polars.DataFrame
        Each customer of ``fit``: the customer column, the segment (``by``) and
        ``n_baskets``.
    purchases_ : polars.DataFrame
        The customer, the product and ``n_baskets`` holding it: what the
        recommendations need of the log, not the log itself.
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
    ...     "customer_id": ["a", "a", "b", "b", "c", "d", "e", "e"],
    ...     "date": pd.to_datetime(["2024-01-01"] * 8),
    ...     "amount": [1.0] * 8,
    ...     "product": ["tea", "milk", "tea", "milk", "jam", "tea", "jam", "milk"]})
    >>> rec = ProductRecommender(min_support=0.3, min_confidence=0.5, min_lift=0.0,
    ...                          rule_weight=1.0, product_col="product").fit(log)
    >>> out = rec.recommend(["d", "new"], n=1)
    >>> out[["customer_id", "rank", "product", "score"]].round(3)
      customer_id  rank product  score
    0           d     1    milk  0.667
    1         new     1    milk  0.600
    >>> out["reason"].tolist()
    ['bought tea: 67% of such baskets hold milk (1.1x as often as average)', \
'best seller: in 60% of all baskets']
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
        "rule_weight": [Interval(Real, 0, None, closed="left")],
        "shrinkage": [Interval(Real, 0, None, closed="left")],
        "history_prior": [Interval(Real, 0, None, closed="neither")],
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
        rule_weight: float = 0.5,
        shrinkage: float = 100.0,
        history_prior: float = 20.0,
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
        self.rule_weight = rule_weight
        self.shrinkage = shrinkage
        self.history_prior = history_prior
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
        """Learn the rules, best sellers and purchase counts of the log.

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
        pooled = self.by is None or self.strategy == "global_popular"
        if pooled:
            items = items.drop(SEG) if self.by is not None else items
            items = items.with_columns(nw.lit("all").alias(SEG))
            keys = [SEG, *[k for k in keys if k != SEG]]
        bi = collect_small(items.select(*keys, ITEM))
        baskets = bi.select(keys).unique()
        n_seg = baskets.group_by(SEG).agg(pl.len().alias(N_BASKETS))
        n_all = len(baskets)
        overall = bi.group_by(ITEM).agg((pl.len() / n_all).alias("support")).sort(
            ["support", ITEM], descending=[True, False])
        # Segment popularity shrunk toward all customers' (a Bayesian average with
        # `shrinkage` pseudo-baskets): small segments lean on the overall best sellers.
        beta = float(self.shrinkage) if self.strategy == "rules" else 0.0
        best = bi.group_by(SEG, ITEM).agg(pl.len().alias("__c")).join(n_seg, on=SEG).join(
            overall.rename({"support": "__all"}), on=ITEM).with_columns(
            (pl.col("__c") / pl.col(N_BASKETS)).alias("support"),
            ((pl.col("__c") + beta * pl.col("__all")) / (pl.col(N_BASKETS) + beta)).alias(
                "score")).sort([SEG, "score", ITEM], descending=[False, True, False]).select(
            SEG, ITEM, "support", "score")
        if self.strategy == "rules":
            _, levels = frequent_itemsets(nw.from_native(bi.lazy()), keys, [SEG],
                                          float(self.min_support), self.max_len)
            rules = rules_from_itemsets(levels, [SEG], min_confidence=float(self.min_confidence),
                                        min_lift=float(self.min_lift))
        else:
            rules = rules_from_itemsets([], [SEG], min_confidence=0.0, min_lift=0.0)
        purchases = bi.group_by(CID, ITEM).agg(pl.len().alias(N_BASKETS)).sort(CID, ITEM)
        customers = baskets.group_by(CID, SEG).agg(pl.len().alias(N_BASKETS)).sort(CID)
        cust, prod, seg = tx.customer_col, str(tx.product_col), str(self.by)
        names = {CID: cust, ITEM: prod, SEG: seg, N_BASKETS: "n_baskets"}
        self.rules_ = (rules.drop(SEG) if pooled else rules).rename(names, strict=False)
        self.best_sellers_ = (best.drop(SEG) if pooled else best).rename(names, strict=False)
        self.overall_best_sellers_ = overall.rename(names, strict=False)
        self.purchases_ = purchases.rename(names, strict=False)
        self.customers_ = (customers.drop(SEG) if pooled else customers).rename(
            names, strict=False)
        self.n_customers_ = len(customers)
        self._record(tx)
        self._fit_info = (cust, prod, tx.info)
        return self

    def _internal(self) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """best sellers, customers, purchases and rules in internal names, ``__seg`` in each."""
        cust, prod, _ = self._fit_info
        seg = str(self.by) if self.by and self.strategy != "global_popular" else None
        names = {cust: CID, prod: ITEM, "n_baskets": N_BASKETS, **({seg: SEG} if seg else {})}

        def norm(df: pl.DataFrame) -> pl.DataFrame:
            df = df.rename({k: v for k, v in names.items() if k in df.columns})
            return df if SEG in df.columns else df.with_columns(pl.lit("all").alias(SEG))

        return (norm(self.best_sellers_), norm(self.customers_),
                self.purchases_.rename({cust: CID, prod: ITEM, "n_baskets": N_BASKETS}),
                norm(self.rules_))

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
            best), the product column, ``score`` (see the class description) and
            ``reason`` in words.
        """
        check_is_fitted(self)
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
            raise InvalidDtypeError(f"n must be a positive integer; got {n!r}.")
        cust, prod, _ = self._fit_info
        best, known_customers, purchases, rules = self._internal()
        ids = self._ids(customers, known_customers)
        wanted = ids.join(known_customers, on=CID, how="left")
        if self.by and segments is not None and self.strategy != "global_popular":
            extra = pl.from_pandas(nw.from_native(segments).to_pandas()) if not isinstance(
                segments, pl.DataFrame) else segments
            extra = extra.select(pl.col(cust).alias(CID), pl.col(str(self.by)).alias("__s2"))
            extra = extra.with_columns(pl.col(CID).cast(wanted.schema[CID]),
                                       pl.col("__s2").cast(best.schema[SEG]))
            wanted = wanted.join(extra, on=CID, how="left").with_columns(
                pl.coalesce(SEG, "__s2").alias(SEG)).drop("__s2")
        wanted = wanted.with_columns(pl.col(N_BASKETS).fill_null(0))
        cold = wanted.filter(pl.col(SEG).is_null()).select(CID)
        warm = wanted.drop_nulls(SEG)
        parts = [self._cold(cold, n), self._score(warm, best, purchases, rules, n)]
        scored = pl.concat([p for p in parts if len(p)], how="vertical_relaxed") if any(
            len(p) for p in parts) else parts[1]
        ranked = scored.sort([CID, "score", ITEM], descending=[False, True, False]).with_columns(
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

    def _ids(self, customers: Any, known: pl.DataFrame) -> pl.DataFrame:
        if isinstance(customers, (str, bytes)) or not hasattr(customers, "__iter__"):
            raise InvalidDtypeError(
                f"customers must be a list, array or Series of customer ids; got "
                f"{type(customers).__name__}.")
        values = list(customers.tolist() if hasattr(customers, "tolist") else customers)
        try:
            ids = pl.Series(CID, values).cast(known.schema[CID], strict=True)
        except (pl.exceptions.PolarsError, TypeError, ValueError) as err:
            raise InvalidDtypeError(
                f"customers holds ids that cannot be compared with the log's customer ids "
                f"(dtype {known.schema[CID]}): {err}") from err
        return ids.to_frame().unique(maintain_order=True)

    def _cold(self, who: pl.DataFrame, n: int) -> pl.DataFrame:
        """Customers unknown to ``fit``: the best sellers of all customers."""
        _, prod, _ = self._fit_info
        top = self.overall_best_sellers_.rename({prod: ITEM}).head(n)
        pct = (pl.col("support") * 100).round(0).cast(pl.Int64).cast(pl.String)
        return who.join(top, how="cross").select(
            CID, ITEM, pl.col("support").alias("score"),
            pl.concat_str([pl.lit("best seller: in "), pct, pl.lit("% of all baskets")]).alias(
                "reason"))

    def _score(self, who: pl.DataFrame, best: pl.DataFrame, purchases: pl.DataFrame,
               rules: pl.DataFrame, n: int) -> pl.DataFrame:
        """Known customers (``__cid``, ``__seg``, ``__n``): every candidate scored."""
        own = purchases.join(who.select(CID), on=CID).rename({N_BASKETS: "__k"})
        longest = own.group_by(CID).len()["len"].max() if len(own) else 0
        longest = int(longest) if isinstance(longest, int) else 0
        top = best.group_by(SEG, maintain_order=True).head(n + longest)
        pairs = [who.join(top.select(SEG, ITEM), on=SEG).select(CID, ITEM)]
        fired = self._fired(who, own, rules)
        pairs.append(fired.select(CID, ITEM))
        rebuy = self.strategy == "rules" and not self.exclude_purchased
        if rebuy:
            pairs.append(own.select(CID, ITEM))
        cand = pl.concat(pairs, how="vertical_relaxed").unique().join(who, on=CID).join(
            best, on=[SEG, ITEM], how="left").join(own, on=[CID, ITEM], how="left").join(
            fired, on=[CID, ITEM], how="left").with_columns(
            pl.col("score").fill_null(0.0), pl.col("__k").fill_null(0))
        if self.exclude_purchased:
            cand = cand.filter(pl.col("__k") == 0)
        base = pl.col("score")
        if rebuy:
            # The customer's own share of baskets holding the product, shrunk toward the
            # segment's with `history_prior` pseudo-baskets.
            alpha = float(self.history_prior)
            base = (pl.col("__k") + alpha * base) / (pl.col(N_BASKETS) + alpha)
        boost = pl.max_horizontal(pl.col("lift").fill_null(1.0), pl.lit(1.0)) ** float(
            self.rule_weight)
        cand = cand.with_columns((base * boost).alias("__score"))
        pct = (pl.col("support").fill_null(0.0) * 100).round(0).cast(pl.Int64).cast(pl.String)
        times = pl.col("lift").round(1).cast(pl.String)
        if self.by and self.strategy != "global_popular":
            popular = pl.concat_str([pl.lit("best seller of segment "),
                                     pl.col(SEG).cast(pl.String), pl.lit(": in "), pct,
                                     pl.lit("% of its baskets")])
        else:
            popular = pl.concat_str([pl.lit("best seller: in "), pct, pl.lit("% of all baskets")])
        # A rule is the reason when its lift shows in words ("1.1x as often as average").
        ruled = (pl.col("lift").fill_null(0.0).round(1) > 1.0) & pl.lit(
            float(self.rule_weight) > 0)
        reason = pl.when(ruled).then(pl.concat_str([
            pl.lit("bought "), pl.col(ANTE).cast(pl.List(pl.String)).list.join(" and "),
            pl.lit(": "), (pl.col("confidence") * 100).round(0).cast(pl.Int64).cast(pl.String),
            pl.lit("% of such baskets hold "), pl.col(ITEM).cast(pl.String), pl.lit(" ("),
            times, pl.lit("x as often as average)")])).when(pl.col("__k") > 0).then(
            pl.concat_str([pl.lit("bought again: in "), pl.col("__k").cast(pl.String),
                           pl.lit(" of the customer's "), pl.col(N_BASKETS).cast(pl.String),
                           pl.lit(" baskets")])).otherwise(popular)
        return cand.select(CID, ITEM, pl.col("__score").alias("score"), reason.alias("reason"))

    @staticmethod
    def _fired(who: pl.DataFrame, own: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
        """Per customer and consequent: the rule of highest lift whose antecedents were bought."""
        schema: dict[str, Any] = {CID: who.schema[CID], ITEM: own.schema[ITEM],
                                  "lift": pl.Float64, "confidence": pl.Float64,
                                  ANTE: pl.List(own.schema[ITEM])}
        if not len(rules) or not len(own):
            return pl.DataFrame(schema=schema)
        rules = rules.with_row_index("__rid")
        ante = rules.select(SEG, "__rid", pl.col(ANTE).list.len().alias("__n_ante"),
                            pl.col(ANTE).alias(ITEM)).explode(ITEM)
        owned = own.join(who.select(CID, SEG), on=CID).select(CID, SEG, ITEM)
        fired = owned.join(ante, on=[SEG, ITEM]).group_by(CID, "__rid", "__n_ante").agg(
            pl.len().alias("__hits")).filter(pl.col("__hits") == pl.col("__n_ante"))
        cons = rules.select("__rid", "lift", "confidence", ANTE,
                            pl.col(CONS).alias(ITEM)).explode(ITEM)
        hit = fired.join(cons, on="__rid").sort([CID, ITEM, "lift", "confidence"],
                                               descending=[False, False, True, True])
        return hit.unique([CID, ITEM], keep="first").select(list(schema))
