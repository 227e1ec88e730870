"""Run the Python examples of the documentation pages in docs/.

Each page's ```python blocks run in order in one namespace (a page is one
session), in a temporary folder, with the Agg backend; a failing example fails
the test with the page and block number. A block right after the HTML comment
``<!-- not run by tests/test_docs.py: <reason> -->`` is skipped (the reason says
where the same code is run).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"^(<!-- not run by tests/test_docs.py: [^\n]*-->\n)?```python\n(.*?)^```",
                   re.S | re.M)
PAGES = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md") if BLOCK.search(
    p.read_text(encoding="utf-8")))


def test_pages_with_examples_are_found():
    assert {"getting-started.md", "guide/features.md", "guide/segments.md", "guide/tiers.md",
            "guide/churn.md", "guide/plotting.md", "guide/pipeline.md"} <= set(PAGES)


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page, tmp_path, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": f"docs_{page}"}
    blocks = BLOCK.findall((DOCS / page).read_text(encoding="utf-8"))
    try:
        for k, (skip, block) in enumerate(blocks, start=1):
            if skip:
                continue
            try:
                exec(compile(block, f"{page} block {k}", "exec"), namespace)
            except Exception as err:
                pytest.fail(f"{page}, python block {k} raised {type(err).__name__}: {err}")
    finally:
        plt.close("all")


def test_every_public_constant_has_an_api_entry():
    import importlib

    for page in sorted((DOCS / "api").glob("*.md")):
        module = importlib.import_module(f"custseg.{page.stem}")
        text = page.read_text(encoding="utf-8")
        for name in getattr(module, "__all__", []):
            if name.isupper():
                assert f"::: custseg.{page.stem}.{name}" in text, (page.name, name)
