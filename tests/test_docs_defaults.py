"""The API reference shows each parameter's own default (grouped numpydoc entries included)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

griffe = pytest.importorskip("griffe")
ROOT = Path(__file__).resolve().parents[1]


def _extension():
    spec = importlib.util.spec_from_file_location(
        "griffe_defaults", ROOT / "docs" / "hooks" / "griffe_defaults.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _documented(pkg, path: str) -> dict[str, str | None]:
    obj = pkg[path.removeprefix("custseg.")]
    return {
        doc.name: None if doc.value is None else str(doc.value)
        for section in obj.docstring.parsed
        if section.kind is griffe.DocstringSectionKind.parameters
        for doc in section.value
    }


@pytest.fixture(scope="module")
def package():
    ext = _extension()
    return griffe.load("custseg", search_paths=[str(ROOT / "src")], docstring_parser="numpy",
                       extensions=griffe.load_extensions(ext.SignatureDefaults))


def test_grouped_entries_get_their_own_defaults(package):
    docs = _documented(package, "custseg.io.check_transactions")
    assert (docs["customer_col"], docs["time_col"], docs["amount_col"]) == (
        "'customer_id'", "'date'", "'amount'")
    docs = _documented(package, "custseg.segments.LifecycleStager")
    assert ast.literal_eval(docs["active_quantile"]) != ast.literal_eval(docs["churn_quantile"])
    # a {choices} entry no longer shows its first choice as the default
    assert _documented(package, "custseg.churn.ChurnPredictor")["calibration"] == "None"


def test_every_documented_default_is_the_signatures(package):
    checked = wrong = 0
    stack = [package]
    while stack:
        obj = stack.pop()
        stack.extend(m for m in obj.members.values() if not m.is_alias)
        if not (obj.is_function or obj.is_class) or obj.docstring is None:
            continue
        try:
            params = obj.parameters
        except (AttributeError, ValueError):
            continue
        for section in obj.docstring.parsed:
            if section.kind is not griffe.DocstringSectionKind.parameters:
                continue
            for doc in section.value:
                if doc.name not in params or params[doc.name].default is None:
                    continue
                try:
                    expected = ast.literal_eval(str(params[doc.name].default))
                except (ValueError, SyntaxError):
                    continue  # a named constant: the docstring spells its value
                checked += 1
                wrong += ast.literal_eval(str(doc.value)) != expected
    assert checked > 200 and wrong == 0, (checked, wrong)
