"""The per-customer scoring step of ``CustomerSegmentation.predict``: a table in, a table out.

``predict`` works in two steps. The *inputs* are per-customer tables computed from
the log by its engine: the customer features, the BTYD summary in days (the churn
features and the future value read it, as ``<name>_cal`` columns), and one number
taken from the whole table, :data:`WORST` (see :func:`worst_recency`). :func:`score`
then applies every fitted stage to these rows. Each row is scored on its own, with
values learnt in ``fit`` only (score edges, thresholds, cluster centres, cut points,
models), so the step gives the same rows on the whole table (pandas, polars, DuckDB)
and on each partition of a Spark table (``custseg._spark_scoring``).

Two values come from the predicted population as a whole, and are passed in rather
than recomputed from a slice: :data:`WORST`, and the ``expected_value`` cut of a
decision matrix that grades value by it (``value_cut``).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from .features._builders import BTYD_COLUMNS

__all__ = ["BTYD_IN", "STAGE_IN", "WORST", "add_actions", "churn_table",
           "decides_by_expected_value", "is_stager", "needs_btyd", "score", "score_inputs",
           "worst_recency"]

#: The BTYD summary columns as the scoring step reads them (the churn model's names).
BTYD_IN = {c: f"{c}_cal" for c in BTYD_COLUMNS}
#: The longest recency of the table (a customer's tenure where recency is missing).
WORST = "__worst_recency"
#: The stage of a lifecycle estimator other than ``LifecycleStager`` (computed from the log).
STAGE_IN = "__lifecycle_stage"
RISK_BANDS = ("low", "medium", "high")  # the same as custseg.churn._bands.RISK_BANDS


def worst_recency(feats: pd.DataFrame) -> float:
    """The fill value of a missing recency and tenure: the longest recency of the table.

    A customer whose only rows are refunds has no recency; ``_numeric`` counts their
    tenure instead, and when that is unknown too, this value (0 for an empty column).
    """
    if "recency_days" not in feats.columns:
        return 0.0
    recency = feats["recency_days"].astype("float64")
    if "tenure_days" in feats.columns:
        recency = recency.fillna(feats["tenure_days"].astype("float64"))
    worst = recency.max()
    return float(worst) if pd.notna(worst) else 0.0


def is_stager(est: Any) -> bool:
    """Whether ``est`` is a :class:`~custseg.segments.LifecycleStager` (staged row by row)."""
    from .segments import LifecycleStager

    return isinstance(est, LifecycleStager)


def needs_btyd(model: Any, groups_only: bool) -> bool:
    """Whether the table needs the BTYD summary (churn features or future value)."""
    if groups_only:
        return False
    return model.churn_ is not None or getattr(model, "value_purchases_", None) is not None


def score_inputs(model: Any, log: Any, as_of: dt.datetime, groups_only: bool,
                 feats: pd.DataFrame | None = None, btyd: pd.DataFrame | None = None
                 ) -> pd.DataFrame:
    """The inputs of :func:`score` as one pandas table (the eager engines' path).

    ``feats``, ``btyd``: the features and BTYD summary as of ``as_of`` when already
    computed (``fit_predict``).
    """
    cid = model.customer_col
    wide = model._features(log, as_of) if feats is None else feats.copy()
    if needs_btyd(model, groups_only):
        btyd = model._btyd_days(log, as_of) if btyd is None else btyd
        btyd = btyd.rename(columns=BTYD_IN)
        wide = wide.merge(btyd, on=cid, how="left")
    if model.lifecycle_ is not None and not is_stager(model.lifecycle_):
        stager = copy.copy(model.lifecycle_).set_params(observation_date=as_of)
        from ._frame import to_pandas

        stages = to_pandas(stager.transform(log))[[cid, "stage"]]
        wide = wide.merge(stages.rename(columns={"stage": STAGE_IN}), on=cid, how="left")
    wide[WORST] = worst_recency(wide)
    return wide


def _stages(model: Any, wide: pd.DataFrame) -> np.ndarray:
    if STAGE_IN in wide.columns:
        return wide[STAGE_IN].to_numpy(dtype=object)
    from .io._validate import CID

    cols = ["recency_days", "frequency", "tenure_days"]
    rows = pl.from_pandas(wide[[model.customer_col, *cols]].rename(
        columns={model.customer_col: CID}))
    return model.lifecycle_._stage_rows(rows)["stage"].to_numpy().astype(object)


def _feature_part(wide: pd.DataFrame) -> pd.DataFrame:
    inputs = [*BTYD_IN.values(), WORST, STAGE_IN]
    return wide.drop(columns=[c for c in inputs if c in wide.columns])


def churn_table(wide: pd.DataFrame) -> pd.DataFrame:
    """The churn model's features of the rows of ``wide`` that have a BTYD summary row.

    The columns of :func:`custseg.churn.churn_labels` at its cutoff (without ``churned``):
    the customer features but the purchase dates, then the BTYD summary as ``<name>_cal``.
    """
    cal = list(BTYD_IN.values())
    have_btyd = wide[cal[0]].notna().to_numpy()
    feats = _feature_part(wide).drop(columns=["first_purchase", "last_purchase"])
    return pd.concat([feats, wide[cal]], axis=1)[have_btyd]


def _churn(model: Any, wide: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """Churn probability of each row (NaN for a customer without a BTYD summary row)."""
    from .exceptions import ColumnMismatchError, names_text

    have_btyd = wide[BTYD_IN["frequency"]].notna().to_numpy()
    churn_X = churn_table(wide)
    have = [c for c in churn_X.columns if c != model.customer_col]
    if have != model.churn_features_:
        raise ColumnMismatchError(  # pragma: no cover - same builders at fit and predict
            f"churn features {names_text(have)} differ from those seen in fit "
            f"{names_text(model.churn_features_)}."
        )
    p_all = np.full(len(ids), np.nan)
    if have_btyd.any():
        proba = model.churn_.predict_proba(churn_X[model.churn_features_])
        classes = list(model.churn_.classes_)
        p_all[have_btyd] = np.asarray(proba)[:, classes.index(True) if True in classes else -1]
    return p_all


def score(model: Any, wide: pd.DataFrame, as_of: dt.datetime, *, groups_only: bool = False,
          log: Any = None, actions: bool = True, value_cut: float | None = None
          ) -> pd.DataFrame:
    """Apply every fitted stage of ``model`` to the rows of ``wide``.

    Parameters
    ----------
    model : CustomerSegmentation
        The fitted pipeline.
    wide : pandas.DataFrame
        Rows of :func:`score_inputs` (or the same columns from another engine).
    as_of : datetime.datetime
        The date of the table.
    groups_only : bool, default=False
        The features, RFM segment, lifecycle stage and tier only.
    log : Transactions, optional
        The log, for the basket stage (which reads each customer's purchases); without
        it the ``next_best_products`` column is left to the caller.
    actions : bool, default=True
        Whether to add the playbook's actions (:func:`add_actions`).
    value_cut : float, optional
        The ``expected_value`` at which a decision matrix grading by it calls a
        customer's value high (the quantile of the whole table); default: computed
        from ``wide``.

    Returns
    -------
    pandas.DataFrame
        The table of ``predict``, row for row with ``wide``.
    """
    cid = model.customer_col
    wide = wide.reset_index(drop=True)
    feats = _feature_part(wide)
    worst = float(wide[WORST].iloc[0]) if WORST in wide.columns and len(wide) \
        else worst_recency(feats)
    table = feats.copy()
    ids = table[cid].to_numpy()
    value = getattr(model, "value_purchases_", None) is not None and not groups_only
    churn = model.churn_ is not None and not groups_only
    if model.rfm_ is not None:
        from ._frame import to_pandas

        scores = to_pandas(model.rfm_.transform(feats))
        for col in ("r_score", "f_score", "m_score", "rfm_cell", "rfm_score"):
            table[col] = scores[col].to_numpy()
        if "segment" in scores.columns:
            table["rfm_segment"] = pd.Categorical(
                scores["segment"].to_numpy(), categories=model._rfm_segment_names()
            )
    if model.lifecycle_ is not None:
        from .segments import STAGES

        table["lifecycle_stage"] = pd.Categorical(
            _stages(model, wide), categories=list(STAGES), ordered=True)
    if model.kmeans_ is not None and not groups_only:
        X = model._numeric(feats, list(model.kmeans_features), worst=worst)
        labels = np.asarray(model.kmeans_.predict(X))
        table["kmeans_segment"] = labels
        seg_names = getattr(model.kmeans_, "segment_names_", None)
        if seg_names is not None:
            table["kmeans_segment_name"] = pd.Categorical(
                np.asarray(seg_names, dtype=object)[labels],
                categories=list(dict.fromkeys(seg_names)),
            )
    if model.tiers_ is not None:
        complete = model._complete(feats, worst=worst)
        scorer = getattr(model.tiers_, "scorer_", None)
        if scorer is not None:
            scores = scorer.transform(complete)
            table["value_score"] = np.asarray(scores["value_score"], dtype=float)
        tier = model.tiers_.predict(complete)
        table["tier"] = pd.Categorical(
            np.asarray(tier, dtype=object), categories=list(model.tiers_.grades_), ordered=True,
        )
    if churn:
        from .churn._bands import apply_risk_bands

        p_all = _churn(model, wide, ids)
        table["churn_probability"] = p_all
        band = apply_risk_bands(p_all, model.churn_risk_cuts_)  # -1: no purchase to score
        table["churn_risk"] = pd.Categorical.from_codes(
            band.astype(np.int64), dtype=pd.CategoricalDtype(list(RISK_BANDS), ordered=True)
        )
    if value:
        have = wide[BTYD_IN["frequency"]].notna().to_numpy()
        summary = wide.loc[have, [cid, *BTYD_IN.values()]].rename(
            columns={v: k for k, v in BTYD_IN.items()})
        values = model._value_columns(summary, ids)
        for col in values.columns:
            table[col] = values[col].to_numpy()
        if "churn_probability" in table.columns:
            table["value_at_stake"] = table["expected_value"] * table["churn_probability"]
    recommender = None if groups_only or log is None else getattr(model, "baskets_", None)
    if recommender is not None:
        from .baskets._stage import next_best_products

        table["next_best_products"] = next_best_products(recommender, log, table, cid)
    if not actions:
        return table.reset_index(drop=True)
    return add_actions(model, table, groups_only=groups_only, value_cut=value_cut)


def add_actions(model: Any, table: pd.DataFrame, *, groups_only: bool = False,
                value_cut: float | None = None) -> pd.DataFrame:
    """Add the playbook's ``action`` columns to a scored table (see :func:`score`)."""
    playbook = None if groups_only else model.playbook_
    if playbook is not None and hasattr(playbook, "decide"):
        value_col = any(c in table.columns for c in ("tier", "expected_value"))
        if "lifecycle_stage" in table.columns and value_col:
            if value_cut is not None:
                return playbook.decide(table, value_cut=value_cut).reset_index(drop=True)
            return playbook.decide(table).reset_index(drop=True)
        from .segments import Playbook

        playbook = Playbook()  # no stage or value to decide from: by name
    if playbook is not None:
        group = next((c for c in ("rfm_segment", "lifecycle_stage", "tier")
                      if c in table.columns), None)
        if group is not None:
            group_labels: pd.Series = table[group].astype(object)
            found = {n: playbook.actions_for(n) for n in group_labels.dropna().unique()}
            table["action"] = group_labels.map(
                lambda n: found[n].action if n in found else None
            )
            table["action_priority"] = group_labels.map(
                lambda n: found[n].priority if n in found else None
            )
    return table.reset_index(drop=True)


def decides_by_expected_value(model: Any, columns: list[str]) -> bool:
    """Whether the playbook grades value by the ``expected_value`` quantile of the table."""
    playbook = model.playbook_
    if playbook is None or not hasattr(playbook, "value_column") \
            or "lifecycle_stage" not in columns:
        return False
    col = playbook.value_column
    if col not in columns:
        col = "expected_value" if col == "tier" else "tier"
    return col == "expected_value" and col in columns
