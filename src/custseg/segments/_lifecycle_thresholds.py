"""Lifecycle thresholds learnt from the gaps between purchases (own rhythm or pooled)."""

from __future__ import annotations

import math
from numbers import Real

import narwhals.stable.v2 as nw
import numpy as np
import polars as pl

from .._advice import option
from .._frame import collect_small
from ..exceptions import InvalidValueError
from ..features._core import PURCH, occasions
from ..io._validate import CID, TIME, Transactions

__all__ = ["_LifecycleThresholdsMixin"]

_THRESHOLDS = ("new_days", "active_days", "churn_days")


class _LifecycleThresholdsMixin:
    """``fit`` of :class:`LifecycleStager`: the day thresholds from the log's purchase gaps.

    Sets ``rhythm_``, ``thresholds_``, ``threshold_rules_``, ``gap_quantiles_`` and
    ``n_gaps_`` from the stager's parameters.
    """

    new_days: float | str
    active_days: float | str
    churn_days: float | str
    active_quantile: float
    churn_quantile: float
    rhythm: str
    rhythm_quantiles: tuple[float, float]
    prior_gaps: float
    occasion: str

    def _gaps(self, tx: Transactions) -> pl.DataFrame:
        """Every gap between consecutive purchase occasions: columns CID and ``gap`` (days)."""
        occ = occasions(tx, self.occasion)
        if PURCH in occ.collect_schema().names():
            occ = occ.filter(nw.col(PURCH))
        df = collect_small(occ.select(CID, TIME))
        return (
            df.sort([CID, TIME])
            .select(CID, (pl.col(TIME).diff().over(CID).dt.total_microseconds() / 86_400e6)
                    .alias("gap"))
            .drop_nulls("gap")
        )

    def _own_mode(self) -> bool:
        return self.rhythm == "own" and self.active_days == "auto" \
            and self.churn_days == "auto"

    def _resolve_own(self, gaps: pl.DataFrame) -> None:
        """Set the own-rhythm thresholds (in gaps) from the normalised gaps."""
        q = tuple(self.rhythm_quantiles)
        if len(q) != 2 or not all(isinstance(v, Real) for v in q) or not 0 < q[0] < q[1] < 1:
            raise InvalidValueError(
                f"rhythm_quantiles={self.rhythm_quantiles!r} must be two increasing "
                "quantiles strictly between 0 and 1, e.g. (0.8, 0.998)."
            )
        k = float(self.prior_gaps)
        per = gaps.group_by(CID).agg(pl.col("gap").sum().alias("span"),
                                     pl.len().alias("n_gaps"))
        pop = float(np.median((per["span"] / per["n_gaps"]).to_numpy()))
        pop = max(pop, 1.0 / 24)  # an hour at least: same-day repeaters would divide by 0
        per = per.with_columns(((pl.col("span") + k * pop) / (pl.col("n_gaps") + k))
                               .alias("typical"))
        norm = gaps.join(per.select(CID, "typical"), on=CID, how="left")
        ratio = (norm["gap"] / norm["typical"]).to_numpy()
        active = float(np.quantile(ratio, q[0]))
        churn = max(float(np.quantile(ratio, q[1])), active * (1 + 1e-9) + 1e-9)
        if self.new_days == "auto":
            new = float(math.ceil(active * pop))
            new_rule = (f"first purchase within {active:.2f} of the customer's own typical "
                        f"gaps; {new:g} days at the population gap")
        else:
            new = float(self.new_days)
            new_rule = f"given: {new:g} days"
        n = len(ratio)
        self.thresholds_ = {
            "new_days": new, "active_days": active * pop, "churn_days": churn * pop,
            "active_gaps": active, "churn_gaps": churn, "typical_gap_days": pop,
            "prior_gaps": k,
        }
        self.threshold_rules_ = {
            "new_days": new_rule,
            "active_days": (f"silent for at most {active:.2f} of the customer's own typical gaps "
                            f"({q[0]:.1%} quantile of {n:,} gaps, each divided by its "
                            f"customer's typical gap); {active * pop:.0f} days at the "
                            f"population gap of {pop:.1f} days"),
            "churn_days": (f"silent for more than {churn:.2f} typical gaps ({q[1]:.1%} "
                           f"quantile); {churn * pop:.0f} days at the population gap"),
        }

    def _resolve(self, gap_table: pl.DataFrame) -> None:
        gaps = np.asarray(gap_table["gap"].to_numpy(), dtype=np.float64)
        quantiles = (0.5, 0.8, 0.9, 0.95, 0.99)
        self.gap_quantiles_ = (
            {q: float(np.quantile(gaps, q)) for q in quantiles} if len(gaps) else {}
        )
        self.n_gaps_ = len(gaps)
        needs_gaps = self.active_days == "auto" or self.churn_days == "auto"
        if needs_gaps and not len(gaps):
            raise InvalidValueError(
                "the active and churn thresholds are learnt from the gaps between purchases, "
                "but no customer in the log has two purchase occasions; give them with "
                f"{option('lifecycle_days')}."
            )
        self.rhythm_ = "own" if self._own_mode() else "pooled"
        if self.rhythm_ == "own":
            self._resolve_own(gap_table)
            return
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
                f"{option('churn_days')} ({churn:g} days) must exceed "
                f"{option('active_days')} ({active:g} days)."
            )
        if self.new_days == "auto":
            new = active
            rules["new_days"] = f"equal to active_days: {new:g} days"
        else:
            new = float(self.new_days)
            rules["new_days"] = f"given: {new:g} days"
        self.thresholds_ = {"new_days": new, "active_days": active, "churn_days": churn}
        self.threshold_rules_ = {k: rules[k] for k in _THRESHOLDS}
