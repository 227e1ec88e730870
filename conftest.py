"""Settings shared by the tests (``tests/``) and the doctests (``src/custseg``)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest
from threadpoolctl import threadpool_limits

_ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.fixture(autouse=True, scope="session")
def _one_thread() -> Iterator[None]:
    """Run every test, fixture and doctest with one thread of compiled numeric code.

    The project's only thread control. The test machine is shared by several jobs on
    2 cores: OpenMP/BLAS threads that spin-wait under oversubscription make small
    fits many times slower. Results do not depend on the thread count; speed does.
    Session-wide so that module-scoped fixtures run under it too; the environment
    variables carry the same limit to the subprocesses that tests start.
    """
    with pytest.MonkeyPatch.context() as mp, threadpool_limits(limits=1):
        for name, value in _ONE_THREAD.items():
            mp.setenv(name, value)
        yield


@pytest.fixture(autouse=True)
def _temporary_files_under_pytest(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Put the folders of ``tempfile.mkdtemp()`` under pytest's temporary folder.

    Doctest examples call it; pytest prunes its own folder, /tmp is never cleaned.
    """
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.getbasetemp()))
    yield


