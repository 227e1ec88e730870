"""custseg's metadata in a model file: what :func:`~custseg.persistence.save` records
(class, time, versions, feature names) and the version check on load."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import platform
import warnings
from pathlib import Path
from typing import Any

from .exceptions import VersionMismatchWarning

__all__ = ["CHECKED_PACKAGES", "FORMAT_VERSION", "check_versions", "model_metadata"]

FORMAT_VERSION = 2
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


def model_metadata(obj: Any, serializer: str) -> dict[str, Any]:
    """The metadata :func:`~custseg.persistence.save` writes beside ``obj``."""
    cls = type(obj)
    return {
        "format_version": FORMAT_VERSION,
        "serializer": serializer,
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": _installed_versions(),
        "feature_names": _feature_names(obj),
    }


def check_versions(metadata: dict[str, Any], path: Path) -> None:
    """Warn when the versions of :data:`CHECKED_PACKAGES` in ``metadata`` are not installed."""
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
