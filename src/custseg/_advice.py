"""Advice in the words of the surface the user called: Python parameters or command-line flags.

A message that tells the user what to change names an option. The same stage can be
called three ways: directly (``LifecycleStager(active_days=30)``), inside
:class:`~custseg.pipeline.CustomerSegmentation` (``lifecycle=LifecycleStager(...)``)
or from the command line (``--active-days 30``). :func:`option` spells an option for
the surface in force, which the pipeline and the command line set with
:func:`called_from`; a message built with it can always be followed where it is read.

Examples
--------
>>> from custseg._advice import called_from, option
>>> option("drop", stage="churn")
'churn="drop"'
>>> with called_from("cli"):
...     option("drop", stage="churn")
'--drop churn'
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["called_from", "option", "role", "surface"]

# The surfaces, innermost first: a stage called by the pipeline called by the command
# line speaks the command line's words.
_ORDER = ("estimator", "pipeline", "cli")
_SURFACE: contextvars.ContextVar[str] = contextvars.ContextVar("custseg_surface",
                                                               default="estimator")

# option -> spelling per surface ("estimator" falls back to "pipeline").
_SPELLING: dict[str, dict[str, str]] = {
    "drop": {"pipeline": '{stage}="drop"', "cli": "--drop {stage}"},
    "churn_horizon_days": {"pipeline": "churn_horizon_days={value}",
                           "cli": "--churn-horizon-days {value}"},
    "lifecycle_days": {
        "estimator": "active_days= and churn_days= (in days)",
        "pipeline": "lifecycle=LifecycleStager(active_days=30, churn_days=90) (any number "
                    "of days)",
        "cli": "--active-days 30 --churn-days 90 (any number of days)",
    },
    "active_days": {"estimator": "active_days", "pipeline": "the lifecycle stage's active_days",
                    "cli": "--active-days"},
    "churn_days": {"estimator": "churn_days", "pipeline": "the lifecycle stage's churn_days",
                   "cli": "--churn-days"},
    # Not options: what the tier rules learn from, in the caller's words.
    "tier_labels": {"estimator": "y (grades)", "pipeline": "the tier column"},
    "tier_rules_need": {"estimator": "TierClassifier needs at least two grades to learn from.",
                        "pipeline": "the tier rules need at least two tiers to learn from."},
    "n_clusters": {"estimator": "n_clusters={value}",
                   "pipeline": "kmeans=KMeansSegmenter(n_clusters={value})",
                   "cli": "--n-clusters {value}"},
}


# What the command line calls a parameter of the Python API (a column role, a date).
_CLI_ROLES = {"customer_col": "--customer-col", "time_col": "--time-col",
              "amount_col": "--amount-col", "order_col": "--order-col",
              "quantity_col": "--quantity-col", "product_col": "--product-col",
              "time_format": "--time-format", "observation_date": "--as-of", "as_of": "--as-of"}
_ROLES: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("custseg_roles",
                                                                       default=_CLI_ROLES)


def surface() -> str:
    """Return the surface in force: ``"estimator"``, ``"pipeline"`` or ``"cli"``."""
    return _SURFACE.get()


@contextmanager
def called_from(where: str, **flags: str) -> Iterator[None]:
    """Spell options for ``where`` inside the block (an outer surface wins).

    Parameters
    ----------
    where : {"pipeline", "cli"}
        The surface the user called.
    **flags : str
        For the command line: the flag of a parameter where the command's differs
        from the default (``observation_date="--observation-date"``).
    """
    now = _SURFACE.get()
    token = _SURFACE.set(where if _ORDER.index(where) > _ORDER.index(now) else now)
    roles = _ROLES.set({**_ROLES.get(), **flags}) if flags else None
    try:
        yield
    finally:
        if roles is not None:
            _ROLES.reset(roles)
        _SURFACE.reset(token)


def role(name: str) -> str:
    """The name of parameter ``name`` (``"time_col"``) on the surface in force.

    Examples
    --------
    >>> from custseg._advice import called_from, role
    >>> role("time_col")
    'time_col'
    >>> with called_from("cli"):
    ...     role("time_col")
    '--time-col'
    """
    if surface() != "cli":
        return name
    return _ROLES.get().get(name, name)


def option(name: str, **values: Any) -> str:
    """Spell option ``name`` (with ``values`` filled in) for the surface in force.

    Parameters
    ----------
    name : str
        One of the options custseg's advice names (``"drop"``,
        ``"churn_horizon_days"``, ``"lifecycle_days"``, ``"n_clusters"``).
    **values
        The template's fields (``stage=``, ``value=``).

    Returns
    -------
    str
        The option as the user writes it.
    """
    spelled = _SPELLING[name]
    where = surface()
    template = spelled.get(where) or spelled["pipeline"]
    return template.format(**values)
