"""Benchmark: association rules on synthetic baskets, custseg against mlxtend.

Prints, in one run, wall time and peak resident set size of a fresh process for:

* custseg ``AssociationRules(min_support, max_len=3)`` fitted on the order lines
  (a polars frame read from parquet; no one-hot matrix);
* mlxtend 0.25 ``fpgrowth`` + ``association_rules`` on the same baskets as a sparse
  one-hot pandas frame (its own process; killed after 10 minutes);

the ratio, and whether both find the same number of rules. Floors (issue 13):
custseg at least 5x faster than mlxtend and at most 2 GB peak RSS. First it prints
the recommender's hit rate, precision, recall and coverage at 5 on a time split
of a synthetic log and of Superstore (when ../shared/data has it), beside the
global and segment best sellers, and a paired sign test against the better of them.

Data: ``make_baskets`` with 1M baskets, 10k products, about 4 items per basket,
Zipf popularity (exponent 1), 3 segments with 5 planted rules each.

Usage: ``python benchmarks/bench_baskets.py [--baskets 1000000] [--skip-mlxtend]
[--recommender-only]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

CACHE = Path(__file__).resolve().parent / "_cache"
TIMEOUT = 600.0


def make_data(n_baskets: int, n_products: int) -> Path:
    path = CACHE / f"baskets_{n_baskets}_{n_products}.parquet"
    if not path.exists():
        from custseg.datasets import make_baskets

        CACHE.mkdir(exist_ok=True)
        t0 = time.perf_counter()
        lines, _ = make_baskets(n_baskets, n_products=n_products, items_per_basket=4.0,
                                rules_per_segment=5, random_state=0, as_frame="polars")
        print(f"generated {lines.height:,} lines in {n_baskets:,} baskets in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        lines.write_parquet(path)
    return path


def run_custseg(path: str, min_support: float, max_len: int) -> dict:
    import polars as pl

    from custseg.baskets import AssociationRules

    lines = pl.read_parquet(path)
    t0 = time.perf_counter()
    est = AssociationRules(min_support=min_support, min_confidence=0.0, min_lift=0.0,
                           max_len=max_len, product_col="product", order_col="order_id")
    rules = est.fit(lines).rules_
    return {"seconds": time.perf_counter() - t0, "rules": len(rules),
            "itemsets": est.n_itemsets_}


def run_mlxtend(path: str, min_support: float, max_len: int) -> dict:
    import numpy as np
    import pandas as pd
    import polars as pl
    import scipy.sparse as sp
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    lines = pl.read_parquet(path, columns=["order_id", "product"]).unique()
    t0 = time.perf_counter()
    _, rows = np.unique(lines["order_id"].to_numpy(), return_inverse=True)
    names, cols = np.unique(lines["product"].to_numpy(), return_inverse=True)
    names = names.tolist()
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)),
                           shape=(int(rows.max()) + 1, len(names)))
    onehot = pd.DataFrame.sparse.from_spmatrix(matrix, columns=names)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    freq = fpgrowth(onehot, min_support=min_support, use_colnames=True, max_len=max_len)
    rules = association_rules(freq, num_itemsets=len(onehot), metric="confidence",
                              min_threshold=0.0)
    return {"seconds": time.perf_counter() - t0, "build_seconds": build, "rules": len(rules),
            "itemsets": len(freq)}


def child(which: str, path: str, min_support: float, max_len: int) -> None:
    out = (run_custseg if which == "custseg" else run_mlxtend)(path, min_support, max_len)
    out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(json.dumps(out))


def in_process(which: str, path: Path, min_support: float, max_len: int) -> dict | str:
    cmd = [sys.executable, __file__, "--child", which, "--path", str(path),
           "--min-support", str(min_support), "--max-len", str(max_len)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"exceeded {TIMEOUT / 60:.0f} minutes (killed)"
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return f"failed (exit {done.returncode}: {tail})"
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cases() -> list[tuple[str, Any, Any, list[str], str]]:
    """(name, log, recommender, validation cutoffs, holdout cutoff) of each evaluated log.

    Each validation cutoff starts a 6-month validation window (the last one ends at
    the holdout cutoff); the blend is chosen on the mean hit rate over them.
    """
    from custseg.baskets import ProductRecommender
    from custseg.datasets import make_baskets

    lines, _ = make_baskets(20_000, n_customers=4000, items_per_basket=2.0,
                            rule_confidence=0.5, random_state=0)
    cases = []
    for exclude in (True, False):
        cases.append((f"synthetic (make_baskets, 20k orders), exclude_purchased={exclude}",
                      lines, ProductRecommender(
                          min_support=0.005, min_confidence=0.1, by="segment",
                          exclude_purchased=exclude, product_col="product",
                          order_col="order_id"), ["2023-06-30", "2023-12-31"], "2024-06-30"))
    superstore = Path(__file__).resolve().parents[2] / "shared" / "data" / "superstore"
    for base in (superstore, Path("/work/shared/data/superstore")):
        if (base / "superstore.csv").exists():
            import pandas as pd

            log = pd.read_csv(base / "superstore.csv")
            # Sub-categories are bought again (re-buys count); products are the sparse level.
            for item, exclude in (("Sub-Category", False), ("Sub-Category", True),
                                  ("Product ID", True)):
                cases.append((f"Superstore by {item}, exclude_purchased={exclude}", log,
                              ProductRecommender(
                                  min_support=0.002, min_confidence=0.05, by="Segment",
                                  exclude_purchased=exclude, product_col=item,
                                  order_col="Order ID", customer_col="Customer ID",
                                  time_col="Order Date", amount_col="Sales"),
                              ["2015-12-31", "2016-06-30", "2016-12-31"], "2017-06-30"))
            break
    return cases


# The two baselines are candidates too: when no blend beats them on validation, the
# chosen recommender is the baseline itself (a tie on the holdout, never above it).
BASELINES: list[dict[str, Any]] = [{"strategy": "segment_popular"},
                                   {"strategy": "global_popular"}]


def _grid(exclude: bool) -> list[dict[str, Any]]:
    grid = [{"rule_weight": w, "shrinkage": b} for w in (0.0, 0.25, 0.5, 1.0)
            for b in (0.0, 100.0, 1000.0)]
    if not exclude:
        grid = [{**g, "history_prior": a} for g in grid for a in (5.0, 20.0, 100.0)]
    return grid


def _before(log: Any, time_col: str, cutoff: str) -> Any:
    import pandas as pd

    return log[pd.to_datetime(log[time_col]) < pd.Timestamp(cutoff) + pd.Timedelta(days=1)]


def _fitted(rec: Any, params: dict[str, Any], log: Any, cut: str) -> Any:
    from sklearn.base import clone

    return clone(rec).set_params(**params, observation_date=cut, future="drop").fit(log)


def _validate(rec: Any, params: dict[str, Any], windows: list[tuple[Any, str, Any]]) -> float:
    """Mean hit rate@5 of ``rec`` with ``params`` over the validation windows.

    Each window is (log up to the window's end, fitting cutoff, the window's lines).
    """
    from custseg.baskets import recommendation_metrics

    return sum(recommendation_metrics(_fitted(rec, params, log, cut), later, n=5)["hit_rate"]
               for log, cut, later in windows) / len(windows)


def _paired(rec: Any, chosen: dict[str, Any], baseline: str, log: Any, cutoff: str,
            later: Any) -> tuple[int, int, float]:
    """Holdout customers hit only by the chosen recommender, only by ``baseline``, and the
    two-sided sign-test p-value of that difference (exact binomial)."""
    from scipy.stats import binomtest

    from custseg.baskets._evaluation import customer_hits

    ours, _ = customer_hits(_fitted(rec, chosen, log, cutoff), later, n=5)
    theirs, _ = customer_hits(_fitted(rec, {"strategy": baseline}, log, cutoff), later, n=5)
    cust = ours.columns[0]
    both = ours.join(theirs, on=cust, suffix="_b")
    win = int(((both["hits"] > 0) & (both["hits_b"] == 0)).sum())
    lose = int(((both["hits"] == 0) & (both["hits_b"] > 0)).sum())
    p = binomtest(win, win + lose).pvalue if win + lose else 1.0
    return win, lose, float(p)


def recommender_figures() -> None:
    """Hit rate@5 of ProductRecommender beside the two best-seller baselines.

    The blend's parameters are chosen on validation windows (fit up to a cutoff,
    evaluate on the next 6 months; the last window ends at the holdout cutoff, so
    nothing of the holdout is seen), with the two baselines as candidates; then the
    chosen recommender is reported on the holdout, with a paired sign test against
    the better baseline (customers hit by one and not the other).
    """
    from sklearn.base import clone

    from custseg.baskets import compare_recommenders

    for name, log, rec, val_cuts, cutoff in _cases():
        t0 = time.perf_counter()
        ends = [*val_cuts[1:], cutoff]
        windows = []
        for cut, end in zip(val_cuts, ends, strict=True):
            upto = _before(log, rec.time_col, end)
            windows.append((upto, cut, upto[pd_dates(upto, rec.time_col) > cut]))
        best_hit, best_params = -1.0, BASELINES[0]
        for params in [*BASELINES, *_grid(rec.exclude_purchased)]:
            hit = _validate(rec, params, windows)
            if hit > best_hit:
                best_hit, best_params = hit, params
        # Then the co-purchase lift on top of the chosen blend (kept only if it helps).
        if "strategy" not in best_params:
            for weight in (1.0, 2.0):
                params = {**best_params, "cobuy_weight": weight}
                hit = _validate(rec, params, windows)
                if hit > best_hit:
                    best_hit, best_params = hit, params
        base = {b["strategy"]: _validate(rec, b, windows) for b in BASELINES}
        table = compare_recommenders(clone(rec).set_params(**best_params), log, cutoff,
                                     n=5).set_index("strategy")
        hit = table["hit_rate"]
        print(f"{name}: {int(table['n_customers'].iloc[0]):,} holdout customers "
              f"(tuned in {time.perf_counter() - t0:.0f} s)")
        print(f"  chosen on {len(windows)} validation windows of 6 months from "
              f"{', '.join(val_cuts)} (the last to {cutoff}): {best_params}; mean validation "
              f"hit@5 {best_hit:.4f}, segment best sellers {base['segment_popular']:.4f}, "
              f"global {base['global_popular']:.4f}")
        for strategy, row in table.iterrows():
            print(f"  holdout {strategy:16s} hit@5 {row['hit_rate']:.4f}  precision@5 "
                  f"{row['precision']:.4f}  recall@5 {row['recall']:.4f}  coverage "
                  f"{row['coverage']:.4f}")
        above = hit["rules"] > hit["segment_popular"] and hit["rules"] > hit["global_popular"]
        rival = "segment_popular" if hit["segment_popular"] >= hit["global_popular"] else (
            "global_popular")
        later = log[pd_dates(log, rec.time_col) > cutoff]
        win, lose, p = _paired(rec, best_params, rival, log, cutoff, later)
        print(f"  holdout: rules above both baselines: {'met' if above else 'NOT met'}; "
              f"{hit['rules'] / hit['global_popular']:.2f}x the global best sellers; against "
              f"{rival}: {win} customers hit only by the chosen recommender, {lose} only by "
              f"the baseline (sign test p = {p:.3g})", flush=True)


def pd_dates(frame: Any, col: str) -> Any:
    import pandas as pd

    return pd.to_datetime(frame[col]).dt.strftime("%Y-%m-%d")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baskets", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--min-support", type=float, default=0.001)
    parser.add_argument("--max-len", type=int, default=3)
    parser.add_argument("--skip-mlxtend", action="store_true")
    parser.add_argument("--recommender-only", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--path")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.path, args.min_support, args.max_len)
        return 0
    recommender_figures()
    if args.recommender_only:
        return 0
    path = make_data(args.baskets, args.products)
    print(f"{args.baskets:,} baskets, {args.products:,} products, min_support "
          f"{args.min_support}, max_len {args.max_len}", flush=True)
    ours = in_process("custseg", path, args.min_support, args.max_len)
    if isinstance(ours, str):
        print(f"custseg: {ours}")
        return 1
    print(f"custseg AssociationRules: {ours['seconds']:.1f} s, peak RSS "
          f"{ours['peak_rss_gb']:.2f} GB, {ours['itemsets']:,} itemsets, {ours['rules']:,} rules",
          flush=True)
    ok = ours["peak_rss_gb"] <= 2.0
    print(f"  floor: peak RSS <= 2 GB: {'met' if ok else 'NOT met'}")
    if args.skip_mlxtend:
        return 0 if ok else 1
    theirs = in_process("mlxtend", path, args.min_support, args.max_len)
    if isinstance(theirs, str):
        print(f"mlxtend fpgrowth + association_rules: {theirs}")
        return 0 if ok else 1
    print(f"mlxtend fpgrowth + association_rules (sparse one-hot): {theirs['seconds']:.1f} s "
          f"(+ {theirs['build_seconds']:.1f} s to build the one-hot frame), peak RSS "
          f"{theirs['peak_rss_gb']:.2f} GB, {theirs['itemsets']:,} itemsets, "
          f"{theirs['rules']:,} rules")
    ratio = theirs["seconds"] / ours["seconds"]
    fast = ratio >= 5.0
    print(f"  custseg is {ratio:.1f}x faster; floor >= 5x: {'met' if fast else 'NOT met'}; "
          f"same rule count: {ours['rules'] == theirs['rules']}")
    return 0 if ok and fast else 1


if __name__ == "__main__":
    raise SystemExit(main())
