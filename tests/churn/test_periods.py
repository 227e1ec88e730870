"""``layout="periods"``: a customer-by-period matrix read by the BTYD models and RFMScorer.

Hand-worked: rows are customers, columns four weeks (the last holds the observation
date), a value the spend of the week. The summaries each row gives:

    row  weeks bought  frequency  recency  T  mean repeat spend  since last  occasions  total
    0    1, 3          1          2        2  8.0                0           2          20.5
    1    0             0          0        3  0.0                3           1          3.0
    2    1, 2, 3       2          2        2  4.0                0           3          12.0
    3    (none)        0          0        0  0.0                (missing)   0          0.0
    4    0, 2          1          2        3  6.0                1           2          8.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
import scipy.sparse as sp

from custseg.churn import BetaGeoChurnClassifier, BetaGeoModel, GammaGammaModel
from custseg.exceptions import (
    ColumnMismatchError,
    EmptyDataError,
    InvalidDtypeError,
    InvalidValueError,
)
from custseg.features._periods import period_summary
from custseg.segments import RFMScorer

from ..io.test_catalogue import LEAKS

WEEKS = np.array([
    [0, 12.5, 0, 8.0],
    [3.0, 0, 0, 0],
    [0, 4.0, 4.0, 4.0],
    [0, 0, 0, 0],
    [2.0, 0, 6.0, 0],
])
SUMMARY = np.array([[1, 2, 2], [0, 0, 3], [2, 2, 2], [0, 0, 0], [1, 2, 3.0]])
SPEND = np.array([[1, 8.0], [0, 0.0], [2, 4.0], [0, 0.0], [1, 6.0]])


def test_the_summaries_of_a_period_matrix_are_those_worked_by_hand():
    s = period_summary(WEEKS, "test")
    np.testing.assert_array_equal(s.frequency, [1, 0, 2, 0, 1])
    np.testing.assert_array_equal(s.recency, [2, 0, 2, 0, 2])
    np.testing.assert_array_equal(s.T, [2, 3, 2, 0, 3])
    np.testing.assert_array_equal(s.monetary_value, [8.0, 0, 4.0, 0, 6.0])
    np.testing.assert_array_equal(s.periods_since_last, [0, 3, 0, np.nan, 1])
    np.testing.assert_array_equal(s.occasions, [2, 1, 3, 0, 2])
    np.testing.assert_array_equal(s.total, [20.5, 3.0, 12.0, 0.0, 8.0])


def test_betageo_on_periods_is_betageo_on_the_summary():
    on_weeks = BetaGeoModel(layout="periods").fit(WEEKS)
    on_summary = BetaGeoModel().fit(SUMMARY)
    assert on_weeks.params_ == on_summary.params_
    assert on_weeks.n_features_in_ == 4 and on_summary.n_features_in_ == 3
    np.testing.assert_array_equal(on_weeks.probability_no_purchase(WEEKS, 4),
                                  on_summary.probability_no_purchase(SUMMARY, 4))
    assert on_weeks.score(WEEKS) == on_summary.score(SUMMARY)
    # a row without a purchase adds nothing to the likelihood (its likelihood is 1)
    assert on_weeks.log_likelihood(WEEKS)[3] == 0.0


def test_gammagamma_and_lifetime_value_on_periods():
    on_weeks = GammaGammaModel(layout="periods", max_correlation=1.0).fit(WEEKS)
    on_summary = GammaGammaModel(max_correlation=1.0).fit(SPEND)
    assert on_weeks.params_ == on_summary.params_
    np.testing.assert_array_equal(on_weeks.expected_average_spend(WEEKS),
                                  on_summary.expected_average_spend(SPEND))
    bg = BetaGeoModel(layout="periods").fit(WEEKS)
    clv = on_weeks.customer_lifetime_value(WEEKS, bg, horizon=4)
    four = np.column_stack([SUMMARY, SPEND[:, 1]])
    expected = on_summary.customer_lifetime_value(four, BetaGeoModel().fit(SUMMARY), horizon=4)
    np.testing.assert_allclose(clv, expected, rtol=1e-12)
    with pytest.raises(InvalidValueError, match="both must read the same X"):
        on_summary.customer_lifetime_value(WEEKS, bg, horizon=4)


def test_classifier_on_periods_checks_the_width_and_the_labels():
    y = np.array([0, 1, 0, 1, 0])
    clf = BetaGeoChurnClassifier(horizon=4, layout="periods").fit(WEEKS, y)
    assert clf.n_features_in_ == 4 and list(clf.classes_) == [0, 1]
    proba = clf.predict_proba(WEEKS)
    np.testing.assert_array_equal(proba[:, 1], clf.model_.probability_no_purchase(WEEKS, 4))
    with pytest.raises(ColumnMismatchError, match="X has 3 features, but "
                                                  "BetaGeoChurnClassifier is expecting 4"):
        clf.predict(WEEKS[:, :3])
    with pytest.raises(ColumnMismatchError, match="y has 4 labels for 5 customers"):
        BetaGeoChurnClassifier(horizon=4, layout="periods").fit(WEEKS, y[:4])
    with pytest.raises(InvalidValueError, match="1 of 5 labels that are missing, NaN or "
                                                "infinite"):
        BetaGeoChurnClassifier(horizon=4, layout="periods").fit(WEEKS, [0, 1, np.nan, 0, 1])
    with pytest.raises(EmptyDataError, match="y has 0 labels"):
        BetaGeoChurnClassifier(horizon=4).fit(SUMMARY[:0], [])
    from sklearn.exceptions import DataConversionWarning

    with pytest.warns(DataConversionWarning, match="column-vector y"):
        BetaGeoChurnClassifier(horizon=4, layout="periods").fit(WEEKS, y[:, None])


def test_rfm_scorer_on_periods_and_on_a_summary_array_scores_as_on_the_table():
    table = pd.DataFrame({"recency_days": [0, 3, 0, np.nan, 1.0],
                          "frequency": [2, 1, 3, 0, 2.0],
                          "monetary_total": [20.5, 3.0, 12.0, 0.0, 8.0]})
    scorer = RFMScorer(customer_col=None, segment_map=None)
    expected = scorer.fit_transform(table)[["r_score", "f_score", "m_score", "rfm_score"]]
    on_weeks = RFMScorer(layout="periods").fit(WEEKS)
    got = on_weeks.transform(WEEKS)
    np.testing.assert_array_equal(got, expected.to_numpy())
    assert list(on_weeks.get_feature_names_out()) == ["r_score", "f_score", "m_score",
                                                      "rfm_score"]
    assert got[3, 0] == 1  # no purchase: recency missing, scored 1
    on_array = RFMScorer().fit(table.to_numpy())
    np.testing.assert_array_equal(on_array.transform(table.to_numpy()), expected.to_numpy())
    assert not hasattr(on_array, "feature_names_in_") and on_array.n_features_in_ == 3
    with pytest.raises(ColumnMismatchError, match="X has 5 features, but RFMScorer is "
                                                  "expecting 4"):
        on_weeks.transform(np.zeros((2, 5)))


@pytest.mark.parametrize("frame", [pd.DataFrame, pl.DataFrame])
def test_a_period_dataframe_is_read_as_its_columns_in_order(frame):
    weeks = frame({f"w{i}": WEEKS[:, i] for i in range(4)})
    assert BetaGeoModel(layout="periods").fit(weeks).params_ == BetaGeoModel(
        layout="periods").fit(WEEKS).params_
    text = frame({"w0": ["a", "b"], "w1": [1.0, 2.0]})
    with pytest.raises(InvalidDtypeError, match="column 'w0' of X has dtype"):
        BetaGeoModel(layout="periods").fit(text)


@pytest.mark.parametrize(("X", "error", "match"), [
    (np.array([[1.0, -1.0]]), InvalidValueError,
     r"Negative values in data passed to BetaGeoModel: 1 entries \(first at row 0, column 1\)"),
    (np.array([[1.0, np.nan]]), InvalidValueError, "NaN or inf in 1 entries"),
    (np.array([1.0, 0.0]), InvalidValueError, "1-D array; a customer-by-period matrix is 2-D"),
    (np.zeros((0, 3)), EmptyDataError, r"0 sample\(s\) \(no customer\)"),
    (np.zeros((2, 0)), EmptyDataError, r"0 feature\(s\) \(shape=\(2, 0\)\)"),
    (np.array([[1 + 1j, 0]]), InvalidValueError, "Complex data not supported"),
    (sp.csr_matrix(np.eye(2)), InvalidDtypeError,
     r"sparse matrix; a customer-by-period matrix must be dense \(X.toarray\(\)\)"),
])
def test_a_bad_period_matrix_is_refused_in_words(X, error, match):
    for est in (BetaGeoModel(layout="periods"), GammaGammaModel(layout="periods"),
                BetaGeoChurnClassifier(horizon=4, layout="periods"), RFMScorer(layout="periods")):
        with pytest.raises(error, match=match.replace("BetaGeoModel", type(est).__name__)) as err:
            est.fit(X)
        assert not LEAKS.search(str(err.value)), err.value


def test_gammagamma_needs_two_repeat_customers_in_words():
    with pytest.raises(EmptyDataError, match=r"X has 0 of 3 sample\(s\) with a repeat purchase "
                                             r"\(in 1 feature\(s\), the periods\)"):
        GammaGammaModel(layout="periods").fit(np.ones((3, 1)))
