"""Upper bound of hit rate@5 on the synthetic log of ``bench_baskets.py``.

How far can any recommender get on that log? ``make_baskets`` draws each basket
from known probabilities: Zipf draws (half from the segment's own ranking) plus
the customer's planted habit (one of its segment's rules). This script replays
the generator's random draws (same seed, checked against its output) to recover
each customer's segment and habit, and scores products by the true
probabilities of the next basket:

* ``oracle``: knows the customer's true habit (no recommender can know more);
* ``bayes``: knows the generator's parameters but not the habit, which it infers
  from the customer's baskets before the cutoff (the best a recommender fitted
  on the history can do, up to estimating the parameters);
* ``segment``: the true probabilities of the customer's segment, no habit.

Each picks 5 products greedily to make a hit most likely (the antecedent and
consequent of a rule are bought together, so offering both is redundant). The
hit rates use the holdout and the customers of ``bench_baskets.py`` (the last 6
months; "excluded" counts only products new to the customer), beside the
global best-seller baseline of custseg measured on the same split.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_baskets_oracle.py`` (about a minute).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from custseg.baskets import ProductRecommender, compare_recommenders
from custseg.datasets import make_baskets

# The synthetic case of bench_baskets.py (make_baskets defaults otherwise).
N_BASKETS, N_CUSTOMERS, ITEMS, CONFIDENCE, SEED = 20_000, 4000, 2.0, 0.5, 0
N_PRODUCTS, N_SEGMENTS, RULES, RATE, MIX = 500, 3, 3, 0.2, 0.5
CUTOFF = "2024-06-30"


def replay() -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                      np.ndarray]:
    """The log, and the generator's draws: segment and habit per customer, rules, ranks."""
    lines, truth = make_baskets(N_BASKETS, n_customers=N_CUSTOMERS, items_per_basket=ITEMS,
                                rule_confidence=CONFIDENCE, random_state=SEED)
    rng = check_random_state(SEED)  # the calls of make_baskets, in its order
    half = N_PRODUCTS // 2
    ranks = np.stack([np.concatenate([rng.permutation(half), np.arange(half, N_PRODUCTS)])
                      for _ in range(N_SEGMENTS)])
    segment = rng.randint(0, N_SEGMENTS, N_CUSTOMERS)
    rng.randint(0, N_CUSTOMERS, N_BASKETS)
    n_lines = (1 + rng.poisson(ITEMS - 1.0, N_BASKETS)).sum()
    rng.random_sample(n_lines), rng.random_sample(n_lines)
    pool = rng.permutation(np.arange(half, N_PRODUCTS))[:3 * RULES * N_SEGMENTS].reshape(
        N_SEGMENTS, RULES, 3)
    two = rng.random_sample((N_SEGMENTS, RULES)) < 0.5
    habit = rng.randint(0, RULES, N_CUSTOMERS)
    lines["cid"] = lines["customer_id"].str[1:].astype(int) - 1
    lines["pid"] = lines["product"].str[1:].astype(int) - 1
    # The replay must match the generator: segments, planted rules, and each
    # customer's planted consequents belong to its habit.
    assert (lines["segment"].str[1:].astype(int) - 1 == segment[lines["cid"]]).all()
    cons = [f"P{pool[s, r, 2] + 1:03d}" for s in range(N_SEGMENTS) for r in range(RULES)]
    assert [next(iter(c)) for c in truth["consequents"]] == cons
    rule_of = {pool[s, r, 2]: (s, r) for s in range(N_SEGMENTS) for r in range(RULES)}
    seen = lines[lines["pid"].isin(list(rule_of))]
    agree = [rule_of[p] == (segment[c], habit[c])
             for c, p in zip(seen["cid"], seen["pid"], strict=True)]
    # A wrong replay would agree by chance (1 in 9); the few others are Zipf draws.
    assert np.mean(agree) > 0.9, np.mean(agree)
    return lines, segment, habit, pool, two, ranks


def absent(pool: np.ndarray, two: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """P(product absent from a basket | segment, habit, planted event): (S, R, 3, P).

    Events: no rule (1 - RATE), antecedent only, antecedent and consequent.
    """
    w = 1.0 / np.arange(1, N_PRODUCTS + 1)
    w /= w.sum()
    out = np.empty((N_SEGMENTS, RULES, 3, N_PRODUCTS))
    for s in range(N_SEGMENTS):
        q = (1 - MIX) * w
        q[ranks[s]] += MIX * w  # one draw; a basket has 1 + Poisson(ITEMS - 1) draws
        miss = (1 - q) * np.exp(-(ITEMS - 1.0) * q)
        for r in range(RULES):
            out[s, r] = miss
            a, b, c = pool[s, r]
            out[s, r, 1:, a] = 0.0
            if two[s, r]:
                out[s, r, 1:, b] = 0.0
            out[s, r, 2, c] = 0.0
    return out


EVENTS = np.array([1 - RATE, RATE * (1 - CONFIDENCE), RATE * CONFIDENCE])


def pick(weights: np.ndarray, miss: np.ndarray, banned: list[int], k: int = 5) -> set[int]:
    """Greedy: the k products that make a hit in a basket most likely."""
    still = np.ones((len(weights), 3))  # P(no hit so far | habit, event)
    chosen: list[int] = []
    for _ in range(k):
        left = np.einsum("h,he,hep->p", weights, still * EVENTS, miss)
        left[banned + chosen] = np.inf
        chosen.append(int(np.argmin(left)))
        still = still * miss[:, :, chosen[-1]]
    return set(chosen)


def main() -> None:
    lines, segment, habit, pool, two, ranks = replay()
    miss = absent(pool, two, ranks)
    day = pd.to_datetime(lines["date"])
    end = pd.Timestamp(CUTOFF) + pd.Timedelta(days=1)
    train, hold = lines[day < end], lines[day >= end]
    # Posterior of the habit from the customer's baskets before the cutoff.
    log_post = np.zeros((N_CUSTOMERS, RULES))
    for _, basket in train.groupby(["cid", "order_id"]):
        c = int(basket["cid"].iloc[0])
        items = np.zeros(N_PRODUCTS, bool)
        items[basket["pid"].to_numpy()] = True
        s = segment[c]
        tail = pool[s].ravel()  # only the segment's rule products tell habits apart
        p = np.where(items[tail], 1 - miss[s][:, :, tail], miss[s][:, :, tail]).prod(-1)
        log_post[c] += np.log(p @ EVENTS)
    post = np.exp(log_post - log_post.max(1, keepdims=True))
    post /= post.sum(1, keepdims=True)
    before = train.groupby("cid")["pid"].agg(set).to_dict()
    for exclude in (True, False):
        base = compare_recommenders(
            ProductRecommender(min_support=0.005, min_confidence=0.1, by="segment",
                               exclude_purchased=exclude, product_col="product",
                               order_col="order_id"),
            lines.drop(columns=["cid", "pid"]), CUTOFF, n=5).set_index("strategy")
        hits: dict[str, list[bool]] = {"oracle": [], "bayes": [], "segment": []}
        for c, items in hold.groupby("cid")["pid"].agg(set).items():
            had = before.get(c, set())
            new = items - had if exclude else items
            if not new:
                continue
            banned = sorted(had) if exclude else []
            s = segment[c]
            for name, weights in (("oracle", np.eye(RULES)[habit[c]]), ("bayes", post[c]),
                                  ("segment", np.full(RULES, 1 / RULES))):
                hits[name].append(bool(pick(weights, miss[s], banned) & new))
        glob = base.loc["global_popular", "hit_rate"]
        print(f"synthetic, exclude_purchased={exclude}: {len(hits['oracle']):,} holdout "
              f"customers (custseg: {int(base.loc['global_popular', 'n_customers']):,})")
        for name, h in hits.items():
            print(f"  {name:8s} hit@5 {np.mean(h):.4f}  ({np.mean(h) / glob:.2f}x global)")
        print(f"  custseg global best sellers {glob:.4f}, segment best sellers "
              f"{base.loc['segment_popular', 'hit_rate']:.4f}, rules (default blend) "
              f"{base.loc['rules', 'hit_rate']:.4f}; 1.5x global would be {1.5 * glob:.4f}",
              flush=True)


if __name__ == "__main__":
    main()
