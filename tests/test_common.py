"""scikit-learn's estimator checks over every public custseg estimator.

Estimators are discovered by :func:`custseg.utils.all_estimators`. Those taking a
numeric matrix run the whole of ``parametrize_with_checks``, and so do the
named-column estimators with a documented numeric-matrix input (``ARRAY_INPUT``), on
which any matrix of finite values >= 0, of any width, is valid:

- the basket estimators (``AssociationRules``, ``ProductRecommender``): a basket-by-item
  matrix (rows: baskets, columns: items, a positive value a held item);
- the BTYD models (``BetaGeoModel``, ``GammaGammaModel``, ``BetaGeoChurnClassifier``) and
  ``RFMScorer`` with ``layout="periods"``: a customer-by-period matrix (rows: customers,
  columns: periods of equal length, oldest first, a value the customer's purchases or
  spend in that period), read as frequency, recency, T, mean repeat spend or RFM's
  recency, frequency and monetary value (:mod:`custseg.features._periods`). Their
  default ``layout="summary"`` reads an array by position (frequency, recency, T; ...)
  and so has a fixed width, which scikit-learn's matrices of 1 to 30 columns do not
  have.

The estimators that read a transaction log (the feature builders ``RFMFeatures``,
``BTYDFeatures``, ``BehaviouralFeatures``, ``CustomerFeatures``, and ``LifecycleStager``,
``CustomerSegmentation``) take no numeric matrix: a log is rows of customer id,
timestamp and amount, and a matrix of random floats has no customer or date to group
by. scikit-learn skips them. Every named-column estimator, the ones above included,
has an instance built for the checks (``NAMED_COLUMN``) that runs scikit-learn's
input-free checks as they are, and the data checks (fit returns self, idempotence,
parameters and input untouched, unfitted errors, ``score`` and cross-validation with
default scoring) on a real input of the right kind.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sklearn.utils.estimator_checks as sk_checks
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from custseg.base import FrameInputMixin
from custseg.datasets import load_cdnow
from custseg.utils import all_estimators

# Documented exceptions: {instance id: {check name: reason}}.
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "ChurnPredictor": {
        "check_sample_weight_equivalence_on_dense_data": (
            "the default model, HistGradientBoostingClassifier, bins features and counts "
            "min_samples_leaf by rows, so weights are not equivalent to repeated rows; "
            "scikit-learn lists the same expected failure for HistGradientBoostingClassifier"
        ),
    },
    "TierClassifier": {
        "check_classifiers_train": (
            "a 0/1 target is a binary outcome and 1 the best grade: classes_ holds the grades "
            "best first, [1, 0], as ['Yes', 'No'] for Yes/No (issue 14), so column 0 of "
            "predict_proba is the probability of a 1; the check assumes classes_ sorted "
            "(argmax of predict_proba == predict). Multi-grade numbers keep [0, 1, 2, ...]"
        ),
    },
}


def _numeric_instances() -> list[Any]:
    out = []
    for _, cls in all_estimators(numeric_only=True):
        make = getattr(cls, "_test_instances", None)
        out.extend(make() if make is not None else [cls()])
        if make is not None and cls.__name__ == "ValueGrader":
            out.append(cls())  # the default text grades too
    return out


def _array_input_instances() -> list[Any]:
    """Named-column estimators with a documented numeric-matrix input: a basket matrix
    (``max_len=2`` keeps the itemsets of scikit-learn's dense random matrices, every item
    in every basket, few) or a customer-by-period matrix (``layout="periods"``;
    ``max_correlation=1.0``: the frequency-spend correlation of random matrices is noise,
    and pytest turns the Gamma-Gamma assumption warning about it into an error)."""
    from custseg.baskets import AssociationRules, ProductRecommender
    from custseg.churn import BetaGeoChurnClassifier, BetaGeoModel, GammaGammaModel
    from custseg.segments import RFMScorer

    return [AssociationRules(min_support=0.1, min_confidence=0.0, min_lift=0.0, max_len=2),
            ProductRecommender(min_support=0.1, min_confidence=0.0, min_lift=0.0, max_len=2),
            BetaGeoModel(layout="periods"), GammaGammaModel(layout="periods", max_correlation=1.0),
            BetaGeoChurnClassifier(horizon=4, layout="periods"), RFMScorer(layout="periods")]


# The named-column estimators that run the whole of parametrize_with_checks.
MATRIX_INPUT = {"AssociationRules", "ProductRecommender", "BetaGeoModel", "GammaGammaModel",
                "BetaGeoChurnClassifier", "RFMScorer"}
# Those that read a transaction log: no numeric-matrix reading (see the module notes).
LOG_INPUT = {"RFMFeatures", "BTYDFeatures", "BehaviouralFeatures", "CustomerFeatures",
             "LifecycleStager", "CustomerSegmentation"}


ARRAY_INPUT = _array_input_instances()
INSTANCES = _numeric_instances() + ARRAY_INPUT


@parametrize_with_checks(
    INSTANCES,
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# --- named-column estimators: instances built for the checks, with real inputs ---------

LOG = load_cdnow(sample=True)
LOG = LOG[LOG["customer_id"] <= "0600"].reset_index(drop=True)
CUTOFF = "1997-09-30"


def _inputs() -> dict[str, tuple[Any, Any]]:
    from custseg.features import btyd_summary, calibration_holdout, rfm

    split = calibration_holdout(LOG, CUTOFF, unit="W").features
    return {
        "log": (LOG, None),
        "rfm": (rfm(LOG, observation_date=CUTOFF, future="drop"), None),
        "btyd": (btyd_summary(LOG, observation_date=CUTOFF, unit="W", future="drop"), None),
        "churn": (split, split["churned"]),
    }


INPUTS = _inputs()
CAL = ("frequency_cal", "recency_cal", "T_cal")


def _named_column() -> dict[str, tuple[Callable[[], Any], str]]:
    """One instance per named-column estimator and the input it reads."""
    from custseg import CustomerSegmentation
    from custseg.baskets import AssociationRules, ProductRecommender
    from custseg.churn import BetaGeoChurnClassifier, BetaGeoModel, GammaGammaModel
    from custseg.features import BehaviouralFeatures, BTYDFeatures, CustomerFeatures, RFMFeatures
    from custseg.segments import LifecycleStager, RFMScorer

    return {
        "BTYDFeatures": (lambda: BTYDFeatures(observation_date=CUTOFF, future="drop"), "log"),
        "BehaviouralFeatures": (
            lambda: BehaviouralFeatures(observation_date=CUTOFF, future="drop"), "log"),
        "CustomerFeatures": (
            lambda: CustomerFeatures(observation_date=CUTOFF, future="drop"), "log"),
        "RFMFeatures": (lambda: RFMFeatures(observation_date=CUTOFF, future="drop"), "log"),
        "LifecycleStager": (
            lambda: LifecycleStager(observation_date=CUTOFF, future="drop"), "log"),
        "CustomerSegmentation": (
            lambda: CustomerSegmentation(observation_date=CUTOFF, random_state=0), "log"),
        "RFMScorer": (RFMScorer, "rfm"),
        "BetaGeoModel": (BetaGeoModel, "btyd"),
        "GammaGammaModel": (GammaGammaModel, "btyd"),
        "BetaGeoChurnClassifier": (
            lambda: BetaGeoChurnClassifier(horizon=39, columns=CAL), "churn"),
        "AssociationRules": (lambda: AssociationRules._test_instances()[0], "log"),
        "ProductRecommender": (lambda: ProductRecommender._test_instances()[0], "log"),
    }


def _class(name: str) -> type:
    return dict(all_estimators())[name]


NAMED_COLUMN = _named_column()
# Every named-column estimator discovered: the input-free checks run on all of them (an
# estimator without an instance in NAMED_COLUMN yet runs them on its default instance).
NAMED = sorted(name for name, cls in all_estimators() if issubclass(cls, FrameInputMixin))


def _instance(name: str) -> Any:
    return NAMED_COLUMN[name][0]() if name in NAMED_COLUMN else _class(name)()


def test_every_estimator_is_checked():
    # Both directions: every estimator checked is public, and every public estimator is
    # checked (a new estimator without an instance built for the checks fails here).
    public = {name for name, _ in all_estimators()}
    full = {type(est).__name__ for est in INSTANCES}  # the whole of parametrize_with_checks
    numeric = {name for name, _ in all_estimators(numeric_only=True)}
    assert {"ChurnPredictor", "KMeansSegmenter", "TierClassifier", "ValueGrader"} <= numeric
    assert {"RFMFeatures", "BetaGeoModel", "RFMScorer", "CustomerSegmentation"} <= set(NAMED)
    assert set(NAMED) == public - numeric
    assert set(NAMED_COLUMN) == set(NAMED)  # each named-column estimator, real-input checks
    assert full == numeric | MATRIX_INPUT
    assert MATRIX_INPUT | LOG_INPUT == set(NAMED) and not MATRIX_INPUT & LOG_INPUT
    assert not MATRIX_INPUT & set(EXPECTED_FAILED_CHECKS)
    assert full <= public and full | set(NAMED_COLUMN) == public
    assert set(EXPECTED_FAILED_CHECKS) <= full  # exceptions only for estimators checked
    assert all(reason.strip() for checks in EXPECTED_FAILED_CHECKS.values()
               for reason in checks.values())


# scikit-learn's checks that need no particular input, run as they are.
INPUT_FREE_CHECKS = [
    "check_no_attributes_set_in_init", "check_parameters_default_constructible",
    "check_get_params_invariance", "check_set_params", "check_estimator_cloneable",
    "check_estimator_repr", "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order", "check_estimator_tags_renamed", "check_valid_tag_types",
    "check_estimators_unfitted",
]


@pytest.mark.parametrize("check", INPUT_FREE_CHECKS)
@pytest.mark.parametrize("name", NAMED)
def test_named_column_estimator_passes_input_free_checks(name, check):
    getattr(sk_checks, check)(name, _instance(name))


def _fitted(name: str) -> tuple[Any, Any, Any]:
    make, data = NAMED_COLUMN[name]
    X, y = INPUTS[data]
    est = make()
    return (est.fit(X, y) if y is not None else est.fit(X)), X, y


METHODS = ("predict", "predict_proba", "transform", "score_samples", "probability_alive",
           "expected_average_spend")


def _outputs(est: Any, X: Any) -> dict[str, Any]:
    return {m: getattr(est, m)(X) for m in METHODS if hasattr(est, m)}


def _same(a: Any, b: Any) -> None:
    if hasattr(a, "to_pandas"):
        a, b = a.to_pandas(), b.to_pandas()
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("name", sorted(NAMED_COLUMN))
def test_named_column_estimator_data_checks(name):
    make, data = NAMED_COLUMN[name]
    X, y = INPUTS[data]
    X_before = X.copy(deep=True)
    est = make()
    params = copy.deepcopy(est.get_params(deep=False))
    # check_estimators_unfitted on the real input: every method asks for fit first
    for method in (*METHODS, "score"):
        if hasattr(est, method):
            args = (X, y) if method == "score" and y is not None else (X,)
            with pytest.raises(NotFittedError):
                getattr(est, method)(*args)
    # check_estimators_fit_returns_self, check_dont_overwrite_parameters
    assert (est.fit(X, y) if y is not None else est.fit(X)) is est
    assert est.get_params(deep=False).keys() == params.keys()
    for key, value in params.items():
        assert est.get_params(deep=False)[key] is value or repr(
            est.get_params(deep=False)[key]) == repr(value), key
    assert all(not k.endswith("_") or k.startswith("_") for k in vars(clone(est)))
    out = _outputs(est, X)
    assert out, f"{name} has no prediction method"
    # check_dict_unchanged: predicting does not change the fitted estimator
    state = {k: repr(v) for k, v in vars(est).items()}
    _outputs(est, X)
    assert {k: repr(v) for k, v in vars(est).items()} == state
    # check_fit_idempotent
    again = make()
    again = again.fit(X, y) if y is not None else again.fit(X)
    for method, value in _outputs(again, X).items():
        _same(out[method], value)
    # the caller's data is never mutated
    pd.testing.assert_frame_equal(X, X_before)


@pytest.mark.parametrize("name", sorted(n for n in NAMED_COLUMN if hasattr(_class(n), "score")))
def test_named_column_score_and_cross_validation_with_default_scoring(name):
    est, X, y = _fitted(name)
    value = est.score(X, y) if y is not None else est.score(X)
    assert np.isfinite(value)
    if is_classifier(est) or is_regressor(est):
        scores = cross_val_score(NAMED_COLUMN[name][0](), X, y, cv=3, error_score="raise")
    else:
        scores = cross_val_score(NAMED_COLUMN[name][0](), X, cv=3, error_score="raise")
    assert np.isfinite(scores).all(), scores


def test_value_grader_default_grades_pass_every_check():
    # ValueGrader() (text grades A to D) is among the instances checked above, with no
    # expected failure: a matrix gets grade positions, a dataframe the labels.
    defaults = [est for est in INSTANCES if type(est).__name__ == "ValueGrader"
                and est.grades == type(est)().grades]
    assert len(defaults) == 1
    assert "ValueGrader" not in EXPECTED_FAILED_CHECKS
    rng = np.random.default_rng(0)
    X = rng.random((120, 3))
    positions = clone(defaults[0]).fit(X).predict(X)
    assert positions.dtype.kind == "i" and set(positions) == {0, 1, 2, 3}
    frame = pd.DataFrame(X, columns=["recency_days", "frequency", "monetary_total"])
    labels = clone(defaults[0]).fit(frame).predict(frame)
    assert labels.cat.ordered and set(labels) == {"A", "B", "C", "D"}
