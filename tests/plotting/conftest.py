"""Plot tests draw with the non-interactive Agg backend and close every figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def ax():
    """A fresh Axes on a figure pyplot does not know about."""
    return Figure().subplots()
