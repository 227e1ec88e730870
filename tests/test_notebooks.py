"""Execute every example notebook in notebooks/ and fail on any error or warning.

The notebooks are committed without outputs; ``notebooks/make_notebooks.py``
writes them from its cell lists, and the files must match what it writes.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
NAMES = ["quickstart.ipynb", "churn.ipynb", "tiers.ipynb"]
TIMEOUT_PER_CELL = 300
# One thread for the compiled numeric code: on a busy machine OpenMP threads spin against
# each other (gradient boosting on CDNOW: 2 s with one thread, 30 s with two under load).
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _builder():
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_is_listed_and_committed_without_outputs():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(NAMES)
    for name in NAMES:
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code, name
        assert all(c.outputs == [] and c.execution_count is None for c in code), (
            f"{name} holds outputs; run notebooks/make_notebooks.py to write it clean"
        )


def test_notebooks_match_their_builder():
    builder = _builder()
    assert sorted(builder.NOTEBOOKS) == sorted(NAMES)
    for name, cells in builder.NOTEBOOKS.items():
        expected = nbformat.writes(builder.build(name, cells)) + "\n"  # as nbformat.write
        assert (NOTEBOOKS / name).read_text() == expected, (
            f"{name} differs from notebooks/make_notebooks.py; rerun it"
        )


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
        client.execute(env={**os.environ, **ONE_THREAD})
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
