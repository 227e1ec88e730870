"""griffe extension: the API reference shows each parameter's default from its signature.

A numpydoc entry can document several parameters at once (``customer_col, time_col,
amount_col : str``). griffe then gives every name of the group the default of the first
one, so the reference showed ``time_col`` with the default ``'customer_id'``; an entry
that spells several defaults (``default=0.8 and 0.95``) showed the whole phrase for each.
This extension sets the default of every documented parameter that the signature has
to the signature's own default (none for a required parameter), so the docstrings can
keep their grouped entries. It is registered under the mkdocstrings ``extensions``
option in ``mkdocs.yml``.
"""

from __future__ import annotations

import ast
from typing import Any

import griffe

_KINDS = {griffe.DocstringSectionKind.parameters, griffe.DocstringSectionKind.other_parameters}


def _objects(obj: Any) -> Any:
    """Yield ``obj`` and every member defined under it (not aliases)."""
    stack = [obj]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(m for m in item.members.values() if not m.is_alias)


def fix_defaults(obj: Any) -> int:
    """Give the documented parameters of ``obj`` their signature defaults; count changes."""
    try:
        params = obj.parameters
    except (AttributeError, ValueError):
        return 0
    if obj.docstring is None or params is None:
        return 0
    changed = 0
    for section in obj.docstring.parsed:
        if section.kind not in _KINDS:
            continue
        for doc in section.value:
            if doc.name not in params:
                continue
            default = params[doc.name].default
            if _differs(doc.value, default):
                doc.value = default
                changed += 1
    return changed


_UNSET = object()


def _literal(text: Any) -> Any:
    try:
        return ast.literal_eval(str(text))
    except (ValueError, SyntaxError, TypeError):
        return _UNSET


def _differs(documented: Any, default: Any) -> bool:
    """Whether the documented default is not the signature's (same value in other quotes is).

    A signature default that is a name (``DEFAULT_GRADES``) keeps the docstring's
    spelled-out value.
    """
    if default is None:  # a required parameter
        return documented is not None
    expected = _literal(default)
    if expected is _UNSET:
        return False
    return documented is None or _literal(documented) != expected


class SignatureDefaults(griffe.Extension):
    """Set the defaults of documented parameters from the signatures (see module doc)."""

    def on_package(self, *, pkg: Any, **kwargs: Any) -> None:
        """Fix every function and class of the package once it is loaded.

        griffe's own dataclasses extension, which builds the ``__init__`` of a
        dataclass (an estimator declared on ``custseg.io._options.LogParams``) from
        its fields, runs after the extensions a caller names: it is run first here,
        so that such a class has its signature (running it again later is a no-op).
        """
        griffe.DataclassesExtension().on_package(pkg=pkg)
        for obj in _objects(pkg):
            if obj.is_function or obj.is_class:
                fix_defaults(obj)
