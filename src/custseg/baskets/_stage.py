"""The basket stage of :class:`custseg.pipeline.CustomerSegmentation`: next best products.

When the pipeline has a ``product_col``, its ``baskets`` stage fits a
:class:`ProductRecommender` per segment, the segment being the customer's RFM
segment (else K-means segment name, else none), and ``predict`` adds a
``next_best_products`` column: the customer's :data:`NEXT_BEST_N` best products
from the purchases in the log given to ``predict``, best first, joined by
:data:`PRODUCT_SEP`. The pipeline sees only :func:`fit_stage` and
:func:`next_best_products`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from .._frame import to_kind, to_pandas
from ..io._options import SHARED_LOG_KEYS
from ._recommender import ProductRecommender

__all__ = ["NEXT_BEST_N", "PRODUCT_SEP", "SEGMENT_COLUMN", "fit_stage", "next_best_products"]

NEXT_BEST_N = 5
PRODUCT_SEP = " | "
#: The segment column the stage's recommender reads (rules and best sellers per segment).
SEGMENT_COLUMN = "segment"
_UNKNOWN = "(no segment)"


def _segments(ids: np.ndarray, labels: Any, customer_col: str, info: Any) -> Any:
    """A two-column table (customer, ``segment``) on the engine of the log."""
    values = pd.Series(labels, dtype=object).astype(object)
    seg = pd.DataFrame({customer_col: ids,
                        SEGMENT_COLUMN: values.where(values.notna(), _UNKNOWN).astype(str)})
    return to_kind(seg, info)


def fit_segments(model: Any, feats: pd.DataFrame, rfm: Any, kmeans: Any) -> np.ndarray | None:
    """Each customer's segment at ``fit`` (RFM segment, else K-means name), or None."""
    if rfm is not None:
        scores = rfm.transform(feats)
        scores = to_pandas(scores)
        if "segment" in scores.columns:
            return np.asarray(scores["segment"], dtype=object)
    names = getattr(kmeans, "segment_names_", None)
    if kmeans is not None and names is not None:
        X = model._numeric(feats, list(model.kmeans_features))
        return np.asarray(names, dtype=object)[np.asarray(kmeans.predict(X))]
    return None


def fit_stage(model: Any, est: Any, log: Any, feats: pd.DataFrame, rfm: Any,
              kmeans: Any) -> ProductRecommender:
    """Fit the stage's recommender on the validated log, per segment when there is one.

    Parameters
    ----------
    model : CustomerSegmentation
        The pipeline (its column names and stages).
    est : ProductRecommender or None
        The ``baskets`` parameter (None: the defaults).
    log : Transactions
        The validated log of ``fit``.
    feats : pandas.DataFrame
        The customer features of ``fit``.
    rfm, kmeans : fitted stages or None
        Where the segments come from.
    """
    rec = ProductRecommender() if est is None else clone(est)
    labels = fit_segments(model, feats, rfm, kmeans)
    shared = {k: getattr(model, k) for k in SHARED_LOG_KEYS if k in rec.get_params(deep=False)}
    rec.set_params(**shared, product_col=model.product_col,
                   by=None if labels is None else SEGMENT_COLUMN)
    if labels is None:
        return rec.fit(log)
    ids = feats[model.customer_col].to_numpy()
    return rec.fit(log, segments=_segments(ids, labels, model.customer_col, log.info))


def next_best_products(rec: ProductRecommender, log: Any, table: pd.DataFrame,
                       customer_col: str) -> np.ndarray:
    """The ``next_best_products`` column of ``table`` (customers of ``log``, as of its end).

    The segment of each customer is its column in ``table`` (``rfm_segment``, else
    ``kmeans_segment_name``) as of the table's date; a customer without any
    product left gets a missing value.
    """
    ids = table[customer_col].to_numpy()
    segments = None
    if rec.by is not None:
        col = next((c for c in ("rfm_segment", "kmeans_segment_name") if c in table.columns),
                   None)
        labels = table[col].to_numpy() if col is not None else np.full(len(ids), None)
        segments = _segments(ids, labels, customer_col, log.info)
    recs = rec.predict(log, n=NEXT_BEST_N, segments=segments)
    prod = str(rec.product_col)
    joined = recs.groupby(customer_col, sort=False)[prod].agg(
        lambda v: PRODUCT_SEP.join(map(str, v)))
    return joined.reindex(ids).to_numpy(dtype=object)
