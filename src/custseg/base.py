"""Base classes shared by custseg estimators."""

from __future__ import annotations

from typing import Any

import numpy as np

from .io._options import LogParams

__all__ = ["FrameInputMixin", "OutputNamesMixin", "TransactionInputMixin"]


class FrameInputMixin:
    """Mark an estimator that reads named columns of a dataframe.

    Such estimators give each column a fixed meaning (recency, frequency, a
    timestamp...) instead of taking an arbitrary numeric matrix.
    ``tests/test_common.py`` runs scikit-learn's input-free checks on them and
    the data checks on real inputs of the right kind; those with a documented
    numeric-matrix input (a basket matrix, a customer-by-period matrix) run the
    whole of scikit-learn's estimator checks on it.

    Examples
    --------
    >>> from custseg.base import FrameInputMixin
    >>> from custseg.segments import RFMScorer
    >>> issubclass(RFMScorer, FrameInputMixin)
    True
    """

    _takes_frames = True


class TransactionInputMixin(LogParams, FrameInputMixin):
    """Mark an estimator whose ``fit``/``transform`` take a raw transaction log.

    A :class:`FrameInputMixin` whose input is the transaction log itself
    (customer id, timestamp, amount columns). Its log parameters are declared
    once, with :func:`~custseg.io.check_transactions`' defaults: an estimator is
    a keyword-only dataclass (``@dataclass(kw_only=True, repr=False, eq=False)``)
    whose fields are its own parameters, so that scikit-learn finds them all in
    the signature of its ``__init__``.

    Examples
    --------
    >>> from custseg.base import TransactionInputMixin
    >>> from custseg.features import RFMFeatures
    >>> issubclass(RFMFeatures, TransactionInputMixin)
    True
    """

    _takes_transactions = True

    def _log_params(self, keys: Any = None) -> dict[str, Any]:
        """Return the estimator's :class:`~custseg.io.LogOptions` parameters (or ``keys``)."""
        from .io._options import LOG_OPTIONS, log_options

        return log_options(self, keys=LOG_OPTIONS if keys is None else keys)

    def _check_log(self, X: Any, **overrides: Any) -> Any:
        """``X`` validated with the estimator's log parameters (``overrides`` replace some)."""
        from .features._core import as_transactions

        return as_transactions(X, **{**self._log_params(), **overrides})

    def _record(self, tx: Any) -> None:
        """Record the columns of a validated log (``feature_names_in_``, ``n_features_in_``)."""
        self.feature_names_in_ = np.asarray(tx.info.columns, dtype=object)
        self.n_features_in_ = len(tx.info.columns)


class OutputNamesMixin:
    """``get_feature_names_out`` for an estimator whose output columns it knows once fitted.

    The estimator lists its output columns in ``_output_names()``; this mixin
    checks that it is fitted and returns them, with the one docstring.

    Examples
    --------
    >>> from custseg.base import OutputNamesMixin
    >>> from custseg.features import RFMFeatures
    >>> issubclass(RFMFeatures, OutputNamesMixin)
    True
    """

    def _output_names(self) -> list[str]:
        raise NotImplementedError

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns, in the order ``transform`` writes them.

        Parameters
        ----------
        input_features : None
            Ignored (the output columns do not depend on the input's names).

        Returns
        -------
        ndarray of str
            The output column names: the customer id column first when the
            output has one (see the class's ``transform`` for the others).
        """
        # Imported here: custseg.base is read at start-up, scikit-learn only by estimators.
        from ._sklearn_compat import check_is_fitted

        check_is_fitted(self)
        return np.asarray(self._output_names(), dtype=object)
