"""Write and execute the example notebooks from the cells listed here.

Run ``python notebooks/make_notebooks.py`` after editing a cell: it builds each
notebook, executes it (one thread for the numeric libraries) and writes it with
its outputs, which are committed so that the docs gallery shows them. The
**Reading** cells comment on the outputs: rerun and reread them when a result
changes. ``make test`` checks that every notebook has outputs, matches these
cells and runs without error (``tests/test_notebooks.py``).
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
    md("""
**Reading.** 69,659 rows become 23,570 customers, one row each. Customer 00001 bought once, 545
days before the observation date; 00005 bought on 11 days for 385.61. Most CDNOW customers look
like 00001: the log follows one acquisition cohort (first quarter of 1997), and most of it never
came back, which every later result reflects.
"""),
    code("""
fig, ax = plt.subplots(figsize=(7, 4))
plotting.plot_rfm_heatmap(features, ax=ax)
plt.show()
"""),
    md("""
**Reading.** Average spend rises with the number of purchases in every recency band (33-69 for
1-2 purchases, 110-124 for 3-4, 269-514 for 5 or more): frequency and spend carry much the same
information here. Recency does not order spend: the frequent buyers who lapsed 433-512 days ago
spent the most (477-514), big early buyers who stopped.
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
    md("""
**Reading.** Champions (5,071, 21.5%) and Lost (4,065) are the largest segments; New Customers and
Promising are empty, because nobody in this log made a first purchase after March 1997 (the
quintile edges put no recent one-time buyer in R = 4-5). "Can't Lose Them" holds 54 customers:
the cut points of the standard map, not the data, decide these sizes.
"""),
    code("""
fig, ax = plt.subplots(figsize=(7, 5))
plotting.plot_segment_sizes(table, segment_col="segment", value_col="monetary_total", ax=ax)
plt.show()
"""),
    md("""
**Reading.** Champions are a fifth of the customers and about two thirds of the spend (64.6% in
the report's table); Lost and Hibernating are a third of the customers and under 8% of the spend.
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
**Reading.** The thresholds learnt from the gaps between purchases are 119 days (new, active) and
283 days (churned). By June 1998 most customers are churned under that rule and only about one
in five is new or active (18.0% in the report): the cohort ages, nobody joins.
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
    md("""
**Reading.** k = 4 was chosen by the knee of the inertia curve, and the rule says why: no strong
silhouette and no clear Calinski-Harabasz peak, so these clusters cut a continuum rather than
find planted groups; treat them as bands of value. The top cluster (12% of customers) holds 52% of
the revenue; the two lapsed clusters are two thirds of the customers and a quarter of it.
"""),
    code("""
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
plotting.plot_k_selection(segmenter, ax=axes[0])
plotting.plot_silhouette(segmenter, ax=axes[1])
fig.tight_layout()
plt.show()
"""),
    md("""
**Reading.** This is the weak spot of K-means on this log: the silhouette is highest at k = 2
(0.60) and falls to 0.42 at the chosen k = 4, where cluster 2 has customers with negative
coefficients (closer to another cluster than to their own). The segments are useful summaries,
not natural groups.
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
    code("""
print("stayed", moves.n_stayed, "better", moves.n_better, "worse", moves.n_worse,
      "new", moves.n_new, "gone", moves.n_gone)
"""),
    md("""
**Reading.** Rows and columns list the same segments, best first, so the outlined diagonal is
"stayed". Between December 1997 and June 1998, 9,281 customers kept their segment, 2,447 moved to a
better one and 11,842 to a worse one: with the 1997 edges, an ageing cohort slides down. 73% of the
Champions stayed Champions, 18% became Loyal Customers and 8% Can't Lose Them. Nobody is new or
gone, since the log has no customer acquired after March 1997.
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
**Reading.** Quartile tiers are equal in size (5,892-5,893) and very unequal in value: tier A spent
1.76 million of the 2.50 million (70%), on average 298 per customer against 17 in tier D.
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
**Reading.** Priority 1 concerns 6,531 customers and 1.76 million of past spend: the VIP event for
the Champions and the win-back offers for At Risk and Can't Lose Them. 4,065 Lost customers get
"minimal spend": their total (94,826) is about what 300 Champions spent.
"""),
    md("""
## 8. Trends and cohorts: how the customer base moves

`custseg.trends` counts revenue, orders and active, new and lost customers per month (the log
spans more than 180 days; a shorter one is counted per week); `custseg.cohort_retention` gives
the share of each acquisition cohort still buying n months later.
"""),
    code("""
monthly = custseg.trends(log)
print(monthly[["period", "revenue", "active_customers", "new_customers",
               "lost_customers"]].tail(4).to_string(index=False))
retention = custseg.cohort_retention(log, max_periods=12)
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
plotting.plot_trends(monthly, ax=axes[0])
plotting.plot_cohort_retention(retention, ax=axes[1])
fig.tight_layout()
plt.show()
"""),
    md("""
**Reading.** About 7,000-8,500 new customers a month join in January-March 1997 and none after,
so from April 1997 the active base falls from 9,524 to about 2,000 a month and then to 1,500 in
1998; in June 1998 1,506 customers bought (1,060 of them back after a pause) and 1,042 of May's
buyers did not. Each cohort behaves alike: about 15% buy again the month after their first
purchase, and 6-9% in any later month. Revenue follows the active customers (76,109 in June 1998,
against 393,155 in March 1997).
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
**Reading.** 72.9% of the customers make no purchase in the 26 weeks after June 1997 and 77.2% after
December 1997: churn is the common case here, so a model has to separate the minority who stay.
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
    md("""
**Reading.** Gradient boosting only barely beats the one-column baseline: ROC AUC 0.804 against
0.795 for recency alone, PR AUC 0.911 against 0.909, and the same top-decile lift (1.20 against
1.21). BG/NBD ranks worse than recency (0.778). On this log most of what can be known about
churn is in the days since the last purchase; the learnt model adds calibrated probabilities
(Brier 0.131) more than ranking.
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
**Reading.** The ROC curves of the two models nearly coincide; the gains curve is close to the
diagonal because 77% of everybody churns (the best possible first-decile lift is 1/0.772 = 1.30).
Neither is perfectly calibrated: between predicted 0.5 and 0.9, gradient boosting's customers
churn about 5 points more often than predicted, BG/NBD's less often (it over-states churn).
"""),
    md("""
The gains table behind the lift chart: contacting the top 10% of customers by churn score
reaches this share of all churners.
"""),
    code("""
gains_table(y_test, p_boost)
"""),
    md("""
**Reading.** The first six deciles churn at 90-93%, nearly alike: the score cannot tell apart the
long-lapsed customers, who all churn. Its value is at the bottom: the last decile churns at 26%,
and these are the customers to keep out of win-back spend.
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
plotting.plot_expected_purchases(bg, T=39, horizon=4, max_frequency=15, unit="weeks",
                                 ax=ax)
plt.show()
"""),
    md("""
**Reading.** For customers aged 39 weeks, the expected purchases in the next 4 weeks grow with
frequency and, at a given frequency, with recency (a recent last purchase means "still alive").
A frequent customer whose last purchase was long ago is expected to buy little: the model
believes they have left.
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
**Reading.** This is where BG/NBD is weak on CDNOW: it under-predicts the holdout purchases of
customers with few calibration purchases, by a third at frequency 1 (0.52 predicted against 0.78
observed) and a quarter at frequency 2 (1.04 against 1.40); it is close for frequency 0 and from 4
up. Budgets built on its forecasts undercount the light repeat buyers.
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
    md("""
**Reading.** The top expected value (customer 07592: 80 repeat purchases, 7,171 over 52 weeks) is
twice the next; the list mixes very frequent buyers with modest baskets and rarer big spenders
(22279: 11 purchases of 353). The under-prediction above carries into these values, so read them
as a ranking more than as amounts.
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
**Reading.** The best customers score close to 100: a third of the points each for recency,
frequency and spend, all near their maximum. Customers 14048 and 07592 are also the top two of
the lifetime-value ranking of the churn notebook.
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
**Reading.** Quartile tiers are equal in customers (25% each) and very unequal in spend (A 70.2%,
D 3.9%); revenue-share tiers are the opposite: tier A is 11.6% of the customers bringing 50.2% of
the spend, D 29.8% of the customers bringing the last 5%.
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
**Reading.** 5,893 / 5,892 / 5,892 / 5,893: the quartile cut points learnt in `fit` split the
customers evenly, ties kept together.
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
    md("""
**Reading.** Five readable rules reproduce 83.4% of the grades, mostly through the number of
purchases (more than 3: A; 2-3: B). The weak spots are the C rules (69-73% C): one-purchase
customers are split by spend and recency, where the score mixes all three columns and a depth-3
tree cannot follow it exactly. Use the rules to explain tiers, the grader to assign them.
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
    md("""
**Reading.** The SQL gives the same tier as `predict` for every customer (agreement 1.0), so the
rules can run in the warehouse as they are.
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


ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def execute(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in a fresh kernel (in this folder) and keep the outputs."""
    import os

    from nbclient import NotebookClient

    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(HERE)}}).execute(
        env={**os.environ, **ONE_THREAD})
    return nb


def main() -> None:
    """Write every notebook next to this script, executed."""
    for name, cells in NOTEBOOKS.items():
        path = HERE / name
        nbformat.write(execute(build(name, cells)), path)
        print(path)


if __name__ == "__main__":
    main()
