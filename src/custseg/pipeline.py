"""One model from a transaction log to the per-customer segmentation table.

:class:`CustomerSegmentation` chains custseg's stages with the library's
defaults: per-customer features, RFM segments, lifecycle stages, K-means
segments, A/B/C/D value tiers, churn risk and the playbook's recommended
action. ``fit`` learns every stage from one transaction log; ``predict``
applies them to a log (the same one, or a later extract) as of any date and
returns one row per customer. The fitted model saves and loads as one file
(:func:`custseg.persistence.save`); the ``custseg`` command line is a thin
shell over it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from ._advice import called_from, option
from ._frame import to_kind, to_pandas
from ._sklearn_compat import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    _fit_context,
    check_is_fitted,
)
from .base import TransactionInputMixin
from .exceptions import (
    ColumnMismatchError,
    CustsegError,
    DataWarning,
    EmptyDataError,
    InvalidValueError,
    WeakChurnModelWarning,
    names_text,
)
from .features import btyd_summary, customer_features
from .features._core import as_transactions
from .features._transformers import LOG_CONSTRAINTS
from .io import Transactions
from .io._options import LOG_COLUMNS, SHARED_LOG_KEYS, ProductParam, QuantityParam

__all__ = ["CustomerSegmentation"]

DEFAULT_KMEANS_FEATURES = ("recency_days", "frequency", "monetary_total")
# The silhouette of each candidate k is computed on this many customers (O(n^2) cost).
SILHOUETTE_SAMPLE_SIZE = 3000
TIER_RULE_FEATURES = ("recency_days", "frequency", "monetary_total")
# Parameters of the stages that the pipeline sets to its own values (one source of truth).
_SHARED_PARAMS = (*SHARED_LOG_KEYS, "occasion")


def _part_constraint() -> list[Any]:
    return [HasMethods(["fit"]), StrOptions({"drop"}), None]


def _fit_or_skip(part: str, skipped: dict[str, str], fit: Callable[[], Any]) -> Any:
    """Return ``fit()`` (the fitted stage), or None with a warning if the log is unfit.

    A log is unfit for a stage when it has too few customers, purchases or days
    for it (the stage raises a custseg error or a ``ValueError``).
    """
    try:
        with called_from("pipeline"):  # the stages' advice names the pipeline's options
            return fit()
    except InvalidParameterError:
        raise  # a wrong setting is the caller's to fix, not a property of the log
    except (CustsegError, ValueError) as err:
        reason = " ".join(str(err).split()).rstrip(".")
        if not isinstance(err, CustsegError):  # another library's words: not shown
            reason = "its model cannot be trained on this little data"
        skipped[part] = reason
        warnings.warn(f"the {part} stage cannot be learnt from this log and is left out "
                      f"of the results: {reason}. ({option('drop', stage=part)} leaves it "
                      "out without this warning.)", DataWarning, stacklevel=5)
        return None


def _default(part: str) -> Any:
    """Return the library's default estimator for a stage (stages sit below: import here)."""
    if part == "kmeans":
        from .segments import KMeansSegmenter

        return KMeansSegmenter(silhouette_sample_size=SILHOUETTE_SAMPLE_SIZE)
    if part == "tiers":
        from .tiers import ValueGrader

        return ValueGrader()
    if part == "tier_rules":
        from .tiers import TierClassifier

        return TierClassifier(max_depth=4)
    if part == "rfm":
        from .segments import RFMScorer

        return RFMScorer()
    if part == "lifecycle":
        from .segments import LifecycleStager

        return LifecycleStager()
    if part == "churn":
        from .churn import ChurnPredictor

        return ChurnPredictor()
    if part == "playbook":
        from .actions import DecisionMatrix

        return DecisionMatrix()
    raise AssertionError(part)  # pragma: no cover


@dataclass(kw_only=True, repr=False, eq=False)
class CustomerSegmentation(QuantityParam, ProductParam, TransactionInputMixin, BaseEstimator):
    """Transaction log in, one row per customer out: features, segments, tier, churn risk.

    The whole custseg flow as one estimator, with the library's defaults for
    every stage; each stage is a parameter (pass your own configured
    estimator, or ``"drop"`` to leave it out).

    ``fit(transactions)``:

    1. validates the log and computes the per-customer features
       (:func:`custseg.features.customer_features`) as of ``observation_date``;
    2. learns the RFM score edges (``rfm``), the lifecycle thresholds
       (``lifecycle``), the K-means segments on ``kmeans_features``
       (``kmeans``) and the tier cut points (``tiers``) from these features;
    3. trains the churn model (``churn``) on a time split *inside* the
       training log, so no future leaks in: features as of
       ``cutoff = observation_date - churn_horizon_days`` and the label
       "no purchase in the ``churn_horizon_days`` after the cutoff"
       (:func:`custseg.churn.churn_labels`).

    ``predict(transactions, as_of=...)`` computes the features as of
    ``as_of`` and applies every fitted stage: the churn probability is that
    of no purchase in the ``churn_horizon_days`` after ``as_of``.

    Parameters
    ----------
    customer_col, time_col, amount_col, order_col, quantity_col, product_col, returns, \
time_format
        The log's columns and policies (:class:`~custseg.io.LogOptions`); there
        is no ``future``: ``fit`` leaves out the transactions after its date.
    observation_date : date-like, optional
        The "as of" date of ``fit``; transactions after it are left out.
        Default: the last timestamp of the training log.
    occasion : {"day", "order", "row"}, default="day"
        What counts as one purchase (see :func:`custseg.features.rfm`).
    rfm : estimator, "drop" or None, default=None
        RFM scorer; ``None`` means :class:`custseg.segments.RFMScorer` with its
        defaults (five levels, the 11-name segment map).
    lifecycle : estimator, "drop" or None, default=None
        Lifecycle stager; ``None`` means :class:`custseg.segments.LifecycleStager`.
    kmeans : estimator, "drop" or None, default=None
        Clusterer; ``None`` means :class:`custseg.segments.KMeansSegmenter`
        (automatic k over 2..10, silhouette on a sample of 3,000 customers).
    kmeans_features : tuple of str, default=("recency_days", "frequency", "monetary_total")
        Feature columns the clusterer sees.
    tiers : estimator, "drop" or None, default=None
        Tier grader; ``None`` means :class:`custseg.tiers.ValueGrader` (A/B/C/D
        as quartiles of the recency-frequency-monetary value score).
    tier_rules : classifier, "drop" or None, default=None
        Classifier that learns readable rules reproducing the tiers from
        ``recency_days``, ``frequency`` and ``monetary_total`` (for the report
        and for SQL); ``None`` means :class:`custseg.tiers.TierClassifier`
        with ``max_depth=4``. The ``tier`` column itself comes from ``tiers``.
    churn : classifier, "drop" or None, default=None
        Churn classifier with ``predict_proba``; ``None`` means
        :class:`custseg.churn.ChurnPredictor`.
    churn_horizon_days : int, default=90
        Length, in days, of the period without purchase that counts as churn.
    churn_risk_shares : tuple of (float, float), default=(0.1, 0.2)
        Relative risk bands (the default): the shares of customers in the
        ``"high"`` and ``"medium"`` bands. ``fit`` turns them into churn
        probabilities (``churn_risk_cuts_``): the quantiles of the out-of-fold
        churn probabilities of its internal split that leave 10% of those
        customers above the high cut and the next 20% above the medium cut.
    churn_risk_thresholds : tuple of (float, float), optional
        Fixed bands instead: the churn probabilities at which the band turns
        from low to medium and from medium to high, e.g. ``(0.5, 0.8)``.
    churn_risk_budget : float, optional
        A campaign budget as a share of customers (e.g. 0.05): the ``"high"``
        band is that share of the base and ``"medium"`` the next twice as many.
        Replaces ``churn_risk_shares``; cannot be combined with
        ``churn_risk_thresholds``.
    future_value : "drop" or None, default=None
        Expected future value columns (BG/NBD + Gamma-Gamma, fitted on the
        training log in days); ``"drop"`` leaves them out.
    value_horizon_days : int, default=365
        Horizon of ``expected_purchases`` and ``expected_value``.
    value_discount_rate : float, default=0.0
        Yearly discount rate of ``expected_value`` (applied per 30-day period).
    baskets : ProductRecommender, "drop" or None, default=None
        With a ``product_col``: the recommender of the ``next_best_products``
        column (the customer's 5 best products, joined by " | "), fitted per RFM
        segment (else K-means segment) on the training log and applied to the
        purchases of the log given to ``predict``; ``None`` means
        :class:`custseg.baskets.ProductRecommender` with its defaults. No stage
        without a ``product_col``.
    playbook : DecisionMatrix, Playbook, "drop" or None, default=None
        The recommended action of each customer. ``None`` means
        :class:`custseg.actions.DecisionMatrix` with its default matrix: one
        action from value (tier) x churn risk x lifecycle stage, with an
        ``action_priority`` and a ``reason`` in words ("tier A, churn risk high,
        dormant"). A :class:`custseg.segments.Playbook` maps the RFM segment name
        (or, without RFM, the lifecycle stage, else the tier) to an action instead,
        as does the default when the table has no lifecycle stage or value.
    random_state : int, RandomState instance or None, default=None
        Seed passed to the stages that draw random numbers (K-means, the churn
        model) when their own ``random_state`` is ``None``.

    Notes
    -----
    The stages' column and policy parameters (``customer_col``, ``time_col``,
    ``amount_col``, ``order_col``, ``occasion``, ``returns``,
    ``time_format``), when they have them, are set to the pipeline's values, and
    the lifecycle stager's observation date to the date of ``fit`` or
    ``predict``. With a fixed ``random_state`` results are reproducible bit for
    bit (the feature builders sum money exactly).

    Attributes
    ----------
    observation_date_ : datetime.datetime
        The resolved observation date of ``fit``.
    churn_cutoff_ : datetime.datetime
        The cutoff of the churn training split (``observation_date_`` minus the
        horizon); absent when churn is dropped.
    churn_features_ : list of str
        Feature columns of the churn model.
    churn_rate_ : float
        Share of training customers labelled churned.
    churn_quality_ : dict or None
        The churn-model guard: on the internal time split, out-of-fold
        metrics (``roc_auc``, ``lift`` of the top decile, ``brier``,
        ``calibration_error``) of ``"model"`` (3-fold out-of-fold
        probabilities), ``"recency"`` (days since the last purchase) and
        ``"bgnbd"`` (BG/NBD probability of no purchase over the horizon, the
        model fitted on at most 10,000 of the split's customers);
        ``None`` when the split is too small for three folds (fewer than 10
        customers of a class). When the model's AUC is not at least 0.01 above
        recency's, ``fit`` emits a
        :class:`~custseg.exceptions.WeakChurnModelWarning`.
    churn_model_weak_ : bool
        Whether the guard found the model not better than recency alone.
    churn_risk_cuts_ : tuple of (float, float)
        Churn probabilities where the band turns medium and high.
    churn_risk_bands_ : dict
        Per band (``low``, ``medium``, ``high``): probability range, customers,
        share, observed churn rate, share of all churners captured and lift
        over the base rate, on the internal split (out-of-fold probabilities).
    value_purchases_, value_spend_ : BetaGeoModel, GammaGammaModel or None
        The fitted future-value models (``value_spend_`` is None when the log
        has fewer than two repeat customers with positive spend).
    value_fallback_spend_ : float
        Spend per purchase used where Gamma-Gamma cannot say (mean repeat spend).
    value_notes_ : list of str
        What the value models warned about or fell back on.
    rfm_, lifecycle_, kmeans_, tiers_, tier_rules_, churn_, baskets_ : estimator or None
        The fitted stages (``None`` for a dropped stage).
    playbook_ : Playbook or None
        The playbook used (``None`` when dropped).
    feature_names_in_ : ndarray of str
        Columns of the transaction log seen in ``fit``.
    n_features_in_ : int
        Number of those columns.
    n_customers_ : int
        Customers in the training log.
    skipped_stages_ : dict of str to str
        Stages left out because the training log is one they cannot learn from
        (one customer, too few purchases or days, all refunds...), each with the
        reason; a :class:`~custseg.exceptions.DataWarning` says the same at ``fit``.
        Their output columns are absent from ``predict``'s table.

    See Also
    --------
    custseg.persistence.save : Save the fitted model as one file.
    custseg.report.render_report : The HTML report of the table ``predict`` returns.

    Examples
    --------
    >>> from custseg.datasets import load_cdnow
    >>> from custseg.pipeline import CustomerSegmentation
    >>> log = load_cdnow(sample=True)
    >>> model = CustomerSegmentation(random_state=0).fit(log[log["date"] <= "1997-09-30"])
    >>> table = model.predict(log, as_of="1998-06-30")
    >>> len(table) == log["customer_id"].nunique()
    True
    >>> table["tier"].cat.categories.tolist()
    ['A', 'B', 'C', 'D']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **{k: v for k, v in LOG_CONSTRAINTS.items() if k != "future"},
        "occasion": [StrOptions({"day", "order", "row"})],
        "rfm": _part_constraint(),
        "lifecycle": _part_constraint(),
        "kmeans": _part_constraint(),
        "kmeans_features": [tuple, list],
        "tiers": _part_constraint(),
        "tier_rules": [HasMethods(["fit", "predict"]), StrOptions({"drop"}), None],
        "churn": [HasMethods(["fit", "predict_proba"]), StrOptions({"drop"}), None],
        "churn_horizon_days": [Interval(Integral, 1, None, closed="left")],
        "churn_risk_shares": [tuple, list],
        "churn_risk_thresholds": [tuple, list, None],
        "churn_risk_budget": [Interval(Real, 0, 1, closed="neither"), None],
        "future_value": [StrOptions({"drop"}), None],
        "value_horizon_days": [Interval(Integral, 1, None, closed="left")],
        "value_discount_rate": [Interval(Real, 0, None, closed="left")],
        "playbook": [HasMethods(["actions_for"]), HasMethods(["decide"]), StrOptions({"drop"}),
                     None],
        "baskets": [HasMethods(["fit", "recommend"]), StrOptions({"drop"}), None],
        "random_state": ["random_state"],
    }

    occasion: str = "day"
    rfm: Any = None
    lifecycle: Any = None
    kmeans: Any = None
    kmeans_features: tuple[str, ...] = DEFAULT_KMEANS_FEATURES
    tiers: Any = None
    tier_rules: Any = None
    churn: Any = None
    churn_horizon_days: int = 90
    churn_risk_shares: tuple[float, float] = (0.1, 0.2)
    churn_risk_thresholds: tuple[float, float] | None = None
    churn_risk_budget: float | None = None
    future_value: str | None = None
    value_horizon_days: int = 365
    value_discount_rate: float = 0.0
    baskets: Any = None
    playbook: Any = None
    random_state: Any = None

    # ------------------------------------------------------------------ the log
    def _columns(self) -> dict[str, Any]:
        return self._log_params(LOG_COLUMNS)

    def _log(self, transactions: Any, as_of: Any) -> tuple[Transactions, dt.datetime, Any]:
        """Validate once; return the validated log cut at ``as_of``.

        Every stage takes this :class:`~custseg.io.Transactions`: the table is
        read and checked once per ``fit`` and once per ``predict``, and a lazy log
        (DuckDB, Spark) stays where it lives. A log the caller validated already is
        taken as it is (cut at ``as_of``), when its columns are the pipeline's.
        """
        if isinstance(transactions, Transactions):
            differ = [f"{k}='{getattr(transactions, k)}' (the pipeline's: '{v}')"
                      for k, v in self._columns().items() if getattr(transactions, k) != v]
            if differ:
                raise InvalidValueError(
                    f"the Transactions was validated with {names_text(differ, quote=False)}; "
                    "give the pipeline the same column names, or validate the log with them."
                )
        tx = as_transactions(
            transactions, **{**self._log_params(), "observation_date": as_of, "future": "drop"})
        log = tx
        if tx.min_time >= tx.cutoff:
            raise EmptyDataError(
                f"no transaction in column '{self.time_col}' is on or before "
                f"{tx.observation_date.date()}; the first is on {tx.min_time.date()}."
            )
        as_of_dt = tx.observation_date
        if tx.date_only:
            # Midnight of the day, in the log's time zone (the zone must stay).
            as_of_dt = as_of_dt.replace(hour=0, minute=0, second=0, microsecond=0)
        return log, as_of_dt, tx

    def _feature_kwargs(self) -> dict[str, Any]:
        return dict(occasion=self.occasion, returns=self.returns, **self._columns())

    def _features(self, log: Transactions, as_of: dt.datetime) -> pd.DataFrame:
        feats = customer_features(log, observation_date=as_of, future="drop",
                                  **self._feature_kwargs())
        return to_pandas(feats)

    # ------------------------------------------------------------------ stages
    def _stage(self, part: str) -> Any:
        value = getattr(self, part)
        if isinstance(value, str) and value == "drop":
            return None
        if part == "playbook":
            return _default(part) if value is None else value
        est = _default(part) if value is None else clone(value)
        params = est.get_params(deep=False)
        shared = {k: getattr(self, k) for k in _SHARED_PARAMS if k in params}
        if self.random_state is not None and "random_state" in params \
                and params["random_state"] is None:
            shared["random_state"] = self.random_state
        return est.set_params(**shared)

    def _check_kmeans_features(self, feats: pd.DataFrame) -> list[str]:
        cols = list(self.kmeans_features)
        missing = [c for c in cols if c not in feats.columns]
        if missing or not cols:
            raise InvalidValueError(
                f"kmeans_features: {names_text(missing) if missing else 'none given'}; "
                "expected names among the customer features "
                f"{names_text(list(feats.columns[1:]), limit=40)}."
            )
        return cols

    @staticmethod
    def _numeric(feats: pd.DataFrame, cols: list[str], worst: float | None = None
                 ) -> pd.DataFrame:
        """Return the feature columns ``cols`` as floats, gaps filled.

        ``worst``: the longest recency of the whole table (:func:`_scoring.worst_recency`
        of ``feats`` by default; a Spark partition is given that of the whole table).
        """
        from ._scoring import worst_recency

        X = feats[cols].astype("float64")
        if "recency_days" in X.columns and "tenure_days" in feats.columns:
            # Customers whose only rows are refunds have no purchase: count their
            # whole tenure as recency (or, when unknown, the longest recency of the
            # table); other missing values (such as the spread of inter-purchase
            # times of one-time buyers) become 0.
            recency = X["recency_days"].fillna(feats["tenure_days"])
            X["recency_days"] = recency.fillna(worst_recency(feats) if worst is None
                                               else worst)
        return X.fillna(0.0)

    @classmethod
    def _complete(cls, feats: pd.DataFrame, worst: float | None = None) -> pd.DataFrame:
        """Return the features with the gaps of purchase-less customers filled (``_numeric``)."""
        numeric = [c for c in feats.columns[1:] if pd.api.types.is_numeric_dtype(feats[c])]
        out = feats.copy()
        out[numeric] = cls._numeric(feats, numeric, worst=worst)
        return out

    def _check_thresholds(self) -> tuple[str, tuple[float, float]]:
        from .churn._bands import check_band_spec

        return check_band_spec(self.churn_risk_shares, self.churn_risk_thresholds,
                               self.churn_risk_budget)

    def _fit_churn(self, est: Any, log: Transactions, end: dt.datetime) -> None:
        from .churn import churn_labels

        cutoff = end - dt.timedelta(days=int(self.churn_horizon_days))
        first = log.min_time
        if cutoff < first:  # type: ignore[operator]
            days = (end - first).days  # type: ignore[operator]
            raise InvalidValueError(
                f"the log covers {days} days ({first.date()} to "  # type: ignore[union-attr]
                f"{end.date()}), fewer than the churn horizon of {self.churn_horizon_days} "
                "days, so the churn model has no past to learn from; use a longer log or a "
                "shorter horizon"
                + (f" ({option('churn_horizon_days', value=max(days // 2, 1))})"
                   if days >= 2 else "")
            )
        with warnings.catch_warnings():  # one class is said below, in the pipeline's words
            warnings.simplefilter("ignore", DataWarning)
            labelled = to_pandas(churn_labels(log, cutoff, int(self.churn_horizon_days),
                                              unit="D", data_end=end, **self._feature_kwargs()))
        y = labelled["churned"].astype(bool).to_numpy()
        X = labelled.drop(columns=[self.customer_col, "churned"])
        if len(y) == 0:
            raise InvalidValueError(
                f"no customer has a purchase before the churn cutoff {cutoff.date()} (only "
                "refunds, or none), so the churn model has no one to learn from"
            )
        if len(np.unique(y)) < 2:
            n = len(y)
            who = "the one customer" if n == 1 else f"all {n} customers"
            raise InvalidValueError(
                f"{who} at the churn cutoff {cutoff.date()} "
                f"{'is' if n == 1 else 'are'} {'churned' if y[0] else 'retained'} over the "
                f"next {self.churn_horizon_days} days, and the churn model needs customers "
                "of both kinds to learn from"
            )
        est.fit(X, y)
        self._guard(est, X, y)
        self.churn_cutoff_ = cutoff
        self.churn_features_ = list(X.columns)
        self.churn_rate_ = float(y.mean())

    def _guard(self, est: Any, X: pd.DataFrame, y: np.ndarray) -> None:
        """Measure the churn model on its split (out of fold); learn the risk bands."""
        from .churn._guard import measure_guard

        kind, spec = self._check_thresholds()
        seed = self.random_state if isinstance(self.random_state, Integral) else 0
        guard = measure_guard(est, X, y, horizon_days=int(self.churn_horizon_days),
                              kind=kind, spec=spec, random_state=int(seed))
        self.churn_quality_ = guard.quality
        self.churn_model_weak_ = guard.weak
        self.churn_risk_cuts_ = guard.cuts
        self.churn_risk_bands_ = guard.bands
        self._guard_message = guard.message() if guard.weak else None

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, transactions: Any, y: Any = None) -> CustomerSegmentation:
        """Learn every stage from a transaction log.

        Parameters
        ----------
        transactions : dataframe, lazy frame or Transactions
            The transaction log (pandas, polars, pyarrow, polars LazyFrame,
            DuckDB relation, Spark DataFrame), with the columns named by the
            parameters, or a :class:`~custseg.io.Transactions` validated with them.
        y : None
            Ignored.

        Returns
        -------
        self : CustomerSegmentation
            The fitted model.
        """
        self._fit(transactions)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_predict(self, transactions: Any, y: Any = None) -> Any:
        """Learn every stage from a log and return its table as of the observation date.

        The same table as ``fit(transactions).predict(transactions,
        as_of=observation_date)``, without computing the customer features and the
        BTYD summary of the log a second time.

        Parameters
        ----------
        transactions : dataframe or lazy frame
            The transaction log, as in :meth:`fit`.
        y : None
            Ignored.

        Returns
        -------
        DataFrame
            The per-customer table of :meth:`predict`, as of ``observation_date_``.

        Examples
        --------
        >>> from custseg import CustomerSegmentation
        >>> from custseg.datasets import make_transactions
        >>> log = make_transactions(n_customers=300, random_state=0)
        >>> model = CustomerSegmentation(kmeans="drop", random_state=0)
        >>> table = model.fit_predict(log)
        >>> table.equals(model.predict(log))
        True
        """
        # The CLI's report and demo fit and score the same log: sharing the features and
        # the BTYD summary saves a quarter of predict (1.2 s of 2.4 s on the 1.5M-row log
        # of benchmarks/bench_report.py).
        log, obs, tx, feats, btyd = self._fit(transactions)
        table = self._predict_table(log, obs, feats=feats, btyd=btyd)
        table.attrs["as_of"] = obs.isoformat()
        return to_kind(table, tx.info, keep_dtypes=(self.customer_col,))

    def _fit(self, transactions: Any) -> tuple[Transactions, dt.datetime, Any,
                                               pd.DataFrame, pd.DataFrame | None]:
        """Fit every stage; return the log, the date, its features and BTYD summary."""
        self._check_thresholds()
        log, obs, tx = self._log(transactions, self.observation_date)
        feats = self._features(log, obs)
        km_cols = self._check_kmeans_features(feats) if self.kmeans != "drop" else []

        # A stage this log is too small or too odd for is left out with a DataWarning.
        skipped: dict[str, str] = {}
        rfm = self._stage("rfm")
        if rfm is not None:
            rfm = _fit_or_skip("rfm", skipped, lambda: rfm.fit(feats))
        lifecycle = self._stage("lifecycle")
        if lifecycle is not None:
            lifecycle = _fit_or_skip("lifecycle", skipped, lambda: lifecycle.set_params(
                observation_date=obs, future="drop").fit(log))
        kmeans = self._stage("kmeans")
        if kmeans is not None:
            kmeans = _fit_or_skip("kmeans", skipped,
                                  lambda: kmeans.fit(self._numeric(feats, km_cols)))
        tiers = self._stage("tiers")
        tier_rules = self._stage("tier_rules") if tiers is not None else None
        if tiers is not None:
            complete = self._complete(feats)
            tiers = _fit_or_skip("tiers", skipped, lambda: tiers.fit(complete))
            if tiers is None:
                tier_rules = None
            elif tier_rules is not None:
                rule_X = self._numeric(feats, list(TIER_RULE_FEATURES))
                rule_y = np.asarray(tiers.predict(complete), dtype=object)
                tier_rules = _fit_or_skip("tier_rules", skipped,
                                          lambda: tier_rules.fit(rule_X, rule_y))
        churn = self._stage("churn")
        if churn is not None:
            def fit_churn() -> Any:
                self._fit_churn(churn, log, obs)
                return churn

            churn = _fit_or_skip("churn", skipped, fit_churn)
        weak = getattr(self, "_guard_message", None) if churn is not None else None
        if weak:  # stacklevel 4: past _fit, fit's _fit_context wrapper, to the caller's line
            warnings.warn(weak, WeakChurnModelWarning, stacklevel=4)
        value = None
        btyd: pd.DataFrame | None = None
        if self.future_value != "drop":
            def fit_value() -> Any:
                nonlocal btyd
                btyd = self._btyd_days(log, obs)
                return self._fit_value(btyd)

            value = _fit_or_skip("future_value", skipped, fit_value)
        self.value_purchases_ = None if value is None else value.purchases
        self.value_spend_ = None if value is None else value.spend
        self.value_fallback_spend_ = None if value is None else value.fallback_spend
        self.value_notes_ = [] if value is None else list(value.notes)
        baskets = None
        if self.product_col is not None and not (isinstance(self.baskets, str)
                                                 and self.baskets == "drop"):
            from .baskets._stage import fit_stage

            baskets = _fit_or_skip("baskets", skipped, lambda: fit_stage(
                self, self.baskets, log, feats, rfm, kmeans))
        self.baskets_ = baskets

        self.rfm_ = rfm
        self.lifecycle_ = lifecycle
        self.kmeans_ = kmeans
        self.tiers_ = tiers
        self.tier_rules_ = tier_rules
        self.churn_ = churn
        self.playbook_ = self._stage("playbook")
        self.skipped_stages_ = skipped
        self.observation_date_ = obs
        self.n_customers_ = len(feats)
        self._record(tx)
        return log, obs, tx, feats, btyd

    # ------------------------------------------------------------------ predict
    def predict(self, transactions: Any, as_of: Any = None) -> Any:
        """Return the per-customer table as of a date.

        Parameters
        ----------
        transactions : dataframe or lazy frame
            A transaction log with the columns seen in ``fit`` (for example a
            later extract of the same log). Transactions after ``as_of`` are
            left out.
        as_of : date-like, optional
            The date of the table: recency, lifecycle stage and churn risk are
            measured at it. A calendar day covers the whole day. Default: the
            last timestamp of ``transactions``.

        Returns
        -------
        DataFrame
            The kind of ``transactions``: pandas, polars or pyarrow; a polars
            ``LazyFrame``, a DuckDB relation or a Spark DataFrame of the caller's
            engine (categories as text). One row per customer with a transaction on or before
            ``as_of``, sorted by customer id; the id column keeps its name.
            Columns: the customer features
            (:func:`custseg.features.customer_features`), then, for every stage
            that is not dropped: ``kmeans_segment`` (0 = most valuable) and
            ``kmeans_segment_name``; ``value_score`` and ``tier`` (ordered
            categorical, best first); ``churn_probability`` (of no purchase in
            the ``churn_horizon_days`` after ``as_of``) and ``churn_risk``
            (``low``/``medium``/``high``; both missing for a customer whose only
            rows are refunds); ``action`` and ``action_priority`` from the
            playbook. ``table.attrs["as_of"]`` holds the
            resolved date (pandas only).

        Notes
        -----
        On a Spark DataFrame the table is scored on the executors and ``predict``
        returns an un-executed plan, in no row order: the customer features and the
        BTYD summary are Spark plans over the log, and ``mapInPandas`` applies the
        fitted stages (the model travels in its closure) to each batch of each
        partition. Every value the stages read was learnt in ``fit``, except two
        taken from the whole table as Spark aggregates, so the rows do not depend on
        the partitioning: the fill value of the recency of a customer whose only rows
        are refunds (the longest recency of the table), and, for a
        :class:`~custseg.actions.DecisionMatrix` grading value by ``expected_value``,
        its quantile over the table (an exact ``percentile``; the actions are then
        decided in a second ``mapInPandas``). The basket stage collects the distinct
        (customer, product) pairs for its recommender and joins its
        recommendations back. See the docs page "Scale".
        """
        check_is_fitted(self)
        log, as_of_dt, tx = self._log(transactions, as_of)
        self._check_columns(tx.info.columns)
        if tx.info.engine == "spark" and tx.info.kind == "lazy":
            from ._spark_scoring import predict_on_spark

            return predict_on_spark(self, log, as_of_dt)  # scored on the executors
        table = self._predict_table(log, as_of_dt)
        table.attrs["as_of"] = as_of_dt.isoformat()
        return to_kind(table, tx.info, keep_dtypes=(self.customer_col,))

    def _groups_as_of(self, transactions: Any, as_of: Any) -> pd.DataFrame:
        """Return each customer's features, RFM segment, lifecycle stage and tier.

        As of ``as_of``, as pandas: ``predict`` without K-means, churn, future value
        and actions.

        The report compares these groups with one period earlier; the skipped stages
        made that table cost as much as the report's own one (see
        ``benchmarks/bench_report.py``).
        """
        check_is_fitted(self)
        log, as_of_dt, _ = self._log(transactions, as_of)
        table = self._predict_table(log, as_of_dt, groups_only=True)
        table.attrs["as_of"] = as_of_dt.isoformat()
        return table

    def _btyd_days(self, log: Transactions, as_of: dt.datetime) -> pd.DataFrame:
        return to_pandas(btyd_summary(log, observation_date=as_of, future="drop", unit="D",
                                      **self._feature_kwargs()))

    def _fit_value(self, btyd: pd.DataFrame) -> Any:
        from .churn._future_value import fit_value_models

        return fit_value_models(btyd)

    def _value_columns(self, summary: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
        from .churn._future_value import VALUE_COLUMNS, ValueModels, future_value

        assert self.value_purchases_ is not None and self.value_fallback_spend_ is not None
        models = ValueModels(self.value_purchases_, self.value_spend_,
                             float(self.value_fallback_spend_))
        values = future_value(models, summary, float(self.value_horizon_days),
                              float(self.value_discount_rate))
        values.index = summary[self.customer_col].to_numpy()
        return values.reindex(ids)[list(VALUE_COLUMNS)]

    def _rfm_segment_names(self) -> list[str]:
        """Segment names in the order of the segment map (best first in the default map)."""
        from .segments import DEFAULT_SEGMENT_MAP

        used = list(dict.fromkeys(self.rfm_.cell_names_.values()))
        seg_map = self.rfm_.segment_map
        seg_map = DEFAULT_SEGMENT_MAP if isinstance(seg_map, str) else seg_map
        ordered = [n for n in (seg_map or {}) if n in used]
        return ordered + [n for n in used if n not in ordered]

    def _check_columns(self, columns: tuple[str, ...]) -> None:
        seen = [str(c) for c in self.feature_names_in_]
        needed = [c for c in self._columns().values() if c is not None]
        missing = [c for c in needed if c not in columns]
        if missing:  # pragma: no cover - check_transactions raises first
            raise ColumnMismatchError(
                f"columns {names_text(missing)} seen in fit are missing; fit saw "
                f"{names_text(seen)}, got {names_text(list(columns))}."
            )

    def _predict_table(self, log: Transactions, as_of: dt.datetime,
                       groups_only: bool = False, feats: pd.DataFrame | None = None,
                       btyd: pd.DataFrame | None = None) -> pd.DataFrame:
        """Return the table as of ``as_of`` (the eager path: inputs, then scoring).

        ``groups_only``: the features, RFM segment, lifecycle stage and tier only (what
        the report compares with one period earlier). ``feats``, ``btyd``: the features
        and BTYD summary as of ``as_of`` when already computed (``fit_predict``).
        """
        from ._scoring import score, score_inputs

        # One BTYD summary for the churn features and the future value (each pass over a
        # 1.5M-row log costs about 1.5 s; benchmarks/bench_report.py).
        wide = score_inputs(self, log, as_of, groups_only, feats=feats, btyd=btyd)
        return score(self, wide, as_of, groups_only=groups_only, log=log)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        tags.non_deterministic = False
        return tags

