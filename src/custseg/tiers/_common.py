"""Helpers shared by the tier modules: grade lists, frame handling, column errors."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .._frame import read_table
from ..exceptions import (
    ColumnMismatchError,
    InvalidValueError,
    MissingColumnError,
    names_text,
)

DEFAULT_GRADES: tuple[str, ...] = ("A", "B", "C", "D")


def as_pandas(X: Any) -> pd.DataFrame | None:
    """``X`` as a pandas DataFrame when it is a frame of any engine, else ``None``.

    Through the one converter, :func:`custseg._frame.read_table`.
    """
    frame, info = read_table(X, backend="pandas")
    return frame if info is not None else None


def check_grades(grades: Any, name: str = "grades") -> tuple[Any, ...]:
    """Validate a list of grade labels (best first): at least two, no duplicates."""
    if isinstance(grades, str) or not isinstance(grades, Sequence | np.ndarray):
        raise InvalidValueError(
            f"{name} must be a list of at least 2 grade labels, best first "
            f"(for example ('A', 'B', 'C', 'D')); got {grades!r}."
        )
    out = tuple(grades)
    if len(out) < 2:
        raise InvalidValueError(
            f"{name} must hold at least 2 grade labels, best first; got {len(out)}: {out!r}."
        )
    if len(set(out)) != len(out):
        dup = sorted({str(g) for g in out if out.count(g) > 1})
        raise InvalidValueError(f"{name} has duplicate labels {names_text(dup)}; each grade must "
            "be unique.")
    return out


def labels_text(values: Sequence[Any], noun: str = "") -> str:
    """Labels in words: ``"A"``, ``"A and B"``, ``"A, B and C"``; with ``noun``, a
    counted phrase such as ``"column 'x'"`` / ``"columns 'x' and 'y'"``."""
    if noun:
        items = [f"'{v}'" for v in values]
        head = noun if len(items) == 1 else noun + "s"
    else:
        items = [str(v) for v in values]
        head = ""
    if len(items) <= 1:
        body = "".join(items) or "none"
    else:
        body = ", ".join(items[:-1]) + " and " + items[-1]
    return f"{head} {body}".strip()


def missing_columns_error(
    missing: list[str], available: list[str], what: str
) -> MissingColumnError:
    """The missing-column error of ``what`` (``MissingColumnError.from_missing_and_available``)."""
    return MissingColumnError.from_missing_and_available(missing, available, context=what)


def column_diff_error(seen: list[str], got: list[str], what: str) -> ColumnMismatchError:
    """A ColumnMismatchError showing a difflib diff of the fitted and given columns."""
    diff = "\n".join(
        difflib.unified_diff(
            seen, got, fromfile="columns at fit", tofile="columns now", lineterm=""
        )
    )
    missing = [c for c in seen if c not in got]
    extra = [c for c in got if c not in seen]
    return ColumnMismatchError(
        f"{what}: the columns differ from those seen in fit (missing: "
        f"{names_text(missing)}; unexpected: {names_text(extra)}).\n{diff}"
    )
