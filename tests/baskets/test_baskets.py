"""The basket table, item counts and item history on hand-worked logs, on every engine."""

from __future__ import annotations

import pandas as pd
import pytest

from custseg.baskets import AssociationRules, basket_table, item_counts, item_history
from custseg.exceptions import InvalidValueError, MissingColumnError, NullValueError
from tests.conftest import to_backend, to_pandas

# Orders: o1 (a: tea x2 lines, milk), o2 (a: tea), o3 (b: milk, jam), o4 (b: a refund of jam).
LOG = pd.DataFrame({
    "customer_id": ["a", "a", "a", "a", "b", "b", "b"],
    "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-05",
                            "2024-01-02", "2024-01-02", "2024-01-03"]),
    "amount": [2.0, 1.0, 3.0, 2.5, 4.0, 5.0, -5.0],
    "order": ["o1", "o1", "o1", "o2", "o3", "o3", "o4"],
    "product": ["tea", "tea", "milk", "tea", "milk", "jam", "jam"],
})


def test_basket_table_by_order(engine):
    out = to_pandas(basket_table(to_backend(LOG, engine), product_col="product",
                                 order_col="order"))
    assert list(out.columns) == ["customer_id", "order", "product", "time", "n_lines", "amount"]
    assert out[["order", "product", "n_lines"]].values.tolist() == [
        ["o1", "milk", 1], ["o1", "tea", 2], ["o2", "tea", 1], ["o3", "jam", 1],
        ["o3", "milk", 1]]
    assert out["amount"].tolist() == [3.0, 3.0, 2.5, 5.0, 4.0]


def test_basket_table_by_customer_day():
    log = LOG.assign(date=LOG["date"] + pd.to_timedelta([1, 2, 3, 4, 5, 6, 7], unit="h"))
    out = basket_table(log, product_col="product")
    assert out["basket_date"].astype(str).tolist() == [
        "2024-01-01", "2024-01-01", "2024-01-05", "2024-01-02", "2024-01-02"]
    assert out["time"].iloc[1] == pd.Timestamp("2024-01-01 01:00")  # first tea line of the day


def test_item_counts(backend):
    out = to_pandas(item_counts(to_backend(LOG, backend), product_col="product",
                                order_col="order"))
    assert out.values.tolist() == [
        ["milk", 2, 2, 2 / 3, 7.0], ["tea", 2, 1, 2 / 3, 5.5], ["jam", 1, 1, 1 / 3, 5.0]]


def test_item_history(backend):
    out = to_pandas(item_history(to_backend(LOG, backend), product_col="product",
                                 order_col="order"))
    assert out[["customer_id", "product", "n_baskets", "amount"]].values.tolist() == [
        ["a", "milk", 1, 3.0], ["a", "tea", 2, 5.5], ["b", "jam", 1, 5.0],
        ["b", "milk", 1, 4.0]]
    assert out["last_bought"].iloc[1] == pd.Timestamp("2024-01-05")


def test_rules_on_every_engine(engine):
    # Baskets {milk, tea}, {tea}, {jam, milk}: milk -> tea has support 1/3, confidence 1/2.
    est = AssociationRules(min_support=0.3, min_confidence=0.0, min_lift=0.0,
                           product_col="product", order_col="order")
    rules = est.fit(to_backend(LOG, engine)).rules_
    got = rules if isinstance(rules, pd.DataFrame) else rules.to_pandas()
    pairs = {(tuple(sorted(a)), tuple(sorted(c))): tuple(round(v, 12) for v in values)
             for a, c, *values in zip(got["antecedents"], got["consequents"], got["support"],
                                      got["confidence"], got["lift"], strict=True)}
    third = round(1 / 3, 12)
    assert pairs == {
        (("milk",), ("tea",)): (third, 0.5, 0.75), (("tea",), ("milk",)): (third, 0.5, 0.75),
        (("jam",), ("milk",)): (third, 1.0, 1.5), (("milk",), ("jam",)): (third, 0.5, 1.5)}
    assert est.n_baskets_ == {None: 3}


def test_rules_keep_the_callers_frame_kind():
    import polars as pl

    rules = AssociationRules(min_support=0.3, min_confidence=0.0, product_col="product",
                             order_col="order").fit(pl.from_pandas(LOG)).rules_
    assert isinstance(rules, pl.DataFrame)
    assert rules.schema["antecedents"] == pl.List(pl.String)
    pandas_rules = AssociationRules(min_support=0.3, min_confidence=0.0, product_col="product",
                                    order_col="order").fit(LOG).rules_
    assert pandas_rules["antecedents"].iloc[0] == frozenset({"jam"})


def test_input_is_not_mutated():
    before = LOG.copy(deep=True)
    AssociationRules(min_support=0.3, product_col="product", order_col="order").fit(LOG)
    basket_table(LOG, product_col="product")
    pd.testing.assert_frame_equal(LOG, before)


# --- bad input ---------------------------------------------------------------------------


def test_no_product_column_is_refused():
    with pytest.raises(InvalidValueError, match="need an item column: pass product_col="):
        AssociationRules().fit(LOG)
    with pytest.raises(MissingColumnError, match="'sku' \\(product_col\\) is not in the table"):
        basket_table(LOG, product_col="sku")


def test_missing_items_are_refused_with_count():
    log = LOG.assign(product=LOG["product"].where(LOG.index != 2, None))
    with pytest.raises(NullValueError, match="'product' \\(product_col\\) has 1 missing value"):
        item_counts(log, product_col="product")


@pytest.mark.parametrize(("param", "value"), [
    ("min_support", 0.0), ("min_support", 1.5), ("min_confidence", -0.1),
    ("min_confidence", 1.01), ("min_lift", -1.0), ("max_len", 0)])
def test_thresholds_out_of_range_are_refused(param, value):
    with pytest.raises(ValueError, match=f"'{param}' parameter of AssociationRules must be"):
        AssociationRules(product_col="product", **{param: value}).fit(LOG)


def test_one_item_per_basket_gives_an_empty_documented_result():
    from custseg.exceptions import DataWarning

    log = LOG.drop_duplicates("order")
    est = AssociationRules(min_support=0.1, product_col="product", order_col="order")
    with pytest.warns(DataWarning, match="every basket holds one item"):
        est.fit(log)
    assert est.rules_.empty
    assert list(est.rules_.columns) == [
        "antecedents", "consequents", "antecedent support", "consequent support", "support",
        "confidence", "lift", "leverage", "conviction", "n_baskets"]


def test_a_segment_without_baskets_has_no_rules():
    segments = pd.DataFrame({"customer_id": ["a", "b", "z"], "tier": ["A", "A", "B"]})
    est = AssociationRules(min_support=0.3, min_confidence=0.0, min_lift=0.0, by="tier",
                           product_col="product", order_col="order")
    est.fit(LOG, segments=segments)
    assert est.n_baskets_ == {"A": 3, "B": 0}
    assert set(est.rules_["tier"]) == {"A"}


def test_segments_must_be_one_per_customer_and_complete():
    est = AssociationRules(min_support=0.3, by="tier", product_col="product",
                           order_col="order")
    with pytest.raises(InvalidValueError, match=r"several segments .* customers 'a';"):
        est.fit(LOG, segments=pd.DataFrame({"customer_id": ["a", "a", "b"],
                                            "tier": ["A", "B", "A"]}))
    with pytest.raises(InvalidValueError, match="1 customers of the log have no segment"):
        est.fit(LOG, segments=pd.DataFrame({"customer_id": ["a"], "tier": ["A"]}))
    with pytest.raises(MissingColumnError, match="'tier' \\(by\\) is not in the log"):
        est.fit(LOG)


def test_predict_gives_the_consequents_a_basket_lacks(engine):
    # Rules of {milk, tea}, {tea}, {jam, milk} at support 0.3 (see above).
    est = AssociationRules(min_support=0.3, min_confidence=0.0, min_lift=0.0,
                           product_col="product", order_col="order")
    data = to_backend(LOG, engine)
    out = to_pandas(est.fit(data).predict(data))
    assert out["order"].tolist() == ["o1", "o2", "o3"]
    assert [list(v) for v in out["predicted_items"]] == [["jam"], ["milk"], ["tea"]]
