import numpy as np
import pandas as pd
import pytest

from custseg.exceptions import InvalidValueError
from custseg.leads import combine_grades, grade_leads, grade_matrix


def test_quantile_and_threshold_grades():
    scores = pd.Series([90, 10, 55, 70, 30, 45, 80, 20], index=list("abcdefgh"))
    grades = grade_leads(scores)
    assert grades.tolist() == ["A", "D", "B", "B", "C", "C", "A", "D"]
    assert grades.index.tolist() == list("abcdefgh")
    assert grades.cat.ordered and (grades > "B").tolist() == [True] + [False] * 5 + [True, False]
    assert grade_leads([5, 50, 15], method="threshold", thresholds=[40, 10],
                       grades=["hot", "warm", "cold"]).tolist() == ["cold", "hot", "warm"]


def test_labels_keep_the_given_order_not_the_alphabet():
    grades = grade_leads([3, 2, 1], grades=["Yes", "Maybe", "No"])
    assert grades.max() == "Yes" and grades.min() == "No"
    assert list(grades.cat.categories) == ["No", "Maybe", "Yes"]


def test_conversion_targets_hand_worked():
    # sorted: .6 .5 | .2 .05 | .01 -> A mean .55 >= .5; B mean .125 >= .1; C the rest
    p = [0.05, 0.6, 0.01, 0.2, 0.5]
    assert grade_leads(p, method="conversion", grades="ABC",
                       targets=[0.5, 0.1]).tolist() == ["B", "A", "C", "B", "A"]


def test_conversion_targets_with_observed_outcomes_and_ties():
    points = [30, 30, 20, 20, 10, 10, 0, 0]
    converted = [1, 1, 1, 0, 0, 1, 0, 0]
    grades = grade_leads(points, method="conversion", grades="ABC", targets=[0.75, 0.3],
                         outcomes=converted)
    # A: 30s and 20s together convert 3/4; B: the 10s convert 1/2; C: the zeros
    assert grades.tolist() == ["A", "A", "A", "A", "B", "B", "C", "C"]
    with pytest.raises(InvalidValueError, match="probabilities"):
        grade_leads(points, method="conversion", grades="AB", targets=[0.5])


def test_conversion_grade_nobody_reaches_stays_empty():
    grades = grade_leads([0.1, 0.05], method="conversion", grades="ABC", targets=[0.9, 0.08])
    assert grades.tolist() == ["B", "C"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "alphabet"}, "method must be"),
        ({"method": "conversion"}, "needs targets"),
        ({"method": "conversion", "targets": [0.1, 0.5, 0.2]}, "strictly decreasing"),
        ({"method": "threshold", "thresholds": [1, 2, 3]}, "decreasing"),
        ({"grades": ["A"]}, "at least 2"),
    ],
)
def test_grade_errors(kwargs, match):
    with pytest.raises(InvalidValueError, match=match):
        grade_leads([0.5, 0.2, 0.1, 0.3], **kwargs)


def test_nan_scores_are_refused():
    with pytest.raises(InvalidValueError, match="NaN"):
        grade_leads([0.5, np.nan])


def test_combined_grade_and_matrix():
    fit = grade_leads([9, 8, 2, 1], grades="AB")
    engagement = grade_leads([1, 9, 8, 2], grades="AB")
    combined = combine_grades(fit, engagement)
    assert combined.tolist() == ["A2", "A1", "B1", "B2"]
    assert list(combined.cat.categories) == ["B2", "B1", "A2", "A1"]
    assert combined.max() == "A1"
    matrix = grade_matrix(fit, engagement)
    assert matrix.to_numpy().tolist() == [[1, 1], [1, 1]]
    assert matrix.index.tolist() == ["A", "B"] and matrix.columns.tolist() == ["A", "B"]
    with pytest.raises(InvalidValueError, match="ordered grades"):
        combine_grades(["A", "B"], ["A", "B"])
