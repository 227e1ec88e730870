"""Shared fixtures of the segments tests."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def _one_thread():
    # The test machine is shared by several jobs on 2 cores: OpenMP/BLAS threads that
    # spin-wait under oversubscription make small k-means fits 20x slower. Results do not
    # depend on the thread count; speed does.
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(params=["pandas", "polars"])
def frame_lib(request):
    return request.param
