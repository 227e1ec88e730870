from __future__ import annotations

import importlib
import inspect
import pkgutil

from sklearn.base import BaseEstimator


def all_estimators(*, numeric_only: bool = False) -> list[tuple[str, type]]:
    """Return every public estimator class defined in custseg.

    Walks the package's public modules (no module whose name starts with ``_``
    is imported directly; classes are found through the subpackages' public
    re-exports) and collects ``BaseEstimator`` subclasses whose name does not
    start with ``_``.

    Parameters
    ----------
    numeric_only : bool, default=False
        Leave out estimators that read named columns of a dataframe, such as a
        raw transaction log (:class:`custseg.base.FrameInputMixin`).

    Returns
    -------
    list of (name, class)
        Sorted by name, each class once.

    Examples
    --------
    >>> from custseg.utils import all_estimators
    >>> names = [name for name, _ in all_estimators()]
    >>> "RFMFeatures" in names
    True
    """
    import custseg

    from ..base import FrameInputMixin

    found: dict[str, type] = {}
    modules = [custseg]
    for info in pkgutil.walk_packages(custseg.__path__, prefix="custseg."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]) or "cli" in parts or "tests" in parts:
            continue
        modules.append(importlib.import_module(info.name))
    for module in modules:
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if name.startswith("_") or not issubclass(obj, BaseEstimator):
                continue
            if not obj.__module__.startswith("custseg"):
                continue
            if numeric_only and issubclass(obj, FrameInputMixin):
                continue
            found[name] = obj
    return sorted(found.items())
