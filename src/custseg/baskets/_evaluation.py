"""Evaluation of recommendations on a time split, beside the best-seller baselines."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
from sklearn.base import clone

from .._frame import collect_small
from ..features._core import as_transactions
from ..io._validate import CID, PRODUCT, TIME, _exclusive_end, parse_date

__all__ = ["compare_recommenders", "customer_hits", "recommendation_metrics"]


def recommendation_metrics(recommender: Any, holdout: Any, n: int = 5) -> dict[str, float]:
    """Hit rate, precision, recall and coverage at ``n`` of a fitted recommender.

    The customers evaluated are those who buy in ``holdout`` a product they had
    not bought in the log the recommender was fitted on (any product they buy when
    ``exclude_purchased=False``): those are the purchases a recommendation can
    anticipate.

    Parameters
    ----------
    recommender : ProductRecommender
        Fitted on the log before the holdout.
    holdout : dataframe, lazy frame or Transactions
        The later transactions, with the columns of the fitted log.
    n : int, default=5
        Recommendations per customer.

    Returns
    -------
    dict
        ``hit_rate`` (share of customers with at least one recommended product
        bought), ``precision`` (mean share of the ``n`` recommendations bought),
        ``recall`` (mean share of the customer's new products that were
        recommended), ``coverage`` (share of the fitted log's products recommended
        to someone) and ``n_customers`` evaluated.

    See Also
    --------
    compare_recommenders : The same figures beside the two best-seller baselines.
    """
    per, recs = customer_hits(recommender, holdout, n)
    if not len(per):
        return {"hit_rate": float("nan"), "precision": float("nan"), "recall": float("nan"),
                "coverage": 0.0, "n_customers": 0}
    prod = recommender._fit_info[1]
    n_products = recommender.best_sellers_[prod].n_unique()
    means = per.select((pl.col("hits") > 0).mean().alias("hit_rate"),
                       (pl.col("hits") / n).mean().alias("precision"),
                       (pl.col("hits") / pl.col("relevant")).mean().alias("recall")).row(
        0, named=True)
    return {
        **{k: float(v) for k, v in means.items()},
        "coverage": recs[prod].n_unique() / n_products if n_products else 0.0,
        "n_customers": len(per),
    }


def customer_hits(recommender: Any, holdout: Any, n: int = 5) -> tuple[pl.DataFrame,
                                                                       pl.DataFrame]:
    """Per evaluated customer: ``relevant`` (holdout products) and ``hits`` (recommended).

    The customers are those of :func:`recommendation_metrics`, in id order; the
    second frame holds their recommendations (customer and product columns).
    Paired comparisons of two recommenders on the same customers start here.
    """
    cust, prod, _ = recommender._fit_info
    tx = as_transactions(holdout, customer_col=recommender.customer_col,
                         time_col=recommender.time_col, amount_col=recommender.amount_col,
                         product_col=recommender.product_col, order_col=recommender.order_col,
                         returns=recommender.returns, future="drop",
                         time_format=recommender.time_format)
    bought = collect_small(tx.frame.select(CID, PRODUCT).unique()).rename(
        {CID: cust, PRODUCT: prod})
    history = recommender.purchases_.select(cust, prod)
    bought = bought.with_columns(pl.col(cust).cast(history.schema[cust]),
                                 pl.col(prod).cast(history.schema[prod]))
    if recommender.exclude_purchased:
        bought = bought.join(history, on=[cust, prod], how="anti")
    customers = bought[cust].unique().sort()
    if not len(customers):
        empty = pl.DataFrame(schema={cust: history.schema[cust], "relevant": pl.UInt32,
                                     "hits": pl.UInt32})
        return empty, history.clear()
    recs = pl.from_pandas(recommender.recommend(customers.to_list(), n=n)).select(cust, prod)
    recs = recs.with_columns(pl.col(cust).cast(history.schema[cust]),
                             pl.col(prod).cast(history.schema[prod]))
    hits = recs.join(bought, on=[cust, prod], how="semi").group_by(cust).len("hits")
    per = customers.to_frame().join(bought.group_by(cust).len("relevant"), on=cust).join(
        hits, on=cust, how="left").with_columns(pl.col("hits").fill_null(0)).sort(cust)
    return per, recs


def compare_recommenders(recommender: Any, transactions: Any, cutoff: Any, n: int = 5,
                         *, segments: Any = None) -> pd.DataFrame:
    """Fit on the log up to ``cutoff``, evaluate on the rest, beside two baselines.

    Parameters
    ----------
    recommender : ProductRecommender
        Unfitted; its ``strategy`` is replaced by each of ``"rules"``,
        ``"segment_popular"`` and ``"global_popular"`` (best sellers of all
        customers), fitted on the same data.
    transactions : dataframe or lazy frame
        The whole log.
    cutoff : date-like
        Last day of the fitting period (a day counts whole); later lines are the
        holdout.
    n : int, default=5
        Recommendations per customer.
    segments : dataframe, optional
        Passed to ``fit`` (see :class:`ProductRecommender`).

    Returns
    -------
    pandas.DataFrame
        One row per strategy: ``strategy``, ``hit_rate``, ``precision``,
        ``recall``, ``coverage`` and ``n_customers`` (see
        :func:`recommendation_metrics`).
    """
    when, date_only = parse_date(cutoff, name="cutoff")
    full = as_transactions(transactions, customer_col=recommender.customer_col,
                           time_col=recommender.time_col, amount_col=recommender.amount_col,
                           product_col=recommender.product_col, order_col=recommender.order_col,
                           returns=recommender.returns, time_format=recommender.time_format)
    end = _exclusive_end(when, date_only)
    later = replace(full, frame=full.frame.filter(nw.col(TIME) >= nw.lit(end)))
    rows = []
    for strategy in ("rules", "segment_popular", "global_popular"):
        est = clone(recommender).set_params(strategy=strategy, observation_date=cutoff,
                                            future="drop")
        est.fit(transactions, segments=segments)
        rows.append({"strategy": strategy, **recommendation_metrics(est, later, n=n)})
    return pd.DataFrame(rows)
