"""Every estimator takes every engine and gives what the pandas path gives.

One table per estimator, made once in pandas from a small CDNOW slice (200
customers, so that Spark stays quick); each engine gets the same table through
``to_backend`` and must give equal results. Frame outputs come back as the
caller's kind (a lazy input as a lazy frame of the same engine); per-row
arrays (``predict``, ``predict_proba``...) are numpy arrays in row order.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import custseg
from custseg.datasets import load_cdnow
from tests.conftest import ENGINES, to_backend, to_pandas

OBS = "1998-06-30"
_log = load_cdnow(sample=True).drop(columns="master_id")
LOG = _log[_log["customer_id"].isin(sorted(_log["customer_id"].unique())[:200])].reset_index(
    drop=True)
FEATS = custseg.customer_features(LOG, observation_date=OBS)
RFM = custseg.rfm(LOG, observation_date=OBS)
BTYD = custseg.btyd_summary(LOG, observation_date=OBS)
NUM = FEATS.select_dtypes("number").drop(columns=["customer_id"], errors="ignore").fillna(0.0)
Y = (RFM["frequency"] > 1).astype(int).to_numpy()
TABLES = {"log": LOG, "rfm": RFM, "btyd": BTYD, "num": NUM}

# name -> (estimator factory, table, y, {method: extra args})
CASES: dict[str, tuple[Callable[[], Any], str, Any, dict[str, tuple[Any, ...]]]] = {
    "RFMScorer": (custseg.RFMScorer, "rfm", None, {"transform": ()}),
    "LifecycleStager": (lambda: custseg.LifecycleStager(observation_date=OBS), "log", None,
                        {"transform": ()}),
    "ValueScorer": (custseg.ValueScorer, "rfm", None, {"transform": ()}),
    "ValueGrader": (custseg.ValueGrader, "rfm", None, {"predict": ()}),
    "TierClassifier": (lambda: custseg.TierClassifier(max_depth=3), "num", Y,
                       {"predict": (), "predict_proba": ()}),
    "KMeansSegmenter": (lambda: custseg.KMeansSegmenter(n_clusters=3, random_state=0), "num",
                        None, {"predict": ()}),
    "ChurnPredictor": (lambda: custseg.ChurnPredictor(random_state=0), "num", Y,
                       {"predict_proba": ()}),
    "BetaGeoModel": (custseg.BetaGeoModel, "btyd", None,
                     {"probability_alive": (), "expected_purchases": (30.0,)}),
    "GammaGammaModel": (custseg.GammaGammaModel, "btyd", None,
                        {"expected_average_spend": ()}),
    "BetaGeoChurnClassifier": (lambda: custseg.BetaGeoChurnClassifier(horizon=90.0), "btyd",
                               None, {"predict_proba": ()}),
}


def _run(name: str, table: Any) -> dict[str, Any]:
    make, _, y, methods = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # model warnings (assumptions, convergence) alike
        est = make().fit(table, y) if y is not None else make().fit(table)
        return {m: getattr(est, m)(table, *args) for m, args in methods.items()}


_expected: dict[str, dict[str, Any]] = {}


def expected(name: str) -> dict[str, Any]:
    if name not in _expected:
        _expected[name] = _run(name, TABLES[CASES[name][1]])
    return _expected[name]


def _native_kind(obj: Any) -> str:
    module = type(obj).__module__.split(".")[0]
    return {"polars": "polars", "pyarrow": "pyarrow", "pandas": "pandas", "duckdb": "duckdb",
            "pyspark": "spark"}.get(module, module)


_LAZY_KIND = {"polars_lazy": "LazyFrame", "duckdb": "DuckDBPyRelation", "spark": "DataFrame"}


def _as_frame(out: Any) -> pd.DataFrame:
    if isinstance(out, pd.Series):
        return out.reset_index()
    if type(out).__module__.startswith("polars") and hasattr(out, "to_frame") and \
            not hasattr(out, "columns"):
        return out.to_frame().to_pandas()
    if type(out).__module__.startswith("pyarrow") and not hasattr(out, "columns"):
        return pd.DataFrame({"grade": out.to_pandas()})
    return to_pandas(out)


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.CategoricalDtype) or frame[col].dtype == object:
            frame[col] = frame[col].astype(str)
    return frame.reset_index(drop=True)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("engine", ENGINES)
def test_estimator_gives_the_pandas_result_on_every_engine(name: str, engine: str) -> None:
    table = to_backend(TABLES[CASES[name][1]], engine)
    got, want = _run(name, table), expected(name)
    for method, value in want.items():
        out = got[method]
        if isinstance(value, np.ndarray):
            assert isinstance(out, np.ndarray), (method, type(out))
            np.testing.assert_allclose(out, value, rtol=1e-9, atol=1e-12)
            continue
        # a frame (or ValueGrader's series): the caller's kind, equal to the pandas result
        if engine in _LAZY_KIND:
            assert type(out).__name__ == _LAZY_KIND[engine], type(out)
        assert _native_kind(out) == {"polars_lazy": "polars"}.get(engine, engine), type(out)
        left, right = _comparable(_as_frame(out)), _comparable(_as_frame(value))
        if engine in ("polars", "pyarrow") and isinstance(value, pd.Series):
            right = right[[value.name]]  # an eager series has no customer index
        pd.testing.assert_frame_equal(left, right, check_dtype=False, check_exact=False,
                                      rtol=1e-9)
