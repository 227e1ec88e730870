import json

import duckdb
import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import polars as pl
import pytest

from custseg.exceptions import (
    CustsegError,
    InvalidDtypeError,
    InvalidValueError,
    MissingColumnError,
)
from custseg.leads import PointsScorer

RULES = {
    "rules": [
        {"name": "target industry", "when": "industry in {ICT, Finance}", "points": 15},
        "employees >= 500: +20",
        "employees between 100 and 499: 7.5",
        "budget unknown: -5",
        "industry not in {ICT}: -1",
        {"name": "active", "column": "active", "op": "==", "value": True, "points": 3},
    ],
    "grades": {"A": 30, "B": 10, "C": 0, "D": None},
}


@pytest.fixture
def prospects():
    return pd.DataFrame({
        "customer_id": ["p1", "p2", "p3", "p4", "p5"],
        "industry": ["ICT", " ", None, "Finance", "Retail"],
        "employees": [800, np.nan, 120, 500, 99],
        "budget": [5e4, None, 1e4, np.nan, 0.0],
        "active": [True, False, True, None, True],
    })


# worked by hand: p1 15+20+3; p2 blank industry and budget: -5; p3 7.5+3;
# p4 15+20-5-1 (Finance is not ICT); p5 99 employees is below both ranges: -1+3
EXPECTED = [38.0, -5.0, 10.5, 29.0, 2.0]
EXPECTED_GRADES = ["A", "D", "B", "B", "C"]


@pytest.mark.parametrize("kind", ["pandas", "polars", "lazy", "pyarrow"])
def test_hand_worked_points_and_grades(prospects, kind):
    before = prospects.copy()
    table = {"pandas": prospects, "polars": pl.from_pandas(prospects),
             "lazy": pl.from_pandas(prospects).lazy(),
             "pyarrow": pl.from_pandas(prospects).to_arrow()}[kind]
    scorer = PointsScorer(RULES).fit(table)
    out = scorer.transform(table)
    assert type(out).__module__.split(".")[0] == type(table).__module__.split(".")[0]
    frame = nw.from_native(out)
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    frame = frame.to_pandas()
    assert frame["points"].tolist() == EXPECTED
    assert frame["customer_id"].tolist() == ["p1", "p2", "p3", "p4", "p5"]
    assert frame["target industry"].tolist() == [15, 0, 0, 15, 0]
    assert scorer.predict(table).tolist() == EXPECTED_GRADES
    pd.testing.assert_frame_equal(prospects, before)


def test_grades_are_ordered_by_meaning(prospects):
    grades = PointsScorer(RULES).fit(prospects).predict(prospects)
    assert grades.cat.ordered and grades.max() == "A" and grades.min() == "D"
    assert grades.index.tolist() == ["p1", "p2", "p3", "p4", "p5"]


@pytest.mark.parametrize("form", ["mapping", "text list", "structured"])
def test_rule_forms_agree(prospects, form):
    rules = {
        "mapping": {"industry in {ICT, Finance}": 15, "employees >= 500": 20,
                    "budget unknown": -5},
        "text list": ["industry in {ICT, Finance}: +15", "employees >= 500: +20",
                      "budget unknown: -5"],
        "structured": [
            {"column": "industry", "op": "in", "values": ["ICT", "Finance"], "points": 15},
            {"column": "employees", "op": ">=", "value": 500, "points": 20},
            {"column": "budget", "op": "unknown", "points": -5},
        ],
    }[form]
    out = PointsScorer(rules).fit_transform(prospects)
    assert out["points"].tolist() == [35.0, -5.0, 0.0, 30.0, 0.0]


def test_a_category_unseen_in_fit_is_one_no_rule_names_not_a_blank():
    # The documented exception to "unseen = missing" of the other estimators of attributes:
    # PointsScorer's rules, not its fit table, name the categories. Worked by hand:
    # Mining (never in fit) is not ICT: +3; a blank is unknown: -5 (a `not in` is false).
    rules = ["industry in {ICT}: +10", "industry not in {ICT}: +3", "industry unknown: -5"]
    fit_table = pd.DataFrame({"industry": ["ICT", "Retail"]})
    new = pd.DataFrame({"industry": ["Mining", None, "Retail", "ICT"]})
    scorer = PointsScorer(rules).fit(fit_table)
    assert scorer.transform(new)["points"].tolist() == [3.0, -5.0, 3.0, 10.0]
    con = duckdb.connect()
    con.register("new", new)
    sql = con.sql(f"SELECT {scorer.export_rules('sql')} AS points FROM new").df()
    assert sql["points"].tolist() == [3.0, -5.0, 3.0, 10.0]  # SQL's reading, the same


def test_sql_export_equals_transform_in_duckdb_on_every_row():
    rng = np.random.default_rng(0)
    n = 400
    table = pd.DataFrame({
        "customer_id": np.arange(n),
        "industry": rng.choice(["ICT", "Finance", "Retail", "", " ICT ", None], n),
        "employees": np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 2000, n)),
        "budget": np.where(rng.random(n) < 0.3, np.nan, rng.random(n) * 1e5),
        "active": rng.choice([True, False], n),
        "region code": rng.choice(["N", "S'"], n),
    })
    rules = {**RULES, "rules": [*RULES["rules"], "`region code` in {\"S'\"}: 0.5",
                                "employees < 10: -2", "budget > 50000: 4",
                                "employees != 500: 0.25"]}
    scorer = PointsScorer(rules).fit(table)
    expected = scorer.transform(table)
    grades = scorer.predict(table)
    con = duckdb.connect()
    con.register("prospects", table)
    got = con.sql(
        f"SELECT customer_id, {scorer.export_rules('sql')} AS points, "
        f"{scorer.export_rules('sql', grade=True)} AS grade FROM prospects ORDER BY customer_id"
    ).df()
    np.testing.assert_array_equal(got["points"].to_numpy(), expected["points"].to_numpy())
    assert got["grade"].tolist() == grades.astype(str).tolist()
    graded = con.sql(
        f"SELECT {scorer.export_rules('sql', grade=True, points_col='points')} AS g "
        f"FROM (SELECT customer_id, {scorer.export_rules('sql')} AS points FROM prospects) "
        "ORDER BY customer_id"
    ).df()
    assert graded["g"].tolist() == grades.astype(str).tolist()
    # the scorer runs inside DuckDB too (a lazy relation in, a relation out)
    lazy = scorer.transform(con.sql("SELECT * FROM prospects ORDER BY customer_id"))
    np.testing.assert_array_equal(lazy.df()["points"].to_numpy(), expected["points"].to_numpy())


def test_export_round_trips(prospects, tmp_path):
    scorer = PointsScorer(RULES).fit(prospects)
    path = tmp_path / "rules.json"
    path.write_text(scorer.export_rules("json"))
    again = PointsScorer.from_file(path).fit(prospects)
    assert again.transform(prospects)["points"].tolist() == EXPECTED
    assert json.loads(path.read_text())["grades"][-1] == ["D", None]
    text = scorer.export_rules("text")
    assert "industry in {ICT, Finance}: +15  (target industry)" in text
    assert "budget unknown: -5" in text


def test_yaml_rule_file(prospects, tmp_path):
    pytest.importorskip("yaml")
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  industry in {ICT, Finance}: 15\n"
        "  employees >= 500: +20\n"
        "  budget unknown: -5\n"
        "grades: {A: 30, B: 10, C: 0, D: null}\n"
    )
    scorer = PointsScorer(str(path)).fit(prospects)
    assert scorer.predict(prospects).tolist() == ["A", "D", "C", "A", "C"]


def test_unknown_column_is_rejected_with_the_available_columns(prospects):
    with pytest.raises(MissingColumnError, match=r"column 'employes' is not in the table\. "
                                                  r"Did you mean 'employees'"):
        PointsScorer(["employes >= 500: 20"]).fit(prospects)


@pytest.mark.parametrize(
    ("grades", "match"),
    [
        ({"A": 50, "B": 10, "C": None}, r"grade 'A' \(points >= 50\) is unreachable.*between "
                                        r"-5 and 35"),
        ({"A": 30, "B": 21, "C": 0, "D": None}, r"grade 'B' \(21 <= points < 30\) is unreachable"),
        ({"A": 10, "B": -10, "C": None}, r"grade 'C' \(points < -10\) is unreachable"),
    ],
)
def test_unreachable_grade_is_rejected(prospects, grades, match):
    # attainable totals: {-5, 0} + {0, 15} + {0, 20} = {-5, 0, 10, 15, 20, 30, 35}
    rules = {"rules": ["industry in {ICT}: 15", "employees >= 500: 20", "budget unknown: -5"],
             "grades": grades}
    with pytest.raises(InvalidValueError, match=match):
        PointsScorer(rules).fit(prospects)


def test_mutually_exclusive_rules_bound_the_maximum(prospects):
    # the two industry rules can never both hold: the maximum is 20, not 30
    rules = {"rules": ["industry in {ICT}: 20", "industry in {Finance}: 10"],
             "grades": {"A": 25, "B": None}}
    with pytest.raises(InvalidValueError, match=r"between 0 and 20"):
        PointsScorer(rules).fit(prospects)
    scorer = PointsScorer(["industry in {ICT}: 20", "industry in {Finance}: 10"]).fit(prospects)
    assert (scorer.min_points_, scorer.max_points_) == (0.0, 20.0)


@pytest.mark.parametrize(
    ("rules", "error", "match"),
    [
        (["industry >= 3: 1"], InvalidDtypeError, "holds categories"),
        (["employees in {many}: 1"], InvalidDtypeError, "numeric .* text"),
        (["employees ~ 3: 1"], InvalidValueError, "cannot read the condition"),
        (["employees >= 3"], InvalidValueError, "has no points"),
        (["employees >= 3: lots"], InvalidValueError, "finite number"),
        ([{"when": "employees >= 3"}], InvalidValueError, "has no 'points'"),
        (["employees >= 3: 1", "employees >= 3: 2"], InvalidValueError, "unique"),
        ({"rules": ["employees >= 3: 1"], "grades": {"A": 1, "B": 2, "C": None}},
         InvalidValueError, "strictly decreasing"),
        ({"rules": ["employees >= 3: 1"], "grades": {"A": 1, "B": 0}}, InvalidValueError,
         "no minimum"),
        ({"rules": ["employees >= 3: 1"], "colour": 1}, InvalidValueError, "unknown key"),
        ([], InvalidValueError, "no rules"),
    ],
)
def test_bad_rule_sets_get_clear_errors(prospects, rules, error, match):
    with pytest.raises(error, match=match):
        PointsScorer(rules).fit(prospects)


def test_transform_checks_columns_and_predict_needs_grades(prospects):
    scorer = PointsScorer(["employees >= 500: 20"]).fit(prospects)
    with pytest.raises(MissingColumnError, match="employees"):
        scorer.transform(prospects.drop(columns="employees"))
    with pytest.raises(InvalidValueError, match="no grades"):
        scorer.predict(prospects)
    with pytest.raises(CustsegError):
        scorer.transform(pd.DataFrame({"employees": ["a", 1]}))


def test_works_on_arrays_with_positional_names():
    X = np.array([[1.0, -2.0], [np.nan, 3.0]])
    out = PointsScorer(["x0 >= 0: 2", "x1 unknown: 1", "x1 > 0: 5"]).fit(X).transform(X)
    np.testing.assert_array_equal(out, [[2, 0, 0, 2], [0, 0, 5, 5]])
