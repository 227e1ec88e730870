"""Synthetic prospects with planted conversion drivers, and their activity log."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ..exceptions import InvalidValueError

__all__ = ["LEAD_DRIVERS", "make_lead_activities", "make_leads"]

#: The planted drivers of :func:`make_leads`: attribute -> (condition, log-odds effect).
LEAD_DRIVERS: dict[str, tuple[str, float]] = {
    "industry": ("industry = ICT", 2.4),
    "employees": ("employees >= 1000", 2.2),
    "demo_requested": ("demo_requested = yes", 2.6),
}
"""The planted drivers of :func:`make_leads`: attribute -> (condition, log-odds effect)."""
_INDUSTRIES = ["ICT", "Finance", "Retail", "Manufacturing", "Health", "Public sector"]
_REGIONS = ["North", "South", "East", "West", "Capital"]


def make_leads(
    n_leads: int = 2000,
    *,
    base_rate: float = 0.04,
    driver_rate: float = 0.15,
    blank_rate: float = 0.2,
    random_state: int | np.random.RandomState | None = None,
) -> pd.DataFrame:
    """Make synthetic prospects whose conversion is driven by known attributes.

    Three planted drivers raise a lead's log-odds of converting (see
    :data:`LEAD_DRIVERS`): the ICT industry, a company of 1,000 employees or
    more, and a demo request. Each is present in about ``driver_rate`` of the
    leads, independently. ``region``, ``web_visits`` and ``budget`` (blank for
    about ``blank_rate`` of the leads) have no effect at all.

    Parameters
    ----------
    n_leads : int, default=2000
        Number of prospects.
    base_rate : float, default=0.04
        Conversion probability of a lead with no driver.
    driver_rate : float, default=0.15
        Share of leads with each driver.
    blank_rate : float, default=0.2
        Share of blank budgets.
    random_state : int, RandomState or None
        Seed.

    Returns
    -------
    DataFrame
        ``customer_id``, ``industry``, ``employees``, ``region``, ``web_visits``,
        ``budget``, ``demo_requested`` ("yes"/"no"), ``converted`` (0/1) and
        ``driver``: the one driver a lead has, or ``None`` when it has none or
        several.

    Examples
    --------
    >>> from custseg.datasets import make_leads
    >>> leads = make_leads(500, random_state=0)
    >>> leads.shape
    (500, 9)
    >>> sorted(leads["driver"].dropna().unique())
    ['demo_requested', 'employees', 'industry']
    """
    if n_leads < 1:
        raise InvalidValueError(f"n_leads must be at least 1; got {n_leads}.")
    for name, value in {"base_rate": base_rate, "driver_rate": driver_rate}.items():
        if not 0 < value < 1:
            raise InvalidValueError(f"{name} must be in (0, 1); got {value}.")
    if not 0 <= blank_rate < 1:
        raise InvalidValueError(f"blank_rate must be in [0, 1); got {blank_rate}.")
    rng = check_random_state(random_state)
    n = n_leads
    active = rng.random_sample((n, 3)) < driver_rate
    others = [i for i in _INDUSTRIES if i != "ICT"]
    industry = np.where(active[:, 0], "ICT", np.asarray(others)[rng.randint(len(others), size=n)])
    small = np.exp(rng.normal(np.log(80), 1.0, n)).clip(1, 999)
    large = 1000 + np.exp(rng.normal(np.log(1500), 0.8, n))
    employees = np.where(active[:, 1], large, small).round().astype(np.int64)
    demo = np.where(active[:, 2], "yes", "no")
    logit = np.log(base_rate / (1 - base_rate)) + active @ np.asarray(
        [effect for _, effect in LEAD_DRIVERS.values()])
    converted = (rng.random_sample(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    budget = np.round(np.exp(rng.normal(np.log(20_000), 0.9, n)), -2)
    budget[rng.random_sample(n) < blank_rate] = np.nan
    names = np.asarray(list(LEAD_DRIVERS), dtype=object)
    one = active.sum(axis=1) == 1
    driver = np.where(one, names[active.argmax(axis=1)], None)
    width = len(str(n))
    return pd.DataFrame({
        "customer_id": [f"L{k:0{width}d}" for k in range(1, n + 1)],
        "industry": industry,
        "employees": employees,
        "region": np.asarray(_REGIONS)[rng.randint(len(_REGIONS), size=n)],
        "web_visits": rng.poisson(3.0, n),
        "budget": budget,
        "demo_requested": demo,
        "converted": converted,
        "driver": pd.array(driver, dtype=object),
    })


def make_lead_activities(
    leads: pd.DataFrame,
    *,
    observation_date: str = "2024-06-30",
    n_days: int = 180,
    random_state: int | np.random.RandomState | None = None,
) -> pd.DataFrame:
    """An activity log (e-mail opens, visits, demo requests) for the leads of :func:`make_leads`.

    Leads that converted are more active, and more so lately.

    Parameters
    ----------
    leads : DataFrame
        Output of :func:`make_leads` (``customer_id`` and ``converted`` are read).
    observation_date : str, default="2024-06-30"
        Last day of the log.
    n_days : int, default=180
        Length of the log in days.
    random_state : int, RandomState or None
        Seed.

    Returns
    -------
    DataFrame
        ``customer_id``, ``date`` (datetime) and ``activity``, sorted by date.

    Examples
    --------
    >>> from custseg.datasets import make_lead_activities, make_leads
    >>> log = make_lead_activities(make_leads(100, random_state=0), random_state=0)
    >>> sorted(log["activity"].unique())
    ['demo request', 'email open', 'webinar', 'website visit']
    """
    rng = check_random_state(random_state)
    ids = leads["customer_id"].to_numpy()
    hot = leads["converted"].to_numpy() == 1
    counts = rng.poisson(np.where(hot, 12.0, 4.0))
    who = np.repeat(np.arange(len(ids)), counts)
    age = np.where(hot[who], rng.exponential(25.0, who.size), rng.uniform(0, n_days, who.size))
    end = pd.Timestamp(observation_date)
    dates = end - pd.to_timedelta(np.minimum(age, n_days - 1).round(3), unit="D")
    kinds = np.asarray(["email open", "website visit", "webinar", "demo request"])
    activity = kinds[rng.choice(4, size=who.size, p=[0.55, 0.3, 0.1, 0.05])]
    log = pd.DataFrame({"customer_id": ids[who], "date": dates.floor("min"),
                        "activity": activity})
    return log.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)
