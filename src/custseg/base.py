"""Base classes shared by custseg estimators."""

from __future__ import annotations

__all__ = ["TransactionInputMixin"]


class TransactionInputMixin:
    """Mark an estimator whose ``fit``/``transform`` take a raw transaction log.

    Such estimators read named columns of a dataframe (customer id, timestamp,
    amount) rather than a numeric array, so scikit-learn's numeric estimator
    checks do not apply to them; ``tests/test_common.py`` leaves them out and
    tests them with transaction tables instead.

    Examples
    --------
    >>> from custseg.base import TransactionInputMixin
    >>> from custseg.features import RFMFeatures
    >>> issubclass(RFMFeatures, TransactionInputMixin)
    True
    """

    _takes_transactions = True
