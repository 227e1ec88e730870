"""Write the example notebooks (without outputs) from the cells listed here.

Run ``python notebooks/make_notebooks.py`` after editing a cell; ``make test``
executes every notebook (``tests/test_notebooks.py``). Outputs are not
committed.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent


def md(text: str) -> nbformat.NotebookNode:
    """Make a markdown cell."""
    return new_markdown_cell(text.strip("\n"))


def code(text: str) -> nbformat.NotebookNode:
    """Make a code cell."""
    return new_code_cell(text.strip("\n"))


QUICKSTART = [
    md("""
# Quickstart: from a raw transaction log to a playbook

This notebook takes the CDNOW purchase log (every purchase of the 23,570 customers who
first bought at the online CD shop CDNOW in the first quarter of 1997, until June 1998) and
turns it into per-customer features, named RFM segments, lifecycle stages, K-means segments,
A/B/C/D tiers and, finally, a recommended action for every customer.

Every step is a plain function or a scikit-learn style estimator; every plot is a
`custseg.plotting.plot_*` function that draws on the matplotlib `ax` you give it.
"""),
    code("""
import matplotlib.pyplot as plt
import pandas as pd

import custseg
from custseg import plotting
from custseg.datasets import load_cdnow

log = load_cdnow()  # the full master log, bundled with custseg
print(log.shape)
log.head()
"""),
    md("""
## 1. Features, as of a date

`customer_features` computes one row per customer as of an explicit observation date (the
whole day counts). A purchase *occasion* is a distinct customer-day by default, refunds are
netted. See the [definitions](../docs/definitions.md) for every column.
"""),
    code("""
AS_OF = "1998-06-30"
features = custseg.customer_features(log, observation_date=AS_OF)
print(features.shape)
features[["customer_id", "recency_days", "frequency", "monetary_total", "tenure_days"]].head()
"""),
    code("""
fig, ax = plt.subplots(figsize=(7, 4))
plotting.plot_rfm_heatmap(features, ax=ax)
plt.show()
"""),
    md("""
## 2. RFM scores and named segments

`RFMScorer` learns quintile edges for recency, frequency and monetary value (ties kept
together) and names every cell with the common 11-segment scheme.
"""),
    code("""
from custseg.segments import RFMScorer

scorer = RFMScorer().fit(features)
scores = scorer.transform(features)
table = features.merge(scores, on="customer_id")
table["segment"].value_counts()
"""),
    code("""
fig, ax = plt.subplots(figsize=(7, 5))
plotting.plot_segment_sizes(table, segment_col="segment", value_col="monetary_total", ax=ax)
plt.show()
"""),
    md("""
## 3. Lifecycle stages

`LifecycleStager` reads the raw log; its thresholds (in days) are learnt from the gaps
between purchases unless you give them.
"""),
    code("""
from custseg.segments import LifecycleStager

stager = LifecycleStager(observation_date=AS_OF).fit(log)
print(stager.thresholds_)
stages = stager.transform(log)
fig, ax = plt.subplots(figsize=(6, 3.5))
plotting.plot_lifecycle(stages, ax=ax)
plt.show()
"""),
    md("""
## 4. K-means segments with automatic k

`KMeansSegmenter` log-transforms and scales the skewed columns, tries every k of `k_range`
and keeps the best by silhouette; segment 0 is the most valuable. On large data the search
runs on a sample (`search_sample_size`, `silhouette_sample_size`).
"""),
    code("""
from custseg.segments import KMeansSegmenter

rfm_columns = ["recency_days", "frequency", "monetary_total"]
segmenter = KMeansSegmenter(k_range=(2, 6), search_sample_size=4000,
                            silhouette_sample_size=1500, random_state=0)
segmenter.fit(features[rfm_columns])
print(segmenter.k_selection_rule_)
segmenter.profile_
"""),
    code("""
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
plotting.plot_k_selection(segmenter, ax=axes[0])
plotting.plot_silhouette(segmenter, ax=axes[1])
fig.tight_layout()
plt.show()
"""),
    code("""
table["kmeans_segment"] = [segmenter.segment_names_[k] for k in segmenter.labels_]
fig, ax = plt.subplots(figsize=(7, 4))
plotting.plot_segment_profile(table, segment_col="kmeans_segment",
                              features=rfm_columns + ["tenure_days", "spend_trend"], ax=ax)
plt.show()
"""),
    md("""
## 5. Where did the customers go? Segment migration

Score the customers as of the end of 1997 and again six months later, with the same edges,
and count the moves.
"""),
    code("""
from custseg.segments import segment_migration

before = custseg.rfm(log, observation_date="1997-12-31", future="drop")
after = custseg.rfm(log, observation_date=AS_OF)
scorer_1997 = RFMScorer().fit(before)
seg_before = scorer_1997.transform(before).set_index("customer_id")["segment"]
seg_after = scorer_1997.transform(after).set_index("customer_id")["segment"]
moves = segment_migration(seg_before, seg_after)
fig, ax = plt.subplots(figsize=(9, 7))
plotting.plot_migration(moves, normalize=True, ax=ax)
plt.show()
"""),
    md("""
## 6. Tiers

`ValueGrader` scores each customer (recency, frequency and monetary points adding up to
0-100) and cuts the score into A/B/C/D quartiles.
"""),
    code("""
from custseg.tiers import ValueGrader

grader = ValueGrader().fit(features)
table["tier"] = grader.predict(features).to_numpy()
table.groupby("tier", observed=True)["monetary_total"].agg(["size", "sum", "mean"])
"""),
    md("""
## 7. The playbook: an action for every customer

`Playbook` maps segment names, lifecycle stages and tiers to a recommended action and a
priority (1 = first). Override any of them with your own.
"""),
    code("""
from custseg.segments import Playbook

book = Playbook({"Champions": ("Invite to the VIP listening event", "Personal invitation.", 1)})
actions = book.assign(table[["customer_id", "segment", "tier", "monetary_total"]])
summary = (actions.groupby(["priority", "action"])
           .agg(customers=("customer_id", "size"), revenue=("monetary_total", "sum"))
           .sort_index())
summary
"""),
    md("""
The same flow as one estimator, fitted on one period and applied at another, saved as one
file, and as a command line:

```python
from custseg.pipeline import CustomerSegmentation

model = CustomerSegmentation(random_state=0).fit(log[log["date"] <= "1997-09-30"])
customers = model.predict(log, as_of="1998-06-30")  # one row per customer
custseg.persistence.save(model, "segmentation.custseg")
```

```sh
custseg segment transactions.csv --as-of 1998-06-30 -o customers.csv
custseg report transactions.csv -o report.html
```
"""),
]


CHURN = [
    md("""
# Churn and customer value

Two ways to score churn risk on the CDNOW log, evaluated *out of time*: the models learn from
what happened before a cutoff and are judged on customers at a later cutoff.

* `ChurnPredictor`: a supervised classifier (gradient boosting) on the per-customer features;
* `BetaGeoChurnClassifier`: the BG/NBD model's probability of no purchase in the horizon.

Then the BG/NBD and Gamma-Gamma models give expected purchases and customer lifetime value.
"""),
    code("""
import matplotlib.pyplot as plt

from custseg import plotting
from custseg.churn import (
    BetaGeoChurnClassifier,
    ChurnPredictor,
    churn_labels,
    compare_churn_models,
    gains_table,
)
from custseg.datasets import load_cdnow

log = load_cdnow()
"""),
    md("""
## 1. Labels: churn = no purchase in the next 26 weeks

`churn_labels` computes the features with transactions up to the cutoff only and the label
from the 26 weeks after it. Training table: cutoff 1997-06-30; test table: cutoff
1997-12-30 (its 26 weeks end on 1998-06-30, the last day of the data).
"""),
    code("""
train = churn_labels(log, "1997-06-30", 26, unit="W")
test = churn_labels(log, "1997-12-30", 26, unit="W")
X_train, y_train = train.drop(columns=["customer_id", "churned"]), train["churned"]
X_test, y_test = test.drop(columns=["customer_id", "churned"]), test["churned"]
print(len(train), round(y_train.mean(), 3), len(test), round(y_test.mean(), 3))
"""),
    md("""
## 2. Compare models on the later cutoff

Both models learn from the 1997-06-30 table and score the customers of the 1997-12-30 table;
"recency only" (days since the last purchase) is the baseline any model must beat.
"""),
    code("""
boosting = ChurnPredictor(random_state=0).fit(X_train, y_train)
bgnbd = BetaGeoChurnClassifier(
    horizon=26, columns=("frequency_cal", "recency_cal", "T_cal")).fit(X_train, y_train)
p_boost = boosting.predict_proba(X_test)[:, 1]
p_bg = bgnbd.predict_proba(X_test)[:, 1]
scores = {"gradient boosting": p_boost, "BG/NBD": p_bg, "recency only": X_test["recency_days"]}
compare_churn_models(scores, X_train, y_train, X_test=X_test, y_test=y_test,
                     probabilities=["gradient boosting", "BG/NBD"])
"""),
    code("""
fig, axes = plt.subplots(2, 2, figsize=(12, 9))
plotting.plot_roc(y_test, p_boost, label="gradient boosting", ax=axes[0, 0])
plotting.plot_roc(y_test, p_bg, label="BG/NBD", ax=axes[0, 0])
plotting.plot_gains(y_test, p_boost, label="gradient boosting", ax=axes[0, 1])
plotting.plot_lift(y_test, p_boost, ax=axes[1, 0])
plotting.plot_calibration(y_test, p_boost, label="gradient boosting", ax=axes[1, 1])
plotting.plot_calibration(y_test, p_bg, label="BG/NBD", ax=axes[1, 1])
fig.tight_layout()
plt.show()
"""),
    md("""
The gains table behind the lift chart: contacting the top 10% of customers by churn score
reaches this share of all churners.
"""),
    code("""
gains_table(y_test, p_boost)
"""),
    md("""
## 3. BG/NBD: expected purchases

The BG/NBD model fitted on the weekly BTYD summary at the 1997-09-30 calibration date.
Its frequency/recency matrix shows how many purchases a customer aged 39 weeks is expected to
make in the next 4 weeks: many past purchases and a recent last one mean more.
"""),
    code("""
from custseg.churn import BetaGeoModel, GammaGammaModel
from custseg.features import calibration_holdout

split = calibration_holdout(log, "1997-09-30", "1998-06-30", unit="W")
data = split.features
bg = BetaGeoModel(columns=("frequency_cal", "recency_cal", "T_cal")).fit(data)
print({k: round(v, 3) for k, v in bg.params_.items()})
fig, ax = plt.subplots(figsize=(7, 5))
plotting.plot_expected_purchases(bg, T=39, horizon=4, max_frequency=15, ax=ax)
plt.show()
"""),
    md("""
Predicted against actual purchases in the 39-week holdout, per calibration frequency:
"""),
    code("""
data = data.assign(predicted=bg.expected_purchases(data, horizon=39))
check = (data.assign(freq=data["frequency_cal"].clip(upper=7))
         .groupby("freq")[["frequency_holdout", "predicted"]].mean())
check.round(2)
"""),
    md("""
## 4. Customer lifetime value (Gamma-Gamma)

The Gamma-Gamma model of spend per purchase, combined with the BG/NBD purchases, gives the
expected spend of each customer over the next year, discounted by 1% a month.
"""),
    code("""
# the Gamma-Gamma model needs a positive mean spend for every repeat customer
data = data[(data["frequency_cal"] == 0) | (data["monetary_value_cal"] > 0)].copy()
gg = GammaGammaModel(columns=("frequency_cal", "monetary_value_cal")).fit(data)
data["clv_52w"] = gg.customer_lifetime_value(data, bg, horizon=52, discount_rate=0.01, step=4)
data.sort_values("clv_52w", ascending=False)[
    ["customer_id", "frequency_cal", "monetary_value_cal", "clv_52w"]].head(10)
"""),
]


TIERS = [
    md("""
# Tiers: A/B/C/D grades and rules people can read

Tiers rank customers by value. custseg builds them in two transparent steps:

1. a **value score**: recency, frequency and monetary points adding up to 0-100
   (`ValueScorer`), cut into grades (`grade`, `ValueGrader`);
2. a small **decision tree** (`TierClassifier`) that learns rules reproducing the grades,
   exported as text, JSON or a SQL `CASE` expression for the CRM or the warehouse.
"""),
    code("""
import matplotlib.pyplot as plt

import custseg
from custseg import plotting
from custseg.datasets import load_cdnow
from custseg.tiers import TierClassifier, ValueGrader, ValueScorer, grade

log = load_cdnow()
features = custseg.rfm(log, observation_date="1998-06-30")
"""),
    md("""
## 1. The value score, point by point
"""),
    code("""
scores = ValueScorer().fit_transform(features)
scores.sort_values("value_score", ascending=False).head()
"""),
    md("""
## 2. Grades: quartiles or revenue shares

Quartiles give four tiers of equal size. Revenue-share cut points give tiers holding a set
share of the revenue (cumulative shares 50%, 80%, 95%: A holds half the revenue, B the next
30%, C 15%, D the last 5%), so the A tier is small.
"""),
    code("""
by_quartile = grade(scores["value_score"])
by_revenue = grade(scores["value_score"], method="revenue", revenue=features["monetary_total"],
                   shares=[0.5, 0.8, 0.95])
table = features.assign(tier_quartile=by_quartile.to_numpy(), tier_revenue=by_revenue.to_numpy())
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
plotting.plot_segment_sizes(table, "tier_quartile", "monetary_total", ax=axes[0])
plotting.plot_segment_sizes(table, "tier_revenue", "monetary_total", ax=axes[1])
fig.tight_layout()
plt.show()
"""),
    md("""
`ValueGrader` learns the score and its cut points once, so customers graded later are graded
on the same scale.
"""),
    code("""
grader = ValueGrader().fit(features)
table["tier"] = grader.predict(features).to_numpy()
table["tier"].value_counts().sort_index()
"""),
    md("""
## 3. Rules that reproduce the tiers

A depth-3 tree on the three RFM columns; `monotonic_cst` makes "more recent, more frequent,
more spend" never give a worse tier.
"""),
    code("""
X = features[["recency_days", "frequency", "monetary_total"]]
clf = TierClassifier(max_depth=3, monotonic_cst={"recency_days": -1, "frequency": 1,
                                                 "monetary_total": 1}, random_state=0)
clf.fit(X, table["tier"])
print(f"{clf.n_leaves_} rules, agreement with the grades: {clf.score(X, table['tier']):.1%}")
print(clf.export_rules())
"""),
    code("""
fig, ax = plt.subplots(figsize=(14, 6))
plotting.plot_tier_rules(clf, ax=ax)
plt.show()
"""),
    md("""
## 4. The same rules in SQL

The `CASE` expression routes every customer exactly as `predict` does; here DuckDB runs it on
the feature table.
"""),
    code("""
import duckdb

sql = clf.export_rules("sql")
print(sql)
in_sql = duckdb.sql(f"SELECT customer_id, {sql} AS tier FROM features ORDER BY customer_id").df()
print("rows where SQL and predict agree:", (in_sql["tier"].to_numpy() == clf.predict(X)).mean())
"""),
]


def build(name: str, cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    """Build the notebook ``name`` with stable cell ids (rebuilding changes nothing)."""
    stem = name.removesuffix(".ipynb")
    for k, cell in enumerate(cells):
        cell["id"] = f"{stem}-{k:02d}"
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                 "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    return nb


NOTEBOOKS = {"quickstart.ipynb": QUICKSTART, "churn.ipynb": CHURN, "tiers.ipynb": TIERS}


def main() -> None:
    """Write every notebook next to this script."""
    for name, cells in NOTEBOOKS.items():
        path = HERE / name
        nbformat.write(build(name, cells), path)
        print(path)


if __name__ == "__main__":
    main()
