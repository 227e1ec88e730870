from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from custseg.datasets import load_cdnow
from custseg.exceptions import InvalidValueError
from custseg.features import rfm
from custseg.tiers import TierClassifier, ValueGrader

from .conftest import make_b2b

NUM = ["recency_days", "frequency", "monetary_total"]


def run_sql(frame: pd.DataFrame, sql: str) -> np.ndarray:
    con = duckdb.connect()
    con.register("t", frame.assign(_row=np.arange(len(frame))))
    out = con.execute(f"SELECT _row, {sql} AS grade FROM t ORDER BY _row").fetchdf()
    con.close()
    return out["grade"].to_numpy()


def eval_rules(rules: dict, frame: pd.DataFrame) -> np.ndarray:
    """Evaluate the flat JSON rules in plain Python, as a CRM would."""
    out = np.full(len(frame), None, dtype=object)
    for rule in rules["rules"]:
        ok = np.ones(len(frame), dtype=bool)
        for c in rule["conditions"]:
            col = frame[c["feature"]]
            text = col.astype(object).where(col.notna(), None).map(
                lambda v: None if v is None or str(v).strip() == "" else str(v).strip())
            blank = text.isna().to_numpy()
            if c["op"] == "<=":
                hit = col.to_numpy(dtype=float) <= c["value"]
            elif c["op"] == ">":
                hit = col.to_numpy(dtype=float) > c["value"]
            elif c["op"] == "=":
                hit = col.to_numpy() == c["value"]
            elif c["op"] == "in":
                hit = text.isin(c["values"]).to_numpy()
            elif c["op"] == "not in":
                hit = ~text.isin(c["values"]).to_numpy()  # blanks and unseen included
            elif c["op"] == "is blank":
                hit = blank
            else:
                assert c["op"] == "is not blank"
                hit = ~blank
            ok &= np.where(blank, c["or_blank"] or c["op"] == "not in", hit & ~blank)
        assert not np.any(ok & (out != None))  # noqa: E711 - rules are disjoint
        out[ok] = rule["grade"]
    return out


@pytest.fixture(scope="module")
def cdnow():
    feats = rfm(load_cdnow(sample=False), observation_date="1998-06-30")
    grades = ValueGrader().fit_predict(feats).to_numpy()
    return feats, grades


@pytest.mark.parametrize("depth", [4, 6])
def test_sql_reproduces_predict_on_every_cdnow_customer(cdnow, depth):
    feats, grades = cdnow
    clf = TierClassifier(max_depth=depth, random_state=0).fit(feats[NUM], grades)
    pred = clf.predict(feats[NUM])
    got = run_sql(feats, clf.export_rules("sql"))
    assert len(got) == len(feats) == 23570
    np.testing.assert_array_equal(got, pred)
    np.testing.assert_array_equal(eval_rules(clf.export_rules("dict"), feats), pred)


def test_sql_reproduces_predict_at_the_thresholds(cdnow):
    # customers placed exactly on, and one float64 step either side of, every threshold
    feats, grades = cdnow
    clf = TierClassifier(max_depth=5, random_state=0).fit(feats[NUM], grades)
    rules = clf.export_rules("dict")
    rows = []
    base = feats[NUM].iloc[:50].reset_index(drop=True)
    for rule in rules["rules"]:
        for c in rule["conditions"]:
            for v in (
                np.nextafter(c["value"], -np.inf),
                c["value"],
                np.nextafter(c["value"], np.inf),
            ):
                rows.append(base.assign(**{c["feature"]: v}))
    probe = pd.concat(rows, ignore_index=True)
    probe["frequency"] = probe["frequency"].astype(float)
    np.testing.assert_array_equal(run_sql(probe, clf.export_rules("sql")), clf.predict(probe))


@pytest.mark.parametrize("monotonic", [False, True])
def test_sql_reproduces_predict_with_categorical_attributes(monotonic):
    X, y = make_b2b(n=1500, random_state=4)
    cst = {"monetary_total": 1, "frequency": 1} if monotonic else None
    clf = TierClassifier(max_depth=6, monotonic_cst=cst, random_state=0).fit(X, y)
    sql = clf.export_rules("sql")
    assert '"size band" IN (' in sql or '"size band" NOT IN (' in sql  # quoted identifier
    new, _ = make_b2b(n=1500, random_state=5)
    new.loc[::7, "industry"] = "Space mining"  # unseen at fit
    new.loc[3::11, "size band"] = "unknown"
    blanks = new.copy()
    blanks.loc[::5, "industry"] = None  # blanks are missing, as unseen categories are
    blanks.loc[1::6, "size band"] = ""
    blanks["monetary_total"] = blanks["monetary_total"].astype(float)
    blanks.loc[2::4, "monetary_total"] = np.nan
    for frame in (X, new, blanks):
        np.testing.assert_array_equal(run_sql(frame, sql), clf.predict(frame))
        np.testing.assert_array_equal(
            eval_rules(clf.export_rules("dict"), frame), clf.predict(frame)
        )


def test_sql_with_integer_grades_and_else():
    X, y = make_b2b(n=300, random_state=2)
    y_int = y.map({"A": 4, "B": 3, "C": 2, "D": 1})
    clf = TierClassifier(max_depth=3, grades=[4, 3, 2, 1], random_state=0).fit(X, y_int)
    sql = clf.export_rules("sql", else_value=0)
    assert "ELSE 0" in sql and "'" not in sql.split("THEN")[1][:3]
    np.testing.assert_array_equal(run_sql(X, sql), clf.predict(X))


def test_text_rules_one_line_per_leaf():
    # root: recency <= 400 (gini 4/7 * 0.5) beats recency <= 110 (5/7 * 0.48); then 110.
    X = pd.DataFrame(
        {
            "recency_days": [10.0, 20.0, 200.0, 300.0, 500.0, 600.0, 700.0],
            "monetary_total": [50.0] * 7,
        }
    )
    y = ["A", "A", "B", "B", "C", "C", "C"]
    clf = TierClassifier(max_depth=2, random_state=0).fit(X, y)
    assert clf.export_rules() == (
        "IF recency_days <= 110.0 THEN A  (n=2, 100% A)\n"
        # a blank recency follows the larger side at the root, then the tie's right side
        "IF (recency_days > 110.0 AND recency_days <= 400.0 OR recency_days is blank) THEN B"
        "  (n=2, 100% B)\n"
        "IF recency_days > 400.0 THEN C  (n=3, 100% C)"
    )
    assert clf.export_rules("sql") == (
        "CASE\n"
        "  WHEN recency_days <= 110.0e0 THEN 'A'\n"
        "  WHEN (recency_days > 110.0e0 AND recency_days <= 400.0e0 OR recency_days IS NULL)"
        " THEN 'B'\n"
        "  WHEN recency_days > 400.0e0 THEN 'C'\n"
        "END"
    )


def test_thresholds_are_exact_float64_midpoints():
    X = pd.DataFrame({"monetary_total": [81.16, 81.18, 0.1, 0.3]})
    y = ["B", "A", "C", "C"]
    clf = TierClassifier(max_depth=2, random_state=0).fit(X, y)
    thresholds = sorted(
        c["value"] for r in clf.export_rules("dict")["rules"] for c in r["conditions"]
    )
    # the float64 midpoint, not the float32 one (81.17000198364258)
    assert 81.17 in thresholds and 81.16 < 81.17 < 81.18
    assert "(monetary_total > 81.17 OR monetary_total is blank) THEN A" in clf.export_rules()


def test_json_rules_and_tree_for_drawing(b2b):
    X, y = b2b
    clf = TierClassifier(max_depth=3, random_state=0).fit(X, y)
    data = json.loads(clf.export_rules("json"))
    assert data == clf.export_rules("dict")
    assert data["grades"] == ["A", "B", "C", "D"]
    assert data["n_leaves"] == clf.n_leaves_ == len(data["rules"])
    assert set(data["categorical"]) == {"industry", "size band", "region"}
    assert sum(r["n"] for r in data["rules"]) == len(X)

    def walk(node, depth=0):
        if node["leaf"]:
            return [depth]
        assert node["n"] == node["left"]["n"] + node["right"]["n"]
        assert set(node) >= {"feature", "threshold", "condition", "kind"}
        return walk(node["left"], depth + 1) + walk(node["right"], depth + 1)

    depths = walk(data["tree"])
    assert len(depths) == clf.n_leaves_ and max(depths) == clf.depth_ <= 3
    # the leaf ids of the tree are those `apply` returns
    leaf_ids = {r["leaf"] for r in data["rules"]}
    assert set(np.unique(clf.apply(X))) <= leaf_ids


def test_export_format_error(b2b):
    X, y = b2b
    clf = TierClassifier(random_state=0).fit(X, y)
    with pytest.raises(InvalidValueError, match="format"):
        clf.export_rules("yaml")


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (81.16, 81.18, 81.17),
        (101.35, 101.39, 101.37),  # float64 midpoint prints as 101.36999999999999
        (3.0, 4.0, 3.5),
        (10.0, 1000.0, 500.0),  # 5 from the midpoint 505: within 5% of the gap
        (100.0, 112.0, 106.0),  # 1e2 would leave the interval
        (1.0, np.nextafter(1.0, 2.0), 1.0),  # no float64 in between: the lower value
    ],
)
def test_short_midpoint(low, high, expected):
    from custseg.tiers._tree import short_midpoint

    got = short_midpoint(low, high)
    assert got == expected
    assert low <= got < high


def test_boolean_and_pandas_category_columns_in_sql():
    X, y = make_b2b(n=800, random_state=6)
    X["key_account"] = X["industry"].isin(["ICT", "SaaS"])  # bool, as informative as industry
    X = X.drop(columns="industry")
    X["size band"] = X["size band"].astype("category")
    clf = TierClassifier(max_depth=4, random_state=0).fit(X, y)
    assert clf.boolean_features_ == ["key_account"]
    text = clf.export_rules()
    assert "key_account = TRUE" in text or "key_account = FALSE" in text
    sql = clf.export_rules("sql")
    np.testing.assert_array_equal(run_sql(X, sql), clf.predict(X))
    np.testing.assert_array_equal(eval_rules(clf.export_rules("dict"), X), clf.predict(X))


def test_sql_reproduces_predict_when_trained_with_blanks():
    X, y = make_b2b(n=1500, random_state=6)
    X["monetary_total"] = X["monetary_total"].astype(float)
    X.loc[::3, "monetary_total"] = np.nan  # blanks seen in fit: their side is learnt
    X.loc[1::4, "industry"] = None
    clf = TierClassifier(max_depth=5, random_state=0).fit(X, y)
    assert clf.estimator_.tree_.missing_go_to_left.any()
    new, _ = make_b2b(n=800, random_state=7)
    new["monetary_total"] = new["monetary_total"].astype(float)
    new.loc[::5, "monetary_total"] = np.nan
    new.loc[2::7, "industry"] = "Space mining"
    for frame in (X, new):
        np.testing.assert_array_equal(run_sql(frame, clf.export_rules("sql")), clf.predict(frame))
        np.testing.assert_array_equal(
            eval_rules(clf.export_rules("dict"), frame), clf.predict(frame)
        )
