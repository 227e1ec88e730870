"""Issue 10: ``KMeansSegmenter(n_clusters="auto")`` on 1,000,000 customers x 6 features, < 10 s.

The floor ("auto-k on 1M customers x 6 features stays under 10 s on 2 cores") is for the
default threads: this script sets no thread count. On one matrix (``customer_matrix`` of
``bench_segments.py``: six RFM-like features of customers drawn from 5 latent groups) it
prints, in one run:

1. auto-k, ``KMeansSegmenter(random_state=0)`` with its defaults (k = 2..10, the k search on
   a random sample of ``search_sample_size`` = 25,000 rows, then one fit of all rows at the
   chosen k): wall time of ``fit`` (each of ``--repeats`` runs and the median), the process
   CPU time, the chosen k and the rule;
2. the baseline, run alternately with 1: one plain scikit-learn ``KMeans`` fit at the chosen
   k with the segmenter's ``n_init`` (3) on the same preprocessed matrix, and the ratio of
   the medians (auto-k / baseline);
3. the earlier search sample, ``search_sample_size=100_000``: its wall time, chosen k, and
   the adjusted Rand index of its labels with those of 1 (what the smaller sample changes).

The machine may be shared: the load average before and after is printed. The k search runs
about 600 short k-means iterations, each ending at an OpenMP barrier; on a busy 2-core machine
the spinning worker threads hold the cores there, so the default-thread time grows with the
load (measured at load 3.4 to 5: medians 10 to 13 s, against 3.4 s with OMP_NUM_THREADS=1
and 4.1 s with OMP_WAIT_POLICY=passive, two threads that sleep instead of spinning; at load
10 to 13, with the silhouettes as one matrix product per k: median 28 s, against 4.9 s with
OMP_NUM_THREADS=1).

Run: ``.venv/bin/python benchmarks/bench_kmeans_speed.py`` (about a minute;
``--repeats 1`` for a quick look).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from bench_segments import customer_matrix  # the same 1M x 6 matrix (this script's folder)
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.utils import check_random_state

from custseg.segments import KMeansSegmenter

FLOOR_SECONDS = 10.0


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and process CPU seconds of ``fn()``, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def main() -> None:
    """Time auto-k beside the baseline and the earlier search sample; print the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3, help="runs of auto-k and baseline")
    parser.add_argument("--n", type=int, default=1_000_000, help="customers")
    args = parser.parse_args()
    threads = os.environ.get("OMP_NUM_THREADS", "not set (default threads)")
    print(f"cores: {os.cpu_count()}, OMP_NUM_THREADS: {threads}, "
          f"load average before: {np.round(os.getloadavg(), 2).tolist()}")
    X = customer_matrix(args.n)
    print(f"{len(X):,} customers x {X.shape[1]} features: {list(X.columns)}")

    seg = KMeansSegmenter(random_state=0).fit(X)  # warm-up, and the chosen k and matrix
    k = seg.n_clusters_
    Z = seg._preprocess(X.to_numpy())
    seed = int(check_random_state(0).randint(np.iinfo(np.int32).max))  # the segmenter's seed
    n_init = seg.n_init
    auto, auto_cpu, base, base_cpu = [], [], [], []
    for _ in range(args.repeats):
        wall, cpu, seg = timed(lambda: KMeansSegmenter(random_state=0).fit(X))
        auto.append(wall)
        auto_cpu.append(cpu)
        wall, cpu, _ = timed(lambda: KMeans(k, n_init=n_init, random_state=seed).fit(Z))
        base.append(wall)
        base_cpu.append(cpu)
    med, base_med = float(np.median(auto)), float(np.median(base))
    print(f"auto-k, KMeansSegmenter(random_state=0).fit: {np.round(auto, 2).tolist()} s, "
          f"median {med:.2f} s (CPU {np.median(auto_cpu):.2f} s); floor < {FLOOR_SECONDS:.0f} s: "
          f"{'met' if med < FLOOR_SECONDS else 'NOT met'}")
    print(f"  chosen k = {k} of {seg.k_scores_.index.min()}..{seg.k_scores_.index.max()}; "
          f"rule: {seg.k_selection_rule_}")
    print(f"baseline, one sklearn KMeans(n_clusters={k}, n_init={n_init}) fit of the "
          f"preprocessed {len(Z):,} rows: {np.round(base, 2).tolist()} s, median "
          f"{base_med:.2f} s (CPU {np.median(base_cpu):.2f} s)")
    print(f"  ratio auto-k / baseline (medians): {med / base_med:.2f}")

    wall, cpu, old = timed(lambda: KMeansSegmenter(search_sample_size=100_000,
                                                   random_state=0).fit(X))
    print(f"earlier search sample, search_sample_size=100_000: {wall:.2f} s (CPU {cpu:.2f} s), "
          f"k = {old.n_clusters_}; ARI of its labels with the default's: "
          f"{adjusted_rand_score(old.labels_, seg.labels_):.4f}")
    print(f"load average after: {np.round(os.getloadavg(), 2).tolist()}")


if __name__ == "__main__":
    main()
