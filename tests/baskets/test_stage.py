"""The basket stage of CustomerSegmentation: a next_best_products column per customer."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from sklearn.base import clone

from custseg.baskets import ProductRecommender
from custseg.datasets import make_baskets
from custseg.exceptions import DataWarning
from custseg.pipeline import CustomerSegmentation
from custseg.segments import DEFAULT_SEGMENT_MAP
from tests.conftest import to_backend, to_pandas

LINES, _ = make_baskets(2_000, n_customers=200, random_state=0)
FIT_END = "2024-06-30"


def _model(**kwargs) -> CustomerSegmentation:
    params = dict(product_col="product", order_col="order_id", churn="drop",
                  future_value="drop", random_state=0)
    return CustomerSegmentation(**{**params, **kwargs})


@pytest.fixture(scope="module")
def fitted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        model = _model().fit(LINES[LINES["date"] <= FIT_END])
        return model, model.predict(LINES)


def test_every_customer_gets_products_not_bought_yet(fitted):
    _, table = fitted
    assert table["customer_id"].is_unique
    assert len(table) == LINES["customer_id"].nunique()
    bought = LINES.groupby("customer_id")["product"].agg(set)
    recs = table.set_index("customer_id")["next_best_products"].dropna()
    assert len(recs) == len(table)
    for customer, text in recs.items():
        products = text.split(" | ")
        assert len(products) == 5 == len(set(products))
        # predict reads the whole log: nothing the customer bought up to its end
        assert not set(products) & bought[customer]


def test_rules_and_best_sellers_are_per_rfm_segment(fitted):
    model, _ = fitted
    rec = model.baskets_
    assert isinstance(rec, ProductRecommender) and rec.by == "segment"
    assert rec.product_col == "product" and rec.order_col == "order_id"
    names = set(DEFAULT_SEGMENT_MAP)
    assert set(rec.best_sellers_["segment"].unique()) <= names
    assert set(rec.rules_["segment"].unique()) <= names and len(rec.rules_)


def test_column_equals_the_recommender_applied_to_the_log(fitted):
    model, table = fitted
    segments = table[["customer_id"]].assign(segment=table["rfm_segment"].astype(str))
    recs = model.baskets_.predict(LINES, n=5, segments=segments)
    first = recs[recs["rank"] == 1].set_index("customer_id")["product"]
    got = table.set_index("customer_id")["next_best_products"].str.split(" | ").str[0]
    assert got.loc[first.index].tolist() == first.tolist()


def test_no_stage_without_products_or_when_dropped():
    small = LINES[LINES["customer_id"] <= "C050"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        for model in (_model(product_col=None), _model(baskets="drop")):
            table = model.fit(small).predict(small)
            assert model.baskets_ is None
            assert "next_best_products" not in table.columns


def test_a_configured_recommender_is_used():
    small = LINES[LINES["customer_id"] <= "C080"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        model = _model(baskets=ProductRecommender(exclude_purchased=False, rule_weight=0.0))
        table = model.fit(small).predict(small)
    assert model.baskets_.exclude_purchased is False
    bought = small.groupby("customer_id")["product"].agg(set)
    again = [bool(set(t.split(" | ")) & bought[c]) for c, t in
             zip(table["customer_id"], table["next_best_products"], strict=True)]
    assert any(again)  # re-buys count: some customers are offered what they bought


def test_a_log_the_stage_cannot_use_leaves_it_out_with_a_warning():
    bad = LINES[LINES["customer_id"] <= "C050"].copy()
    bad.loc[bad.index[:3], "product"] = None
    with pytest.warns(DataWarning, match="baskets stage cannot be learnt.*missing values"):
        model = _model().fit(bad)
    assert "baskets" in model.skipped_stages_ and model.baskets_ is None


@pytest.mark.parametrize("engine", ["polars", "polars_lazy", "duckdb"])
def test_the_stage_gives_the_pandas_column_on_every_engine(engine, fitted):
    _, want = fitted
    log = to_backend(LINES, engine)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        fit_log = to_backend(LINES[LINES["date"] <= FIT_END], engine)
        table = to_pandas(_model().fit(fit_log).predict(log))
    got = table.sort_values("customer_id").set_index("customer_id")["next_best_products"]
    pd.testing.assert_series_equal(got, want.set_index("customer_id")["next_best_products"],
                                   check_names=False)


@pytest.mark.spark
def test_the_stage_path_on_spark(fitted):
    # What the stage runs, on Spark: the recommender fitted with segments on the log's
    # engine and applied to a later log (the whole pipeline on Spark takes about a minute
    # more and is the pipeline's own engine test).
    _, table = fitted
    segments = table[["customer_id"]].assign(segment=table["rfm_segment"].astype(str))
    rec = ProductRecommender(by="segment", product_col="product", order_col="order_id")
    early = LINES[LINES["date"] <= FIT_END]
    want = rec.fit(early, segments=segments[segments["customer_id"].isin(
        early["customer_id"])]).predict(LINES, segments=segments)
    spark_rec = clone(rec).fit(to_backend(early, "spark"), segments=to_backend(
        segments[segments["customer_id"].isin(early["customer_id"])], "spark"))
    got = spark_rec.predict(to_backend(LINES, "spark"), segments=to_backend(segments, "spark"))
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_fit_predict_gives_the_column_of_fit_then_predict():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        table = _model().fit_predict(LINES)
        expected = _model().fit(LINES).predict(LINES)
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
