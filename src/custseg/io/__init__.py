"""Reading transaction files, validating a transaction log, writing outputs whole.

The names are imported on first use (PEP 562 module ``__getattr__``), so that
``custseg.io._write`` (used by the command line before any work starts) does not
load pandas and polars.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the static view of the names loaded lazily below
    from ._options import LogOptions
    from ._read import read_transactions
    from ._validate import Transactions, check_transactions, parse_date

__all__ = ["LogOptions", "Transactions", "check_transactions", "parse_date", "read_transactions"]

_LAZY = {"read_transactions": "_read", "LogOptions": "_options", "Transactions": "_validate",
         "check_transactions": "_validate", "parse_date": "_validate"}


def __getattr__(name: str) -> Any:
    """Import a public name on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'custseg.io' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
