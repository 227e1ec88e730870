"""Data helpers of the segments tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg.datasets import make_transactions


def planted_log(n_per_group: int = 150) -> tuple[pd.DataFrame, dict[str, int]]:
    """A transaction log of 4 planted groups: frequent/rare buyers x high/low spend."""
    groups = [
        {"purchases_per_year": 40, "spend_mean": 150.0},
        {"purchases_per_year": 40, "spend_mean": 8.0},
        {"purchases_per_year": 2, "spend_mean": 150.0},
        {"purchases_per_year": 2, "spend_mean": 8.0},
    ]
    logs, truth = [], {}
    for g, params in enumerate(groups):
        log = make_transactions(
            n_per_group, n_days=365, rate_shape=50.0, lifetime_days=1e6, spend_sigma=0.15,
            random_state=g, **params,
        )
        log["customer_id"] = f"g{g}_" + log["customer_id"].astype(str)
        truth.update(dict.fromkeys(log["customer_id"].unique(), g))
        logs.append(log)
    return pd.concat(logs, ignore_index=True), truth


def blobs(n: int = 300, random_state: int = 0) -> np.ndarray:
    rng = np.random.RandomState(random_state)
    centers = np.array([[0.0, 0.0], [6.0, 6.0], [0.0, 6.0]])
    return np.vstack([c + rng.normal(0, 0.5, (n // 3, 2)) for c in centers])
