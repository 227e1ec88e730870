"""Which types a safe load rebuilds, and the refusal message when a file holds others."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from ._model_files import not_a_model
from ._safe_trees import TREE_TYPES, check_trees
from .exceptions import InvalidValueError, ModelFileError, UntrustedTypeError

# Plain values that skops rebuilds from their own bytes, without running saved code;
# skops lists them as untrusted only because its default list is short.
SAFE_VALUE_TYPES = frozenset({"datetime.date", "datetime.datetime", "datetime.timedelta"})
# Modules whose names are never suggested for trust: their classes and functions can
# run commands, import or evaluate code, or reach files and the network.
_NEVER_SUGGESTED = frozenset({
    "builtins", "os", "posix", "nt", "subprocess", "sys", "shutil", "importlib", "runpy",
    "pickle", "_pickle", "marshal", "code", "codeop", "ctypes", "socket", "pty",
    "webbrowser", "io", "_io", "operator", "functools", "types", "pathlib", "tempfile",
    "multiprocessing", "threading", "asyncio", "joblib", "dill", "cloudpickle", "numpy.f2py",
})
# skops loaders that rebuild an instance of a class from data (rather than fetching a
# function or type object by name, as TypeNode does for ``builtins.exec``).
_INSTANCE_LOADERS = frozenset({"ObjectNode", "ConstructorFromReduceNode", "ReduceNode", "TreeNode"})


def is_custseg_class(name: str) -> bool:
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


def type_name(value: Any) -> str:
    """Return the qualified name of a type given as a type or a name."""
    if isinstance(value, str):
        return value
    if inspect.isclass(value):
        return f"{value.__module__}.{value.__qualname__}"
    raise InvalidValueError(
        f"trusted must be True, False or a list of type names (str) or types; got {value!r}."
    )


def refused_types(found: list[str], extra: set[str]) -> list[str]:
    """Return the untrusted types of a skops file that a safe load does not rebuild."""
    return sorted(
        t for t in found
        if t not in extra and t not in SAFE_VALUE_TYPES and t not in TREE_TYPES
        and not is_custseg_class(t)
    )


def _instance_types(schema: Any) -> set[str]:
    """Qualified names of the classes a skops schema rebuilds as instances."""
    out: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("__loader__") in _INSTANCE_LOADERS \
                    and isinstance(node.get("__module__"), str):
                out.add(f"{node['__module__']}.{node.get('__class__')}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def suggestable(name: str, instances: set[str]) -> bool:
    """Whether a refused type may be suggested for trust (a data class, not code)."""
    module = name.rpartition(".")[0]
    return name in instances and not any(
        module == bad or module.startswith(bad + ".") for bad in _NEVER_SUGGESTED)


def refusal(path: Path, refused: list[str], schema: Any) -> UntrustedTypeError:
    """Return the error naming the refused types; only data classes are offered for trust.

    Functions and types held as values (``builtins.exec``), and anything from a
    module that can run code, are never offered as the fix.
    """
    instances = _instance_types(schema)
    offer = [t for t in refused if suggestable(t, instances)]
    never = [t for t in refused if t not in offer]
    msg = (f"{path} holds {len(refused)} type(s) that custseg does not trust: "
           f"{', '.join(refused)}; loading was refused (a model written by custseg holds "
           "none: the file was changed or written by other software).")
    if never:
        msg += (f" Never trust {', '.join(never)} from a file: it can run code or "
                "cannot be checked.")
    if offer:
        msg += (" If you trust the file's source and have checked that "
                f"{', '.join(offer)} only hold{'s' if len(offer) == 1 else ''} data, pass "
                f"trusted=[{', '.join(repr(t) for t in offer)}].")
    err = UntrustedTypeError(msg)
    err.refused = refused  # type: ignore[attr-defined]
    err.suggested = offer  # type: ignore[attr-defined]
    return err


def pickle_refused(path: Path) -> ModelFileError:
    """Return the error for a pickle loaded without ``trusted=True``."""
    return ModelFileError(
        f"{path} is a pickle (joblib) file, and loading a pickle runs code: refused. Load "
        "it with load(path, trusted=True) (custseg predict --trust-pickle) only if you "
        "wrote it yourself or trust its source as much as your own code; to share a "
        "model, save it as a .skops file."
    )


def rebuild_skops(path: Path, data: bytes, schema: Any, trusted: bool | list[str]) -> Any:
    """Rebuild a skops payload: refused types first, then checked trees."""
    import skops.io as sio

    try:
        found = sio.get_untrusted_types(data=data)
    except Exception as err:  # skops raises many kinds on a malformed schema
        raise not_a_model(path, f"a damaged skops file: {err}") from None
    extra: set[str] = set(trusted) if isinstance(trusted, list) else set()
    if trusted is not True:
        refused = refused_types(found, extra)
        if refused:
            raise refusal(path, refused, schema)
    obj = sio.loads(data, trusted=list(found))
    if trusted is not True:
        check_trees(obj, skip=frozenset(extra))
    return obj
