"""Lead scoring on the Caravan prospects and reasons on synthetic leads.

Caravan (CoIL 2000, ../shared/data/caravan/caravan.csv): 5,822 insurance prospects, 85
integer-coded attributes, 6% bought. ``MOSTYPE`` and ``MOSHOOFD`` are categories. In one run,
on the same stratified 5 folds, the script prints the held-out ROC AUC of

* ``LeadScorer`` (additive boosting, native categories, calibrated),
* a logistic regression on one-hot categories and standardised numbers (the baseline),
* a plain gradient boosting (scikit-learn's HistGradientBoostingClassifier, defaults),

then the purchase rate by ``LeadScorer`` grade (quartiles learned on each training fold,
applied to its held-out fold): A must buy at least 3x as often as D, and A > B > C > D.

On synthetic leads with planted drivers (``custseg.datasets.make_leads``), it prints the share
of held-out leads driven by one attribute whose top positive reason names that attribute
(floor 80%).

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_leads.py`` (one thread: the machine
is shared; the figures do not depend on it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from custseg.datasets import make_leads
from custseg.leads import LeadScorer, grade_report

CARAVAN = Path(__file__).resolve().parents[2] / "shared" / "data" / "caravan" / "caravan.csv"
CATEGORIES = ["MOSTYPE", "MOSHOOFD"]


def caravan() -> tuple[pd.DataFrame, pd.Series]:
    table = pd.read_csv(CARAVAN)
    y = table.pop("Purchase")
    return table, y


def baselines(numbers: list[str]) -> dict[str, object]:
    onehot = ColumnTransformer([
        ("categories", OneHotEncoder(handle_unknown="ignore"), CATEGORIES),
        ("numbers", StandardScaler(), numbers),
    ])
    return {
        "logistic regression (one-hot)": make_pipeline(onehot, LogisticRegression(max_iter=5000)),
        "gradient boosting (plain)": HistGradientBoostingClassifier(random_state=0),
    }


def bench_caravan() -> bool:
    X, y = caravan()
    y01 = (y == "Yes").to_numpy().astype(int)
    numbers = [c for c in X.columns if c not in CATEGORIES]
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    names = ["LeadScorer", *baselines(numbers)]
    aucs: dict[str, list[float]] = {name: [] for name in names}
    grades = pd.Series(index=X.index, dtype=object)
    times = dict.fromkeys(names, 0.0)
    for train, test in folds.split(X, y01):
        t = time.perf_counter()
        scorer = LeadScorer(categorical=CATEGORIES, random_state=0)
        scorer.fit(X.iloc[train], y.iloc[train])
        p = scorer.predict_proba(X.iloc[test])[:, 1]
        times["LeadScorer"] += time.perf_counter() - t
        aucs["LeadScorer"].append(roc_auc_score(y01[test], p))
        grades.iloc[test] = scorer.predict_grade(X.iloc[test]).astype(object).to_numpy()
        for name, model in baselines(numbers).items():
            t = time.perf_counter()
            model.fit(X.iloc[train], y01[train])
            q = model.predict_proba(X.iloc[test])[:, 1]
            times[name] += time.perf_counter() - t
            aucs[name].append(roc_auc_score(y01[test], q))
    print(f"Caravan: {len(X)} prospects, {y01.mean():.2%} bought; 5-fold stratified CV")
    print(f"{'model':<32}{'AUC mean':>9}{'AUC std':>9}{'fit+predict s':>15}")
    for name in names:
        print(f"{name:<32}{np.mean(aucs[name]):>9.4f}{np.std(aucs[name]):>9.4f}"
              f"{times[name]:>15.1f}")
    lead = np.mean(aucs["LeadScorer"])
    beats = {name: lead >= np.mean(aucs[name]) for name in names[1:]}
    for name, ok in beats.items():
        print(f"LeadScorer AUC >= {name}: {'ok' if ok else 'FAIL'} "
              f"(ratio {lead / np.mean(aucs[name]):.4f})")
    ordered = pd.Series(pd.Categorical(grades, categories=["D", "C", "B", "A"], ordered=True),
                        index=X.index)
    report = grade_report(ordered, pd.Series(y.to_numpy(), index=X.index))
    print()
    print("purchase rate by LeadScorer grade (held-out folds):")
    print(report.table[["grade", "n", "converted", "conversion_rate", "lift"]]
          .to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    rates = report.table.set_index("grade")["conversion_rate"]
    ratio = rates["A"] / rates["D"]
    print(f"A/D purchase rate ratio: {ratio:.2f} (floor 3): {'ok' if ratio >= 3 else 'FAIL'}")
    print(f"strictly decreasing A>B>C>D: {'ok' if report.is_monotonic else 'FAIL'}")
    return all(beats.values()) and ratio >= 3 and report.is_monotonic


def bench_reasons() -> bool:
    train, test = make_leads(4000, random_state=1), make_leads(2000, random_state=2)
    drop = ["converted", "driver"]
    scorer = LeadScorer(random_state=0).fit(train.drop(columns=drop), train["converted"])
    reasons = scorer.reasons(test.drop(columns=drop), n_reasons=1)
    one = test["driver"].notna().to_numpy()
    top = reasons["positive_1"].to_numpy()[one]
    named = [isinstance(r, str) and r.startswith(f"{d} = ")
             for r, d in zip(top, test["driver"].to_numpy()[one], strict=True)]
    share = float(np.mean(named))
    print()
    print(f"synthetic leads: {one.sum()} of {len(test)} held-out leads driven by one attribute; "
          f"top reason names the planted driver for {share:.1%} (floor 80%): "
          f"{'ok' if share >= 0.8 else 'FAIL'}")
    return share >= 0.8


def main() -> int:
    ok = True
    if CARAVAN.exists():
        ok &= bench_caravan()
    else:
        print(f"Caravan data not found at {CARAVAN}: skipped")
    ok &= bench_reasons()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
