"""``CustomerSegmentation.predict`` on Spark: the customer table scored on the executors.

The log never leaves Spark. The inputs of the scoring step (``custseg._scoring``) are
Spark plans over the log: the customer features, the BTYD summary in days (left-joined
on the customer id) and one aggregate row, the longest recency of the table
(cross-joined, broadcast). ``mapInPandas`` then applies :func:`custseg._scoring.score`
to each batch of each partition, with the fitted model shipped in the function's
closure. Every value the step reads was learnt in ``fit`` or is one of these
whole-table aggregates, so the rows do not depend on how Spark partitions the table.

Two stages need more than a row:

* a decision matrix that grades value by the ``expected_value`` quantile of the table
  (``value_column="expected_value"``, or no tier): the table is scored, the quantile
  is one exact ``percentile`` aggregate on Spark, and a second ``mapInPandas`` decides
  the actions with it;
* the basket stage (``next_best_products``) reads each customer's products: its
  recommender collects the distinct (customer, product) pairs and its ranked
  recommendations go back to Spark and are joined on the customer id.

The output schema is derived from the pandas path: :func:`custseg._scoring.score` runs on
the driver on one synthetic customer built from the input schema, and its pandas dtypes
give the Spark types (columns passed through keep their Spark type; categories become
strings).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from ._scoring import (
    BTYD_IN,
    STAGE_IN,
    WORST,
    add_actions,
    decides_by_expected_value,
    is_stager,
    needs_btyd,
    score,
)

__all__ = ["predict_on_spark"]

_CUT = "__value_cut"


def _synthetic_row(schema: Any, as_of: dt.datetime) -> pd.DataFrame:
    """One made-up customer with a value of each input column's type (for the schema)."""
    from pyspark.sql import types as T

    naive = as_of.replace(tzinfo=None)
    row: dict[str, list[Any]] = {}
    for f in schema.fields:
        t = f.dataType
        if isinstance(t, T.BooleanType):
            value: Any = True
        elif isinstance(t, T.IntegralType):
            value = 1
        elif isinstance(t, T.NumericType):
            value = 1.0
        elif isinstance(t, (T.TimestampType, T.TimestampNTZType)):
            value = pd.Timestamp(naive)
        elif isinstance(t, T.DateType):
            value = naive.date()
        else:
            value = "x"
        row[f.name] = [value]
    return pd.DataFrame(row)


def _spark_type(values: pd.Series) -> Any:
    from pyspark.sql import types as T

    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return T.StringType()
    if pd.api.types.is_bool_dtype(dtype):
        return T.BooleanType()
    if pd.api.types.is_integer_dtype(dtype):
        return T.LongType()
    if pd.api.types.is_float_dtype(dtype):
        return T.DoubleType()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return T.TimestampType()
    known = values.dropna()
    first = known.iloc[0] if len(known) else None
    if isinstance(first, (bool, np.bool_)):
        return T.BooleanType()
    if isinstance(first, (int, np.integer)):
        return T.LongType()
    if isinstance(first, (float, np.floating)):
        return T.DoubleType()
    return T.StringType()


def _schema(table: pd.DataFrame, inputs: Any, extra: tuple[tuple[str, Any], ...] = ()) -> Any:
    """The Spark schema of ``table``: input columns keep their type, new ones map dtypes."""
    from pyspark.sql import types as T

    given = {f.name: f.dataType for f in inputs.fields}
    fields = [T.StructField(c, given.get(c) or _spark_type(table[c]), True)
              for c in table.columns]
    fields += [T.StructField(name, t, True) for name, t in extra]
    return T.StructType(fields)


def _for_spark(table: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``table`` in ``names`` order, categories as text (missing values stay missing)."""
    out = table[names].copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
    return out


def _inputs(model: Any, log: Any, as_of: dt.datetime) -> Any:
    """The Spark plan of the scoring inputs (features, BTYD summary, the worst recency)."""
    from pyspark.sql import functions as F

    from .features import btyd_summary, customer_features

    cid = model.customer_col
    kw = model._feature_kwargs()
    feats = customer_features(log, observation_date=as_of, future="drop", **kw)
    wide = feats
    if needs_btyd(model, False):
        btyd = btyd_summary(log, observation_date=as_of, future="drop", unit="D", **kw)
        wide = wide.join(btyd.withColumnsRenamed(BTYD_IN), on=cid, how="left")
    if model.lifecycle_ is not None and not is_stager(model.lifecycle_):
        stager = copy.copy(model.lifecycle_).set_params(observation_date=as_of)
        stages = stager.transform(log)
        if not type(stages).__module__.startswith("pyspark"):  # an estimator of the caller's
            from ._frame import to_kind, to_pandas

            stages = to_kind(to_pandas(stages)[[cid, "stage"]], log.info)
        stages = stages.select(cid, F.col("stage").alias(STAGE_IN))
        wide = wide.join(stages, on=cid, how="left")
    recency = F.coalesce(F.col("recency_days").cast("double"),
                         F.col("tenure_days").cast("double"))
    worst = feats.agg(F.coalesce(F.max(recency), F.lit(0.0)).alias(WORST))
    return wide.crossJoin(F.broadcast(worst))


def _baskets(model: Any, log: Any, scored: Any, names: list[str]) -> Any:
    """Join the ``next_best_products`` of the basket stage onto the scored table."""
    from pyspark.sql import functions as F

    from .baskets._stage import _UNKNOWN, NEXT_BEST_N, PRODUCT_SEP, SEGMENT_COLUMN

    rec, cid = model.baskets_, model.customer_col
    segments = None
    if rec.by is not None:
        col = next((c for c in ("rfm_segment", "kmeans_segment_name") if c in names), None)
        label = F.lit(_UNKNOWN) if col is None else F.coalesce(F.col(col), F.lit(_UNKNOWN))
        segments = scored.select(cid, label.alias(SEGMENT_COLUMN))
    recs = rec.predict(log, n=NEXT_BEST_N, segments=segments)
    prod = str(rec.product_col)
    joined = recs.groupby(cid, sort=False)[prod].agg(
        lambda v: PRODUCT_SEP.join(map(str, v))).rename("next_best_products").reset_index()
    session = scored.sparkSession
    given = {f.name: f.dataType for f in scored.schema.fields}
    from pyspark.sql import types as T

    schema = T.StructType([T.StructField(cid, given[cid], True),
                           T.StructField("next_best_products", T.StringType(), True)])
    out = scored.join(session.createDataFrame(joined, schema=schema), on=cid, how="left")
    at = names.index("action") if "action" in names else len(names)
    return out.select(*names[:at], "next_best_products", *names[at:])


def predict_on_spark(model: Any, log: Any, as_of: dt.datetime) -> Any:
    """The table of ``predict`` for a Spark log: a Spark DataFrame, scored on the executors.

    Parameters
    ----------
    model : CustomerSegmentation
        The fitted pipeline (shipped to the executors in the ``mapInPandas`` closure).
    log : Transactions
        The validated Spark log, cut at ``as_of``.
    as_of : datetime.datetime
        The date of the table.

    Returns
    -------
    pyspark.sql.DataFrame
        An un-executed plan: one row per customer, the columns of the pandas path
        (categories as text), in no particular row order.
    """
    from pyspark.sql import functions as F

    wide = _inputs(model, log, as_of)
    sample = _synthetic_row(wide.schema, as_of)
    by_value = decides_by_expected_value(model, list(score(model, sample, as_of,
                                                           actions=False).columns))
    full = score(model, sample, as_of, value_cut=0.0 if by_value else None)
    final = _schema(full, wide.schema)
    names = final.fieldNames()
    if not by_value:
        def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for batch in batches:
                if len(batch):
                    yield _for_spark(score(model, batch, as_of), names)

        scored = wide.mapInPandas(run, final)
    else:
        first = score(model, sample, as_of, actions=False)
        first_schema = _schema(first, wide.schema)
        first_names = first_schema.fieldNames()

        def run_first(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for batch in batches:
                if len(batch):
                    yield _for_spark(score(model, batch, as_of, actions=False), first_names)

        stage1 = wide.mapInPandas(run_first, first_schema)
        ev = F.col("expected_value")
        q = float(model.playbook_.value_quantile)
        cut = stage1.filter(ev.isNotNull() & ~F.isnan(ev)).agg(
            F.coalesce(F.percentile(ev, F.lit(q)), F.lit(float("inf"))).alias(_CUT))

        def run_actions(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
            for batch in batches:
                if len(batch):
                    value_cut = float(batch[_CUT].iloc[0])
                    table = batch.drop(columns=_CUT)
                    yield _for_spark(add_actions(model, table, value_cut=value_cut), names)

        scored = stage1.crossJoin(F.broadcast(cut)).mapInPandas(run_actions, final)
    if getattr(model, "baskets_", None) is not None:
        scored = _baskets(model, log, scored, names)
    return scored
