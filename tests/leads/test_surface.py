"""CSV export with actions, plots, the report section and the command line."""

import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.cli import main
from custseg.exceptions import InvalidValueError
from custseg.leads import (
    PointsScorer,
    combine_grades,
    grade_leads,
    grade_report,
    lead_actions,
    lead_playbook,
    write_leads,
)
from custseg.plotting import plot_conversion_by_grade, plot_points_waterfall
from custseg.report import render_report


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_actions_per_grade_and_combined_grades():
    leads = pd.DataFrame({"customer_id": list("abcde"), "grade": ["A", "B", "C", "D", "A3"]})
    out = lead_actions(leads)
    assert out["action"].tolist() == [
        "Exclusive account manager", "Nurture (sales-assisted)", "Nurture (marketing)",
        "Automated batch campaigns", "Exclusive account manager"]
    assert out["priority"].tolist() == [1, 2, 3, 4, 1]
    assert list(leads.columns) == ["customer_id", "grade"]  # caller's table untouched
    custom = lead_playbook({"A1": "Call the CEO today"})
    assert lead_actions(pd.DataFrame({"grade": ["A1", "A2"]}), playbook=custom)[
        "action"].tolist() == ["Call the CEO today", "Exclusive account manager"]
    assert isinstance(lead_actions(pl.from_pandas(leads)), pl.DataFrame)
    with pytest.raises(InvalidValueError, match="no action for 'Z'"):
        lead_actions(pd.DataFrame({"grade": ["Z"]}))


def test_csv_with_grades_reasons_and_actions(tmp_path):
    prospects = pd.DataFrame({"customer_id": ["p1", "p2"], "employees": [800, 10],
                              "budget": [None, 5.0]})
    scorer = PointsScorer({"rules": ["employees >= 500: +20", "budget unknown: -5"],
                           "grades": {"A": 10, "B": None}}).fit(prospects)
    path = write_leads(scorer.reasons(prospects), tmp_path / "leads.csv")
    back = pd.read_csv(path)
    assert back["grade"].tolist() == ["A", "B"]
    assert back.loc[0, "positive_1"] == "employees >= 500: +20"
    assert back.loc[0, "negative_1"] == "budget unknown: -5"
    assert back["action"].tolist() == ["Exclusive account manager", "Nurture (sales-assisted)"]


def test_plots_draw_on_the_given_axes():
    grades = grade_leads(pd.Series([4, 3, 2, 1], index=list("abcd")), grades="AB")
    report = grade_report(grades, pd.Series([1, 1, 1, 0], index=list("abcd")))
    _, ax = plt.subplots()
    assert plot_conversion_by_grade(report, ax=ax) is ax
    assert [p.get_height() for p in ax.patches] == [100.0, 50.0]
    _, ax = plt.subplots()
    plot_points_waterfall({"industry in {ICT}": 15, "budget unknown": -5, "zero": 0},
                          base=2, ax=ax)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["base", "industry in {ICT}", "budget unknown", "total"]
    assert ax.patches[-1].get_height() == 12
    with pytest.raises(InvalidValueError, match="finite"):
        plot_points_waterfall({"a": np.nan})


def test_report_section_from_lead_grades():
    fit = grade_leads(pd.Series([9, 8, 7, 6, 5, 4, 3, 2]), grades="AB")
    eng = grade_leads(pd.Series([1, 2, 3, 4, 5, 6, 7, 8]), grades="AB")
    table = pd.DataFrame({"customer_id": list("abcdefgh"),
                          "lead_grade": combine_grades(fit, eng),
                          "converted": [1, 1, 0, 1, 0, 0, 1, 0]})
    import matplotlib.pyplot as plt

    open_before = plt.get_fignums()
    page = render_report(table)
    assert plt.get_fignums() == open_before  # drawn on a bare Figure: no pyplot state
    assert "Lead grades" in page and "Exclusive account manager" in page
    assert "data:image/png;base64" in page and "Conversion rate by lead grade" in page
    # grades best first: A2 before B1
    assert page.index(">A2<") < page.index(">B1<")
    assert "Lead grades" not in render_report(table.drop(columns="lead_grade"))


RULES = """rules:
  employees >= 500: 20
  industry in {ICT, Finance}: 15
  budget unknown: -5
grades: {A: 30, B: 10, C: 0, D: null}
"""


def test_cli_grade_with_rules(tmp_path, capsys):
    pytest.importorskip("yaml")
    prospects = tmp_path / "prospects.csv"
    prospects.write_text("customer_id,industry,employees,budget\n"
                         "007,ICT,800,100\n008,Retail,20,\n009,,600,5\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    out = tmp_path / "graded.csv"
    assert main(["grade", str(prospects), "--rules", str(rules), "-o", str(out)]) == 0
    graded = pd.read_csv(out, dtype={"customer_id": str})
    assert graded["customer_id"].tolist() == ["007", "008", "009"]
    assert graded["points"].tolist() == [35.0, -5.0, 20.0]
    assert graded["grade"].tolist() == ["A", "D", "B"]
    assert graded["action"].tolist()[0] == "Exclusive account manager"
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  staff >= 5: 1\n")
    assert main(["grade", str(prospects), "--rules", str(bad)]) == 2
    assert "column 'staff' is not in the table" in capsys.readouterr().err


def test_cli_grade_with_a_target(tmp_path):
    from custseg.datasets import make_leads

    leads = make_leads(400, random_state=0).drop(columns="driver")
    leads.loc[:49, "converted"] = np.nan  # new leads: outcome not known yet
    path = tmp_path / "leads.csv"
    leads.to_csv(path, index=False)
    out = tmp_path / "graded.csv"
    done = subprocess.run(
        [sys.executable, "-m", "custseg.cli", "grade", str(path), "--target", "converted",
         "-o", str(out), "--reasons", "1"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"})
    assert done.returncode == 0, done.stderr
    graded = pd.read_csv(out)
    assert len(graded) == 400 and set(graded["grade"]) == {"A", "B", "C", "D"}
    assert {"probability", "positive_1", "negative_1", "action"} <= set(graded.columns)
    assert Path(out).read_text().count("\n") == 401
