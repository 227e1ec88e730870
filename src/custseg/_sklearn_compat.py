"""The one place where custseg imports scikit-learn internals.

scikit-learn's private helpers move between releases; every custseg module imports
them from here so a release that moves them needs one fix. The supported range
is pinned in ``pyproject.toml``.
"""

from __future__ import annotations

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils._tags import Tags, get_tags
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "Tags",
    "_check_sample_weight",
    "_fit_context",
    "check_is_fitted",
    "get_tags",
    "validate_data",
    "validate_params",
]
