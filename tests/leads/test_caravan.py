"""The real Caravan prospect table (../shared/data/caravan): no transactions, Yes/No labels."""

import numpy as np
import pandas as pd
import pytest

from custseg.leads import LeadScorer, PointsScorer, grade_report, lead_evaluation
from tests._data import caravan_path


@pytest.fixture(scope="module")
def caravan():
    table = pd.read_csv(caravan_path())
    return table.drop(columns="Purchase"), table["Purchase"]


def test_reference_facts(caravan):
    X, y = caravan
    assert X.shape == (5822, 85) and (y == "Yes").sum() == 348


def test_points_rules_on_real_prospects(caravan):
    X, y = caravan
    rules = {"rules": ["MOSHOOFD in {1, 2}: 10", "PPERSAUT >= 6: 15", "APERSAUT >= 2: 5",
                       "MKOOPKLA >= 6: 5"], "grades": {"A": 25, "B": 15, "C": 5, "D": None}}
    grades = PointsScorer(rules).fit(X).predict(X)
    report = grade_report(grades, y)
    rate = report.table.set_index("grade")["conversion_rate"]
    assert rate["A"] > 2 * rate["D"]


def test_learned_score_on_a_held_out_split(caravan):
    # the 5-fold comparison with the baselines is benchmarks/bench_leads.py
    X, y = caravan
    rng = np.random.default_rng(0)
    test = rng.random(len(X)) < 0.3
    scorer = LeadScorer(categorical=["MOSTYPE", "MOSHOOFD"], max_iter=80, learning_rate=0.1,
                        cv=3, random_state=0).fit(X[~test], y[~test])
    assert scorer.classes_.tolist() == ["No", "Yes"]
    assert scorer.feature_kinds_["MOSTYPE"] == "categorical"
    ev = lead_evaluation(y[test], scorer.predict_proba(X[test]), scorer.predict_grade(X[test]))
    assert ev.auc > 0.7
    rate = ev.by_grade.set_index("grade")["conversion_rate"]
    assert rate["A"] > 3 * rate["D"]
