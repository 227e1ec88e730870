import pandas as pd
import pytest

from custseg.exceptions import InvalidValueError
from custseg.leads import grade_drift, grade_leads, grade_report

IDS = list("abcdefgh")


@pytest.fixture
def grades():
    return grade_leads(pd.Series([9, 8, 7, 6, 5, 4, 3, 2], index=IDS))


def test_hand_worked_report(grades):
    outcomes = pd.DataFrame({"customer_id": IDS, "converted": [1, 1, 1, 0, 0, 1, 0, 0],
                             "deal": [100.0, 50.0, 20.0, 0, 0, 10.0, 0, 0]})
    report = grade_report(grades, outcomes, value_col="deal")
    t = report.table
    assert t["grade"].tolist() == ["A", "B", "C", "D"]
    assert t["n"].tolist() == [2, 2, 2, 2]
    assert t["converted"].tolist() == [2, 1, 1, 0]
    assert t["conversion_rate"].tolist() == [1.0, 0.5, 0.5, 0.0]
    assert t["value"].tolist() == [150.0, 20.0, 10.0, 0.0]
    assert t["lift"].tolist() == [2.0, 1.0, 1.0, 0.0]
    assert report.overall_rate == 0.5
    assert not report.is_monotonic and report.violations == [("B", "C")]


def test_absent_leads_and_yes_no_outcomes(grades):
    won = pd.Series(["Yes", "Yes", "No"], index=["a", "b", "h"])
    with pytest.raises(InvalidValueError, match="5 graded lead"):
        grade_report(grades, won)
    report = grade_report(grades, won, absent="not converted")
    assert report.table["converted"].tolist() == [2, 0, 0, 0]
    assert report.is_monotonic is False  # C and D both 0: not strictly decreasing
    extra = pd.Series([1, 0], index=["a", "zz"])
    assert grade_report(grades, extra, absent="not converted").n_ungraded == 1


def test_unordered_grades_are_refused():
    with pytest.raises(InvalidValueError, match="ordered grades"):
        grade_report(pd.Series(["A", "B"], index=["a", "b"]), pd.Series([1, 0], index=["a", "b"]))


def test_drift_reuses_the_migration_matrix(grades):
    later = grade_leads(pd.Series([2, 8, 7, 6, 5, 4, 3, 9], index=IDS))
    later = later.drop("c")
    drift = grade_drift(grades, later)
    m = drift.migration
    assert list(m.counts.index) == ["A", "B", "C", "D", "(new)"]
    # by hand: a A->D, h D->A, c gone (was B), the other five keep their grade
    assert m.counts.loc["A", "D"] == 1 and m.counts.loc["D", "A"] == 1
    assert m.n_gone == 1 and m.counts.loc["B", "(gone)"] == 1
    assert (drift.n_up, drift.n_down, drift.n_same) == (1, 1, 5)
