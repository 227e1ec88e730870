"""The bad-input catalogue: each malformed table gets its error class and a message
naming the column (and the number of bad rows where rows are bad)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.exceptions import (
    CustsegError,
    EmptyDataError,
    FutureTimestampError,
    InvalidDtypeError,
    InvalidValueError,
    MissingColumnError,
    NegativeAmountError,
    NullValueError,
    TimestampParseError,
    TimezoneMismatchError,
)
from custseg.features import customer_features
from custseg.io import check_transactions, parse_date, read_transactions


def good() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
        "amount": [1.0, 2.0, 3.0, 4.0],
    })


def with_col(**cols) -> pd.DataFrame:
    return good().assign(**cols)


CATALOGUE = [
    ("missing customer column", good().rename(columns={"customer_id": "customerid"}), {},
     MissingColumnError,
     r"column 'customer_id' \(customer_col\) is not in the table\. Did you mean 'customerid'\?"
     r" Available columns: 'customerid', 'date' and 'amount'\."),
    ("missing amount column, wrong name given", good(), {"amount_col": "amout"},
     MissingColumnError, r"'amout'.*Did you mean 'amount'"),
    ("missing time column, case differs", good().rename(columns={"date": "Date"}), {},
     MissingColumnError, r"'date'.*Did you mean 'Date'"),
    ("empty table", good().iloc[:0], {}, EmptyDataError,
     r"0 rows.*'customer_id', 'date', 'amount'"),
    ("null customer id", with_col(customer_id=["a", None, None, "d"]), {}, NullValueError,
     r"column 'customer_id' \(customer_col\) has 2 of 4 rows with a missing customer id.*"
     r"First rows: \{row: 1"),
    ("null timestamp", with_col(date=pd.to_datetime(["2024-01-01", None, "2024-01-03",
                                                     "2024-01-04"])), {},
     NullValueError, r"column 'date' \(time_col\) has 1 of 4 rows with a missing timestamp"),
    ("unparseable text timestamp", with_col(date=["2024-01-01", "not a date", "2024-01-03",
                                                  "yesterday"]), {},
     TimestampParseError, r"column 'date' \(time_col\) has 2 of 4 rows that do not parse.*"
     r"'not a date'"),
    ("integer timestamps", with_col(date=[20240101, 20240102, 20240103, 20240104]), {},
     InvalidDtypeError, r"column 'date' \(time_col\) has dtype Int64; expected a datetime"),
    ("text amount", with_col(amount=["1", "2", "x", "4"]), {}, InvalidDtypeError,
     r"column 'amount' \(amount_col\) has dtype String; expected a numeric dtype"),
    ("NaN amount", with_col(amount=[1.0, np.nan, 3.0, 4.0]), {}, InvalidValueError,
     r"column 'amount' \(amount_col\) has 1 of 4 rows with a NaN or infinite amount"),
    ("infinite amount", with_col(amount=[1.0, np.inf, -np.inf, 4.0]), {}, InvalidValueError,
     r"column 'amount' \(amount_col\) has 2 of 4 rows with a NaN or infinite amount"),
    ("timestamps after the observation date", good(), {"observation_date": "2024-01-02"},
     FutureTimestampError,
     r"column 'date' \(time_col\) has 2 of 4 rows dated after the observation date 2024-01-02"),
    ("tz-aware data, naive date", with_col(date=good()["date"].dt.tz_localize("UTC")),
     {"observation_date": "2024-02-01"}, TimezoneMismatchError,
     r"column 'date' holds timestamps in time zone 'UTC' but observation_date=2024-02-01"),
    ("naive data, tz-aware date", good(),
     {"observation_date": pd.Timestamp("2024-02-01", tz="UTC")}, TimezoneMismatchError,
     r"time-zone aware but column 'date' holds naive timestamps"),
    ("refunds with returns='error'", with_col(amount=[1.0, -2.0, 3.0, 4.0]), {"returns": "error"},
     NegativeAmountError, r"column 'amount' \(amount_col\) has 1 of 4 rows with a negative"),
    ("text quantity", with_col(qty=["1", "2", "3", "4"]), {"quantity_col": "qty"},
     InvalidDtypeError, r"column 'qty' \(quantity_col\) has dtype String"),
    ("one column for two roles", good(), {"time_col": "customer_id"}, InvalidValueError,
     r"time_col and customer_col both name column 'customer_id'"),
]


@pytest.mark.parametrize("name, table, kwargs, error, message", CATALOGUE,
                         ids=[c[0] for c in CATALOGUE])
@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_bad_input_catalogue(name, table, kwargs, error, message, engine):
    data = table if engine == "pandas" else pl.from_pandas(table, nan_to_null=False)
    with pytest.raises(error, match=message) as info:
        check_transactions(data, **kwargs)
    assert isinstance(info.value, CustsegError)
    # The feature builders go through the same boundary.
    with pytest.raises(error):
        customer_features(data, **kwargs)


def test_catalogue_is_large_enough():
    assert len(CATALOGUE) >= 12


def test_not_a_dataframe():
    with pytest.raises(InvalidDtypeError, match=r"must be a dataframe.*got list"):
        check_transactions([{"customer_id": "a"}])


@pytest.mark.parametrize("col, values, kinds", [
    ("customer_id", ["a", 1, "b", "c"], r"'int' and 'str' \(1 of 4 rows"),
    ("amount", [1.0, "x", 3.0, 4.0], r"'float' and 'str' \(1 of 4 rows"),
])
def test_mixed_object_columns(col, values, kinds):
    with pytest.raises(InvalidDtypeError, match=rf"column '{col}' of transactions mixes.*{kinds}"):
        check_transactions(with_col(**{col: values}))


def test_errors_are_also_builtin_exceptions():
    with pytest.raises(KeyError):
        check_transactions(good(), customer_col="nope")
    with pytest.raises(ValueError):
        check_transactions(good().iloc[:0])
    with pytest.raises(TypeError):
        check_transactions(with_col(amount=["x"] * 4))


def test_bad_policies_and_dates():
    with pytest.raises(InvalidValueError, match="returns='refund'"):
        check_transactions(good(), returns="refund")
    with pytest.raises(InvalidValueError, match="future='keep'"):
        check_transactions(good(), future="keep")
    with pytest.raises(InvalidValueError, match="observation_date='soon' is not a date"):
        check_transactions(good(), observation_date="soon")


def test_parse_date_forms():
    import datetime as dt

    assert parse_date(dt.date(2024, 1, 2)) == (dt.datetime(2024, 1, 2), True)
    assert parse_date(pd.Timestamp("2024-01-02 10:00")) == (dt.datetime(2024, 1, 2, 10), False)


def test_duckdb_validation_counts_rows():
    duckdb = pytest.importorskip("duckdb")
    rel = duckdb.connect().from_arrow(pl.from_pandas(with_col(
        customer_id=["a", None, None, "d"])).to_arrow())
    with pytest.raises(NullValueError, match="2 of 4 rows"):
        check_transactions(rel)


def test_summary_facts():
    checked = check_transactions(with_col(amount=[1.0, -2.0, 3.0, 4.0]),
                                 observation_date="2024-01-10")
    assert checked.n_rows == 4 and checked.n_negative == 1
    assert checked.date_only and str(checked.observation_date.date()) == "2024-01-10"


def test_read_transactions(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("customer_id,date,amount\n007,2024-01-01,9.5\n")
    assert read_transactions(path)["customer_id"].tolist() == ["007"]
    assert read_transactions(path, as_frame="polars")["customer_id"].to_list() == ["007"]
    pq = tmp_path / "log.parquet"
    read_transactions(path).to_parquet(pq)
    assert read_transactions(pq)["customer_id"].tolist() == ["007"]
    with pytest.raises(FileNotFoundError, match="not found"):
        read_transactions(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(EmptyDataError, match="empty"):
        read_transactions(empty)


def test_duckdb_text_timestamps():
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    rel = con.sql("select * from (values ('a', '2024-01-01', 1.0), ('a', '2024-01-05', 2.0)) "
                  "t(customer_id, date, amount)")
    assert rfm_frame(rel)["recency_days"].tolist() == [0.0]
    bad = con.sql("select * from (values ('a', '2024-01-01', 1.0), ('a', 'garbage', 2.0)) "
                  "t(customer_id, date, amount)")
    with pytest.raises(TimestampParseError, match=r"column 'date' \(time_col\).*garbage"):
        check_transactions(bad)


def rfm_frame(rel):
    from custseg.features import rfm

    return rfm(rel).df()
