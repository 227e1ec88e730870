"""Bounded fuzz test: mutated transaction files give a result or a custseg error, nothing
else (the long run is benchmarks/bench_fuzz.py)."""

from __future__ import annotations

from ._fuzz import fuzz


def test_mutated_logs_give_results_or_custseg_errors(tmp_path):
    tally = fuzz(100, seed=20241202, folder=tmp_path, full_every=15, budget_seconds=15.0)
    assert tally.total >= 30, tally  # the budget is generous; a slow machine still fuzzes
    assert tally.failures == []
    assert tally.ok > 0 and tally.refused > 0  # both kinds of outcome are exercised
