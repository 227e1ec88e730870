"""Tier classifier on CDNOW: 5-fold CV accuracy and leaf count for depths 2..8.

Grades A/B/C/D are the quartiles of the default value score (rank-normalised
recency (inverted), frequency and monetary, equal weights) on the CDNOW master
RFM features as of 1998-06-30. The script also checks that the exported SQL,
run in DuckDB over every customer, gives exactly ``predict``'s grades, and, on
the Caravan prospects of ``../shared/data/caravan`` (6% positive, 85 attributes),
that leaf merging keeps ``predict_proba``'s cross-validated AUC (within 0.01 of
the same tree with merging off).

Run: ``.venv/bin/python benchmarks/bench_tiers.py``
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_validate

from custseg.datasets import load_cdnow
from custseg.features import rfm
from custseg.tiers import TierClassifier, ValueGrader

FEATURES = ["recency_days", "frequency", "monetary_total"]
FLOORS = {4: 0.88, 6: 0.94}
MONOTONIC = {"recency_days": -1, "frequency": 1, "monetary_total": 1}
# ../shared/data beside the checkout (or beside the folder of work trees holding it)
CARAVAN = next(
    (p for p in (Path(__file__).resolve().parents[k] / "shared" / "data" / "caravan" /
                 "caravan.csv" for k in (2, 3)) if p.exists()),
    Path("../shared/data/caravan/caravan.csv"),
)


def caravan_merging() -> list[tuple]:
    """5-fold AUC of predict_proba on Caravan, merging on (default) and off."""
    from sklearn.metrics import roc_auc_score

    if not CARAVAN.exists():
        print(f"Caravan: {CARAVAN} not found, skipped")
        return []
    data = pd.read_csv(CARAVAN)
    y = (data.pop("Purchase") == "Yes").astype(int).to_numpy()
    for col in ("MOSTYPE", "MOSHOOFD"):  # customer (main) type: categories coded as integers
        data[col] = data[col].astype(str)
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    print(f"Caravan: {len(data)} prospects, {data.shape[1]} attributes, "
          f"{y.mean():.2%} positive; TierClassifier() defaults, 5-fold predict_proba AUC")
    auc = {}
    for merge in (True, False):
        clf = TierClassifier(random_state=0, merge_leaves=merge).fit(data, y)
        leaves, bought = clf.n_leaves_, clf.classes_.tolist().index(1)  # grades best first: [1, 0]
        proba = cross_val_predict(clf, data, y, cv=cv, method="predict_proba")[:, bought]
        auc[merge] = roc_auc_score(y, proba)
        print(f"  merge_leaves={merge!s:<5}  AUC {auc[merge]:.4f}  leaves {leaves}")
    gap = abs(auc[True] - auc[False])
    print(f"  AUC gap {gap:.4f} (floor: at most 0.01) {'ok' if gap <= 0.01 else 'NO'}")
    return [] if gap <= 0.01 else [("caravan", "auc gap", gap)]


def main() -> None:
    t0 = time.perf_counter()
    feats = rfm(load_cdnow(sample=False), observation_date="1998-06-30")
    grades = ValueGrader().fit_predict(feats)  # quartiles of the value score
    X = feats[FEATURES]
    y = grades.reset_index(drop=True)
    print(f"CDNOW master, RFM as of 1998-06-30: {len(X)} customers")
    print("grade counts:", y.value_counts().sort_index(ascending=False).to_dict())
    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    print()
    header = (
        f"{'model':<12}{'depth':>6}{'cv_acc':>9}{'cv_std':>8}{'leaves':>8}"
        f"{'unmerged':>10}{'floor':>7}{'ok':>5}"
    )
    print(header)
    print("-" * len(header))
    failures = []
    for label, extra in [("plain", {}), ("monotonic", {"monotonic_cst": MONOTONIC})]:
        for depth in range(2, 9):
            clf = TierClassifier(max_depth=depth, random_state=0, **extra)
            res = cross_validate(clf, X, y, cv=cv, scoring="accuracy")
            acc = res["test_score"]
            full = TierClassifier(max_depth=depth, random_state=0, **extra).fit(X, y)
            floor = FLOORS.get(depth) if label == "plain" else None
            ok = "" if floor is None else ("yes" if acc.mean() >= floor else "NO")
            if ok == "NO":
                failures.append((label, depth, acc.mean()))
            print(
                f"{label:<12}{depth:>6}{acc.mean():>9.4f}{acc.std():>8.4f}{full.n_leaves_:>8}"
                f"{full.estimator_.get_n_leaves():>10}{'' if floor is None else floor:>7}{ok:>5}"
            )
    print()
    print("pruning (cost-complexity ccp_alpha, then merging same-grade leaves):")
    for depth in (6, 8):
        for alpha in (0.0, 1e-4, 3e-4, 1e-3):
            clf = TierClassifier(max_depth=depth, ccp_alpha=alpha, random_state=0)
            acc = cross_validate(clf, X, y, cv=cv, scoring="accuracy")["test_score"].mean()
            n_leaves = clf.fit(X, y).n_leaves_
            print(f"  depth {depth} ccp_alpha {alpha:<7g} cv_acc {acc:.4f}  leaves {n_leaves}")
    print()
    # SQL == predict over every customer
    for label, extra in [("plain", {}), ("monotonic", {"monotonic_cst": MONOTONIC})]:
        for depth in (4, 6, 8):
            clf = TierClassifier(max_depth=depth, random_state=0, **extra).fit(X, y)
            sql = clf.export_rules("sql")
            con = duckdb.connect()
            con.register("feats", feats)
            got = con.execute(
                f"SELECT customer_id, {sql} AS grade FROM feats ORDER BY customer_id"
            ).fetchdf()
            pred = clf.predict(X)
            order = np.argsort(feats["customer_id"].to_numpy(), kind="stable")
            same = int((got["grade"].to_numpy() == pred[order]).sum())
            print(f"SQL == predict ({label}, depth {depth}): {same}/{len(pred)} customers match")
            if same != len(pred):
                failures.append((label, depth, "sql"))
    print()
    failures += caravan_merging()
    print()
    print("depth-4 rules:")
    print(TierClassifier(max_depth=4, random_state=0).fit(X, y).export_rules())
    print(f"\nelapsed {time.perf_counter() - t0:.1f} s")
    print("RESULT:", "all floors met" if not failures else f"FAILURES {failures}")


if __name__ == "__main__":
    main()
