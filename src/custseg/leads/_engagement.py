"""Engagement points from an activity log, with half-life decay and per-type caps."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import narwhals.stable.v2 as nw
import pandas as pd

from .._frame import collect_small, to_kind
from ..exceptions import InvalidValueError, MissingColumnError, NullValueError, names_text
from ..features._core import days_between, reference_time
from ..io import check_transactions
from ..io._validate import CID, PRODUCT, TIME

__all__ = ["engagement_points"]

_ONE = "custseg_activity"  # a constant amount column: check_transactions needs one


def _check_points(points: Any, caps: Any, half_life_days: Any) -> dict[str, float]:
    if not isinstance(points, Mapping) or not points:
        raise InvalidValueError(
            "points must be a non-empty mapping {activity type: points}, for example "
            "{'email open': 1, 'website visit': 3, 'demo request': 25}."
        )
    out = {}
    for kind, value in points.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
                value):
            raise InvalidValueError(f"points: the points of {kind!r} must be a finite number; got "
                f"{value!r}.")
        out[str(kind)] = float(value)
    for kind, cap in (caps or {}).items():
        if str(kind) not in out:
            raise InvalidValueError(
                f"caps names activity type {kind!r}, which has no points; types: "
                f"{names_text(sorted(out))}."
            )
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not cap >= 0:
            raise InvalidValueError(f"caps: the cap of {kind!r} must be a number >= 0; got "
                f"{cap!r}.")
    if half_life_days is not None and (
        isinstance(half_life_days, bool) or not isinstance(half_life_days, (int, float))
        or not 0 < half_life_days < math.inf
    ):
        raise InvalidValueError(
            f"half_life_days must be a positive number of days or None (no decay); got "
            f"{half_life_days!r}."
        )
    return out


def engagement_points(
    activities: Any,
    *,
    points: Mapping[str, float],
    half_life_days: float | None = 30.0,
    caps: Mapping[str, float] | None = None,
    observation_date: Any = None,
    customer_col: str = "customer_id",
    time_col: str = "date",
    activity_col: str = "activity",
    unknown: str = "error",
    future: str = "error",
    time_format: str | None = None,
) -> Any:
    """Engagement points of every lead from its activities, decayed to the observation date.

    Each activity earns the points of its type, halved for every
    ``half_life_days`` between the activity and the observation date (an
    activity one half-life old counts half, two half-lives a quarter, as
    HubSpot's and Marketo's score decay). The decayed points of each type are
    then capped at ``caps[type]``, so a hundred e-mail opens cannot outweigh a
    demo request. The log is validated by the same
    :func:`custseg.io.check_transactions` as the feature builders, with the
    same observation-date and time-zone rules: a date given as a day covers the
    whole day, and ages are then whole days from that day (an activity on the
    observation day counts in full); an exact observation timestamp gives exact
    ages.

    Parameters
    ----------
    activities : dataframe or lazy frame
        One row per activity: lead id, timestamp, activity type.
    points : dict of {activity type: float}
        Points of each activity type (negative for an unsubscribe, say).
    half_life_days : float or None, default=30.0
        Days after which an activity's points have halved; ``None``: no decay.
    caps : dict of {activity type: float}, optional
        Maximum decayed points per lead of each type (types not named are uncapped).
    observation_date : date-like, optional
        The date "as of" which points are computed; default the last activity.
    customer_col, time_col, activity_col : str
        Column names.
    unknown : {"error", "ignore"}, default="error"
        What to do with activity types that have no points.
    future : {"error", "drop"}, default="error"
        Activities after the observation date: raise, or leave them out.
    time_format : str, optional
        ``strftime`` format of a text timestamp column.

    Returns
    -------
    DataFrame or lazy frame
        The caller's kind of frame: one row per lead with activities, the id
        column, one ``<type>`` column of capped decayed points per activity type
        of ``points``, and ``engagement`` (their sum), sorted by id. Leads with
        no activity are absent (their engagement is 0).

    See Also
    --------
    PointsScorer : Fit points from attributes, the other axis of a lead's grade.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.leads import engagement_points
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-03-01", "2024-03-31", "2024-03-31", "2024-03-01"]),
    ...     "activity": ["demo request", "email open", "email open", "email open"]})
    >>> engagement_points(log, points={"demo request": 20, "email open": 2},
    ...                   half_life_days=30, caps={"email open": 3},
    ...                   observation_date=pd.Timestamp("2024-03-31"))
      customer_id  demo request  email open  engagement
    0           a          10.0         3.0        13.0
    1           b           0.0         1.0         1.0
    """
    table = _check_points(points, caps, half_life_days)
    if unknown not in {"error", "ignore"}:
        raise InvalidValueError(f"unknown must be 'error' or 'ignore'; got {unknown!r}.")
    native = activities.to_native() if isinstance(activities, (nw.DataFrame, nw.LazyFrame)) \
        else activities
    try:
        frame = nw.from_native(native)
    except TypeError:
        frame = None
    if frame is not None:
        columns = [str(c) for c in frame.columns]
        roles = {"customer_col": customer_col, "time_col": time_col,
                 "activity_col": activity_col}
        missing = {role: col for role, col in roles.items() if col not in columns}
        if missing:
            raise MissingColumnError.from_missing_and_available(
                missing, columns, where="the activity log")
        one = _ONE
        while one in columns:
            one += "_"
        native = frame.with_columns(nw.lit(1.0).alias(one)).to_native()
    else:
        one = _ONE
    tx = check_transactions(
        native, customer_col=customer_col, time_col=time_col, amount_col=one,
        product_col=activity_col, observation_date=observation_date, future=future,
        time_format=time_format,
    )
    work = tx.frame.with_columns(nw.col(PRODUCT).cast(nw.String()).alias(PRODUCT))
    stats = collect_small(work.select(
        n_null=nw.col(PRODUCT).null_count(), n=nw.len()))
    if stats["n_null"][0]:
        raise NullValueError(
            f"column '{activity_col}' (activity_col) has {stats['n_null'][0]} of "
            f"{stats['n'][0]} rows with no activity type; every activity needs one."
        )
    kinds = collect_small(work.group_by(PRODUCT).agg(nw.len().alias("n")))
    found = dict(zip(kinds[PRODUCT].to_list(), kinds["n"].to_list(), strict=True))
    strange = {k: v for k, v in found.items() if k not in table}
    if strange and unknown == "error":
        raise InvalidValueError(
            f"column '{activity_col}' (activity_col) has {sum(strange.values())} rows of "
            f"{len(strange)} activity type(s) without points, e.g. "
            f"{names_text(sorted(strange, key=lambda k: -strange[k])[:3])}; give them points or "
            "pass "
            f"unknown='ignore'. Types with points: {names_text(sorted(table))}."
        )
    if tx.date_only:  # ages in whole days from the observation day, as day occasions
        ref, when = nw.lit(reference_time(tx, "day")), nw.col(TIME).dt.truncate("1d")
    else:
        ref, when = nw.lit(tx.observation_date), nw.col(TIME)
    age = days_between(ref, when)
    decay = nw.lit(1.0) if half_life_days is None else (
        age * (-math.log(2.0) / half_life_days)).exp()
    per_type = [nw.when(nw.col(PRODUCT) == kind).then(decay * value).otherwise(nw.lit(0.0))
                .sum().alias(kind) for kind, value in table.items()]
    out = work.group_by(CID).agg(*per_type)
    capped = {k: float(c) for k, c in (caps or {}).items()}
    if capped:
        out = out.with_columns(*[nw.col(k).clip(upper_bound=c) for k, c in capped.items()])
    out = out.with_columns(nw.sum_horizontal(*[nw.col(k) for k in table]).alias("engagement"))
    out = out.sort(CID).rename({CID: customer_col})
    result = to_kind(out, tx.info, keep_dtypes=(customer_col,))
    if isinstance(result, pd.DataFrame):
        result = result.reset_index(drop=True)
    return result
