"""Reading transaction files, validating a transaction log, writing outputs whole."""

from ._read import read_transactions
from ._validate import Transactions, check_transactions, parse_date

__all__ = ["Transactions", "check_transactions", "parse_date", "read_transactions"]
