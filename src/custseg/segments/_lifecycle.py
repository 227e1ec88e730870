"""Lifecycle stages (prospect, new, active, dormant, churned) as of an observation date."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import narwhals.stable.v2 as nw
import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, TransformerMixin

from .._frame import to_kind
from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..base import TransactionInputMixin
from ..exceptions import InvalidDtypeError, InvalidValueError
from ..features._core import PURCH, as_transactions, check_occasion, occasions, per_customer_rfm
from ..features._transformers import _COMMON_CONSTRAINTS
from ..io._validate import CID, TIME, Transactions

__all__ = ["STAGES", "LifecycleStager"]

#: The stages, in lifecycle order.
STAGES = ("prospect", "new", "active", "dormant", "churned")
_THRESHOLDS = ("new_days", "active_days", "churn_days")


def _collect_polars(frame: nw.LazyFrame[Any]) -> pl.DataFrame:
    native = frame.collect(backend="polars").to_native()
    assert isinstance(native, pl.DataFrame)
    return native


class LifecycleStager(TransactionInputMixin, TransformerMixin, BaseEstimator):
    """Transformer: a transaction log in, each customer's lifecycle stage out.

    Stages, as of the observation date, from the customer's first and last
    purchase (checked in this order):

    - ``"prospect"``: a known customer without any purchase: in the
      ``customers`` list passed to :meth:`transform` but not in the log, or
      whose only rows are refunds;
    - ``"new"``: first purchase at most ``new_days`` days ago;
    - ``"active"``: last purchase at most ``active_days`` days ago;
    - ``"dormant"`` (at risk): last purchase more than ``active_days`` and at
      most ``churn_days`` days ago;
    - ``"churned"``: last purchase more than ``churn_days`` days ago.

    The input is the raw transaction log, as for :func:`custseg.features.rfm`
    (whose ``recency_days`` and ``tenure_days`` it uses), because the adaptive
    thresholds need the gaps between purchases. **Adaptive thresholds**
    (``"auto"``, the default): ``fit`` pools the inter-purchase gaps of all
    customers (days between consecutive purchase occasions up to the observation
    date) and takes ``active_days`` = their ``active_quantile`` quantile (80% of
    repeat purchases come sooner than this after the previous one) and
    ``churn_days`` = their ``churn_quantile`` quantile (95%: a customer silent
    for longer has most likely left), both rounded up to whole days;
    ``new_days`` = ``active_days``. ``thresholds_`` records the numbers chosen
    and ``threshold_rules_`` how. Explicit numbers of days replace any of them.

    Parameters
    ----------
    new_days, active_days, churn_days : float or "auto", default="auto"
        Day thresholds of the stages (see above). ``churn_days`` must exceed
        ``active_days``; an automatic ``churn_days`` is at least
        ``active_days + 1``.
    active_quantile, churn_quantile : float, default=0.8 and 0.95
        Quantiles of the pooled inter-purchase gaps used by ``"auto"``.
    customer_col, time_col, amount_col : str
        Column names of the customer id, timestamp and amount.
    order_col : str, optional
        Order id column (needed for ``occasion="order"``).
    observation_date : date-like, optional
        The "as of" date; default: the last timestamp of the log being
        transformed (and, in ``fit``, of the log being fitted).
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`custseg.features.rfm`).
    returns : {"net", "drop", "error"}, default="net"
        Policy for negative amounts.
    future : {"error", "drop"}, default="error"
        Transactions after ``observation_date``: raise, or leave them out.
    time_format : str, optional
        Format of a text timestamp column.

    Attributes
    ----------
    thresholds_ : dict of str to float
        ``new_days``, ``active_days`` and ``churn_days`` used by :meth:`transform`.
    threshold_rules_ : dict of str to str
        How each threshold was set, with the numbers behind it.
    gap_quantiles_ : dict of float to float
        Quantiles 0.5, 0.8, 0.9, 0.95 and 0.99 of the pooled inter-purchase
        gaps, in days (empty when the log has no repeat purchase).
    n_gaps_ : int
        Number of pooled inter-purchase gaps.
    feature_names_in_ : ndarray of str
        Columns of the log seen in ``fit``.
    n_features_in_ : int
        Number of those columns.

    See Also
    --------
    custseg.features.rfm : Recency and tenure, the inputs of the stages.
    segment_migration : Stage changes between two dates.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.segments import LifecycleStager
    >>> log = pd.DataFrame({
    ...     "customer_id": ["a", "a", "b", "b", "c", "d", "d"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-03-20", "2024-01-05", "2024-02-01",
    ...                             "2024-03-25", "2023-06-01", "2023-07-01"]),
    ...     "amount": [10.0, 20.0, 5.0, 5.0, 30.0, 8.0, 9.0]})
    >>> stager = LifecycleStager(active_days=30, churn_days=90, observation_date="2024-03-31")
    >>> stager.fit_transform(log, customers=["a", "b", "c", "d", "e"])
      customer_id     stage  recency_days  frequency  tenure_days
    0           a    active          11.0          2         90.0
    1           b   dormant          59.0          2         86.0
    2           c       new           6.0          1          6.0
    3           d   churned         274.0          2        304.0
    4           e  prospect           NaN          0          NaN
    """

    _parameter_constraints: dict[str, list[Any]] = {
        **_COMMON_CONSTRAINTS,
        "new_days": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "active_days": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "churn_days": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "active_quantile": [Interval(Real, 0, 1, closed="neither")],
        "churn_quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        *,
        new_days: float | str = "auto",
        active_days: float | str = "auto",
        churn_days: float | str = "auto",
        active_quantile: float = 0.8,
        churn_quantile: float = 0.95,
        customer_col: str = "customer_id",
        time_col: str = "date",
        amount_col: str = "amount",
        order_col: str | None = None,
        observation_date: Any = None,
        occasion: str = "day",
        returns: str = "net",
        future: str = "error",
        time_format: str | None = None,
    ) -> None:
        self.new_days = new_days
        self.active_days = active_days
        self.churn_days = churn_days
        self.active_quantile = active_quantile
        self.churn_quantile = churn_quantile
        self.customer_col = customer_col
        self.time_col = time_col
        self.amount_col = amount_col
        self.order_col = order_col
        self.observation_date = observation_date
        self.occasion = occasion
        self.returns = returns
        self.future = future
        self.time_format = time_format

    def _check(self, X: Any) -> Transactions:
        tx = as_transactions(
            X, customer_col=self.customer_col, time_col=self.time_col,
            amount_col=self.amount_col, order_col=self.order_col,
            observation_date=self.observation_date, returns=self.returns,
            future=self.future, time_format=self.time_format,
        )
        check_occasion(self.occasion, tx)
        return tx

    def _gaps(self, tx: Transactions) -> np.ndarray:
        occ = occasions(tx, self.occasion)
        if PURCH in occ.collect_schema().names():
            occ = occ.filter(nw.col(PURCH))
        df = _collect_polars(occ.select(CID, TIME))
        gaps = (
            df.sort([CID, TIME])
            .select(pl.col(TIME).diff().over(CID).dt.total_microseconds() / 86_400e6)
            .to_series()
            .drop_nulls()
            .to_numpy()
        )
        return np.asarray(gaps, dtype=np.float64)

    def _resolve(self, gaps: np.ndarray) -> None:
        quantiles = (0.5, 0.8, 0.9, 0.95, 0.99)
        self.gap_quantiles_ = (
            {q: float(np.quantile(gaps, q)) for q in quantiles} if len(gaps) else {}
        )
        self.n_gaps_ = len(gaps)
        needs_gaps = self.active_days == "auto" or self.churn_days == "auto"
        if needs_gaps and not len(gaps):
            raise InvalidValueError(
                "active_days/churn_days='auto' derive the thresholds from the gaps between "
                "purchases, but no customer in the log has two purchase occasions; pass "
                "active_days= and churn_days= in days."
            )
        rules: dict[str, str] = {}
        if self.active_days == "auto":
            q = float(self.active_quantile)
            active = float(math.ceil(np.quantile(gaps, q)))
            rules["active_days"] = (
                f"{q:.0%} quantile of {len(gaps):,} inter-purchase gaps, rounded up: "
                f"{active:g} days"
            )
        else:
            active = float(self.active_days)
            rules["active_days"] = f"given: {active:g} days"
        if self.churn_days == "auto":
            q = float(self.churn_quantile)
            raw = float(math.ceil(np.quantile(gaps, q)))
            churn = max(raw, active + 1.0)
            rules["churn_days"] = (
                f"{q:.0%} quantile of {len(gaps):,} inter-purchase gaps, rounded up: "
                f"{raw:g} days" + ("" if churn == raw else f", raised to active_days + 1 = "
                                   f"{churn:g}")
            )
        else:
            churn = float(self.churn_days)
            rules["churn_days"] = f"given: {churn:g} days"
        if churn <= active:
            raise InvalidValueError(
                f"churn_days ({churn:g}) must exceed active_days ({active:g})."
            )
        if self.new_days == "auto":
            new = active
            rules["new_days"] = f"equal to active_days: {new:g} days"
        else:
            new = float(self.new_days)
            rules["new_days"] = f"given: {new:g} days"
        self.thresholds_ = {"new_days": new, "active_days": active, "churn_days": churn}
        self.threshold_rules_ = {k: rules[k] for k in _THRESHOLDS}

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any = None) -> LifecycleStager:
        """Validate the log and set the day thresholds (adaptive ones from its gaps).

        Parameters
        ----------
        X : dataframe or lazy frame
            The transaction log.
        y : None
            Ignored.

        Returns
        -------
        self : LifecycleStager
            The fitted stager.
        """
        tx = self._check(X)
        self._resolve(self._gaps(tx))
        self._record(tx)
        return self

    def _stage(self, tx: Transactions, customers: Any) -> Any:
        t = self.thresholds_
        base = per_customer_rfm(tx, self.occasion).select(
            CID, "recency_days", "frequency", "tenure_days"
        )
        df = _collect_polars(base)
        stage = (
            pl.when(pl.col("frequency") <= 0).then(pl.lit("prospect"))
            .when(pl.col("tenure_days") <= t["new_days"]).then(pl.lit("new"))
            .when(pl.col("recency_days") <= t["active_days"]).then(pl.lit("active"))
            .when(pl.col("recency_days") <= t["churn_days"]).then(pl.lit("dormant"))
            .otherwise(pl.lit("churned"))
        )
        df = df.with_columns(stage.alias("stage")).select(
            CID, "stage", "recency_days", "frequency", "tenure_days"
        )
        if customers is not None:
            df = self._add_prospects(df, customers)
        df = df.sort(CID).rename({CID: tx.customer_col})
        return to_kind(df, tx.info, keep_dtypes=(tx.customer_col,))

    def _add_prospects(self, df: pl.DataFrame, customers: Any) -> pl.DataFrame:
        if isinstance(customers, (str, bytes)) or not hasattr(customers, "__iter__"):
            raise InvalidDtypeError(
                f"customers must be a list, array or Series of customer ids; got "
                f"{type(customers).__name__}."
            )
        values = nw.from_native(customers, series_only=True).to_list() if _is_series(
            customers) else list(customers)
        dtype = df.schema[CID]
        try:
            ids = pl.Series(CID, values).cast(dtype, strict=True)
        except (pl.exceptions.PolarsError, TypeError, ValueError) as err:
            raise InvalidDtypeError(
                f"customers holds ids that cannot be compared with the log's "
                f"{self.customer_col!r} column (dtype {dtype}): {err}"
            ) from err
        n_null = int(ids.is_null().sum())
        if n_null:
            raise InvalidValueError(f"customers holds {n_null} missing id(s).")
        unique = ids.unique(maintain_order=True)
        extra = unique.filter(~unique.is_in(df[CID].implode()))
        prospects = pl.DataFrame({
            CID: extra,
            "stage": pl.Series(["prospect"] * len(extra), dtype=pl.String),
            "recency_days": pl.Series([None] * len(extra), dtype=df.schema["recency_days"]),
            "frequency": pl.Series([0] * len(extra), dtype=df.schema["frequency"]),
            "tenure_days": pl.Series([None] * len(extra), dtype=df.schema["tenure_days"]),
        })
        return pl.concat([df, prospects], how="vertical")

    def transform(self, X: Any, customers: Any = None) -> Any:
        """Stage every customer of a log as of the observation date.

        Parameters
        ----------
        X : dataframe or lazy frame
            The transaction log.
        customers : list, array or Series, optional
            All known customer ids (for example the CRM list). Ids without a
            purchase in the log are staged ``"prospect"``; customers of the log
            missing from the list are staged as usual.

        Returns
        -------
        DataFrame
            One row per customer, sorted by customer id, same kind as ``X`` (a
            lazy input gives a lazy frame of its engine, holding the per-customer
            table computed once by that engine): the customer id (name and
            dtype kept), ``stage``, ``recency_days``, ``frequency`` and
            ``tenure_days`` (missing for prospects).
        """
        check_is_fitted(self)
        return self._stage(self._check(X), customers)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X: Any, y: Any = None, customers: Any = None) -> Any:
        """Fit on the log and stage its customers (the log is validated once).

        Parameters
        ----------
        X : dataframe or lazy frame
            The transaction log.
        y : None
            Ignored.
        customers : list, array or Series, optional
            All known customer ids (see :meth:`transform`).

        Returns
        -------
        DataFrame
            The stages, as :meth:`transform` returns them.
        """
        tx = self._check(X)
        self._resolve(self._gaps(tx))
        self._record(tx)
        return self._stage(tx, customers)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns, the customer id first.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        ndarray of str
            The output column names.
        """
        check_is_fitted(self)
        return np.asarray(
            [self.customer_col, "stage", "recency_days", "frequency", "tenure_days"],
            dtype=object,
        )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


def _is_series(obj: Any) -> bool:
    try:
        nw.from_native(obj, series_only=True)
    except TypeError:
        return False
    return True
