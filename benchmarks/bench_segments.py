"""Benchmark of custseg.segments: auto-k at scale, fixed-k cost, CDNOW stability.

Prints:

1. auto-k over k = 2..10 on 1,000,000 customers x 6 features: wall time, chosen
   k, silhouette (target: under 10 s on 2 cores);
2. a fixed k (the chosen k, and k=8): KMeansSegmenter.fit beside a bare
   scikit-learn KMeans fitted on the same (preprocessed) matrix with the same
   seed and n_init, back to back, 3 times (for information: the earlier 1.2x
   floor is withdrawn);
3. CDNOW master as of 1998-06-30 (the pipeline's K-means features): the chosen
   k over 5 random_states (target: 4 to 8), identical labels on a refit with the
   same random_state, pairwise ARI over the 5 (target: >= 0.95).

Run: ``flock /tmp/custseg-heavy.lock .venv/bin/python benchmarks/bench_segments.py``
(``--quick`` for a smaller run). Threads: whatever the machine gives.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.utils import check_random_state

from custseg.datasets import load_cdnow
from custseg.features import customer_features
from custseg.segments import KMeansSegmenter

FEATURES = ["recency_days", "frequency", "monetary_total", "tenure_days", "avg_order_value",
            "purchases_365d"]


def customer_matrix(n: int, random_state: int = 0) -> pd.DataFrame:
    """n customers x 6 RFM-like features drawn from 5 latent groups (skewed, as real data)."""
    rng = np.random.RandomState(random_state)
    group = rng.choice(5, size=n, p=[0.05, 0.15, 0.25, 0.25, 0.30])
    rate = np.array([30.0, 10.0, 4.0, 1.5, 0.5])[group] * rng.gamma(4.0, 0.25, n)
    tenure = np.minimum(rng.exponential(np.array([900, 700, 500, 400, 300])[group]), 1500.0) + 1
    frequency = 1 + rng.poisson(rate * tenure / 365.0)
    recency = np.minimum(rng.exponential(np.array([15, 40, 120, 250, 400])[group]), tenure)
    aov = np.array([120.0, 60.0, 40.0, 30.0, 20.0])[group] * rng.lognormal(0, 0.4, n)
    monetary = frequency * aov * rng.lognormal(0, 0.1, n)
    p365 = rng.binomial(frequency, np.clip(365.0 / tenure, 0, 1))
    return pd.DataFrame({
        "recency_days": recency, "frequency": frequency.astype(float),
        "monetary_total": monetary, "tenure_days": tenure, "avg_order_value": aov,
        "purchases_365d": p365.astype(float),
    })


def auto_k(X: pd.DataFrame) -> KMeansSegmenter:
    t0 = time.perf_counter()
    seg = KMeansSegmenter(k_range=(2, 10), random_state=0).fit(X)
    elapsed = time.perf_counter() - t0
    chosen = seg.k_scores_.loc[seg.n_clusters_]
    print(f"auto-k, k=2..10, {len(X):,} customers x {X.shape[1]} features: "
          f"{elapsed:.1f} s (target < 10 s: {'met' if elapsed < 10 else 'NOT met'})")
    print(f"  chosen k = {seg.n_clusters_}, silhouette = {chosen['silhouette']:.3f} "
          f"(on {int(chosen['n_silhouette']):,} rows of the {int(chosen['n_scored']):,}-row "
          "search sample)")
    print(f"  rule: {seg.k_selection_rule_}")
    cols = ["inertia", "silhouette", "calinski_harabasz", "davies_bouldin", "elbow_distance"]
    print(seg.k_scores_[cols].round(3).to_string())
    print(seg.profile_[["name", "size", "share", "revenue_share"]].round(3).to_string())
    return seg


def fixed_k(X: pd.DataFrame, k: int, repeats: int) -> float:
    """Time KMeansSegmenter.fit beside bare KMeans on the matrix the segmenter clusters.

    The two run back to back ``repeats`` times, alternating which goes first;
    returns the median of the per-pair ratios (for information, no floor).
    """
    seed = int(check_random_state(0).randint(np.iinfo(np.int32).max))  # what the segmenter uses
    Z = KMeansSegmenter(n_clusters=k, random_state=0).fit(X)._preprocess(X.to_numpy())
    ours, bare = [], []

    def run_ours() -> KMeansSegmenter:
        t0 = time.perf_counter()
        seg = KMeansSegmenter(n_clusters=k, random_state=0).fit(X)
        ours.append(time.perf_counter() - t0)
        return seg

    def run_bare() -> KMeans:
        t0 = time.perf_counter()
        km = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(Z)
        bare.append(time.perf_counter() - t0)
        return km

    for r in range(repeats):
        if r % 2:
            km, seg = run_bare(), run_ours()
        else:
            seg, km = run_ours(), run_bare()
    same = adjusted_rand_score(km.labels_, seg.labels_)
    paired = float(np.median(np.array(ours) / np.array(bare)))
    ratio_min = min(ours) / min(bare)
    ratio_med = float(np.median(ours) / np.median(bare))
    print(f"fixed k={k} (n_init=3), {repeats} runs each: KMeansSegmenter.fit "
          f"{np.round(ours, 3).tolist()} s; bare KMeans on the same preprocessed matrix "
          f"{np.round(bare, 3).tolist()} s")
    print(f"  median paired ratio = {paired:.3f}; ratio of minima = {ratio_min:.3f}, "
          f"ratio of medians = {ratio_med:.3f}; overhead (median) = "
          f"{(np.median(ours) - np.median(bare)) * 1000:.0f} ms; ARI between the two "
          f"labelings = {same:.3f}")
    return paired


def cdnow() -> None:
    table = customer_features(load_cdnow(), observation_date="1998-06-30")
    X = table[["recency_days", "frequency", "monetary_total"]]
    t0 = time.perf_counter()
    fits = [KMeansSegmenter(random_state=rs).fit(X) for rs in range(5)]
    elapsed = time.perf_counter() - t0
    print(f"CDNOW master at 1998-06-30: {len(X):,} customers, 5 auto-k fits in {elapsed:.1f} s")
    for rs, seg in enumerate(fits):
        tried = seg.k_scores_.index.tolist()
        complete = bool(seg.k_scores_[["silhouette", "calinski_harabasz",
                                       "davies_bouldin"]].notna().all().all())
        print(f"  random_state={rs}: k={seg.n_clusters_}, k tried {tried[0]}..{tried[-1]}, "
              f"all scores present: {complete}, names {seg.segment_names_}")
    refit = KMeansSegmenter(random_state=0).fit(X)
    print(f"  refit with random_state=0 gives identical labels: "
          f"{bool(np.array_equal(refit.labels_, fits[0].labels_))}")
    aris = [adjusted_rand_score(a.labels_, b.labels_) for a, b in itertools.combinations(fits, 2)]
    ks = sorted({seg.n_clusters_ for seg in fits})
    print(f"  chosen k over 5 random_states: {ks} (target 4 to 8: "
          f"{'met' if all(4 <= k <= 8 for k in ks) else 'NOT met'})")
    print(f"  pairwise ARI over 5 random_states: min {min(aris):.4f}, "
          f"values {np.round(aris, 4).tolist()} (target >= 0.95: "
          f"{'met' if min(aris) >= 0.95 else 'NOT met'})")
    print(fits[0].k_scores_[["inertia", "silhouette", "calinski_harabasz",
                             "davies_bouldin"]].round(3).to_string())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 customers, one repeat")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()}")
    X = customer_matrix(n)
    seg = auto_k(X)
    repeats = 1 if args.quick else 3
    fixed_k(X, seg.n_clusters_, repeats=repeats)
    if seg.n_clusters_ != 8:
        fixed_k(X, 8, repeats=repeats)
    cdnow()


if __name__ == "__main__":
    main()
