"""The default decision matrix as the docs show it is the one the code applies."""

from __future__ import annotations

from pathlib import Path

import pytest

from custseg.actions import DEFAULT_DECISIONS, DecisionMatrix

DOCS = Path(__file__).resolve().parents[2] / "docs"
HEADER = "| stage | value | churn risk | action | priority |"


def _table(page: str) -> list[tuple[str, str, str, str, int]]:
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER) + 2  # the header, then the |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        stage, value, risk, action, priority = (c.strip() for c in line.strip("|").split("|"))
        rows.append((stage, value, risk, action, int(priority)))
    return rows


@pytest.mark.parametrize("page", ["definitions.md", "guide/decisions.md"])
def test_documented_default_matrix_is_the_code(page):
    assert _table(page) == list(DEFAULT_DECISIONS)
    assert _table(page) == [tuple(r) for r in DecisionMatrix().to_frame().itertuples(index=False)]
