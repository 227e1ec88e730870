"""The example notebooks: committed executed, matching their builder, running without error.

``notebooks/make_notebooks.py`` writes them from its cell lists and executes them; the files
keep their outputs (the docs gallery shows them), and their "Reading" cells comment on them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["quickstart.ipynb", "churn.ipynb", "tiers.ipynb"]
TIMEOUT_PER_CELL = 300


def _builder():
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_is_listed_and_committed_with_outputs():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code, name
        counts = [c.execution_count for c in code]
        assert counts == list(range(1, len(code) + 1)), (
            f"{name} is not executed in order; run notebooks/make_notebooks.py")
        assert sum(1 for c in code if c.outputs) >= len(code) // 2, name
        assert not [o for c in code for o in c.outputs if o.output_type == "error"], name
        images = sum(1 for c in code for o in c.outputs if "image/png" in o.get("data", {}))
        assert images >= 2, f"{name} shows {images} figures"
        readings = [c for c in nb.cells if c.cell_type == "markdown"
                    and c.source.startswith("**Reading.**")]
        assert len(readings) >= 4, f"{name} has {len(readings)} readings of its results"


def test_notebooks_match_their_builder():
    builder = _builder()
    assert sorted(builder.NOTEBOOKS) == sorted(NAMES)
    for name, cells in builder.NOTEBOOKS.items():
        expected = builder.build(name, cells)
        committed = nbformat.read(NOTEBOOKS / name, as_version=4)
        assert [(c.cell_type, c.source) for c in committed.cells] == [
            (c.cell_type, c.source) for c in expected.cells], (
            f"{name} differs from notebooks/make_notebooks.py; rerun it")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes(name):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",  # "python" in its kernel spec resolves to sys.executable
        timeout=TIMEOUT_PER_CELL,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    try:
        client.execute()  # the kernel inherits the root conftest's one-thread variables
    except CellExecutionError as err:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{name} failed:\n{err}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    warnings = [
        o.text for c in code for o in c.outputs
        if o.output_type == "stream" and o.name == "stderr" and "Warning" in o.text
    ]
    assert not warnings, f"{name} emitted warnings:\n" + "\n".join(warnings)
    images = sum(
        1 for c in code for o in c.outputs if "data" in o and "image/png" in o.get("data", {})
    )
    assert images >= 2, f"{name} drew {images} figures"
