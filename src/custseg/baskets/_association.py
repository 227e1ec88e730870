"""AssociationRules: what customers buy together, overall or per segment."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, ClassVar

import narwhals.stable.v2 as nw
import numpy as np
import polars as pl
from sklearn.base import BaseEstimator

from .._frame import FrameInfo, collect_small, to_lazy
from .._sklearn_compat import Interval, _fit_context, check_is_fitted
from ..base import TransactionInputMixin
from ..exceptions import (
    DataWarning,
    InvalidValueError,
    MissingColumnError,
    NullValueError,
    names_text,
)
from ..features._transformers import LOG_CONSTRAINTS
from ..io._options import FutureParam, ProductParam
from ..io._validate import CID, ORDER, Transactions
from ._baskets import DAY, ITEM, basket_items, basket_keys, check_product
from ._itemsets import N_BASKETS, frequent_itemsets
from ._matrix import indicator, is_matrix, matrix_transactions, record_matrix
from ._rules import ANTE, CONS, rules_from_itemsets

__all__ = ["AssociationRules"]

SEG = "__seg"

_TX_CONSTRAINTS = {k: v for k, v in LOG_CONSTRAINTS.items() if k != "quantity_col"}


class _BasketEstimator(FutureParam, ProductParam, TransactionInputMixin, BaseEstimator):
    """Shared validation of the basket estimators: the log, its items and segments."""

    by: str | None

    def _check(self, X: Any, *, fit: bool = False) -> Transactions:
        """The validated log of ``X``: a transaction log, or a basket matrix (``_matrix``)."""
        matrix = matrix_transactions(self, X, fit=fit)
        if matrix is not None:
            return matrix
        tx = self._check_log(X)
        check_product(tx, type(self).__name__)
        return tx

    def _record_input(self, X: Any, tx: Transactions) -> None:
        """Record what ``fit`` read: the log's columns, or the basket matrix's item count."""
        self._n_items: int | None = record_matrix(self, X)
        if self._n_items is None:
            self._record(tx)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.positive_only = True  # a basket matrix holds quantities >= 0
        return tags

    def _segment_table(self, X: Any, tx: Transactions, segments: Any) -> nw.LazyFrame[Any]:
        """``__cid``, ``__seg``: one segment per customer, on the engine of the log."""
        by = str(self.by)
        source = X if segments is None else segments
        if isinstance(source, Transactions):
            raise InvalidValueError(
                f"by={by!r} needs the segment of each customer: pass segments= (a table "
                f"with '{tx.customer_col}' and '{by}'), or the raw log holding '{by}'."
            )
        frame, info = to_lazy(source, argname="segments")
        where = "segments" if segments is not None else "the log"
        missing = {role: col for col, role in ((tx.customer_col, "customer_col"), (by, "by"))
                   if col not in info.columns}
        if missing:
            raise MissingColumnError.from_missing_and_available(
                missing, list(info.columns), where=where)
        cid = nw.col(tx.customer_col)
        if isinstance(frame.collect_schema()[tx.customer_col], nw.Categorical | nw.Enum):
            cid = cid.cast(nw.String())
        seg = frame.select(cid.alias(CID), nw.col(by).alias(SEG)).unique()
        stats = collect_small(seg.select(
            nw.col(SEG).null_count().alias("null"), nw.len().alias("rows"),
            nw.col(CID).n_unique().alias("customers")))
        n_null = int(stats.item(0, "null") or 0)
        if n_null:
            raise NullValueError(
                f"column '{by}' (by) has no segment for {n_null} customers in {where}; "
                "give every customer a segment (for example 'unknown')."
            )
        if int(stats.item(0, "rows")) != int(stats.item(0, "customers")):
            many = collect_small(seg.group_by(CID).agg(nw.len().alias("n")).filter(
                nw.col("n") > 1).select(CID).sort(CID).head(3))[CID].to_list()
            n_many = int(stats.item(0, "rows")) - int(stats.item(0, "customers"))
            raise InvalidValueError(
                f"column '{by}' (by) gives some customers several segments in {where} "
                f"({n_many} extra customer-segment pairs), e.g. customers {names_text(many)}; "
                "rules per "
                "segment need one segment per customer (pass segments= with one row each)."
            )
        if segments is not None and tx.info.engine != info.engine:
            raise InvalidValueError(
                f"segments is a {info.engine} frame but the log is computed by "
                f"{tx.info.engine}; pass both on the same engine."
            )
        return seg

    def _basket_items(self, X: Any, tx: Transactions, segments: Any) -> tuple[Any, list[str]]:
        items = basket_items(tx)
        keys = basket_keys(tx)
        if self.by is None:
            return items, keys
        seg = self._segment_table(X, tx, segments)
        missing = collect_small(items.select(CID).unique().join(seg, on=CID, how="anti").select(
            nw.len().alias("n"))).item(0, "n")
        if missing:
            raise InvalidValueError(
                f"{missing} customers of the log have no segment in '{self.by}' (by); "
                "give every customer a segment."
            )
        return items.join(seg, on=CID), [SEG, *keys]

    def _out_info(self, tx: Transactions) -> FrameInfo:
        return tx.info if tx.info.kind != "lazy" else FrameInfo("polars", tx.info.columns)


@dataclass(kw_only=True, repr=False, eq=False)
class AssociationRules(_BasketEstimator):
    """Association rules between the items customers buy together, overall or per segment.

    A basket is one order (``order_col``) or one customer-day, as in
    :func:`custseg.baskets.basket_table`. Frequent itemsets are counted level
    by level (Apriori) where the log lives, polars, DuckDB or Spark, with no
    one-hot matrix of baskets x items; rules are formed on the driver from the
    frequent itemsets. Columns and definitions are mlxtend's
    ``association_rules`` (so results can be checked against it):

    - ``support`` = share of baskets holding every item of the rule;
    - ``antecedent support``, ``consequent support`` = share holding the
      antecedent, the consequent;
    - ``confidence`` = support / antecedent support (how often the consequent
      is bought when the antecedent is);
    - ``lift`` = confidence / consequent support (how many times as often as
      in an average basket);
    - ``leverage`` = support - antecedent support x consequent support;
    - ``conviction`` = (1 - consequent support) / (1 - confidence), ``inf``
      when confidence is 1.

    With ``by``, each segment's rules are counted on its own baskets: its
    supports are shares of the segment's baskets.

    Instead of a log, ``fit`` and ``predict`` take a basket matrix, as mlxtend's
    ``apriori``: a 2-D numeric array with one row per basket, one column per
    item and a positive value where the basket holds the item. The items are
    the column positions; the log's parameters do not apply (``by`` is refused).

    Parameters
    ----------
    min_support : float, default=0.01
        Smallest support of an itemset, in (0, 1].
    min_confidence : float, default=0.5
        Smallest confidence of a rule, in [0, 1].
    min_lift : float, default=1.0
        Smallest lift of a rule (>= 0; 1 keeps rules at least as likely as chance).
    max_len : int, optional
        Largest number of items in a rule (antecedent and consequent together);
        default: no limit.
    by : str, optional
        Segment column: rules per segment. Read from the log when ``fit`` gets a
        raw table holding it (one segment per customer), or from ``segments=``.
    customer_col, time_col, amount_col, product_col, order_col, returns, future, time_format
        The log's columns and policies (:class:`~custseg.io.LogOptions`):
        ``product_col``, the item column, is required; without ``order_col`` a
        basket is a customer and calendar day.
    observation_date : date-like, optional
        The "as of" date: later lines are left out with ``future="drop"``.

    Attributes
    ----------
    rules_ : DataFrame
        One row per rule, strongest lift first: ``by`` (with segments),
        ``antecedents``, ``consequents`` (frozensets of items for pandas input,
        list columns for polars and pyarrow; a lazy log gives polars), the seven
        metrics above and ``n_baskets`` (baskets holding the whole rule). Empty,
        with the same columns, when no rule passes the thresholds (for example
        when every basket holds one item: a :class:`~custseg.exceptions.DataWarning`
        says so).
    n_baskets_ : dict
        Baskets counted, per segment with ``by`` (key ``None`` without). A
        segment of ``segments=`` without baskets has 0 and no rules.
    n_itemsets_ : int
        Frequent itemsets found (all sizes, all segments).
    feature_names_in_ : ndarray of str
        Columns of the log seen in ``fit``.
    n_features_in_ : int
        Number of those columns.

    See Also
    --------
    basket_table : The baskets the rules are counted on.
    ProductRecommender : Next products per customer from these rules.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.baskets import AssociationRules
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c", "d"],
    ...     "date": pd.to_datetime(["2024-01-01"] * 6),
    ...     "amount": [1.0] * 6,
    ...     "product": ["tea", "milk", "tea", "milk", "jam", "milk"]})
    >>> rules = AssociationRules(min_support=0.5, min_confidence=0.6,
    ...                          product_col="product").fit(log).rules_
    >>> rules[["antecedents", "consequents", "confidence", "lift", "conviction"]]
             antecedents        consequents  confidence      lift  conviction
    0   frozenset({tea})  frozenset({milk})    1.000000  1.333333         inf
    1  frozenset({milk})   frozenset({tea})    0.666667  1.333333         1.5
    >>> AssociationRules(min_support=0.5, min_confidence=0.6, min_lift=1.5,
    ...                  product_col="product").fit(log).rules_.shape[0]
    0

    The same baskets as a matrix (columns tea, milk, jam):

    >>> import numpy as np
    >>> baskets = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 1, 0]])
    >>> model = AssociationRules(min_support=0.5, min_confidence=0.6).fit(baskets)
    >>> model.predict(np.array([[1, 0, 0], [0, 1, 0]]))
    array([[0, 1, 0],
           [1, 0, 0]])
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_TX_CONSTRAINTS,
        "min_support": [Interval(Real, 0, 1, closed="right")],
        "min_confidence": [Interval(Real, 0, 1, closed="both")],
        "min_lift": [Interval(Real, 0, None, closed="left")],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "by": [str, None],
    }

    min_support: float = 0.01
    min_confidence: float = 0.5
    min_lift: float = 1.0
    max_len: int | None = None
    by: str | None = None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None, *, segments: Any = None) -> AssociationRules:
        """Count the frequent itemsets of the log's baskets and form the rules.

        Parameters
        ----------
        X : dataframe, lazy frame, Transactions or array of shape (n_baskets, n_items)
            The transaction log with an item column, or a basket matrix.
        y : None
            Ignored.
        segments : dataframe, optional
            With ``by``: one row per customer, the customer column and ``by``
            (default: read from ``X``). Segments without baskets get no rules.

        Returns
        -------
        self : AssociationRules
            The fitted estimator.
        """
        tx = self._check(X, fit=True)
        items, keys = self._basket_items(X, tx, segments)
        groups = [SEG] if self.by is not None else []
        n_baskets, levels = frequent_itemsets(
            items, keys, groups, float(self.min_support), self.max_len)
        rules = rules_from_itemsets(levels, groups, min_confidence=float(self.min_confidence),
                                    min_lift=float(self.min_lift))
        counts = self._counts(n_baskets, segments, tx)
        if not len(rules) and not any(len(lv.columns) - len(groups) > 3 for lv in levels):
            warnings.warn(
                f"no association rule: no two items of '{tx.product_col}' are bought together "
                f"in at least min_support={self.min_support} of the baskets"
                + (" (every basket holds one item)" if self._single_items(items, keys) else "")
                + "; rules_ is empty.", DataWarning, stacklevel=2)
        self.n_baskets_ = counts
        self.n_itemsets_ = sum(len(lv) for lv in levels)
        self.rules_ = self._output(rules, tx)
        self._record_input(X, tx)
        return self

    def _counts(self, n_baskets: pl.DataFrame, segments: Any, tx: Transactions) -> dict[Any, int]:
        if self.by is None:
            return {None: int(n_baskets.item(0, N_BASKETS)) if len(n_baskets) else 0}
        counts = {row[SEG]: int(row[N_BASKETS]) for row in n_baskets.iter_rows(named=True)}
        if segments is not None:
            frame, _ = to_lazy(segments, argname="segments")
            for value in collect_small(frame.select(nw.col(self.by)).unique())[self.by]:
                counts.setdefault(value, 0)
        return dict(sorted(counts.items(), key=lambda kv: str(kv[0])))

    @staticmethod
    def _single_items(items: Any, keys: list[str]) -> bool:
        most = collect_small(items.group_by(keys).agg(nw.len().alias("n")).select(
            nw.col("n").max()))
        return bool(len(most) and (most.item(0, "n") or 0) <= 1)

    def predict(self, X: Any, *, segments: Any = None) -> Any:
        """The items each basket of ``X`` is predicted to also hold, from the fitted rules.

        A rule fires on a basket that holds all its antecedents; its consequents
        not already in the basket are predicted, the item with the most
        confident rule first (ties: higher lift, then item). With ``by``, each
        basket uses its own segment's rules. The baskets of ``X`` are collected
        to the driver.

        Parameters
        ----------
        X : dataframe, lazy frame, Transactions or array of shape (n_baskets, n_items)
            A transaction log with the columns seen in ``fit``, or a basket matrix
            of the items seen in ``fit``.
        segments : dataframe, optional
            With ``by``: the segment of each customer (default: read from ``X``).

        Returns
        -------
        DataFrame or ndarray
            One row per basket of ``X``, sorted by its keys: the customer column,
            the order column (or ``basket_date``) and ``predicted_items`` (a list,
            empty when no rule fires). pandas for pandas input, otherwise polars
            (pyarrow for pyarrow). For a basket matrix, an int array of its shape:
            1 where an item is predicted for the basket.
        """
        check_is_fitted(self)
        tx = self._check(X)
        items, keys = self._basket_items(X, tx, segments)
        groups = [SEG] if self.by is not None else []
        bi = collect_small(items.select(*keys, ITEM))
        rules = self._rules_polars().with_row_index("__rid")
        if self.by is not None:
            rules = rules.rename({str(self.by): SEG})
        ante = rules.select(*groups, "__rid", pl.col(ANTE).list.len().alias("__k"),
                            pl.col(ANTE).alias(ITEM)).explode(ITEM)
        fired = bi.join(ante, on=[*groups, ITEM]).group_by([*keys, "__rid", "__k"]).agg(
            pl.len().alias("__hits")).filter(pl.col("__hits") == pl.col("__k"))
        cons = rules.select("__rid", "confidence", "lift", pl.col(CONS).alias(ITEM)).explode(ITEM)
        guessed = fired.join(cons, on="__rid").join(bi, on=[*keys, ITEM], how="anti")
        best = guessed.group_by([*keys, ITEM]).agg(pl.col("confidence").max(),
                                                   pl.col("lift").max())
        best = best.sort([*keys, "confidence", "lift", ITEM],
                         descending=[*([False] * len(keys)), True, True, False])
        lists = best.group_by(keys, maintain_order=True).agg(pl.col(ITEM).alias("predicted_items"))
        out_keys = [k for k in keys if k != SEG]
        baskets = bi.select(out_keys).unique().join(
            lists.select(*out_keys, "predicted_items"), on=out_keys, how="left",
            nulls_equal=True).sort(out_keys)
        item_type = bi.schema[ITEM]
        baskets = baskets.with_columns(pl.col("predicted_items").fill_null(
            pl.lit([], dtype=pl.List(item_type))))
        names = {CID: tx.customer_col, ORDER: tx.order_col or "", DAY: "basket_date"}
        baskets = baskets.rename({k: v for k, v in names.items() if k in baskets.columns})
        if is_matrix(X):
            return indicator(baskets, np.shape(X)[0], int(self.n_features_in_))
        info = self._out_info(tx)
        if info.kind == "polars" or info.kind == "lazy":
            return baskets
        if info.kind == "pyarrow":
            return baskets.to_arrow()
        out = baskets.to_pandas()
        out["predicted_items"] = [list(v) for v in baskets["predicted_items"].to_list()]
        return out

    def _rules_polars(self) -> pl.DataFrame:
        rules = self.rules_
        if isinstance(rules, pl.DataFrame):
            return rules
        if not hasattr(rules, "iloc"):  # a pyarrow table
            return pl.DataFrame(pl.from_arrow(rules))
        return pl.from_pandas(rules.drop(columns=[ANTE, CONS])).with_columns(
            pl.Series(ANTE, [sorted(v) for v in rules[ANTE]]),
            pl.Series(CONS, [sorted(v) for v in rules[CONS]]),
        ).select(rules.columns.tolist())

    @classmethod
    def _test_instances(cls) -> list[AssociationRules]:
        """Instances for the common tests, fitted on CDNOW (its quantity as the item)."""
        return [cls(min_support=0.001, min_confidence=0.0, min_lift=0.0, product_col="quantity")]

    def _output(self, rules: pl.DataFrame, tx: Transactions) -> Any:
        if self.by is not None:
            rules = rules.rename({SEG: str(self.by)})
        info = self._out_info(tx)
        if info.kind == "polars":
            return rules
        if info.kind == "pyarrow":
            return rules.to_arrow()
        out = rules.drop(ANTE, CONS).to_pandas()
        out.insert(1 if self.by is not None else 0, ANTE,
                   [frozenset(v) for v in rules[ANTE].to_list()])
        out.insert(2 if self.by is not None else 1, CONS,
                   [frozenset(v) for v in rules[CONS].to_list()])
        return out
