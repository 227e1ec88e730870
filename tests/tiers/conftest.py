from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

INDUSTRIES = ["ICT", "SaaS", "Retail", "Mining", "Public sector", "O'Brien & Sons"]
SIZES = ["1-9", "10-49", "50-249", "250+"]
REGIONS = ["North", "South", "East", "West"]


def make_b2b(n: int = 600, random_state: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """B2B customers with categorical attributes and grades from a known rule plus noise."""
    rng = np.random.default_rng(random_state)
    X = pd.DataFrame(
        {
            "monetary_total": np.round(rng.lognormal(5, 1, n), 2),
            "frequency": rng.integers(1, 30, n),
            "recency_days": rng.integers(0, 400, n).astype(float),
            "industry": rng.choice(INDUSTRIES, n),
            "size band": rng.choice(SIZES, n),
            "region": pd.Categorical(rng.choice(REGIONS, n)),
        }
    )
    points = (
        np.log(X["monetary_total"]) / 2
        + X["frequency"] / 10
        + X["industry"].isin(["ICT", "SaaS"]) * 1.5
        + X["size band"].map({"1-9": 0.0, "10-49": 0.3, "50-249": 0.8, "250+": 1.2})
        + rng.normal(0, 0.2, n)
    )
    y = pd.Series(np.asarray(["D", "C", "B", "A"])[pd.qcut(points, 4, labels=False)])
    return X, y


@pytest.fixture(scope="module")
def b2b():
    return make_b2b()
