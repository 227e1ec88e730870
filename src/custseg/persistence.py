"""Save and load fitted custseg models: plain joblib and skops files, safe by default.

A ``.skops`` file is a plain skops file and any other file (``.joblib``) a plain
joblib file. Both hold one dict: the saved object under ``"model"`` and custseg's
metadata under ``"custseg_metadata"`` (a JSON text: the class of the object, the
creation time in UTC, the custseg, scikit-learn, numpy, scipy, pandas, joblib and
Python versions that wrote it and the feature names the object was fitted on).
So ``joblib.load(path)["model"]`` and ``skops.io.load(path, trusted=...)["model"]``
open custseg's files, and :func:`read_metadata` reads the metadata without
loading the object or reading the rest of the file.

Loading is safe by default, as numpy's ``allow_pickle=False``: :func:`load` never
unpickles a file unless the caller passes ``trusted=True``, whatever the file
says about itself or is named. A skops file is loaded without running code: only
types that skops has audited, custseg's own classes, dates and the types listed in
``trusted`` are rebuilt, and scikit-learn's tree structures (which skops leaves
out because its compiled code follows their indices without bounds checks) are
accepted once custseg has checked that every tree is well formed. So a model that
custseg wrote in skops, trees included, loads with no extra trust, and any other
type is refused with :class:`~custseg.exceptions.UntrustedTypeError`. Before any
member of a skops archive is read, its size is checked against ``max_bytes``, so
a small file that would inflate to gigabytes is refused without being inflated.

.. warning::

   **Loading a pickle runs code.** ``load(path, trusted=True)`` can execute
   arbitrary code on the machine that loads it: use it only for files you wrote
   yourself or that come from a source you trust as much as your own code. Share
   models as ``.skops`` files.

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
>>> path = save(model, pathlib.Path(tempfile.mkdtemp()) / "rfm.skops")
>>> read_metadata(path)["class"]
'custseg.features._transformers.RFMFeatures'
>>> import pandas as pd
>>> pd.testing.assert_frame_equal(load(path).transform(log), model.transform(log))
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import joblib

from . import _model_files as files
from ._model_metadata import check_versions, model_metadata
from ._model_trust import pickle_refused, rebuild_skops, type_name
from .exceptions import InvalidValueError

__all__ = ["load", "load_safe", "read_metadata", "save"]

# Largest inflated size of a skops archive that load reads (all members together).
MAX_BYTES = 512 * 2**20


def _resolve_format(path: Path, format: str) -> str:
    if format == "auto":
        return "skops" if path.suffix.lower() == ".skops" else "joblib"
    if format not in ("joblib", "skops"):
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
        Destination file; its folder must exist. An existing file is replaced
        only once the new one is complete.
    format : {"auto", "joblib", "skops"}, default="auto"
        ``"skops"`` writes a plain skops file, which :func:`load` opens without
        running code; ``"joblib"`` a plain joblib file (a pickle: it saves
        anything picklable, but **loading it runs code**). ``"auto"``:
        ``"skops"`` when ``path`` ends in ``.skops``, ``"joblib"`` otherwise.
    compress : int, default=3
        Compression level (0-9): zlib for joblib, deflate for skops.

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
    >>> from custseg.persistence import load, save
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> km = KMeans(n_clusters=2, n_init=1, random_state=0).fit(X)
    >>> path = save(km, pathlib.Path(tempfile.mkdtemp()) / "km.skops")
    >>> (load(path).predict(X) == km.predict(X)).all()
    np.True_
    >>> import skops.io  # a plain skops file
    >>> type(skops.io.load(path)["model"]).__name__
    'KMeans'
    """
    path = Path(path)
    serializer = _resolve_format(path, format)
    if not isinstance(compress, int) or isinstance(compress, bool) or not 0 <= compress <= 9:
        raise InvalidValueError(f"compress={compress!r} must be an int from 0 to 9.")
    metadata = model_metadata(obj, serializer)
    # The metadata comes first, so read_metadata finds it at the start of the file.
    wrapped = {files.METADATA_KEY: json.dumps(metadata), files.MODEL_KEY: obj}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if serializer == "joblib":
            joblib.dump(wrapped, tmp, compress=("zlib", compress) if compress else 0)
        else:
            tmp.write_bytes(_skops_bytes(wrapped, obj, compress))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _skops_bytes(wrapped: dict[str, Any], obj: Any, compress: int) -> bytes:
    import skops.io as sio

    try:
        return sio.dumps(wrapped, compression=zipfile.ZIP_DEFLATED if compress
                         else zipfile.ZIP_STORED, compresslevel=compress or None)
    except (TypeError, ValueError, AttributeError) as err:
        raise InvalidValueError(
            f"format='skops' cannot save this {type(obj).__name__}: skops cannot "
            f"serialise one of its parts ({type(err).__name__}: {err}). Save it with "
            "format='joblib' (loading that runs code, so share it only with people "
            "who trust you)."
        ) from err


# ----------------------------------------------------------------------- reading
def read_metadata(path: str | Path) -> dict[str, Any]:
    """Read the metadata of a model file without loading the object (runs no code).

    Only the start of a joblib file, or the structure of a skops file (not its
    arrays), is read.

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
    path = files.check_file(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return files.skops_metadata(zf, path, MAX_BYTES)
    return files.joblib_metadata(path)


def _load_archive(path: Path, trusted: bool | list[str], max_bytes: int) -> Any:
    data, small = files.read_archive(path, max_bytes)
    if files.LEGACY_METADATA in small:  # a custseg 0.1 archive: metadata beside a payload
        meta = files.decode_metadata(small[files.LEGACY_METADATA], path)
        serializer, payload = files.legacy_payload(data, path, meta)
        if serializer == "joblib" and trusted is not True:
            raise pickle_refused(path)
        check_versions(meta, path)
        if serializer == "joblib":
            return joblib.load(io.BytesIO(payload))
        return rebuild_skops(path, payload, None, trusted)
    if "schema.json" not in small:
        raise files.not_a_model(path, "a zip archive that is not a skops file")
    schema = json.loads(small["schema.json"])
    return _unwrap(rebuild_skops(path, data, schema, trusted), path)


def _unwrap(obj: Any, path: Path) -> Any:
    if not isinstance(obj, dict) or files.METADATA_KEY not in obj or files.MODEL_KEY not in obj:
        raise files.not_a_model(path, "it holds no custseg metadata")
    check_versions(files.decode_metadata(obj[files.METADATA_KEY], path), path)
    return obj[files.MODEL_KEY]


def load(
    path: str | Path,
    *,
    trusted: bool | Iterable[str | type] = False,
    max_bytes: int = MAX_BYTES,
) -> Any:
    """Load an object saved by :func:`save`, safely unless told otherwise.

    Whatever its name or metadata say, a skops file is loaded without running
    code, and a joblib (pickle) file is refused unless ``trusted=True``.

    .. warning::

       **Loading a pickle runs code.** Pass ``trusted=True`` only for files you
       wrote yourself or that come from a source you trust as much as your own
       code.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save`.
    trusted : bool or list of str or type, default=False
        ``False``: load skops files only, trusting skops' audited types,
        custseg's own classes, dates and checked scikit-learn trees. A list:
        also trust these types (qualified names such as
        ``"collections.OrderedDict"``, or the types themselves); a tree type
        listed here is not checked. ``True``: trust the file entirely, which
        unpickles joblib files (runs their code) and rebuilds every type of a
        skops file.
    max_bytes : int, default=MAX_BYTES
        Largest size, inflated, of a skops file's members (512 MiB): a larger
        archive is refused before any member is read.

    Returns
    -------
    object
        The saved object.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    custseg.exceptions.ModelFileError
        The file was not written by :func:`save`, is too large, holds a malformed
        tree, or is a pickle file and ``trusted`` is not ``True``.
    custseg.exceptions.UntrustedTypeError
        A skops file holds types that are not trusted; the message lists them.

    Warns
    -----
    custseg.exceptions.VersionMismatchWarning
        The custseg, scikit-learn or numpy version that wrote the file differs from
        the installed one.

    See Also
    --------
    load_safe : The same with a list of trusted types, never unpickling.
    read_metadata : The metadata alone, without loading the object.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from custseg.persistence import load, save
    >>> path = save({"weights": [1, 2, 3]}, pathlib.Path(tempfile.mkdtemp()) / "w.joblib")
    >>> load(path)
    Traceback (most recent call last):
    ...
    custseg.exceptions.ModelFileError: ... is a pickle (joblib) file, and loading a pickle runs...
    >>> load(path, trusted=True)  # a file we just wrote ourselves
    {'weights': [1, 2, 3]}
    """
    path = files.check_file(path)
    trust: bool | list[str] = (
        [] if trusted is False else True if trusted is True
        else [type_name(t) for t in trusted])
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 1:
        raise InvalidValueError(f"max_bytes={max_bytes!r} must be a positive int.")
    if zipfile.is_zipfile(path):
        return _load_archive(path, trust, max_bytes)
    if trust is not True:
        raise pickle_refused(path)
    files.joblib_metadata(path)  # refuses files custseg did not write, before unpickling
    return _unwrap(joblib.load(path), path)


def load_safe(
    path: str | Path, *, trusted: Iterable[str | type] = (), max_bytes: int = MAX_BYTES
) -> Any:
    """Load a model file from an untrusted source without running its code.

    The same as :func:`load` with a list of trusted types: only skops files
    are loaded, and a joblib (pickle) file is always refused, since unpickling
    runs code. Types are rebuilt only when skops considers them safe (builtins,
    numpy, scipy, scikit-learn estimators), when they are custseg classes or the
    standard library's dates, times and durations, when they are scikit-learn
    trees that custseg has checked (every split points to children inside the
    tree and to a feature the model has), or when listed in ``trusted``; any
    other type is refused before anything is built.

    Parameters
    ----------
    path : str or Path
        A file written by :func:`save` with ``format="skops"``.
    trusted : list of str or type, default=()
        Additional types to trust, by qualified name or as types.
    max_bytes : int, default=MAX_BYTES
        Largest inflated size of the archive's members.

    Returns
    -------
    object
        The saved object.

    Raises
    ------
    custseg.exceptions.ModelFileError
        The file is a joblib (pickle) file, not a custseg model file, too large,
        or holds a malformed tree.
    custseg.exceptions.UntrustedTypeError
        The file holds types that are not trusted; the message lists them.

    Warns
    -----
    custseg.exceptions.VersionMismatchWarning
        The file was written by other custseg, scikit-learn or numpy versions.

    See Also
    --------
    load : Loads joblib files too, when told to trust them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fractions import Fraction
    >>> from custseg.persistence import load_safe, save
    >>> path = save({"share": Fraction(1, 3)}, pathlib.Path(tempfile.mkdtemp()) / "f.skops")
    >>> load_safe(path)
    Traceback (most recent call last):
    ...
    custseg.exceptions.UntrustedTypeError: ... does not trust: fractions.Fraction; ...
    >>> load_safe(path, trusted=[Fraction])
    {'share': Fraction(1, 3)}
    """
    if isinstance(trusted, bool):
        raise InvalidValueError(
            "load_safe takes a list of trusted types, not a bool; use load(path, "
            "trusted=True) to trust a whole file."
        )
    return load(path, trusted=list(trusted), max_bytes=max_bytes)
