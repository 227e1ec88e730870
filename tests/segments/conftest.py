"""Shared fixtures of the segments tests."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["pandas", "polars"])
def frame_lib(request):
    return request.param
