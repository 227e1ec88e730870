"""Utilities: discovery of custseg's public estimators."""

from ._discovery import all_estimators

__all__ = ["all_estimators"]
