"""The README's Python examples run, and print what the README says they print."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_examples():
    assert len(python_blocks()) >= 2


def test_readme_examples_run_and_print_what_they_claim(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the examples write files (a saved model)
    namespace: dict = {}
    for block in python_blocks():
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(README), "exec"), namespace)
        printed = out.getvalue()
        # "print(x)  # value" comments claim the printed value.
        claims = re.findall(r"^print\(.*\)  # (.+)$", block, flags=re.M)
        for claim in claims:
            assert claim in printed, (claim, printed)
        # A commented table after a print shows the frame that is printed.
        table = [line[2:] for line in block.splitlines() if line.startswith("#   ")
                 or re.match(r"# \d ", line)]
        for line in table:
            assert line.split() == next(
                (p.split() for p in printed.splitlines() if p.split() == line.split()), None
            ), (line, printed)
