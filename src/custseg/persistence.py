"""Save and load fitted custseg models as one file, with metadata.

A custseg model file is a zip archive holding two members:

* ``custseg-metadata.json``: plain JSON, readable without running any code
  (:func:`read_metadata`): the serializer, the class of the saved object, the
  creation time (UTC), the custseg, scikit-learn, numpy, pandas and Python
  versions that wrote it and the feature names the object was fitted on;
* the payload: ``model.joblib`` (joblib, that is pickle) or ``model.skops``
  (skops' format, which never runs code while loading).

.. warning::

   **Loading a pickle runs code.** A joblib/pickle file can execute arbitrary
   code on the machine that loads it, before custseg can inspect anything. Call
   :func:`load` on joblib files only for files you wrote yourself or that come
   from a source you trust as much as your own code. For files from anywhere
   else, save with ``format="skops"`` and load with :func:`load_safe` (or
   ``load(path, trusted=[...])``): only types that are known to be safe, custseg's
   own classes and the types you list are rebuilt, and any other type is refused
   with :class:`~custseg.exceptions.UntrustedTypeError`.

On load, the versions recorded in the file are compared with the installed ones
and any difference raises a :class:`~custseg.exceptions.VersionMismatchWarning`:
a model may behave differently, or fail, under other library versions.

Examples
--------
>>> import tempfile, pathlib
>>> from custseg.datasets import load_cdnow
>>> from custseg.features import RFMFeatures
>>> from custseg.persistence import load, read_metadata, save
>>> log = load_cdnow(sample=True)
>>> model = RFMFeatures().fit(log)
>>> path = save(model, pathlib.Path(tempfile.mkdtemp()) / "rfm.custseg")
>>> read_metadata(path)["class"]
'custseg.features._transformers.RFMFeatures'
>>> import pandas as pd
>>> pd.testing.assert_frame_equal(load(path).transform(log), model.transform(log))
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata
import inspect
import io
import json
import platform
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import joblib

from .exceptions import (
    InvalidValueError,
    ModelFileError,
    UntrustedTypeError,
    VersionMismatchWarning,
)

__all__ = ["load", "load_safe", "read_metadata", "save"]

FORMAT_VERSION = 1
METADATA_NAME = "custseg-metadata.json"
PAYLOADS = {"joblib": "model.joblib", "skops": "model.skops"}
# Versions whose difference warns on load (the ones a fitted model depends on).
CHECKED_PACKAGES = ("custseg", "scikit-learn", "numpy")
_RECORDED_PACKAGES = ("custseg", "scikit-learn", "numpy", "scipy", "pandas", "joblib")


def _installed_versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    for name in _RECORDED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            versions[name] = "not installed"
    versions["python"] = platform.python_version()
    return versions


def _feature_names(obj: Any) -> list[str] | None:
    names = getattr(obj, "feature_names_in_", None)
    if names is None:
        return None
    return [str(n) for n in names]


def _resolve_format(path: Path, format: str) -> str:
    if format == "auto":
        return "skops" if path.suffix.lower() == ".skops" else "joblib"
    if format not in PAYLOADS:
        raise InvalidValueError(
            f"format={format!r} is not one of ('auto', 'joblib', 'skops')."
        )
    return format


def save(obj: Any, path: str | Path, *, format: str = "auto", compress: int = 3) -> Path:
    """Save a (fitted) custseg or scikit-learn object to one file, with metadata.

    Parameters
    ----------
    obj : object
        What to save, usually a fitted estimator such as
        :class:`custseg.pipeline.CustomerSegmentation`.
    path : str or Path
        Destination file; its folder must exist. An existing file is replaced.
    format : {"auto", "joblib", "skops"}, default="auto"
        Serializer of the payload. ``"joblib"`` (pickle) saves anything picklable
        but **loading it runs code**; ``"skops"`` can be loaded safely with
        :func:`load_safe` but supports fewer types (numpy arrays, builtins and
        scikit-learn/custseg estimators; not pandas dataframes). ``"auto"``:
        ``"skops"`` when ``path`` ends in ``.skops``, ``"joblib"`` otherwise.
    compress : int, default=3
        Zip compression level (0-9) of the payload.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    custseg.exceptions.InvalidValueError
        ``format`` or ``compress`` is not valid, or skops cannot serialise ``obj``.

    See Also
    --------
    load : Load a file written by ``save``.
    read_metadata : Read a file's metadata without loading the object.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np
    >>> from sklearn.cluster import KMeans
    >>> from custseg.persistence import load_safe, save
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> km = KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)
    >>> path = save(km, pathlib.Path(tempfile.mkdtemp()) / "km.skops")
    >>> (load_safe(path).predict(X) == km.predict(X)).all()
    np.True_
    """
    path = Path(path)
    serializer = _resolve_format(path, format)
    if not isinstance(compress, int) or isinstance(compress, bool) or not 0 <= compress <= 9:
        raise InvalidValueError(f"compress={compress!r} must be an int from 0 to 9.")
    buffer = io.BytesIO()
    if serializer == "joblib":
        joblib.dump(obj, buffer)
        payload = buffer.getvalue()
    else:
        import skops.io as sio

        try:
            payload = sio.dumps(obj)
        except (TypeError, ValueError, AttributeError) as err:
            raise InvalidValueError(
                f"format='skops' cannot save this {type(obj).__name__}: skops cannot "
                f"serialise one of its parts ({type(err).__name__}: {err}). Save it with "
                "format='joblib' (loading that runs code, so share it only with people "
                "who trust you)."
            ) from err
    cls = type(obj)
    metadata = {
        "format_version": FORMAT_VERSION,
        "serializer": serializer,
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": _installed_versions(),
        "feature_names": _feature_names(obj),
    }
    tmp = path.with_name(path.name + ".tmp")
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(tmp, "w", compression=method, compresslevel=compress or None) as zf:
        zf.writestr(METADATA_NAME, json.dumps(metadata, indent=2))
        zf.writestr(PAYLOADS[serializer], payload)
    tmp.replace(path)
    return path


def _open(path: str | Path) -> tuple[dict[str, Any], bytes]:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"model file not found: {path}")
    if not zipfile.is_zipfile(path):
        raise ModelFileError(
            f"{path} is not a custseg model file (expected a zip archive written by "
            "custseg.persistence.save)."
        )
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        if METADATA_NAME not in names:
            raise ModelFileError(
                f"{path} is not a custseg model file: it has no {METADATA_NAME} member "
                f"(members: {names[:5]})."
            )
        metadata = json.loads(zf.read(METADATA_NAME))
        serializer = metadata.get("serializer")
        if serializer not in PAYLOADS or PAYLOADS[serializer] not in names:
            raise ModelFileError(
                f"{path}: unknown or missing payload (serializer {serializer!r}); expected "
                f"one of {sorted(PAYLOADS)}."
            )
        payload = zf.read(PAYLOADS[serializer])
    return metadata, payload


def read_metadata(path: str | Path) -> dict[str, Any]:
    """Read the metadata of a model file without loading the object (runs no code).

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save`.

    Returns
    -------
    dict
        ``format_version``, ``serializer`` (``"joblib"`` or ``"skops"``),
        ``class`` (qualified name of the saved object's class), ``created`` (ISO
        8601, UTC), ``versions`` (package name to version) and ``feature_names``
        (list of str, or None).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    custseg.exceptions.ModelFileError
        The file was not written by :func:`save`.

    See Also
    --------
    save, load

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from custseg.persistence import read_metadata, save
    >>> path = save({"answer": 42}, pathlib.Path(tempfile.mkdtemp()) / "obj.skops")
    >>> meta = read_metadata(path)
    >>> meta["serializer"], sorted(meta["versions"])[:3]
    ('skops', ['custseg', 'joblib', 'numpy'])
    """
    return _open(path)[0]


def _check_versions(metadata: dict[str, Any], path: Path) -> None:
    saved = metadata.get("versions", {})
    installed = _installed_versions()
    diffs = [
        f"{name} {saved.get(name)} (installed {installed[name]})"
        for name in CHECKED_PACKAGES
        if saved.get(name) != installed[name]
    ]
    if diffs:
        warnings.warn(
            f"{path.name} was saved with other library versions: {', '.join(diffs)}. "
            "The model may behave differently or fail; refit it with the installed "
            "versions if you can.",
            VersionMismatchWarning,
            stacklevel=3,
        )


# Plain values that skops rebuilds from their own bytes, without running saved code;
# skops lists them as untrusted only because its default list is short.
_SAFE_VALUE_TYPES = frozenset({"datetime.date", "datetime.datetime", "datetime.timedelta"})


def _is_custseg_class(name: str) -> bool:
    """Whether ``name`` names a class defined in custseg (custseg's own types are trusted)."""
    if not name.startswith("custseg."):
        return False
    module_name, _, attr = name.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return False
    obj = getattr(module, attr, None)
    return inspect.isclass(obj) and obj.__module__.startswith("custseg")


def _type_name(value: Any) -> str:
    if isinstance(value, str):
        return value
    if inspect.isclass(value):
        return f"{value.__module__}.{value.__qualname__}"
    raise InvalidValueError(
        f"trusted must list type names (str) or types; got {value!r}."
    )


def _check_types(
    payload: bytes, trusted: Iterable[str | type] | None
) -> tuple[list[str], list[str]]:
    """Return the types of a skops payload beyond skops' defaults, and the refused ones."""
    import skops.io as sio

    extra = {_type_name(t) for t in (trusted or ())}
    found = sio.get_untrusted_types(data=payload)
    refused = sorted(
        t for t in found
        if t not in extra and t not in _SAFE_VALUE_TYPES and not _is_custseg_class(t)
    )
    return found, refused


def _refused_types(path: str | Path, trusted: Iterable[str | type] = ()) -> list[str]:
    """List the types a safe load of the skops file ``path`` would refuse (runs no code).

    Used by the command line to name the refused types in its own words. Empty for
    a joblib file (those are refused whole, not type by type).
    """
    metadata, payload = _open(path)
    if metadata["serializer"] != "skops":
        return []
    return _check_types(payload, trusted)[1]


def load(path: str | Path, *, trusted: Iterable[str | type] | None = None) -> Any:
    """Load an object saved by :func:`save`, warning on a library version mismatch.

    .. warning::

       **Loading a joblib (pickle) file runs code.** Only load joblib files you
       trust. Passing ``trusted`` (even an empty list) asks for a *safe* load:
       pickle files are then refused, and skops files are loaded only if every
       type they hold is trusted.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save`.
    trusted : list of str or type, optional
        ``None`` (default): load joblib files with pickle and skops files safely
        (trusting skops' defaults and custseg's own classes). A list: load safely
        (as :func:`load_safe`), also trusting these types (qualified names such as
        ``"collections.OrderedDict"``, or the types themselves).

    Returns
    -------
    object
        The saved object.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    custseg.exceptions.ModelFileError
        The file was not written by :func:`save`, or it is a pickle file and a
        safe load was asked for.
    custseg.exceptions.UntrustedTypeError
        A skops file holds types that are not trusted; the message lists them.

    Warns
    -----
    custseg.exceptions.VersionMismatchWarning
        The custseg, scikit-learn or numpy version that wrote the file differs from
        the installed one.

    See Also
    --------
    load_safe : Safe loading of files from untrusted sources.
    read_metadata : The metadata alone, without loading the object.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from custseg.persistence import load, save
    >>> path = save({"weights": [1, 2, 3]}, pathlib.Path(tempfile.mkdtemp()) / "w.joblib")
    >>> load(path)
    {'weights': [1, 2, 3]}
    """
    path = Path(path)
    metadata, payload = _open(path)
    serializer = metadata["serializer"]
    if serializer == "joblib" and trusted is not None:
        raise ModelFileError(
            f"{path} is a joblib (pickle) file, which cannot be loaded safely: loading a "
            "pickle runs code. Load it with load(path) only if you trust its source, or "
            "ask its author for a file saved with format='skops'."
        )
    _check_versions(metadata, path)
    if serializer == "joblib":
        return joblib.load(io.BytesIO(payload))
    import skops.io as sio

    found, refused = _check_types(payload, trusted)
    if refused:
        raise UntrustedTypeError(
            f"{path} holds {len(refused)} untrusted type(s): {refused}. Loading was refused; "
            "review them and pass trusted=[...] with the ones you trust."
        )
    return sio.loads(payload, trusted=list(found))


def load_safe(path: str | Path, *, trusted: Iterable[str | type] = ()) -> Any:
    """Load a model file from an untrusted source without running its code.

    Only skops-format files (``save(obj, path, format="skops")``) can be loaded
    this way; a joblib/pickle file is refused, since unpickling runs code. Types
    are rebuilt only when skops considers them safe (builtins, numpy, scipy,
    scikit-learn estimators), when they are custseg classes or the standard
    library's dates, times and durations, or when listed in ``trusted``; any
    other type is refused before anything is built. skops deliberately leaves
    scikit-learn's tree structures (``sklearn.tree._tree.Tree``, the predictor of
    histogram gradient boosting) untrusted: a crafted tree can crash the process
    at prediction time, so a model holding trees (a fitted
    :class:`~custseg.CustomerSegmentation`, say) loads only once you pass them in
    ``trusted``.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save` with ``format="skops"``.
    trusted : list of str or type, default=()
        Additional types to trust, by qualified name or as types.

    Returns
    -------
    object
        The saved object.

    Raises
    ------
    custseg.exceptions.ModelFileError
        The file is a joblib (pickle) file, or not a custseg model file.
    custseg.exceptions.UntrustedTypeError
        The file holds types that are not trusted; the message lists them.

    Warns
    -----
    custseg.exceptions.VersionMismatchWarning
        The file was written by other custseg, scikit-learn or numpy versions.

    See Also
    --------
    load : Loads joblib files too (running their code).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fractions import Fraction
    >>> from custseg.persistence import load_safe, save
    >>> path = save({"share": Fraction(1, 3)}, pathlib.Path(tempfile.mkdtemp()) / "f.skops")
    >>> load_safe(path)
    Traceback (most recent call last):
    ...
    custseg.exceptions.UntrustedTypeError: ... untrusted type(s): ['fractions.Fraction']. Loading...
    >>> load_safe(path, trusted=[Fraction])
    {'share': Fraction(1, 3)}
    """
    return load(path, trusted=list(trusted))
