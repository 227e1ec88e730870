"""The calibration/holdout split from a log validated once (``_calibration_holdout_from``).

``custseg.churn.churn_labels`` validates the log once and cuts it at the holdout end with
``_as_of``; these tests check that this cut, and the split computed from it, are exactly
what ``calibration_holdout`` gets by validating the raw log a second time with
``observation_date=holdout_end, future="drop"``.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import polars as pl
import pytest

from custseg.datasets import load_cdnow
from custseg.exceptions import InvalidValueError, TimezoneMismatchError
from custseg.features import calibration_holdout
from custseg.features._split import _calibration_holdout_from, _split_dates
from custseg.io import check_transactions
from custseg.io._validate import _as_of
from tests._synthetic import timestamped_log

SAMPLE = load_cdnow(sample=True)


def _synthetic(tz: str | None = None) -> pd.DataFrame:
    """Timestamps to the second, refunds (some on their own day), orders, optional zone."""
    return timestamped_log(200, 7, tz)


def _native(frame):
    return frame.collect().to_pandas()


def _assert_same_tx(got, want):
    """Every field equal (datetimes to their repr: same zone too), frames row for row."""
    for field in dataclasses.fields(want):
        a, b = getattr(got, field.name), getattr(want, field.name)
        if field.name == "frame":
            pd.testing.assert_frame_equal(_native(a), _native(b), check_exact=True)
        elif field.name == "info":
            assert a == b
        else:
            assert repr(a) == repr(b), field.name


def _assert_same_split(got, want):
    for field in dataclasses.fields(want):
        a, b = getattr(got, field.name), getattr(want, field.name)
        if field.name == "features":
            assert type(a) is type(b)
            if isinstance(b, pl.LazyFrame):
                a, b = a.collect(), b.collect()
            if isinstance(b, pl.DataFrame):
                a, b = a.to_pandas(), b.to_pandas()
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        else:
            assert repr(a) == repr(b), field.name


CASES = {
    # name: (log, validation kwargs, calibration end, holdout end)
    "sample, days": (SAMPLE, {}, "1997-09-30", "1998-03-31"),
    "sample, holdout end at a time": (SAMPLE, {}, "1997-09-30", "1998-03-31 12:00"),
    "sample, holdout end past the data": (SAMPLE, {}, "1998-01-31", "1998-12-31"),
    "sample, holdout end = last day": (SAMPLE, {}, "1997-03-31", "1998-06-30"),
    "sample, drop refunds (none)": (SAMPLE, {"returns": "drop"}, "1997-06-30", "1997-12-31"),
    "synthetic, times": (_synthetic(), {}, "2022-12-31 18:30", "2023-06-30 07:15:30"),
    "synthetic, days": (_synthetic(), {}, "2022-12-31", "2023-06-30"),
    "synthetic, drop refunds": (_synthetic(), {"returns": "drop"}, "2023-01-15", "2023-03-26"),
    "synthetic, orders": (_synthetic(), {"order_col": "order_id"}, "2023-01-15",
                          "2023-04-01 11:00"),
    "synthetic, Paris": (_synthetic("Europe/Paris"), {},
                         pd.Timestamp("2023-01-15", tz="Europe/Paris"),
                         pd.Timestamp("2023-03-26", tz="Europe/Paris")),
    "synthetic, Paris, times": (_synthetic("Europe/Paris"), {},
                                pd.Timestamp("2023-01-15 09:00", tz="Europe/Paris"),
                                # 02:30 in Paris, the second time (winter time)
                                pd.Timestamp("2023-10-29 01:30", tz="UTC").tz_convert(
                                    "Europe/Paris")),
    "synthetic, text times": (_synthetic().astype({"date": str}), {}, "2023-01-15",
                              "2023-05-01 06:00"),
    "synthetic, polars": (pl.from_pandas(_synthetic()), {}, "2023-01-15", "2023-05-01"),
    "synthetic, polars lazy": (pl.from_pandas(_synthetic()).lazy(), {}, "2023-01-15",
                               "2023-05-01 12:00"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_as_of_is_check_transactions_with_that_observation_date(name):
    log, kwargs, _, hold = CASES[name]
    want = check_transactions(log, observation_date=hold, future="drop", **kwargs)
    got = _as_of(check_transactions(log, **kwargs), hold)
    _assert_same_tx(got, want)


@pytest.mark.parametrize("occasion", ["day", "row"])
@pytest.mark.parametrize("name", list(CASES))
def test_split_from_validated_log_is_calibration_holdout(name, occasion):
    log, kwargs, cal, hold = CASES[name]
    want = calibration_holdout(log, cal, hold, unit="W", occasion=occasion, **kwargs)
    cal_date, cal_day = _split_dates(cal, hold)
    got = _calibration_holdout_from(_as_of(check_transactions(log, **kwargs), hold), cal_date,
                                    cal_day, occasion=occasion, unit="W")
    _assert_same_split(got, want)


def test_split_from_validated_log_by_order():
    log, kwargs, cal, hold = CASES["synthetic, orders"]
    want = calibration_holdout(log, cal, hold, occasion="order", **kwargs)
    cal_date, cal_day = _split_dates(cal, hold)
    got = _calibration_holdout_from(_as_of(check_transactions(log, **kwargs), hold), cal_date,
                                    cal_day, occasion="order", unit="D")
    _assert_same_split(got, want)
    assert want.n_after_holdout > 0 and want.n_holdout_rows > 0


def test_as_of_converts_an_aware_date_to_the_column_time_zone_as_the_validator_does():
    # The holdout end is midnight UTC on the day Paris moves to summer time. The validator
    # takes it as the whole day 2022-03-27 01:00 Paris (CET) to 2022-03-28 01:00 Paris
    # (CEST), i.e. up to 23:00 UTC, not up to midnight UTC: b's rows are left out.
    utc = pd.to_datetime(["2022-03-20 10:00", "2022-03-27 22:30", "2022-03-27 23:30",
                          "2022-03-28 00:30"]).tz_localize("UTC")
    log = pd.DataFrame({"customer_id": ["a", "a", "b", "b"],
                        "date": utc.tz_convert("Europe/Paris"), "amount": [1.0, 2.0, 3.0, 4.0]})
    hold = pd.Timestamp("2022-03-27", tz="UTC")
    want = check_transactions(log, observation_date=hold, future="drop")
    got = _as_of(check_transactions(log), hold)
    _assert_same_tx(got, want)
    assert _native(got.frame)["__cid"].tolist() == ["a", "a"]
    naive_cut = log[log["date"] < hold + pd.Timedelta(days=1)]
    assert len(naive_cut) == 3  # a cut that skipped the conversion would keep b's row


def test_as_of_raises_what_the_validator_raises_for_a_naive_date_on_aware_times():
    log = _synthetic("Europe/Paris")
    with pytest.raises(TimezoneMismatchError) as want:
        check_transactions(log, observation_date="2023-03-26", future="drop")
    with pytest.raises(TimezoneMismatchError) as got:
        _as_of(check_transactions(log), "2023-03-26")
    assert str(got.value) == str(want.value)


def test_as_of_refuses_a_log_already_cut():
    cut = check_transactions(SAMPLE, observation_date="1997-12-31", future="drop")
    with pytest.raises(InvalidValueError, match="has not been cut"):
        _as_of(cut, "1997-06-30")
    # Cut after its last row: nothing was dropped, so it is accepted.
    _as_of(check_transactions(SAMPLE, observation_date="1998-12-31"), "1997-06-30")
