"""``churn_labels`` validates the log once and gives what it gave when it validated twice.

Until it reused its own validated log, ``churn_labels`` called the public
``calibration_holdout`` on the raw log, which validated it again. ``_old_churn_labels``
below is that path, verbatim; every case compares the two, table and split.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pytest

import custseg.churn._labels as labels_module
import custseg.features._core as core_module
from custseg.churn import churn_labels
from custseg.churn._labels import _check_window, _horizon_delta
from custseg.datasets import load_cdnow
from custseg.exceptions import InvalidValueError, TimezoneMismatchError
from custseg.features import calibration_holdout
from custseg.features._builders import _check_windows, customer_features_from
from custseg.io import check_transactions, parse_date
from tests._synthetic import timestamped_log

SAMPLE = load_cdnow(sample=True)


def _old_churn_labels(transactions, cutoff, horizon, *, customer_col="customer_id",
                      time_col="date", amount_col="amount", order_col=None, quantity_col=None,
                      product_col=None, unit="D", occasion="day", returns="net",
                      windows=(30, 90, 365), trend_window=90, time_format=None, data_end=None):
    """churn_labels as it was: the split from calibration_holdout on the raw log."""
    checked = check_transactions(
        transactions, customer_col=customer_col, time_col=time_col, amount_col=amount_col,
        order_col=order_col, quantity_col=quantity_col, product_col=product_col,
        returns=returns, time_format=time_format)
    cut, date_only = parse_date(cutoff, name="cutoff")
    delta = _horizon_delta(horizon, unit)
    last = checked.max_time
    if data_end is not None:
        complete, complete_day = parse_date(data_end, name="data_end")
        if complete_day:
            complete = complete + dt.timedelta(days=1) - dt.timedelta(microseconds=1)
        last = max(last, complete)
    end = _check_window(cut, date_only, delta, checked.min_time, last, time_col, horizon)
    split = calibration_holdout(
        transactions, cut, end, unit=unit, customer_col=customer_col, time_col=time_col,
        amount_col=amount_col, order_col=order_col, occasion=occasion, returns=returns,
        time_format=time_format)
    wins, trend = _check_windows(windows, trend_window)
    feats = customer_features_from(checked.before(cut, date_only=date_only), occasion, wins,
                                   trend)
    left = nw.from_native(feats).drop("first_purchase", "last_purchase")
    right = nw.from_native(split.features).drop(
        "frequency_holdout", "monetary_holdout", "duration_holdout")
    return left.join(right, on=customer_col, how="inner").sort(customer_col).to_native(), split


def _pandas(frame):
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    return frame.to_pandas() if isinstance(frame, pl.DataFrame) else frame


def _new_churn_labels(monkeypatch, *args, **kwargs):
    """churn_labels, and the CalibrationHoldout it computed on the way."""
    seen = []
    inner = labels_module._calibration_holdout_from

    def recording(*a, **k):
        seen.append(inner(*a, **k))
        return seen[-1]

    monkeypatch.setattr(labels_module, "_calibration_holdout_from", recording)
    table = churn_labels(*args, **kwargs)
    monkeypatch.undo()
    assert len(seen) == 1
    return table, seen[0]


def _assert_same(monkeypatch, *args, **kwargs):
    new_table, new_split = _new_churn_labels(monkeypatch, *args, **kwargs)
    old_table, old_split = _old_churn_labels(*args, **kwargs)
    assert type(new_table) is type(old_table)
    pd.testing.assert_frame_equal(_pandas(new_table), _pandas(old_table), check_exact=True)
    for field in dataclasses.fields(old_split):
        new, old = getattr(new_split, field.name), getattr(old_split, field.name)
        if field.name == "features":
            pd.testing.assert_frame_equal(_pandas(new), _pandas(old), check_exact=True)
        else:  # counts, and the resolved dates with their time zone
            assert repr(new) == repr(old), field.name
    return old_split


def _synthetic(tz=None):
    """Timestamps to the second, refunds (some on a day of their own), orders, products."""
    return timestamped_log(300, 3, tz, items=True)


SYNTH = _synthetic()
PARIS = _synthetic("Europe/Paris")
EXTRAS = {"order_col": "order_id", "quantity_col": "quantity", "product_col": "product"}


@pytest.mark.parametrize(("cutoff", "horizon", "kwargs"), [
    ("1997-09-30", 39, {"unit": "W"}),  # date-only cutoff and holdout end
    ("1997-06-30", "36h", {}),  # date-only cutoff, holdout end at noon
    ("1997-06-15 10:00", "14h", {}),  # timestamp cutoff, holdout end at midnight: a whole day
    ("1997-06-15 10:00", 90, {"occasion": "row"}),  # timestamps throughout
    ("1998-05-31", 45, {"data_end": "1998-07-31"}),  # holdout end past the last purchase
    ("1998-04-01 08:00", 100, {"data_end": "1998-07-31 12:00"}),
    ("1997-09-30", 60, {"returns": "drop", "windows": (7, 30), "trend_window": 30}),
])
def test_cdnow_sample_same_as_before(monkeypatch, cutoff, horizon, kwargs):
    _assert_same(monkeypatch, SAMPLE, cutoff, horizon, **kwargs)


def test_cdnow_master_same_as_before(monkeypatch):
    split = _assert_same(monkeypatch, load_cdnow(), "1997-09-30", 39, unit="W")
    assert (split.n_calibration_rows, split.n_holdout_rows, split.n_customers) == (
        49_086, 20_573, 23_570)
    _assert_same(monkeypatch, load_cdnow(), "1997-12-31 18:00", 25, unit="W",
                 occasion="row")


@pytest.mark.parametrize(("cutoff", "horizon", "kwargs"), [
    ("2022-12-31", 90, {}),
    ("2022-12-31 18:30:15", "45D", {}),
    ("2023-03-01 06:00", "18h", {"occasion": "row"}),
    ("2023-02-01", 8, {"unit": "W", "returns": "drop"}),
    ("2023-02-01 12:00", 60, {"occasion": "order", **EXTRAS}),
    ("2023-02-01", 60, {"occasion": "day", **EXTRAS}),
    ("2023-12-01", 60, {"data_end": "2024-01-31", **EXTRAS}),
])
def test_synthetic_with_times_and_refunds_same_as_before(monkeypatch, cutoff, horizon, kwargs):
    split = _assert_same(monkeypatch, SYNTH, cutoff, horizon, **kwargs)
    assert split.n_calibration_rows > 0 and split.n_holdout_rows > 0


@pytest.mark.parametrize(("cutoff", "horizon", "kwargs"), [
    # Holdout ends just after Paris moves to summer time, and at the end of summer time.
    (pd.Timestamp("2023-01-25", tz="Europe/Paris"), 60, {}),
    (pd.Timestamp("2023-03-20 13:30", tz="Europe/Paris"), "7D", {"occasion": "row"}),
    (pd.Timestamp("2023-08-29", tz="Europe/Paris"), 61, {**EXTRAS, "occasion": "order"}),
    (pd.Timestamp("2023-10-01 01:30", tz="Europe/Paris"), "28D", {"returns": "drop"}),
    (pd.Timestamp("2023-12-01", tz="Europe/Paris"), 45,
     {"data_end": pd.Timestamp("2024-01-31", tz="Europe/Paris")}),
])
def test_synthetic_in_a_time_zone_same_as_before(monkeypatch, cutoff, horizon, kwargs):
    _assert_same(monkeypatch, PARIS, cutoff, horizon, **kwargs)


@pytest.mark.parametrize("kind", ["polars", "lazy", "text"])
def test_other_inputs_same_as_before(monkeypatch, kind):
    log = {"polars": pl.from_pandas(SYNTH), "lazy": pl.from_pandas(SYNTH).lazy(),
           "text": SYNTH.astype({"date": str})}[kind]
    _assert_same(monkeypatch, log, "2023-02-01 12:00", 60, **EXTRAS)


def test_holdout_inside_the_cutoff_day_raises_as_before():
    # A date-only cutoff covers its whole day: a 12-hour horizon ends inside it.
    with pytest.raises(InvalidValueError, match="the holdout would be empty") as old:
        _old_churn_labels(SAMPLE, "1997-06-30", "12h")
    with pytest.raises(InvalidValueError, match="the holdout would be empty") as new:
        churn_labels(SAMPLE, "1997-06-30", "12h")
    assert str(new.value) == str(old.value)


def test_naive_cutoff_on_aware_times_raises_as_before():
    with pytest.raises(TimezoneMismatchError) as old:
        _old_churn_labels(PARIS, "2023-02-01", 60)
    with pytest.raises(TimezoneMismatchError) as new:
        churn_labels(PARIS, "2023-02-01", 60)
    assert str(new.value) == str(old.value)


def test_check_transactions_runs_once(monkeypatch):
    calls = []

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return check_transactions(*args, **kwargs)

    # Every stage validates through features._core.as_transactions.
    monkeypatch.setattr(core_module, "check_transactions", counting)
    churn_labels(SAMPLE, "1997-09-30", 39, unit="W")
    assert len(calls) == 1
    churn_labels(SYNTH, "2023-02-01 12:00", 60, occasion="order", **EXTRAS)
    assert len(calls) == 2
    # The counting wrapper is seen where calibration_holdout looks the validator up.
    calibration_holdout(SAMPLE, "1997-09-30")
    assert len(calls) == 3


def test_aware_cutoff_in_another_zone_is_the_same_instant():
    # A UTC cutoff on Paris data means the same instant as its Paris reading.
    utc = churn_labels(PARIS, pd.Timestamp("2023-06-01 12:00", tz="UTC"), 30)
    paris = churn_labels(PARIS, pd.Timestamp("2023-06-01 14:00", tz="Europe/Paris"), 30)
    pd.testing.assert_frame_equal(utc, paris)
    assert len(utc) > 0
