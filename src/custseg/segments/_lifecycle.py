"""Lifecycle stages (prospect, new, active, dormant, churned) as of an observation date.

By default a customer's silence is measured in their own typical gap between purchases
(shrunk towards the population's for customers with few purchases), so that a weekly
shopper silent for a month and a yearly buyer silent for a month are not in the same stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Real
from typing import Any, ClassVar

import narwhals.stable.v2 as nw
import polars as pl
from sklearn.base import BaseEstimator, TransformerMixin

from .._frame import collect_small, to_kind
from .._sklearn_compat import Interval, StrOptions, _fit_context, check_is_fitted
from ..base import OutputNamesMixin, TransactionInputMixin
from ..exceptions import InvalidDtypeError, InvalidValueError
from ..features._core import check_occasion, per_customer_rfm
from ..features._transformers import _COMMON_CONSTRAINTS
from ..io._options import FutureParam
from ..io._validate import CID, Transactions
from ._lifecycle_thresholds import _LifecycleThresholdsMixin

__all__ = ["STAGES", "LifecycleStager"]

#: The stages, in lifecycle order.
STAGES = ("prospect", "new", "active", "dormant", "churned")
"""The lifecycle stages of :class:`LifecycleStager`, in lifecycle order."""
_OUTPUT = (CID, "stage", "recency_days", "frequency", "tenure_days", "typical_gap_days",
           "silence_gaps")


@dataclass(kw_only=True, repr=False, eq=False)
class LifecycleStager(
    FutureParam, _LifecycleThresholdsMixin, OutputNamesMixin, TransactionInputMixin,
    TransformerMixin, BaseEstimator,
):
    """Transformer: a transaction log in, each customer's lifecycle stage out.

    Stages, as of the observation date, from the customer's first and last
    purchase (checked in this order):

    - ``"prospect"``: a known customer without any purchase: in the
      ``customers`` list passed to :meth:`transform` but not in the log, or
      whose only rows are refunds;
    - ``"new"``: first purchase at most ``new_days`` days ago;
    - ``"active"``: silent (days since the last purchase) for at most the
      active threshold;
    - ``"dormant"`` (at risk): silent for longer, but at most the churn threshold;
    - ``"churned"``: silent for longer than the churn threshold.

    **Each customer's own rhythm** (``rhythm="own"``, the default, with
    ``active_days`` and ``churn_days`` both ``"auto"``): silence is counted in
    the customer's typical gap between purchases,
    ``typical_gap_days = (last - first purchase + prior_gaps * g) / (purchases - 1 + prior_gaps)``,
    the mean of their own gaps shrunk towards the population gap ``g`` (the
    median over repeat customers of their mean gap; an empirical-Bayes prior
    worth ``prior_gaps`` gaps), so a one-time buyer is measured in ``g``.
    ``silence_gaps = recency_days / typical_gap_days``. ``fit`` divides every
    gap of every customer by that customer's typical gap and takes the
    ``rhythm_quantiles`` (0.8 and 0.998) of these normalised gaps as the active
    and churn thresholds, in gaps: a live customer stays silent past the churn
    threshold about once in 500 gaps. A customer is new when their first
    purchase is within the active threshold of their own rhythm
    (``tenure_days <= active_gaps * typical_gap_days``; a number of days for
    ``new_days`` replaces this). ``thresholds_`` holds the numbers
    (``active_gaps``, ``churn_gaps``, ``typical_gap_days``, and the equivalent
    ``active_days`` / ``churn_days`` of a customer of typical rhythm).

    **Pooled day thresholds** (``rhythm="pooled"``, or any of ``active_days``
    / ``churn_days`` given in days): silence in days, as follows. The input is
    the raw transaction log, as for :func:`custseg.features.rfm` (whose
    ``recency_days`` and ``tenure_days`` it uses), because the adaptive
    thresholds need the gaps between purchases. **Adaptive thresholds**
    (``"auto"``): ``fit`` pools the inter-purchase gaps of all
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
        Quantiles of the pooled inter-purchase gaps used by ``"auto"`` in pooled mode.
    rhythm : {"own", "pooled"}, default="own"
        Measure silence in each customer's own typical gap (``"own"``, used
        when ``active_days`` and ``churn_days`` are both ``"auto"``) or in days
        against thresholds pooled over all customers (``"pooled"``).
    rhythm_quantiles : tuple of (float, float), default=(0.8, 0.998)
        Quantiles of the normalised gaps that set the active and churn
        thresholds, in gaps, of the own-rhythm mode.
    prior_gaps : float, default=2.0
        Weight, in gaps, of the population gap in each customer's typical gap.
    customer_col, time_col, amount_col, order_col, returns, future, time_format
        The log's columns and policies (:class:`~custseg.io.LogOptions`).
    observation_date : date-like, optional
        The "as of" date; default: the last timestamp of the log being
        transformed (and, in ``fit``, of the log being fitted).
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`custseg.features.rfm`).

    Attributes
    ----------
    thresholds_ : dict of str to float
        ``new_days``, ``active_days`` and ``churn_days`` used by :meth:`transform`
        (in own-rhythm mode the last two are those of a customer of typical
        rhythm), and in own-rhythm mode also ``active_gaps``, ``churn_gaps``,
        ``typical_gap_days`` (the population gap) and ``prior_gaps``.
    rhythm_ : str
        ``"own"`` or ``"pooled"``: the mode used.
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
    >>> out = stager.fit_transform(log, customers=["a", "b", "c", "d", "e"])
    >>> out[["customer_id", "stage", "recency_days", "frequency", "tenure_days"]]
      customer_id     stage  recency_days  frequency  tenure_days
    0           a    active          11.0          2         90.0
    1           b   dormant          59.0          2         86.0
    2           c       new           6.0          1          6.0
    3           d   churned         274.0          2        304.0
    4           e  prospect           NaN          0          NaN

    Each customer's own rhythm (the default): silence counted in typical gaps.

    >>> own = LifecycleStager(observation_date="2024-03-31").fit(log)
    >>> round(own.thresholds_["typical_gap_days"], 1), round(own.thresholds_["churn_gaps"], 2)
    (30.0, 1.7)
    >>> own.transform(log)[["customer_id", "stage", "silence_gaps"]].round(2)
      customer_id    stage  silence_gaps
    0           a   active          0.24
    1           b  churned          2.03
    2           c      new          0.20
    3           d  churned          9.13
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_COMMON_CONSTRAINTS,
        "new_days": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "active_days": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "churn_days": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "active_quantile": [Interval(Real, 0, 1, closed="neither")],
        "churn_quantile": [Interval(Real, 0, 1, closed="neither")],
        "rhythm": [StrOptions({"own", "pooled"})],
        "rhythm_quantiles": [tuple, list],
        "prior_gaps": [Interval(Real, 0, None, closed="neither")],
    }

    new_days: float | str = "auto"
    active_days: float | str = "auto"
    churn_days: float | str = "auto"
    active_quantile: float = 0.8
    churn_quantile: float = 0.95
    rhythm: str = "own"
    rhythm_quantiles: tuple[float, float] = (0.8, 0.998)
    prior_gaps: float = 2.0
    occasion: str = "day"

    def _check(self, X: Any) -> Transactions:
        tx = self._check_log(X)
        check_occasion(self.occasion, tx)
        return tx

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
        base = per_customer_rfm(tx, self.occasion).select(
            CID, "recency_days", "frequency", "tenure_days"
        )
        df = self._stage_rows(collect_small(base))
        if customers is not None:
            df = self._add_prospects(df, customers)
        df = df.sort(CID).rename({CID: tx.customer_col})
        return to_kind(df, tx.info, keep_dtypes=(tx.customer_col,))

    def _stage_rows(self, df: pl.DataFrame) -> pl.DataFrame:
        """Stage each row of a per-customer table with the fitted thresholds.

        ``df`` holds CID, ``recency_days``, ``frequency`` and ``tenure_days`` (as
        :func:`custseg.features.rfm` computes them); each row is staged on its own, so
        the pipeline applies this to any slice of its customer table (a Spark partition).
        """
        t = self.thresholds_
        own = getattr(self, "rhythm_", "pooled") == "own"
        k, pop = t.get("prior_gaps", 0.0), t.get("typical_gap_days", 0.0)
        typical = (
            ((pl.col("tenure_days") - pl.col("recency_days")) + k * pop)
            / ((pl.col("frequency") - 1).clip(lower_bound=0) + k)
        ) if own else (
            (pl.col("tenure_days") - pl.col("recency_days")) / (pl.col("frequency") - 1)
        )
        typical = pl.when(pl.col("frequency") > (0 if own else 1)).then(typical)
        df = df.with_columns(typical.cast(pl.Float64).alias("typical_gap_days"))
        df = df.with_columns((pl.col("recency_days") / pl.col("typical_gap_days"))
                             .alias("silence_gaps"))
        quiet, active, churn = (("silence_gaps", t["active_gaps"], t["churn_gaps"]) if own
                                else ("recency_days", t["active_days"], t["churn_days"]))
        is_new = (pl.col("tenure_days") <= t["new_days"]) if not own or self.new_days != "auto" \
            else (pl.col("tenure_days") <= t["active_gaps"] * pl.col("typical_gap_days"))
        stage = (
            pl.when(pl.col("frequency") <= 0).then(pl.lit("prospect"))
            .when(is_new).then(pl.lit("new"))
            .when(pl.col(quiet) <= active).then(pl.lit("active"))
            .when(pl.col(quiet) <= churn).then(pl.lit("dormant"))
            .otherwise(pl.lit("churned"))
        )
        return df.with_columns(stage.alias("stage")).select(*_OUTPUT)

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
            "typical_gap_days": pl.Series([None] * len(extra), dtype=pl.Float64),
            "silence_gaps": pl.Series([None] * len(extra), dtype=pl.Float64),
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
            dtype kept), ``stage``, ``recency_days``, ``frequency``,
            ``tenure_days``, ``typical_gap_days`` (own rhythm: the shrunk typical
            gap; pooled: the mean own gap, missing for one-time buyers) and
            ``silence_gaps`` (``recency_days / typical_gap_days``); the last
            four are missing for prospects.
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

    def _output_names(self) -> list[str]:
        return [self.customer_col, *_OUTPUT[1:]]

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
