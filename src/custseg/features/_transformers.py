"""scikit-learn transformers wrapping the feature builders."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import Any, ClassVar

from sklearn.base import BaseEstimator, TransformerMixin

from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..base import OutputNamesMixin, TransactionInputMixin
from ..io._options import FutureParam, ProductParam, QuantityParam
from ..io._validate import Transactions
from ._builders import (
    BTYD_COLUMNS,
    DEFAULT_WINDOWS,
    RFM_COLUMNS,
    _check_windows,
    behaviour_from,
    btyd_from,
    customer_features_from,
    rfm_from,
)
from ._core import UNITS

__all__ = ["BTYDFeatures", "BehaviouralFeatures", "CustomerFeatures", "RFMFeatures"]

# The allowed values of the transaction-log parameters (the keys of custseg.io.LogOptions),
# for every estimator that reads a raw log: each takes the entries of the parameters it has.
LOG_CONSTRAINTS: dict[str, list[Any]] = {
    "customer_col": [str],
    "time_col": [str],
    "amount_col": [str],
    "order_col": [str, None],
    "quantity_col": [str, None],
    "product_col": [str, None],
    "observation_date": "no_validation",  # type: ignore[dict-item]
    "returns": [StrOptions({"net", "drop", "error"})],
    "future": [StrOptions({"error", "drop"})],
    "time_format": [str, None],
}
_COMMON_CONSTRAINTS: dict[str, list[Any]] = {
    **{k: v for k, v in LOG_CONSTRAINTS.items() if k not in ("quantity_col", "product_col")},
    "occasion": [StrOptions({"day", "order", "row"})],
}


class _TransactionTransformer(OutputNamesMixin, TransactionInputMixin, TransformerMixin,
                              BaseEstimator):
    """Shared fit/transform of the transaction-log transformers.

    ``fit`` validates the log and records its columns; it learns nothing else
    (every feature is a deterministic function of the log and the observation
    date), so ``transform`` works on any log with the same columns, such as a
    later extract.
    """

    future: str

    def _feature_columns(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _compute(self, tx: Transactions) -> Any:
        raise NotImplementedError

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> Any:
        """Validate the transaction log and record its columns.

        Parameters
        ----------
        X : dataframe or lazy frame
            The transaction log.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        self._record(self._check_log(X))
        return self

    def transform(self, X: Any) -> Any:
        """Build the per-customer features of a transaction log.

        Parameters
        ----------
        X : dataframe or lazy frame
            The transaction log, with the columns named by the parameters.

        Returns
        -------
        DataFrame
            One row per customer, sorted by customer id, same kind of frame as ``X``.
        """
        check_is_fitted(self)
        return self._compute(self._check_log(X))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """Validate the log once, record its columns and return its features.

        Parameters
        ----------
        X : dataframe or lazy frame
            The transaction log.
        y : None
            Ignored.
        **fit_params : dict
            Ignored.

        Returns
        -------
        DataFrame
            The features, as :meth:`transform` returns them.
        """
        tx = self._check_log(X)
        self._record(tx)
        return self._compute(tx)

    def _output_names(self) -> list[str]:
        return [self.customer_col, *self._feature_columns()]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


@dataclass(kw_only=True, repr=False, eq=False)
class RFMFeatures(FutureParam, _TransactionTransformer):
    """Transformer: a transaction log in, RFM features per customer out.

    The transformer form of :func:`custseg.features.rfm`, for pipelines.

    Parameters
    ----------
    customer_col, time_col, amount_col, order_col, returns, future, time_format
        The log's columns and policies (:class:`~custseg.io.LogOptions`).
    observation_date : date-like, optional
        The "as of" date; default: the last timestamp of the log being transformed.
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`custseg.features.rfm`).

    Attributes
    ----------
    feature_names_in_ : ndarray of str
        Columns of the log seen in ``fit``.
    n_features_in_ : int
        Number of those columns.

    See Also
    --------
    custseg.features.rfm : The column definitions.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import RFMFeatures
    >>> feats = RFMFeatures(observation_date="1997-12-31", future="drop")
    >>> table = feats.fit_transform(load_cdnow(sample=True))
    >>> table.shape
    (2357, 8)
    >>> feats.get_feature_names_out()[:3].tolist()
    ['customer_id', 'recency_days', 'frequency']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = dict(_COMMON_CONSTRAINTS)

    occasion: str = "day"

    def _feature_columns(self) -> tuple[str, ...]:
        return RFM_COLUMNS

    def _compute(self, tx: Transactions) -> Any:
        return rfm_from(tx, self.occasion)


@dataclass(kw_only=True, repr=False, eq=False)
class BTYDFeatures(FutureParam, _TransactionTransformer):
    """Transformer: a transaction log in, the BTYD summary per customer out.

    The transformer form of :func:`custseg.features.btyd_summary`
    (``frequency``, ``recency``, ``T``, ``monetary_value``).

    Parameters
    ----------
    customer_col, time_col, amount_col, order_col, returns, future, time_format
        The log's columns and policies (:class:`~custseg.io.LogOptions`).
    observation_date : date-like, optional
        End of the observation period; default: the last timestamp.
    unit : {"D", "W", "h", "days", "weeks", "hours"}, default="D"
        Time unit of ``recency`` and ``T``.
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`custseg.features.rfm`).

    Attributes
    ----------
    feature_names_in_ : ndarray of str
        Columns of the log seen in ``fit``.
    n_features_in_ : int
        Number of those columns.

    See Also
    --------
    custseg.features.btyd_summary : The column definitions.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import BTYDFeatures
    >>> summary = BTYDFeatures(observation_date="1997-09-30", unit="W", future="drop")
    >>> table = summary.fit_transform(load_cdnow(sample=True))
    >>> table.iloc[0]["customer_id"], table.iloc[0, 1:].astype(float).round(3).tolist()
    ('0001', [2.0, 30.429, 38.857, 22.345])
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_COMMON_CONSTRAINTS,
        "unit": [StrOptions(set(UNITS))],
    }

    unit: str = "D"
    occasion: str = "day"

    def _feature_columns(self) -> tuple[str, ...]:
        return BTYD_COLUMNS

    def _compute(self, tx: Transactions) -> Any:
        return btyd_from(tx, self.occasion, self.unit)


class _WithBehaviour(_TransactionTransformer):
    quantity_col: str | None
    product_col: str | None
    windows: Any
    trend_window: int
    occasion: str

    def _behaviour_columns(self) -> tuple[str, ...]:
        wins, _ = _check_windows(self.windows, self.trend_window)
        cols = ["ipt_mean_days", "ipt_median_days", "ipt_std_days", "ipt_cv"]
        for w in wins:
            cols += [f"purchases_{w}d", f"spend_{w}d"]
        cols += ["spend_trend", "avg_order_value"]
        if self.quantity_col is not None:
            cols.append("avg_order_quantity")
        if self.product_col is not None:
            cols.append("distinct_products")
        return tuple(cols)


_BEHAVIOUR_CONSTRAINTS: dict[str, list[Any]] = {
    **LOG_CONSTRAINTS,
    "occasion": _COMMON_CONSTRAINTS["occasion"],
    "windows": ["array-like"],
    "trend_window": [Interval(Integral, 1, None, closed="left")],
}


@dataclass(kw_only=True, repr=False, eq=False)
class BehaviouralFeatures(FutureParam, QuantityParam, ProductParam, _WithBehaviour):
    """Transformer: a transaction log in, behavioural features per customer out.

    The transformer form of :func:`custseg.features.behavioural_features`.

    Parameters
    ----------
    customer_col, time_col, amount_col, order_col, quantity_col, product_col, returns, \
future, time_format
        The log's columns and policies (:class:`~custseg.io.LogOptions`);
        ``quantity_col`` and ``product_col`` add two features.
    observation_date : date-like, optional
        The "as of" date; default: the last timestamp.
    windows : tuple of int, default=(30, 90, 365)
        Trailing windows in days.
    trend_window : int, default=90
        Window length compared by ``spend_trend``.
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`custseg.features.rfm`).

    Attributes
    ----------
    feature_names_in_ : ndarray of str
        Columns of the log seen in ``fit``.
    n_features_in_ : int
        Number of those columns.

    See Also
    --------
    custseg.features.behavioural_features : The column definitions.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import BehaviouralFeatures
    >>> table = BehaviouralFeatures(windows=(90,)).fit_transform(load_cdnow(sample=True))
    >>> table.columns.tolist()[:3]
    ['customer_id', 'ipt_mean_days', 'ipt_median_days']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = dict(_BEHAVIOUR_CONSTRAINTS)

    windows: tuple[int, ...] = DEFAULT_WINDOWS
    trend_window: int = 90
    occasion: str = "day"

    def _feature_columns(self) -> tuple[str, ...]:
        return self._behaviour_columns()

    def _compute(self, tx: Transactions) -> Any:
        wins, trend = _check_windows(self.windows, self.trend_window)
        return behaviour_from(tx, self.occasion, wins, trend)


class CustomerFeatures(BehaviouralFeatures):
    """Transformer: a transaction log in, RFM and behavioural features out.

    The transformer form of :func:`custseg.features.customer_features`; the usual
    first step of a custseg pipeline.

    Parameters
    ----------
    customer_col, time_col, amount_col, order_col, quantity_col, product_col, \
observation_date, windows, trend_window, occasion, returns, future, time_format
        As in :class:`BehaviouralFeatures`.

    Attributes
    ----------
    feature_names_in_, n_features_in_
        As in :class:`BehaviouralFeatures`.

    See Also
    --------
    RFMFeatures, BehaviouralFeatures : The two halves.

    Examples
    --------
    >>> import polars as pl
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.features import CustomerFeatures
    >>> log = load_cdnow(sample=True, as_frame="polars")
    >>> table = CustomerFeatures().fit_transform(log)
    >>> isinstance(table, pl.DataFrame), table.height
    (True, 2357)
    """

    def _feature_columns(self) -> tuple[str, ...]:
        return RFM_COLUMNS + self._behaviour_columns()

    def _compute(self, tx: Transactions) -> Any:
        wins, trend = _check_windows(self.windows, self.trend_window)
        return customer_features_from(tx, self.occasion, wins, trend)
