"""The keywords that name a transaction log's columns and policies, declared once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from ..exceptions import closest_column

__all__ = ["LOG_COLUMNS", "LOG_OPTIONS", "SHARED_LOG_KEYS", "FutureParam", "LogOptions",
           "LogParams", "ProductParam", "QuantityParam", "check_log_keywords", "log_options"]


class LogOptions(TypedDict, total=False):
    """The keywords every public function that reads a transaction log takes.

    A function such as :func:`custseg.rfm` declares them as ``**log``: each key
    is a keyword argument of :func:`~custseg.io.check_transactions`, with the
    meaning and the default documented there. ``customer_col``, ``time_col``
    and ``amount_col`` name the customer id, timestamp and amount columns;
    ``order_col``, ``quantity_col`` and ``product_col`` the optional order id,
    quantity and item columns; ``observation_date`` is the "as of" date (the
    log's last timestamp by default); ``returns`` is the policy for refunds,
    ``future`` that for rows after the observation date, and ``time_format``
    the format of a text timestamp column. The estimators that read a log
    take the same names as parameters.

    A function given an already validated :class:`~custseg.io.Transactions`
    reads it as it is: only ``observation_date`` (which cuts it there) applies.

    Examples
    --------
    >>> import pandas as pd
    >>> import custseg
    >>> from custseg.io import LogOptions
    >>> log = pd.DataFrame({"id": ["a", "a", "b"], "date": pd.to_datetime(
    ...     ["2024-01-01", "2024-01-05", "2024-01-03"]), "amount": [10.0, 5.0, 7.5]})
    >>> options: LogOptions = {"customer_col": "id", "observation_date": "2024-01-10"}
    >>> custseg.rfm(log, **options)[["id", "recency_days", "frequency"]]
      id  recency_days  frequency
    0  a           5.0          2
    1  b           7.0          1
    """

    customer_col: str
    time_col: str
    amount_col: str
    order_col: str | None
    quantity_col: str | None
    product_col: str | None
    observation_date: Any
    returns: str
    future: str
    time_format: str | None


# The same keywords as the parameters of the estimators that read a log, with their defaults
# (those of check_transactions). scikit-learn reads an estimator's parameters from the signature
# of its ``__init__``; an estimator declared ``@dataclass(kw_only=True, repr=False, eq=False)``
# on these bases gets them there, and declares only its own parameters as fields.
@dataclass(kw_only=True, repr=False, eq=False)
class LogParams:
    """The log parameters every estimator that reads a transaction log takes."""

    customer_col: str = "customer_id"
    time_col: str = "date"
    amount_col: str = "amount"
    order_col: str | None = None
    observation_date: Any = None
    returns: str = "net"
    time_format: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class FutureParam:
    """The ``future`` policy, for an estimator that reads one observation date."""

    future: str = "error"


@dataclass(kw_only=True, repr=False, eq=False)
class QuantityParam:
    """The optional quantity column."""

    quantity_col: str | None = None


@dataclass(kw_only=True, repr=False, eq=False)
class ProductParam:
    """The optional item column."""

    product_col: str | None = None


#: The keywords of :class:`LogOptions`, in order; the first six name columns.
LOG_OPTIONS: tuple[str, ...] = tuple(LogOptions.__annotations__)
LOG_COLUMNS: tuple[str, ...] = LOG_OPTIONS[:6]
#: The keywords a pipeline hands on to the stages that read its log: the columns every stage
#: reads and the log's policies (the dates, and with them ``future``, are each stage's own).
SHARED_LOG_KEYS = ("customer_col", "time_col", "amount_col", "order_col", "returns",
                   "time_format")


def log_options(source: Mapping[str, Any] | object, *, keys: Iterable[str] = LOG_OPTIONS,
                ) -> dict[str, Any]:
    """The :class:`LogOptions` keywords that ``source`` holds.

    ``source`` is a mapping (other names are ignored) or an object whose
    attributes of those names are read (an estimator's parameters, parsed
    command-line arguments); ``keys`` narrows the set (a name the source lacks
    is left to its default).
    """
    if isinstance(source, Mapping):
        return {k: source[k] for k in keys if k in source}
    return {k: getattr(source, k) for k in keys if hasattr(source, k)}


def check_log_keywords(log: Mapping[str, Any], who: str,
                       allowed: Iterable[str] = LOG_OPTIONS) -> dict[str, Any]:
    """``log`` (a function's ``**log``) as a dict, refusing a keyword it does not take.

    A misspelt keyword raises the ``TypeError`` Python raises for any unknown
    keyword argument, with the closest keyword ``who`` takes.
    """
    names = tuple(allowed)
    for key in log:
        if key not in names:
            near = closest_column(key, names)
            hint = f"; did you mean {near!r}?" if near else ""
            raise TypeError(f"{who}() got an unexpected keyword argument {key!r}{hint}")
    return dict(log)
