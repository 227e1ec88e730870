"""The one way tests reach ../shared/data: skip with a reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# CUSTSEG_SHARED_DATA points elsewhere (a git worktree has no ../shared beside it).
SHARED = Path(os.environ.get("CUSTSEG_SHARED_DATA")
              or Path(__file__).resolve().parents[1].parent / "shared" / "data")
FILES = {"master": "cdnow/CDNOW_master.txt", "sample": "cdnow/CDNOW_sample.txt",
         "caravan": "caravan/caravan.csv"}


def cdnow_path(which: str = "master") -> Path:
    """Path to a raw CDNOW file in ../shared/data, or skip the test when it is absent."""
    path = SHARED / FILES[which]
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (../shared/data is absent on this machine)")
    return path


def caravan_path() -> Path:
    """Path to the Caravan prospect table in ../shared/data, or skip the test when absent."""
    return cdnow_path("caravan")


def superstore_path() -> Path:
    """Path to the Superstore order lines in ../shared/data, or skip the test when absent."""
    path = SHARED / "superstore" / "superstore.csv"
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (../shared/data is absent on this machine)")
    return path
