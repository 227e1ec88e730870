import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.exceptions import FutureTimestampError, InvalidValueError, MissingColumnError
from custseg.leads import engagement_points

POINTS = {"demo request": 20.0, "email open": 2.0, "website visit": 4.0}


def log(rows):
    return pd.DataFrame(rows, columns=["customer_id", "date", "activity"]).assign(
        date=lambda d: pd.to_datetime(d["date"]))


def test_points_halve_after_one_half_life():
    # worked by hand, half-life 10 days, observed on 2024-01-31:
    # a: demo today 20; b: demo 10 days ago 10; c: demo 20 days ago 5; d: 30 days ago 2.5
    table = log([("a", "2024-01-31", "demo request"), ("b", "2024-01-21", "demo request"),
                 ("c", "2024-01-11", "demo request"), ("d", "2024-01-01", "demo request")])
    out = engagement_points(table, points=POINTS, half_life_days=10,
                            observation_date="2024-01-31")
    assert out["customer_id"].tolist() == ["a", "b", "c", "d"]
    np.testing.assert_allclose(out["engagement"], [20, 10, 5, 2.5])
    np.testing.assert_allclose(out["demo request"], [20, 10, 5, 2.5])
    assert (out["email open"] == 0).all()


def test_exact_observation_time_gives_exact_ages():
    table = log([("a", "2024-01-01 12:00", "email open")])
    out = engagement_points(table, points=POINTS, half_life_days=1,
                            observation_date=pd.Timestamp("2024-01-02 12:00:01") - pd.Timedelta(
                                seconds=1))
    np.testing.assert_allclose(out["engagement"], [1.0])


def test_caps_are_respected_after_decay():
    rows = [("a", "2024-01-31", "email open")] * 10 + [("a", "2024-01-21", "email open")] * 2
    rows += [("b", "2024-01-21", "email open")]
    out = engagement_points(log(rows), points=POINTS, half_life_days=10,
                            caps={"email open": 5}, observation_date="2024-01-31")
    # a: 10 * 2 + 2 * 1 = 22, capped at 5; b: one open 10 days old = 1
    np.testing.assert_allclose(out["email open"], [5, 1])
    np.testing.assert_allclose(out["engagement"], [5, 1])


def test_no_decay_and_polars_in_polars_out():
    rows = [("a", "2023-01-01", "website visit"), ("a", "2024-01-01", "demo request")]
    table = pl.from_pandas(log(rows))
    out = engagement_points(table, points=POINTS, half_life_days=None)
    assert isinstance(out, pl.DataFrame)
    assert out["engagement"].to_list() == [24.0]
    lazy = engagement_points(table.lazy(), points=POINTS, half_life_days=None)
    assert isinstance(lazy, pl.LazyFrame)


def test_same_validation_as_the_feature_builders():
    table = log([("a", "2024-02-05", "email open")])
    with pytest.raises(FutureTimestampError, match="after the observation date"):
        engagement_points(table, points=POINTS, observation_date="2024-01-31")
    out = engagement_points(table, points=POINTS, observation_date="2024-01-31", future="drop")
    assert len(out) == 0
    with pytest.raises(MissingColumnError, match="activity_col"):
        engagement_points(table, points=POINTS, activity_col="type")


def test_unknown_activity_types():
    table = log([("a", "2024-01-31", "email open"), ("a", "2024-01-31", "tweet"),
                 ("b", "2024-01-31", "tweet")])
    with pytest.raises(InvalidValueError, match=r"2 rows of 1 activity type\(s\) without points"):
        engagement_points(table, points=POINTS)
    out = engagement_points(table, points=POINTS, unknown="ignore")
    assert out["engagement"].tolist() == [2.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"points": {}}, "non-empty mapping"),
        ({"points": {"a": "lots"}}, "finite number"),
        ({"points": POINTS, "caps": {"tweet": 1}}, "caps names"),
        ({"points": POINTS, "caps": {"email open": -1}}, ">= 0"),
        ({"points": POINTS, "half_life_days": 0}, "half_life_days"),
    ],
)
def test_bad_settings(kwargs, match):
    with pytest.raises(InvalidValueError, match=match):
        engagement_points(log([("a", "2024-01-31", "email open")]), **kwargs)
