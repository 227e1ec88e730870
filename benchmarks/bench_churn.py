"""Churn benchmark on CDNOW master and a 1M-customer synthetic log.

Prints, for the same 23,570 CDNOW customers (calibration to 1997-09-30, holdout to
1998-06-30 = 39 weeks, churned = no purchase in the holdout), the ROC AUC (and the
Brier score of every probability) of:

* ChurnPredictor, out-of-fold over 5 shuffled stratified folds;
* a plain gradient boosting on RFM only (reference);
* BG/NBD probability of no purchase in 39 weeks;
* BG/NBD expected purchases in 39 weeks (minus, as a churn score);
* recency alone (days since the last purchase);
* 1 - P(alive), to show why it is not a churn score.

Then times ChurnPredictor fit + predict on 1M synthetic customers.

Run: ``.venv/bin/python benchmarks/bench_churn.py`` (``--quick`` skips the 1M run).
"""

from __future__ import annotations

import sys
import time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from custseg.churn import (
    BetaGeoChurnClassifier,
    BetaGeoModel,
    ChurnPredictor,
    GammaGammaModel,
    churn_labels,
    churn_metrics,
    compare_churn_models,
)
from custseg.datasets import load_cdnow, make_transactions
from custseg.features import calibration_holdout

BTYD = ("frequency_cal", "recency_cal", "T_cal")


def cdnow_sample() -> None:
    split = calibration_holdout(load_cdnow(sample=True), "1997-09-30", unit="W")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        bg = BetaGeoModel(columns=BTYD).fit(split.features)
        times.append(time.perf_counter() - t0)
    print("CDNOW sample, weeks, calibration end 1997-09-30")
    print("  BG/NBD: " + ", ".join(f"{k}={v:.4f}" for k, v in bg.params_.items())
          + "  (expected r=0.243, alpha=4.414, a=0.793, b=2.426)")
    print(f"  BG/NBD fit time: first {times[0]:.3f} s, median of 5 {np.median(times):.3f} s "
          "(limit 1 s)")
    gg = GammaGammaModel(columns=("frequency_cal", "monetary_value_cal")).fit(split.features)
    print("  Gamma-Gamma: " + ", ".join(f"{k}={v:.4f}" for k, v in gg.params_.items())
          + f"  (expected p=6.25, q=3.74, v=15.44); {gg.n_customers_} repeat customers, "
          f"frequency-spend correlation {gg.frequency_spend_corr_:.3f}\n")


def cdnow() -> None:
    log = load_cdnow(sample=False)
    t0 = time.perf_counter()
    table = churn_labels(log, "1997-09-30", 39, unit="W")
    t_feat = time.perf_counter() - t0
    X = table.drop(columns=["customer_id", "churned"])
    y = table["churned"].to_numpy()
    print(f"CDNOW master: {len(table)} customers, {int((~y).sum())} active in the holdout, "
          f"churn rate {y.mean():.3f}; features + labels in {t_feat:.2f} s")

    t0 = time.perf_counter()
    bg = BetaGeoModel(columns=BTYD).fit(X)
    t_bg = time.perf_counter() - t0
    print("BG/NBD params: " + ", ".join(f"{k}={v:.3f}" for k, v in bg.params_.items())
          + f" (fit {t_bg:.2f} s)")

    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    rfm_cols = ["recency_days", "frequency", "monetary_total"]
    plain = HistGradientBoostingClassifier(random_state=0)
    plain_scores = cross_val_predict(plain, X[rfm_cols], y, cv=cv, method="predict_proba")[:, 1]

    t0 = time.perf_counter()
    result = compare_churn_models(
        {
            "ChurnPredictor (5-fold CV)": ChurnPredictor(random_state=0),
            "BG/NBD P(no purchase in 39 w)": BetaGeoChurnClassifier(39, columns=BTYD),
            "plain GB on RFM (5-fold CV)": plain_scores,
            "BG/NBD expected purchases": -bg.expected_purchases(X, 39),
            "recency alone": X["recency_days"].to_numpy(),
            "1 - P(alive)": 1 - bg.probability_alive(X),
        },
        X, y, cv=cv, probabilities=["plain GB on RFM (5-fold CV)", "1 - P(alive)"],
    )
    t_cmp = time.perf_counter() - t0
    print(f"\nChurn scores on the same {len(y)} customers (compare_churn_models, {t_cmp:.1f} s):")
    print(result[["roc_auc", "pr_auc", "brier", "lift"]].round(4).to_string())
    ours = result.loc["ChurnPredictor (5-fold CV)", "roc_auc"]
    baselines = result.drop(index=["ChurnPredictor (5-fold CV)", "1 - P(alive)"])["roc_auc"]
    verdict = "beats" if ours > baselines.max() else "does NOT beat"
    print(f"ChurnPredictor AUC {ours:.4f} {verdict} every baseline (best baseline "
          f"{baselines.idxmax()}: {baselines.max():.4f})")


def synthetic(n_customers: int = 1_000_000) -> None:
    t0 = time.perf_counter()
    log = make_transactions(n_customers, random_state=0, as_frame="polars")
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    table = churn_labels(log, "2023-06-30", 182, unit="D")
    t_feat = time.perf_counter() - t0
    X = table.drop(["customer_id", "churned"]).to_numpy()
    y = table["churned"].to_numpy()
    print(f"\nSynthetic: {log.height} rows, {len(y)} customers with history at the cutoff, "
          f"churn rate {y.mean():.3f} (log {t_gen:.1f} s, features + labels {t_feat:.1f} s)")
    model = ChurnPredictor(random_state=0)
    t0 = time.perf_counter()
    model.fit(X, y)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    proba = model.predict_proba(X)[:, 1]
    t_pred = time.perf_counter() - t0
    m = churn_metrics(y, proba)
    print(f"ChurnPredictor on {len(y)} customers: fit {t_fit:.1f} s + predict {t_pred:.1f} s "
          f"= {t_fit + t_pred:.1f} s (limit 60 s); in-sample AUC {m['roc_auc']:.3f}")
    bg = BetaGeoModel(columns=BTYD)
    t0 = time.perf_counter()
    bg.fit(table)
    p = bg.probability_no_purchase(table, 182)
    t_bg = time.perf_counter() - t0
    print(f"BetaGeoModel on {len(y)} customers: fit + predict {t_bg:.1f} s, "
          f"AUC of P(no purchase) {churn_metrics(y, p)['roc_auc']:.3f}")


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    cdnow_sample()
    cdnow()
    if "--quick" not in sys.argv:
        synthetic()
