"""The basket estimators on a basket matrix (rows: baskets, columns: items), as mlxtend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from custseg.baskets import AssociationRules, ProductRecommender
from custseg.exceptions import (
    ColumnMismatchError,
    EmptyDataError,
    InvalidDtypeError,
    InvalidValueError,
)

# tea, milk, jam: baskets 0 and 1 hold tea and milk, 2 jam, 3 milk, 4 nothing.
M = np.array([[1, 1, 0], [2, 1, 0], [0, 0, 1], [0, 1, 0], [0, 0, 0]])
LOG = pd.DataFrame({
    "customer_id": [0, 0, 1, 1, 2, 3],
    "date": pd.to_datetime(["2024-01-01"] * 6),
    "amount": [1.0] * 6,
    "product": [0, 1, 0, 1, 2, 1],
})
RULES = ["antecedents", "consequents", "support", "confidence", "lift", "n_baskets"]


def test_rules_of_a_matrix_are_those_of_the_same_log():
    kw = {"min_support": 0.25, "min_confidence": 0.5, "min_lift": 0.0}
    from_matrix = AssociationRules(**kw).fit(M)
    from_log = AssociationRules(product_col="product", **kw).fit(LOG)
    pd.testing.assert_frame_equal(from_matrix.rules_[RULES], from_log.rules_[RULES])
    # by hand: 4 baskets; tea in 2, milk in 3, both in 2
    tea_milk = from_matrix.rules_.iloc[0]
    assert tea_milk["antecedents"] == frozenset({0}) and tea_milk["consequents"] == {1}
    assert tea_milk["support"] == 0.5 and tea_milk["confidence"] == 1.0
    assert from_matrix.n_baskets_ == {None: 4}
    assert from_matrix.n_features_in_ == 3 and not hasattr(from_matrix, "feature_names_in_")


def test_predict_of_a_matrix_marks_the_predicted_items():
    model = AssociationRules(min_support=0.25, min_confidence=0.5, min_lift=0.0).fit(M)
    # tea -> milk (confidence 1), milk -> tea (2/3); nothing fires on jam or an empty row
    got = model.predict(np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0], [1, 1, 0]]))
    np.testing.assert_array_equal(got, [[0, 1, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0],
                                        [0, 0, 0]])


def test_recommender_on_a_matrix_ranks_item_positions():
    model = ProductRecommender(min_support=0.25, min_confidence=0.5, min_lift=0.0,
                               rule_weight=1.0, shrinkage=0.0).fit(M)
    got = model.predict(np.array([[1, 0, 0], [1, 1, 1], [0, 0, 0]]), n=2)
    assert got.shape == (3, 2) and got.dtype.kind == "i"
    assert got[0, 0] == 1  # tea bought: milk first (the rule tea -> milk)
    assert list(got[1]) == [-1, -1]  # every item bought: nothing left
    assert list(got[2]) == [1, 0]  # an empty row: the best sellers (milk 3/4, tea 2/4)
    assert model.recommend([0], n=1)["item"].tolist() == [2]  # basket 0 lacks only jam


@pytest.mark.parametrize(("X", "error", "match"), [
    (np.array([[1.0, -1.0]]), InvalidValueError, "Negative values in data passed to "
     "AssociationRules: 1 entries \\(first at row 0, column 1\\)"),
    (np.array([[1.0, np.nan]]), InvalidValueError, "NaN or inf in 1 entries"),
    (np.array([[1.0, np.inf]]), InvalidValueError, "NaN or inf in 1 entries"),
    (np.array([1.0, 0.0]), InvalidValueError, "1-D array; a basket matrix is 2-D .* "
     "Reshape your data"),
    (np.zeros((0, 3)), EmptyDataError, "0 sample"),
    (np.zeros((2, 0)), EmptyDataError, r"0 feature\(s\) \(shape=\(2, 0\)\)"),
    (np.zeros((2, 3)), EmptyDataError, "holds no item"),
    (np.array([["a", "b"]]), InvalidDtypeError, "dtype <U1"),
    (np.array([[1, "x"]], dtype=object), InvalidDtypeError, "values that are not numbers"),
    (np.array([[1 + 1j, 0]]), InvalidValueError, "Complex data not supported"),
    (sp.csr_matrix(np.eye(2)), InvalidDtypeError,
     r"sparse matrix; a basket matrix must be dense \(X.toarray\(\)\)"),
])
def test_a_bad_matrix_is_refused_in_words(X, error, match):
    with pytest.raises(error, match=match):
        AssociationRules().fit(X)


def test_matrix_and_log_are_not_mixed():
    on_matrix = AssociationRules(min_support=0.25).fit(M)
    with pytest.raises(ColumnMismatchError, match="X has 2 features, but AssociationRules "
                                                  "is expecting 3 features"):
        on_matrix.predict(M[:, :2])
    with pytest.raises(InvalidValueError, match="fitted on a basket matrix of 3 items"):
        on_matrix.predict(LOG)
    on_log = ProductRecommender(min_support=0.25, product_col="product").fit(LOG)
    with pytest.raises(InvalidValueError, match="fitted on a transaction log"):
        on_log.predict(M)
    with pytest.raises(InvalidValueError, match="by='tier' needs a transaction log"):
        AssociationRules(by="tier").fit(M)


def test_the_callers_matrix_is_not_changed():
    X = M.astype(float)
    before = X.copy()
    AssociationRules(min_support=0.25).fit(X).predict(X)
    ProductRecommender(min_support=0.25).fit(X).predict(X)
    np.testing.assert_array_equal(X, before)
