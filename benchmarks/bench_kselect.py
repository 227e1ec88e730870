"""Which rule recovers the planted number of segments? A grid of synthetic customer tables.

Every scenario plants k groups (k = 3..8) in a latent space of 4 features, with
sizes balanced or imbalanced (a pyramid: each group 0.6 times the previous, at
least 4% of the customers), well separated (centres at least 7 within-group
standard deviations apart) or weakly (5), and either Gaussian features or
RFM-like ones (recency in days, purchase counts and spend with a long right
tail, tenure; the biggest groups buy least). 6 x 2 x 2 x 2 = 48 scenarios of
4,000 customers.

For each scenario ``KMeansSegmenter`` (default parameters) scores k = 2..10 and
every rule of ``k_selection`` is applied to the same ``k_scores_`` table. With
``--all``, three rules of the literature that custseg does not ship are
computed on the same scaled features for comparison (five times the run time):
the gap statistic (Tibshirani, Walther & Hastie
2001; uniform reference in the principal axes, 5 draws, the 1-SE rule), the BIC
of a full-covariance Gaussian mixture, and the largest k whose clustering is
stable across half-samples (mean adjusted Rand index of two half-sample fits
>= 0.9, Ben-Hur et al. 2002). Prints one line per scenario, then the share of
scenarios in which each rule finds the planted k (the default rule must reach
90%; the silhouette rule, highest mean silhouette, is printed beside it; each
rule's line says what it is), then the k the default rule
picks on CDNOW master at 1998-06-30 over 5 random states.

Run: ``OMP_NUM_THREADS=1 flock /tmp/custseg-heavy.lock .venv/bin/python
benchmarks/bench_kselect.py`` (a few minutes; ``--all`` about five times longer;
``--quick``: the well separated half only). One OpenMP thread: on a busy machine
spinning threads make these small fits several times slower.
"""

from __future__ import annotations

import argparse
import itertools
import time
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from custseg.datasets import load_cdnow
from custseg.features import customer_features
from custseg.segments import KMeansSegmenter
from custseg.segments._kmeans_kselect import SELECTIONS, choose_k

K_RANGE = (2, 10)
#: What each compared rule is, printed beside its figure.
RULE_WORDS = {
    "mixture_bic": "<- the default rule: lowest BIC of a full-covariance Gaussian mixture started "
                   "from each k's k-means fit, when that minimum is clear; else 'structure'",
    "structure": "silhouette's k if >= 0.7, else the highest clear Calinski-Harabasz peak, else "
                 "the inertia knee (the default before mixture_bic)",
    "silhouette": "highest mean silhouette (the default before 'structure'; picks k = 2 on "
                  "skewed customer data)",
    "calinski_harabasz": "highest Calinski-Harabasz index",
    "davies_bouldin": "lowest Davies-Bouldin index",
    "elbow": "knee of the inertia curve (farthest below the chord)",
    "vote": "the four rules above vote; ties to the higher silhouette",
    "gap": "gap statistic, 1-SE rule (not shipped)",
    "gmm_bic": "lowest BIC of a Gaussian mixture with scikit-learn's own starts (not shipped)",
    "largest_stable": "largest k stable across half-samples, ARI >= 0.9 (not shipped)",
}
N_CUSTOMERS = 4_000
DEFAULT = KMeansSegmenter().k_selection


def centres(rng: np.random.RandomState, k: int, d: int, sep: float) -> np.ndarray:
    """k centres in d dimensions whose closest pair is between sep and 1.3 sep apart."""
    side = sep * k ** (1 / d) * 1.2
    while True:
        for _ in range(200):
            C = rng.uniform(0, side, (k, d))
            D = np.sqrt(((C[:, None] - C[None]) ** 2).sum(-1)) + np.eye(k) * 1e9
            if sep <= D.min() <= sep * 1.3:
                return C
        side *= 1.1


def scenario(k: int, sizes: str, separation: str, shape: str, seed: int) -> tuple[Any, Any]:
    """One synthetic customer table with k planted groups, and the group of every row."""
    rng = np.random.RandomState(seed)
    p = np.full(k, 1.0 / k) if sizes == "balanced" else 0.6 ** np.arange(k)
    p = np.maximum(p / p.sum(), 0.04)
    y = np.repeat(np.arange(k), rng.multinomial(N_CUSTOMERS, p / p.sum()))
    d = 4
    C = centres(rng, k, d, {"well": 7.0, "weak": 5.0}[separation])
    if shape == "rfm":  # the biggest groups buy least: a pyramid, as in real customer bases
        C = C[np.argsort(C[:, 1] + C[:, 2])]
    L = C[y] + rng.normal(size=(len(y), d)) * rng.uniform(0.8, 1.2, (k, d))[y]
    if shape == "gaussian":
        return pd.DataFrame(L, columns=[f"x{j}" for j in range(d)]), y
    U = (L - L.min(axis=0)) / np.ptp(L, axis=0)  # 0..1 per feature, linear in the latent
    frequency = np.maximum(1.0, np.round(np.exp(5.0 * U[:, 1])))  # 1 .. 150 purchases
    monetary = frequency * np.exp(2.5 + 3.0 * U[:, 2])  # 12 .. 245 per purchase
    recency = 540.0 * U[:, 0]
    tenure = recency + np.exp(3.0 + 3.5 * U[:, 3])
    return pd.DataFrame({"recency_days": recency, "frequency": frequency,
                         "monetary_total": monetary, "tenure_days": tenure}), y


def gap_statistic(Z: np.ndarray, ks: np.ndarray, inertia: np.ndarray, seed: int) -> int:
    """The smallest k with gap(k) >= gap(k+1) - s(k+1) (uniform box in the principal axes)."""
    rng = np.random.RandomState(seed)
    Zc = Z - Z.mean(axis=0)
    _, _, Vt = np.linalg.svd(Zc, full_matrices=False)
    P = Zc @ Vt.T
    ref = np.array([[np.log(KMeans(k, n_init=1, random_state=b).fit(R).inertia_) for k in ks]
                    for b in range(5) for R in [rng.uniform(P.min(0), P.max(0), P.shape) @ Vt]])
    gap = ref.mean(axis=0) - np.log(inertia)
    s = ref.std(axis=0) * np.sqrt(1 + 1 / len(ref))
    return next((int(ks[i]) for i in range(len(ks) - 1) if gap[i] >= gap[i + 1] - s[i + 1]),
                int(ks[-1]))


def gmm_bic(Z: np.ndarray, ks: np.ndarray, seed: int) -> int:
    bic = [GaussianMixture(k, covariance_type="full", random_state=seed).fit(Z).bic(Z) for k in ks]
    return int(ks[int(np.argmin(bic))])


def largest_stable(Z: np.ndarray, ks: np.ndarray, seed: int) -> int:
    rng = np.random.RandomState(seed)
    stable = []
    for k in ks:
        aris = []
        for _ in range(2):
            a, b = (rng.choice(len(Z), len(Z) // 2, replace=False) for _ in range(2))
            ka = KMeans(k, n_init=3, random_state=rng.randint(10**6)).fit(Z[a])
            kb = KMeans(k, n_init=3, random_state=rng.randint(10**6)).fit(Z[b])
            aris.append(adjusted_rand_score(ka.predict(Z), kb.predict(Z)))
        stable.append(np.mean(aris) >= 0.9)
    return int(ks[np.flatnonzero(stable)].max()) if any(stable) else int(ks[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="well separated scenarios only")
    parser.add_argument("--all", action="store_true", help="also the gap statistic, the BIC "
                        "of a Gaussian mixture and half-sample stability")
    args = parser.parse_args()
    separations = ["well"] if args.quick else ["well", "weak"]
    grid = list(itertools.product(range(3, 9), ["balanced", "imbalanced"], separations,
                                  ["gaussian", "rfm"]))
    rules = [DEFAULT, *[r for r in SELECTIONS if r != DEFAULT]]
    extra = ["gap", "gmm_bic", "largest_stable"] if args.all else []
    hits: dict[str, list[bool]] = {r: [] for r in [*rules, *extra]}
    oracles: list[float] = []
    start = time.perf_counter()
    print(f"{'planted':>7} {'sizes':>10} {'separation':>10} {'shape':>8} {'oracle ARI':>10}  "
          + " ".join(f"{r[:12]:>12}" for r in hits))
    for i, (k, sizes, sep, shape) in enumerate(grid):
        X, y = scenario(k, sizes, sep, shape, seed=i)
        seg = KMeansSegmenter(k_range=K_RANGE, random_state=i).fit(X)
        table = seg.k_scores_
        picks = {r: choose_k(table, r, K_RANGE)[0] for r in rules}
        Z = seg._preprocess(X.to_numpy())
        ks = table.index.to_numpy()
        if args.all:
            picks["gap"] = gap_statistic(Z, ks, table["inertia"].to_numpy(), i)
            picks["gmm_bic"] = gmm_bic(Z, ks, i)
            picks["largest_stable"] = largest_stable(Z, ks, i)
        oracle = adjusted_rand_score(y, KMeans(k, n_init=5, random_state=0).fit_predict(Z))
        oracles.append(oracle)
        for r, pick in picks.items():
            hits[r].append(pick == k)
        print(f"{k:>7} {sizes:>10} {sep:>10} {shape:>8} {oracle:>10.2f}  "
              + " ".join(f"{picks[r]:>12}" for r in hits), flush=True)
    print(f"\n{len(grid)} scenarios in {time.perf_counter() - start:.0f} s; "
          "share recovering the planted k:")
    for r, h in hits.items():
        print(f"  {r:>18}: {np.mean(h):6.1%}  {RULE_WORDS.get(r, '')}")
    ok = np.array(oracles) >= 0.8
    default_ok = np.mean(np.array(hits[DEFAULT])[ok])
    silhouette_ok = np.mean(np.array(hits["silhouette"])[ok])
    print(f"  of the {ok.sum()} scenarios whose groups k-means recovers given the planted k "
          f"(oracle ARI >= 0.8): default {default_ok:.1%}, silhouette {silhouette_ok:.1%}")
    rate = float(np.mean(hits[DEFAULT]))
    print(f"default rule {DEFAULT!r}: {rate:.1%} (target >= 90%: "
          f"{'met' if rate >= 0.9 else 'NOT met'}); silhouette rule: "
          f"{np.mean(hits['silhouette']):.1%}")
    cdnow()


def cdnow() -> None:
    table = customer_features(load_cdnow(), observation_date="1998-06-30")
    X = table[["recency_days", "frequency", "monetary_total"]]
    fits = [KMeansSegmenter(random_state=rs).fit(X) for rs in range(5)]
    aris = [adjusted_rand_score(a.labels_, b.labels_) for a, b in itertools.combinations(fits, 2)]
    print(f"CDNOW master at 1998-06-30 ({len(X):,} customers): default rule picks k = "
          f"{[s.n_clusters_ for s in fits]} over random_state 0..4 (target 4 to 8); pairwise "
          f"ARI min {min(aris):.4f} (target >= 0.95); silhouette rule: k = "
          f"{[choose_k(s.k_scores_, 'silhouette', K_RANGE)[0] for s in fits]}")
    print(f"  segments: {fits[0].segment_names_}")


if __name__ == "__main__":
    main()
