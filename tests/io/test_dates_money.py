"""Dates are ISO 8601 or an explicit format, never guessed; money sums are exact."""

from __future__ import annotations

import datetime as dt

import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pytest

from custseg.exceptions import InvalidValueError, NullValueError, TimestampParseError
from custseg.features import customer_features, rfm
from custseg.io import check_transactions


def log(dates, amounts=None, ids=None) -> pd.DataFrame:
    n = len(dates)
    return pd.DataFrame({"customer_id": ids or ["a"] * n, "date": dates,
                         "amount": amounts or [1.0] * n})


@pytest.mark.parametrize("text", ["1/2/2024", "01/02/2024", "2/1/24", "Feb 1, 2024",
                                  "1.2.2024", "20240201", "Thursday"])
def test_non_iso_text_is_refused_with_the_format_advice(text):
    with pytest.raises(TimestampParseError) as info:
        check_transactions(log(["2024-01-01", text]))
    message = str(info.value)
    assert "column 'date' (time_col) has 1 of 2 rows" in message
    assert "time_format=" in message and "--time-format" in message
    assert "%d/%m/%Y" in message and "%m/%d/%Y" in message
    assert repr(text) in message  # the bad row is shown


def test_slash_dates_with_an_explicit_format_are_read_that_way():
    us = check_transactions(log(["1/2/2024", "1/31/2024"]), time_format="%m/%d/%Y")
    eu = check_transactions(log(["1/2/2024", "31/1/2024"]), time_format="%d/%m/%Y")
    assert us.min_time == dt.datetime(2024, 1, 2)
    assert (eu.min_time, eu.max_time) == (dt.datetime(2024, 1, 31), dt.datetime(2024, 2, 1))


@pytest.mark.parametrize("texts", [
    ["2024-01-01T10:00:00+01:00", "2024-01-02T09:00:00Z"],
    ["2024-01-01 10:00:00+0100", "2024-01-02 09:00Z"],
    ["2024-01-01T10:00+01:00", "2024-01-02T04:00:00.000-05:00"],
])
def test_offsets_are_read_into_utc(texts):
    tx = check_transactions(log(texts))
    assert tx.time_zone == "UTC"
    assert tx.min_time == dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC)
    assert tx.max_time == dt.datetime(2024, 1, 2, 9, tzinfo=dt.UTC)


def test_a_format_with_an_offset_gives_utc():
    tx = check_transactions(log(["01/02/2024 10:00 +0100"]), time_format="%d/%m/%Y %H:%M %z")
    assert tx.time_zone == "UTC"
    assert tx.max_time == dt.datetime(2024, 2, 1, 9, tzinfo=dt.UTC)


def test_mixed_offsets_and_naive_text_are_refused():
    with pytest.raises(TimestampParseError, match=r"mixes 1 timestamps with a UTC offset "
                                                  r"and 2 without.*'2024-01-02'"):
        check_transactions(log(["2024-01-01T10:00:00+01:00", "2024-01-02", "2024-01-03"]))


def test_aware_observation_date_on_aware_text():
    out = rfm(log(["2024-01-01T10:00:00+01:00", "2024-01-05T10:00:00+01:00"]),
              observation_date="2024-01-10T00:00:00+00:00")
    assert out["recency_days"].tolist() == [5.0]


def test_messages_show_dates_in_words_not_reprs():
    frame = log(["2024-08-04", "2024-08-05"])
    frame["date"] = pd.to_datetime(frame["date"])
    with pytest.raises(Exception) as info:
        check_transactions(frame, observation_date="2024-08-01")
    assert "datetime.datetime(" not in str(info.value)
    assert "2024-08-04" in str(info.value)


# --- money -----------------------------------------------------------------------------

def test_large_sums_do_not_wrap_around():
    out = rfm(log(["2024-01-01", "2024-01-02"], [5e12, 5e12]))
    assert out["monetary_total"].tolist() == [1e13]


def test_sums_too_large_to_be_exact_are_refused():
    with pytest.raises(InvalidValueError, match=r"column 'amount' \(amount_col\).*add up to"):
        rfm(log(["2024-01-01"] * 5000, [1e13 + 0.25] * 5000))


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_cent_totals_are_cents(kind):
    frame = log(["2024-01-01", "2024-01-02", "2024-01-03"], [100.5, 55.95, 0.01],
                ["a", "a", "a"])
    frame = pl.from_pandas(frame) if kind == "polars" else frame
    out = customer_features(frame)
    out = out.to_pandas() if kind == "polars" else out
    assert repr(float(out["monetary_total"].iloc[0])) == "156.46"
    assert repr(float(out["spend_365d"].iloc[0])) == "156.46"


def test_a_total_does_not_depend_on_the_other_customers():
    alone = rfm(log(["2024-01-01", "2024-01-02"], [0.1, 1.21], ["a", "a"]))
    beside = rfm(log(["2024-01-01", "2024-01-02", "2024-01-02"], [0.1, 1.21, 3.333],
                     ["a", "a", "b"]))
    assert alone["monetary_total"].iloc[0] == beside["monetary_total"].iloc[0] == 1.31



@pytest.mark.parametrize("tail", [[], [0.125], [2.5], [1e-7], [7.0]])
def test_decimals_beyond_the_sample_are_found(tail):
    """The scale equals the full six-place check whether or not the sample shows it all."""
    from custseg.io._money import MAX_DECIMALS, decimal_stats, sample_decimals
    from custseg.io._validate import _DECIMALS_SAMPLE

    amounts = [12.5, 3.25] * (_DECIMALS_SAMPLE // 2 + 10) + tail  # the tail after the sample
    frame = log(["2024-01-01"] * len(amounts), amounts)
    full = sample_decimals(nw.from_native(pl.DataFrame({"a": amounts})).select(
        **decimal_stats(nw.col("a"))).to_polars().to_dicts()[0])
    assert check_transactions(frame).money.decimals == full
    assert full == {(): 2, (0.125,): 3, (2.5,): 2, (1e-7,): MAX_DECIMALS, (7.0,): 2}[
        tuple(tail)]


# --- names -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["tier", "action", "rfm_segment", "value_score", "churn_risk",
                                  "lifecycle_stage", "frequency", "churned", "stage",
                                  "spend_90d", "frequency_cal"])
def test_an_id_column_named_like_an_output_is_refused(name):
    frame = log(["2024-01-01"]).rename(columns={"customer_id": name})
    with pytest.raises(InvalidValueError, match=rf"column '{name}' \(customer_col\) has the "
                                                r"name of a column custseg writes.*rename"):
        check_transactions(frame, customer_col=name)


def test_internal_names_are_refused():
    frame = log(["2024-01-01"]).rename(columns={"amount": "__amt"})
    with pytest.raises(InvalidValueError, match=r"column '__amt' \(amount_col\) starts with"):
        check_transactions(frame, amount_col="__amt")


def test_duplicate_columns_are_refused():
    frame = log(["2024-01-01"])
    frame = pd.concat([frame, frame[["amount"]]], axis=1)
    with pytest.raises(InvalidValueError, match=r"1 column name\(s\) used more than once: "
                                                r"'amount'"):
        check_transactions(frame)


def test_a_column_named_row_and_dictionary_ids():
    import pyarrow as pa

    frame = log(["2024-01-01", "2024-01-02"], ids=["a", None]).assign(row=[7, 8])
    with pytest.raises(Exception, match=r"1 of 2 rows with a missing customer id.*"
                                        r"row_number: 1"):
        check_transactions(frame)
    table = pa.table({"customer_id": pa.array(["a", "b", "a"]).dictionary_encode(),
                      "date": pa.array([dt.datetime(2024, 1, d) for d in (1, 2, 3)]),
                      "amount": [1.0, 2.0, 3.0]})
    assert rfm(table).column("frequency").to_pylist() == [2, 1]


def test_nan_float_ids_are_missing():
    import numpy as np

    frame = log(["2024-01-01", "2024-01-02"]).assign(customer_id=[1.5, np.nan])
    with pytest.raises(NullValueError, match=r"1 of 2 rows with a missing customer id"):
        check_transactions(frame)


def test_dictionary_encoded_ids_in_rfm_scorer_and_churn_labels():
    import pyarrow as pa

    from custseg.churn import churn_labels
    from custseg.segments import RFMScorer

    days = (1, 2, 3, 4, 20, 10)
    table = pa.table({"customer_id": pa.array(list("abacda")).dictionary_encode(),
                      "date": pa.array([dt.datetime(2024, 1, d) for d in days]),
                      "amount": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    for frame in (table, pl.from_arrow(table)):
        features = rfm(frame, observation_date="2024-01-31")
        scored = nw_frame(RFMScorer().fit_transform(features))
        assert sorted(scored["customer_id"].to_list()) == list("abcd")
        labels = nw_frame(churn_labels(frame, "2024-01-04", 15))
        assert sorted(labels["customer_id"].to_list()) == list("abc")
        assert labels["churned"].dtype.is_numeric() or labels["churned"].dtype == pl.Boolean
        assert dict(zip(labels["customer_id"].to_list(), labels["churned"].to_list(),
                        strict=True)) == {"a": 0, "b": 1, "c": 1}


def nw_frame(native) -> pl.DataFrame:
    return nw.from_native(native, eager_only=True).to_polars()
