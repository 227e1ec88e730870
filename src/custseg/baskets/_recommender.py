"""ProductRecommender: the next products for every customer, from segment rules and best sellers."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, ClassVar

import narwhals.stable.v2 as nw
import numpy as np
import polars as pl

from .._frame import collect_small, read_table
from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..exceptions import InvalidDtypeError
from ..io._validate import CID
from ._association import _TX_CONSTRAINTS, SEG, _BasketEstimator
from ._baskets import ITEM, basket_items, basket_keys
from ._cobuy import pair_lifts
from ._itemsets import N_BASKETS, frequent_itemsets
from ._matrix import is_matrix, ranking
from ._rules import rules_from_itemsets
from ._scoring import Blend, cold_start, history_tables, rank, score_candidates

__all__ = ["ProductRecommender"]

_ALL = "__all"


@dataclass(kw_only=True, repr=False, eq=False)
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
       confidence;
    4. with ``cobuy_weight > 0``, the co-purchase lift over whole histories: how
       many times as many of the segment's customers bought both the product
       and one the customer bought as would by chance (shrunk toward 1 by 3
       pseudo-customers; below 1 for products the customer's kind avoids),
       geometric mean over the customer's products, raised to ``cobuy_weight``.
       Item-based collaborative filtering (as Microsoft Recommenders' SAR, with
       lift): it sees products bought by the same customers in different
       baskets, which basket rules miss. Each bought product also brings its
       ``n`` products of highest lift as candidates.

    A customer without a matching rule gets the segment's best sellers; a
    customer unknown to ``fit`` (cold start) gets the best sellers of the
    segment given in ``segments=``, or of all customers.

    ``fit`` and ``predict`` also take a basket matrix (rows: baskets, each its own
    customer, the row number; columns: items, by position; a positive value
    where the basket holds the item), as :class:`AssociationRules` does.

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
    cobuy_weight : float, default=0.0
        Exponent of the co-purchase lift in the score (factor 4), >= 0; 0 leaves
        it out.
    customer_col, time_col, amount_col, product_col, order_col, returns, future, time_format
        The log's columns and policies, as in :class:`AssociationRules`.
    observation_date : date-like, optional
        Fit on the log up to this date.

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

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
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
        "cobuy_weight": [Interval(Real, 0, None, closed="left")],
    }

    min_support: float = 0.01
    min_confidence: float = 0.1
    min_lift: float = 1.0
    max_len: int | None = 3
    by: str | None = None
    strategy: str = "rules"
    exclude_purchased: bool = True
    rule_weight: float = 0.5
    shrinkage: float = 100.0
    history_prior: float = 20.0
    cobuy_weight: float = 0.0

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None, *, segments: Any = None) -> ProductRecommender:
        """Learn the rules, best sellers and purchase counts of the log.

        Parameters
        ----------
        X : dataframe, lazy frame, Transactions or array of shape (n_baskets, n_items)
            The transaction log with an item column, or a basket matrix.
        y : None
            Ignored.
        segments : dataframe, optional
            With ``by``: the segment of each customer (default: read from ``X``).

        Returns
        -------
        self : ProductRecommender
            The fitted recommender.
        """
        tx = self._check(X, fit=True)
        bi, keys = self._items(X, tx, segments)
        pooled = self._pooled()
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
        customers, purchases = history_tables(bi, keys)
        cust, prod, seg = tx.customer_col, str(tx.product_col), str(self.by)
        names = {CID: cust, ITEM: prod, SEG: seg, N_BASKETS: "n_baskets"}
        self.rules_ = (rules.drop(SEG) if pooled else rules).rename(names, strict=False)
        self.best_sellers_ = (best.drop(SEG) if pooled else best).rename(names, strict=False)
        self.overall_best_sellers_ = overall.rename(names, strict=False)
        self.purchases_ = purchases.rename(names, strict=False)
        self.customers_ = (customers.drop(SEG) if pooled else customers).rename(
            names, strict=False)
        self.n_customers_ = len(customers)
        self._record_input(X, tx)
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
        _, known, purchases, _ = self._internal()
        ids = self._ids(customers, known)
        if self.by and segments is not None and not self._pooled():
            cust = self._fit_info[0]
            extra = read_table(segments, argname="segments", backend="polars",
                               allow_arrays=False)[0]
            extra = extra.select(pl.col(cust).alias(CID), pl.col(str(self.by)).alias("__s2"))
            extra = extra.with_columns(pl.col(CID).cast(known.schema[CID]),
                                       pl.col("__s2").cast(known.schema[SEG]))
            known = ids.join(known, on=CID, how="left").join(extra, on=CID, how="left").select(
                CID, pl.coalesce(SEG, "__s2").alias(SEG), pl.col(N_BASKETS).fill_null(0))
        return self._recommend(ids, known, purchases, n)

    def predict(self, X: Any, n: int = 5, *, segments: Any = None) -> Any:
        """The ``n`` best products of every customer of ``X``, from the purchases in ``X``.

        The fitted rules and best sellers, applied to the histories of ``X`` (for
        example a later extract of the log: what each customer has bought up to
        its end). With ``by``, each customer's segment is read from ``X`` or
        ``segments=`` (it may differ from the segment seen in ``fit``); a segment
        unknown to ``fit`` gets the best sellers of all customers.

        Parameters
        ----------
        X : dataframe, lazy frame, Transactions or array of shape (n_baskets, n_items)
            A transaction log with the columns seen in ``fit``, or a basket matrix
            of the items seen in ``fit``.
        n : int, default=5
            Products per customer.
        segments : dataframe, optional
            With ``by``: the segment of each customer of ``X``.

        Returns
        -------
        pandas.DataFrame or ndarray
            As :meth:`recommend`, customers in id order. For a basket matrix, an
            int array of shape (n_baskets, n): the item positions of each row,
            best first, -1 where fewer than ``n`` are left.
        """
        check_is_fitted(self)
        tx = self._check(X)
        bi, keys = self._items(X, tx, segments)
        customers, purchases = history_tables(bi, keys)
        if not is_matrix(X):
            return self._recommend(customers.select(CID), customers, purchases, n)
        rows = pl.Series(CID, np.arange(np.shape(X)[0])).cast(customers.schema[CID]).to_frame()
        return ranking(self._recommend(rows, customers, purchases, n), len(rows), int(n))

    # --- internals, in internal names -------------------------------------------------------

    def _pooled(self) -> bool:
        return self.by is None or self.strategy == "global_popular"

    def _items(self, X: Any, tx: Any, segments: Any) -> tuple[pl.DataFrame, list[str]]:
        """Basket items of the log on the driver: the basket keys with ``__seg``, ``__item``."""
        if self._pooled():
            items, keys = basket_items(tx), basket_keys(tx)
            items = items.with_columns(nw.lit("all").alias(SEG))
            keys = [SEG, *keys]
        else:
            items, keys = self._basket_items(X, tx, segments)
        return collect_small(items.select(*keys, ITEM)), keys

    def _recommend(self, ids: pl.DataFrame, customers: pl.DataFrame, purchases: pl.DataFrame,
                   n: Any) -> Any:
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
            raise InvalidDtypeError(f"n must be a positive integer; got {n!r}.")
        n = int(n)
        cust, prod, _ = self._fit_info
        best, fitted, bought, rules = self._internal()
        # A customer of a segment unknown to fit (or of none) is a cold start.
        wanted = ids.join(customers, on=CID, how="left").with_columns(
            pl.col(SEG).cast(best.schema[SEG], strict=False), pl.col(N_BASKETS).fill_null(0))
        wanted = wanted.with_columns(pl.when(pl.col(SEG).is_in(best[SEG].unique().implode()))
                                     .then(pl.col(SEG)).alias(SEG))
        blend = Blend(rule_weight=float(self.rule_weight),
                      history_prior=float(self.history_prior),
                      exclude_purchased=bool(self.exclude_purchased),
                      rebuy=self.strategy == "rules" and not self.exclude_purchased,
                      segmented=not self._pooled(),
                      cobuy_weight=float(self.cobuy_weight))
        # Co-purchase lifts come from the fitted histories, whoever is scored.
        cobuy = pair_lifts(fitted, bought) if (
            self.strategy == "rules" and blend.cobuy_weight > 0) else None
        overall = self.overall_best_sellers_.rename({prod: ITEM})
        parts = [cold_start(wanted.filter(pl.col(SEG).is_null()).select(CID), overall, n),
                 score_candidates(wanted.drop_nulls(SEG), best, purchases, rules, n, blend,
                                  cobuy)]
        scored = pl.concat([p for p in parts if len(p)], how="vertical_relaxed") if any(
            len(p) for p in parts) else parts[1]
        return rank(ids, scored, n).rename({CID: cust, ITEM: prod}).to_pandas()

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
