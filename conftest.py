"""Settings shared by the tests (``tests/``) and the doctests (``src/custseg``)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _temporary_files_under_pytest(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Put the folders of ``tempfile.mkdtemp()`` under pytest's temporary folder.

    Doctest examples call it; pytest prunes its own folder, /tmp is never cleaned.
    """
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.getbasetemp()))
    yield
