from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ..exceptions import InvalidValueError


def make_transactions(
    n_customers: int = 1000,
    *,
    start: str = "2022-01-01",
    n_days: int = 730,
    purchases_per_year: float = 6.0,
    rate_shape: float = 0.8,
    lifetime_days: float = 540.0,
    spend_mean: float = 40.0,
    spend_sigma: float = 0.6,
    n_transactions: int | None = None,
    id_type: str = "str",
    as_frame: str = "pandas",
    random_state: int | np.random.RandomState | None = None,
    return_truth: bool = False,
) -> Any:
    """Make a synthetic transaction log with known ground truth.

    Each customer is born (first purchase) at a uniform time in the first half of
    the window, buys at a personal rate drawn from a gamma distribution (heavy
    tailed for ``rate_shape < 1``, as real purchase rates are) while alive, and
    stops buying for good after an exponential lifetime. Amounts are lognormal
    around a customer-level mean that is itself lognormal. The generator is
    vectorised: 10 million rows take a few seconds.

    Parameters
    ----------
    n_customers : int, default=1000
        Number of customers; each buys at least once.
    start : str, default="2022-01-01"
        First day of the window.
    n_days : int, default=730
        Length of the window in days.
    purchases_per_year : float, default=6.0
        Mean purchase rate of a live customer, per year (ignored when
        ``n_transactions`` is given).
    rate_shape : float, default=0.8
        Shape of the gamma distribution of purchase rates (smaller = heavier tail).
    lifetime_days : float, default=540.0
        Mean customer lifetime (days from first purchase to dropout).
    spend_mean : float, default=40.0
        Typical amount of one transaction, in currency units.
    spend_sigma : float, default=0.6
        Log-scale spread of amounts within and between customers.
    n_transactions : int, optional
        Approximate number of rows wanted; purchase rates are scaled to give it.
    id_type : {"str", "int"}, default="str"
        Customer ids as zero-padded text (``"C0000001"``) or integers.
    as_frame : {"pandas", "polars"}, default="pandas"
        Kind of frame to return.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible logs.
    return_truth : bool, default=False
        Also return the per-customer ground truth.

    Returns
    -------
    transactions : DataFrame
        Columns ``customer_id``, ``date`` (datetime, second precision) and
        ``amount`` (float), sorted by date.
    truth : DataFrame
        Only when ``return_truth``: one row per customer with ``customer_id``,
        ``birth`` and ``dropout`` (timestamps; ``dropout`` is after the window end
        for customers still alive), ``alive_at_end`` (bool), ``purchase_rate``
        (purchases per day while alive), ``mean_spend`` and ``n_purchases``.

    See Also
    --------
    load_cdnow : The real CDNOW purchase log.

    Examples
    --------
    >>> from custseg.datasets import make_transactions
    >>> log, truth = make_transactions(200, random_state=0, return_truth=True)
    >>> list(log.columns)
    ['customer_id', 'date', 'amount']
    >>> log["customer_id"].nunique(), len(truth)
    (200, 200)
    >>> bool((log["amount"] > 0).all())
    True
    """
    if not isinstance(n_customers, int | np.integer) or n_customers < 1:
        raise InvalidValueError(f"n_customers={n_customers!r} must be a positive integer.")
    if n_days < 1:
        raise InvalidValueError(f"n_days={n_days!r} must be at least 1.")
    if id_type not in ("str", "int"):
        raise InvalidValueError(f"id_type={id_type!r} is not one of ('str', 'int').")
    if as_frame not in ("pandas", "polars"):
        raise InvalidValueError(f"as_frame={as_frame!r} is not one of ('pandas', 'polars').")
    for name, value in [("purchases_per_year", purchases_per_year), ("rate_shape", rate_shape),
                        ("lifetime_days", lifetime_days), ("spend_mean", spend_mean)]:
        if not value > 0:
            raise InvalidValueError(f"{name}={value!r} must be positive.")
    rng = check_random_state(random_state)
    n = int(n_customers)
    birth = rng.uniform(0.0, n_days / 2.0, size=n)
    rate = rng.gamma(rate_shape, purchases_per_year / 365.0 / rate_shape, size=n)
    lifetime = rng.exponential(lifetime_days, size=n)
    dropout = birth + lifetime
    active = np.minimum(dropout, float(n_days)) - birth
    if n_transactions is not None:
        wanted_repeat = max(int(n_transactions) - n, 0)
        expected = float(np.sum(rate * active))
        if expected > 0:
            rate = rate * (wanted_repeat / expected)
    n_repeat = rng.poisson(rate * active)
    counts = n_repeat + 1
    owner = np.repeat(np.arange(n), counts)
    first_row = np.zeros(counts.sum(), dtype=bool)
    first_row[np.concatenate(([0], np.cumsum(counts)[:-1]))] = True
    offset = rng.uniform(0.0, 1.0, size=owner.size) * active[owner]
    days = birth[owner] + np.where(first_row, 0.0, offset)
    cust_mean = spend_mean * rng.lognormal(0.0, spend_sigma, size=n)
    amount = np.round(cust_mean[owner] * rng.lognormal(-spend_sigma**2 / 2, spend_sigma,
                                                       size=owner.size), 2)
    amount = np.maximum(amount, 0.01)
    order = np.argsort(days, kind="stable")
    owner, days, amount = owner[order], days[order], amount[order]
    origin: Any = pd.Timestamp(start).to_datetime64().astype("datetime64[s]")
    seconds = np.floor(days * 86400.0).astype("int64").astype("timedelta64[s]")
    stamps = origin + seconds
    if id_type == "str":
        width = max(7, len(str(n)))
        ids: Any = pd.array([f"C{i:0{width}d}" for i in range(1, n + 1)], dtype="str")
        cust = ids.take(owner)
    else:
        ids = np.arange(1, n + 1, dtype="int64")
        cust = ids[owner]
    log = pd.DataFrame({"customer_id": cust, "date": stamps, "amount": amount})
    log["date"] = log["date"].astype("datetime64[us]")
    truth = None
    if return_truth:
        to_ts = lambda d: (origin + np.floor(d * 86400.0).astype("int64")  # noqa: E731
                           .astype("timedelta64[s]")).astype("datetime64[us]")
        truth = pd.DataFrame({
            "customer_id": ids,
            "birth": to_ts(birth),
            "dropout": to_ts(dropout),
            "alive_at_end": dropout > n_days,
            "purchase_rate": rate,
            "mean_spend": cust_mean,
            "n_purchases": counts.astype("int64"),
        })
    out: Any = log
    out_truth: Any = truth
    if as_frame == "polars":
        import polars as pl

        out = pl.from_pandas(log)
        out_truth = pl.from_pandas(truth) if truth is not None else None
    return (out, out_truth) if return_truth else out
