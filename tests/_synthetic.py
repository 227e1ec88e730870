"""Synthetic transaction logs shared by tests that need more than CDNOW's midnight dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from custseg.datasets import make_transactions


def timestamped_log(
    n_customers: int, seed: int, tz: str | None = None, *, items: bool = False
) -> pd.DataFrame:
    """Timestamps to the second, refunds (some on a day of their own), orders of two rows.

    ``items`` adds ``quantity`` and ``product`` columns; ``tz`` expresses the times
    in that zone (they are drawn in UTC).
    """
    log = make_transactions(n_customers, random_state=seed)
    rng = np.random.default_rng(seed)
    refunds = log.sample(frac=0.1, random_state=seed).assign(
        amount=lambda d: -np.round(d["amount"] * rng.uniform(0.1, 1.0, len(d)), 2),
        date=lambda d: d["date"] + pd.to_timedelta(rng.integers(0, 3 * 86400, len(d)), "s"),
    )
    log = pd.concat([log, refunds], ignore_index=True).sort_values("date", kind="stable")
    log = log[log["date"] < pd.Timestamp("2024-01-01")].reset_index(drop=True)
    log["order_id"] = log.groupby("customer_id").cumcount() // 2
    if items:
        log["quantity"] = rng.integers(1, 4, len(log))
        log["product"] = rng.choice(["p1", "p2", "p3", "p4"], len(log))
    if tz is not None:
        log["date"] = log["date"].dt.tz_localize("UTC").dt.tz_convert(tz)
    return log
