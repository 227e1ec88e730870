"""Tests of custseg.persistence: one-file save/load with metadata, version checks, safe loading."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import is_classifier, is_regressor
from sklearn.datasets import make_blobs

import custseg._model_metadata as model_metadata
from custseg._safe_trees import TREE_TYPES
from custseg.base import TransactionInputMixin
from custseg.datasets import load_cdnow
from custseg.exceptions import (
    InvalidValueError,
    ModelFileError,
    UntrustedTypeError,
    VersionMismatchWarning,
)
from custseg.features import RFMFeatures
from custseg.persistence import load, load_safe, read_metadata, save
from custseg.utils import all_estimators

LOG = load_cdnow(sample=True)


class NotTrusted:
    """A type no safe loader knows."""

    def __init__(self, value: int = 1) -> None:
        self.value = value


class Boom:
    """A pickle that runs code when loaded (writes a marker file)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


# --- every estimator round-trips with identical outputs -------------------------------

def _numeric_data() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_blobs(n_samples=90, centers=3, n_features=3, random_state=0)
    return np.abs(X) + 0.1, y


def _instances(cls: type) -> list[Any]:
    make = getattr(cls, "_test_instances", None)
    return list(make()) if make is not None else [cls()]


def _candidate_data() -> list[tuple[str, Any, Any]]:
    """Inputs an estimator may take, tried in order: (name, X, y)."""
    from custseg.features import btyd_summary, calibration_holdout, customer_features

    X, y = _numeric_data()
    split = calibration_holdout(LOG, "1997-09-30", unit="W").features
    churned = split["churned"].to_numpy()
    btyd = btyd_summary(LOG, observation_date="1997-09-30", unit="W", future="drop")
    feats = customer_features(LOG, observation_date="1997-09-30", future="drop")
    numeric_feats = feats.drop(columns=["first_purchase", "last_purchase"]).fillna(0.0)
    return [
        ("transaction log", LOG, None),
        ("numeric array, binary target", X, (y == 0).astype(int)),
        ("numeric array, 3 classes", X, y),
        ("customer features", feats, churned),
        ("numeric customer features", numeric_feats.drop(columns="customer_id"), churned),
        ("BTYD summary", btyd, churned),
    ]


CANDIDATES = _candidate_data()


def _fit(est: Any) -> tuple[Any, Any]:
    """Fit ``est`` on the first candidate input it accepts; return it and that input."""
    params = est.get_params(deep=False)
    if "horizon" in params and params["horizon"] is None:
        est.set_params(horizon=39)
    errors = []
    for name, X, y in CANDIDATES:
        if name == "transaction log" and not isinstance(est, TransactionInputMixin):
            continue
        try:
            if y is not None and (is_classifier(est) or is_regressor(est)):
                target = y if is_classifier(est) else np.asarray(y, dtype=float)
                return est.fit(X, target), X
            return est.fit(X), X
        except (ValueError, KeyError, TypeError) as err:
            errors.append(f"{name}: {err}")
    raise AssertionError(f"{type(est).__name__} accepts none of the inputs: {errors}")


# Methods compared before and after saving, with their extra arguments.
METHODS: dict[str, dict[str, Any]] = {
    "predict": {},
    "predict_proba": {},
    "transform": {},
    "score_samples": {},
    "decision_function": {},
    "probability_alive": {},  # BG/NBD
    "expected_purchases": {"horizon": 39},
    "probability_no_purchase": {"horizon": 39},
    "expected_average_spend": {},  # Gamma-Gamma
}


def _outputs(est: Any, X: Any) -> dict[str, Any]:
    out = {}
    for method, kwargs in METHODS.items():
        if hasattr(est, method):
            out[method] = getattr(est, method)(X, **kwargs)
    assert out, f"{type(est).__name__} has no prediction method to compare"
    return out


def _assert_same(a: Any, b: Any) -> None:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif hasattr(a, "to_pandas"):
        pd.testing.assert_frame_equal(a.to_pandas(), b.to_pandas())
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


ESTIMATORS = [
    pytest.param(inst, id=f"{name}-{i}")
    for name, cls in all_estimators()
    for i, inst in enumerate(_instances(cls))
]


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_every_estimator_round_trips_with_identical_outputs(estimator, tmp_path):
    fitted, X = _fit(estimator)
    before = _outputs(fitted, X)
    loaded = load(save(fitted, tmp_path / "model.joblib"), trusted=True)
    assert type(loaded) is type(fitted)
    after = _outputs(loaded, X)
    # The loaded model gives the outputs the model gave before saving.
    for method, value in before.items():
        _assert_same(value, after[method])


def test_numeric_estimators_round_trip_through_the_safe_format(tmp_path):
    import skops.io as sio

    checked = 0
    for name, cls in all_estimators(numeric_only=True):
        for est in _instances(cls):
            fitted, X = _fit(est)
            path = save(fitted, tmp_path / f"{name}.skops")
            # Beyond skops' audited defaults and custseg's own classes, the only types
            # are scikit-learn's trees, which load once custseg has checked them.
            found = sio.get_untrusted_types(file=path)
            extra = [t for t in found if not t.startswith("custseg.")]
            assert set(extra) <= set(TREE_TYPES), extra
            loaded = load_safe(path)
            for method, value in _outputs(fitted, X).items():
                _assert_same(value, _outputs(loaded, X)[method])
            checked += 1
    assert checked == sum(len(_instances(c)) for _, c in all_estimators(numeric_only=True))


def test_feature_transformer_round_trips_through_the_safe_format(tmp_path):
    model = RFMFeatures(observation_date="1997-12-31", future="drop").fit(LOG)
    loaded = load_safe(save(model, tmp_path / "rfm.skops"))
    assert loaded.get_params() == model.get_params()
    pd.testing.assert_frame_equal(loaded.transform(LOG), model.transform(LOG))


# --- metadata ----------------------------------------------------------------------------

def test_metadata_records_versions_features_and_time(tmp_path):
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path = save(RFMFeatures().fit(LOG), tmp_path / "rfm.custseg")
    meta = read_metadata(path)
    assert meta["serializer"] == "joblib"
    assert meta["class"] == "custseg.features._transformers.RFMFeatures"
    assert meta["feature_names"] == list(LOG.columns)
    import numpy
    import sklearn

    assert meta["versions"]["numpy"] == numpy.__version__
    assert meta["versions"]["scikit-learn"] == sklearn.__version__
    assert meta["versions"]["custseg"] == "0.1.0"
    created = dt.datetime.fromisoformat(meta["created"])
    assert before <= created <= dt.datetime.now(dt.UTC)


def test_files_are_plain_joblib_and_skops_files_with_the_metadata_inside(tmp_path):
    import skops.io as sio

    model = RFMFeatures().fit(LOG)
    jpath, spath = save(model, tmp_path / "m.joblib"), save(model, tmp_path / "m.skops")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib", "m.skops"]  # no temp
    plain = joblib.load(jpath)
    assert sorted(plain) == ["custseg_metadata", "model"]
    assert json.loads(plain["custseg_metadata"]) == read_metadata(jpath)
    pd.testing.assert_frame_equal(plain["model"].transform(LOG), model.transform(LOG))
    untrusted = sio.get_untrusted_types(file=spath)
    assert untrusted == ["custseg.features._transformers.RFMFeatures"]
    plain = sio.load(spath, trusted=untrusted)
    assert json.loads(plain["custseg_metadata"]) == read_metadata(spath)
    pd.testing.assert_frame_equal(plain["model"].transform(LOG), model.transform(LOG))


def test_format_follows_the_suffix_unless_given(tmp_path):
    assert read_metadata(save([1], tmp_path / "a.skops"))["serializer"] == "skops"
    assert read_metadata(save([1], tmp_path / "a.bin"))["serializer"] == "joblib"
    assert read_metadata(save([1], tmp_path / "b.bin", format="skops"))["serializer"] == "skops"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"format": "pickle"}, "format='pickle'"), ({"compress": 12}, "compress=12")],
)
def test_bad_save_parameters(kwargs, match, tmp_path):
    with pytest.raises(InvalidValueError, match=match):
        save([1], tmp_path / "x", **kwargs)


# --- files of earlier versions ------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".skops", ".joblib"])
def test_a_classifier_saved_under_its_0_1_module_loads(suffix, tmp_path, monkeypatch):
    # custseg 0.1 defined BetaGeoChurnClassifier in custseg.churn._betageo: its files name it so.
    from custseg.churn import BetaGeoChurnClassifier

    X = np.array([[0, 0, 30], [2, 5, 30], [5, 28, 30.0]])
    clf = BetaGeoChurnClassifier(horizon=10).fit(X)
    monkeypatch.setattr(BetaGeoChurnClassifier, "__module__", "custseg.churn._betageo")
    path = save(clf, tmp_path / f"old{suffix}")
    monkeypatch.undo()
    assert read_metadata(path)["class"] == "custseg.churn._betageo.BetaGeoChurnClassifier"
    loaded = load(path, trusted=True) if suffix == ".joblib" else load_safe(path)
    assert type(loaded) is BetaGeoChurnClassifier
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


# --- version mismatch --------------------------------------------------------------------

@pytest.mark.parametrize("package", ["custseg", "scikit-learn", "numpy"])
def test_loading_with_a_changed_version_warns(package, tmp_path, monkeypatch):
    model = RFMFeatures().fit(LOG)
    real = model_metadata._installed_versions()
    monkeypatch.setattr(model_metadata, "_installed_versions", lambda: {**real, package: "0.0.1"})
    paths = [save(model, tmp_path / "old.joblib"), save(model, tmp_path / "old.skops")]
    monkeypatch.undo()
    for path in paths:
        assert read_metadata(path)["versions"][package] == "0.0.1"
        with pytest.warns(VersionMismatchWarning, match=rf"{package} 0\.0\.1 \(installed "):
            loaded = load(path, trusted=True)
        pd.testing.assert_frame_equal(loaded.transform(LOG), model.transform(LOG))


def test_same_versions_do_not_warn(tmp_path):
    # pytest turns warnings into errors: loading must be silent.
    load(save(RFMFeatures(), tmp_path / "m.joblib"), trusted=True)
    load_safe(save(RFMFeatures(), tmp_path / "m.skops"))


# --- safe loading ------------------------------------------------------------------------

def test_safe_loader_refuses_an_untrusted_type(tmp_path):
    path = save({"obj": NotTrusted(3)}, tmp_path / "x.skops")
    name = f"{NotTrusted.__module__}.NotTrusted"
    match = rf"1 type\(s\) that custseg does not trust: {name};"
    with pytest.raises(UntrustedTypeError, match=match):
        load_safe(path)
    with pytest.raises(UntrustedTypeError, match="NotTrusted"):
        load(path)  # a skops payload is always loaded safely
    assert load_safe(path, trusted=[name])["obj"].value == 3
    assert load(path, trusted=[NotTrusted])["obj"].value == 3


def test_safe_loader_refuses_a_pickle_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = save(Boom(str(marker)), tmp_path / "evil.joblib")
    assert not marker.exists()
    with pytest.raises(ModelFileError, match="pickle runs code"):
        load_safe(path)
    for trusted in (False, [], ["builtins.object"]):
        with pytest.raises(ModelFileError, match=r"is a pickle \(joblib\) file"):
            load(path, trusted=trusted)
    assert not marker.exists()
    # read_metadata never unpickles either.
    assert read_metadata(path)["class"].endswith("Boom")
    assert not marker.exists()
    # Whereas an opted-in load does run it: the documented danger of pickles.
    load(path, trusted=True)
    assert marker.exists()


def test_safe_loader_trusts_custseg_classes_not_functions(tmp_path):
    import custseg.features

    model = RFMFeatures().fit(LOG)
    assert isinstance(load_safe(save({"m": model}, tmp_path / "c.skops"))["m"], RFMFeatures)
    path = save({"f": custseg.features.rfm}, tmp_path / "f.skops")
    name = f"{custseg.features.rfm.__module__}.rfm"
    with pytest.raises(UntrustedTypeError, match=re.escape(name)) as err:
        load_safe(path)
    # A function is never offered as the fix.
    assert f"Never trust {name}" in str(err.value)
    assert "trusted=[" not in str(err.value)


def test_trusted_must_name_types(tmp_path):
    path = save([1], tmp_path / "x.skops")
    with pytest.raises(InvalidValueError, match="trusted must be True, False or a list"):
        load_safe(path, trusted=[42])
    with pytest.raises(InvalidValueError, match="not a bool"):
        load_safe(path, trusted=True)


# --- files that are not custseg models -----------------------------------------------------

def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="model file not found"):
        load(tmp_path / "nope.joblib")


def test_plain_joblib_file_is_not_a_model_file(tmp_path):
    path = tmp_path / "plain.joblib"
    joblib.dump({"a": 1}, path)
    with pytest.raises(ModelFileError, match="pickle runs code"):
        load(path)
    with pytest.raises(ModelFileError, match="not a custseg model file"):
        load(path, trusted=True)  # refused before unpickling: it has no custseg metadata


def test_zip_without_metadata_is_refused(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ModelFileError, match="a zip archive that is not a skops file"):
        read_metadata(path)
    with pytest.raises(ModelFileError, match="a zip archive that is not a skops file"):
        load(path)


def test_unknown_serializer_is_refused(tmp_path):
    path = tmp_path / "odd.zip"
    buf = io.BytesIO()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("custseg-metadata.json", json.dumps({"serializer": "marshal", "class": "x.Y"}))
        zf.writestr("model.bin", buf.getvalue())
    with pytest.raises(ModelFileError, match=r"payload model\.joblib is missing"):
        load(path, trusted=True)


def test_object_skops_cannot_serialise_gets_a_clear_error(tmp_path):
    # skops cannot serialise a pandas frame holding text columns.
    frame = pd.DataFrame({"name": ["x"], "value": [1.0]})
    with pytest.raises(InvalidValueError, match="format='skops' cannot save this dict"):
        save({"frame": frame}, tmp_path / "x.skops")
    assert not (tmp_path / "x.skops").exists()


def test_save_accepts_str_paths(tmp_path):
    path = save({"x": 1}, os.fspath(tmp_path / "s.joblib"))
    assert load(os.fspath(path), trusted=True) == {"x": 1}


def test_whole_pipeline_round_trips_through_the_safe_format(tmp_path):
    from custseg import CustomerSegmentation

    log = load_cdnow(sample=True)
    model = CustomerSegmentation(random_state=0).fit(log)
    path = save(model, tmp_path / "pipeline.skops")
    # The tier tree and the churn model's trees are checked, dates and custseg's own
    # tables need no trust: the model loads with no extra trust at all.
    import skops.io as sio

    assert set(TREE_TYPES) <= set(sio.get_untrusted_types(file=path))
    for loaded in (load_safe(path), load(path)):
        pd.testing.assert_frame_equal(loaded.predict(log), model.predict(log))
