"""Is there anything to learn in each log of ``bench_baskets.py``? Real against shuffled logs.

A recommender can beat the best sellers only where what a customer buys next depends
on what that customer bought before (own re-buys, basket rules, products bought by the
same customers). This script measures, on the holdout split of each case of
``bench_baskets.py`` (fit up to the cutoff, evaluate on the last 6 months), the gain in
hit rate@5 over the better best-seller baseline of three fixed recommenders, each using
one kind of signal:

* ``own history`` (re-buys only): the customer's own baskets (``history_prior=5``);
* ``basket rules``: the lift of the rules that fired (``rule_weight=1``);
* ``co-purchase``: the lift over whole histories (``cobuy_weight=1``);

and the same gain on logs whose item column is shuffled across the lines of each
segment (customers, orders, dates and each segment's best sellers are kept; every link
between a customer's purchases is cut). Where the real gain sits inside the spread of
the shuffled gains, the log holds no signal a recommender can use, and any recommender
is above or below the best sellers by chance. ``p`` is the share of shuffled logs (of
``--shuffles``, plus the real one) whose gain is at least the real gain; the real gain
is also given in standard deviations of the shuffled ones. The synthetic
log, where customers have planted habits, is the positive control.

Nothing is tuned here: the fixed settings are those of the class description.

Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_baskets_signal.py [--shuffles 30]``
(about 4 minutes).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_baskets import _cases, _fitted, pd_dates

SIGNALS: dict[str, dict[str, Any]] = {
    "own history": {"rule_weight": 0.0, "history_prior": 5.0},
    "basket rules": {"rule_weight": 1.0, "history_prior": 100.0},
    "co-purchase": {"rule_weight": 0.0, "cobuy_weight": 1.0, "history_prior": 100.0},
}


def gains(rec: Any, log: Any, cutoff: str) -> dict[str, float]:
    """Holdout hit@5 of each signal's recommender minus the better baseline's."""
    from custseg.baskets import recommendation_metrics

    later = log[pd_dates(log, rec.time_col) > cutoff]

    def hit(params: dict[str, Any]) -> float:
        est = _fitted(rec, params, log, cutoff)
        return recommendation_metrics(est, later, n=5)["hit_rate"]

    base = max(hit({"strategy": "segment_popular"}), hit({"strategy": "global_popular"}))
    out = {}
    for name, params in SIGNALS.items():
        if name == "own history" and rec.exclude_purchased:
            continue  # nothing bought before is offered again
        if rec.exclude_purchased:
            params = {k: v for k, v in params.items() if k != "history_prior"}
        out[name] = hit({"shrinkage": 100.0, **params}) - base
    return out


def shuffled(log: Any, item: str, by: str, rng: np.random.Generator) -> Any:
    """``log`` with ``item`` permuted across the lines of each ``by`` segment."""
    out = log.copy()
    for _, idx in out.groupby(by).indices.items():
        out.iloc[idx, out.columns.get_loc(item)] = rng.permutation(out[item].to_numpy()[idx])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shuffles", type=int, default=30)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for name, log, rec, _, cutoff in _cases():
        if "synthetic" in name and not rec.exclude_purchased:
            continue  # one positive control is enough
        real = gains(rec, log, cutoff)
        shuffles = args.shuffles
        null = [gains(rec, shuffled(log, rec.product_col, rec.by, rng), cutoff)
                for _ in range(shuffles)]
        print(f"{name}: holdout hit@5 gain over the better best-seller baseline "
              f"(real log; {shuffles} logs shuffled within segments)")
        for signal, gain in real.items():
            spread = np.array([g[signal] for g in null])
            p = (1 + int((spread >= gain).sum())) / (1 + len(spread))
            z = (gain - spread.mean()) / spread.std() if spread.std() else float("nan")
            print(f"  {signal:12s} real {gain:+.4f}; shuffled mean {spread.mean():+.4f}, "
                  f"sd {spread.std():.4f}, max {spread.max():+.4f}; {z:+.1f} sd, "
                  f"p = {p:.3f}", flush=True)


if __name__ == "__main__":
    main()
