"""Property-based: a customer's outputs do not depend on the other customers in the table,
and totals of cent amounts are exactly ``round(sum, 2)`` on every engine."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
import narwhals.stable.v2 as nw
import pandas as pd
import polars as pl
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from custseg.features import customer_features

START = dt.datetime(2024, 1, 1)
OBS = "2024-12-31"
MONEY = ("monetary_total", "spend_30d", "spend_90d", "spend_365d")

rows = st.tuples(
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.integers(0, 360),  # day
    st.integers(-50_000, 5_000_000),  # cents
)
logs = st.lists(rows, min_size=1, max_size=40)


def pandas_log(log: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": [r[0] for r in log],
        "date": [START + dt.timedelta(days=r[1]) for r in log],
        "amount": [r[2] / 100 for r in log],
    })


def as_engine(frame: pd.DataFrame, engine: str) -> object:
    if engine == "polars":
        return pl.from_pandas(frame)
    if engine == "pyarrow":
        return pa.Table.from_pandas(frame, preserve_index=False)
    if engine == "duckdb":
        return duckdb.from_arrow(pa.Table.from_pandas(frame, preserve_index=False))
    return frame


def features(frame: object) -> pd.DataFrame:
    out = customer_features(frame, observation_date=OBS)
    return nw.from_native(out).lazy().collect().to_pandas() if not isinstance(
        out, pd.DataFrame) else out


SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(logs, st.sampled_from(["pandas", "polars", "pyarrow", "duckdb"]))
def test_cent_totals_are_round_sum_exactly(log, engine):
    out = features(as_engine(pandas_log(log), engine)).set_index("customer_id")
    for customer in {r[0] for r in log}:
        cents = [r[2] for r in log if r[0] == customer]
        expected = round(sum(Decimal(c) / 100 for c in cents), 2)
        total = out.loc[customer, "monetary_total"]
        assert total == round(sum(c / 100 for c in cents), 2) == float(expected), (
            customer, total, expected)
        assert repr(float(total)) == repr(float(expected))


@SETTINGS
@given(logs, logs)
def test_a_customer_does_not_depend_on_the_others(log, others):
    # Customer "a" alone, then beside other customers (whose ids are renamed away from "a").
    mine = [r for r in log if r[0] == "a"] or [("a", 0, 100)]
    theirs = [("z" + r[0], r[1], r[2]) for r in others]
    alone = features(pandas_log(mine)).set_index("customer_id").loc["a"]
    beside = features(pandas_log(mine + theirs)).set_index("customer_id").loc["a"]
    pd.testing.assert_series_equal(alone, beside, check_exact=True, check_names=False)
