import numpy as np
import pandas as pd
import pytest

from custseg._attributes import attribute_kinds, binary_target, category_values, numeric_values
from custseg.exceptions import InvalidDtypeError, InvalidValueError, NullValueError


@pytest.mark.parametrize(
    ("y", "positive"),
    [
        ([0, 1, 1, 0], 1),
        ([False, True, True, False], True),
        (["No", "Yes", "Yes", "No"], "Yes"),
        (["yes", "NO", "NO", "yes"][::-1] , "yes"),
        (["lost", "won", "won", "lost"], "won"),
        ([-1, 1, 1, -1], 1),
        (["Maybe", "Yes", "Yes", "Maybe"], "Yes"),
        (["not converted", "x", "x", "not converted"], "x"),
        (["red", "blue", "blue", "red"], "red"),  # no vocabulary: scikit-learn's sorted order
    ],
)
def test_positive_class_is_explicit(y, positive):
    y01, classes = binary_target(y)
    assert classes[1] == positive
    assert y01.tolist() == [v == positive for v in y]


def test_yes_no_never_makes_no_the_positive_class():
    # sorting would put "Yes" last here too; this order would fool argmax-style rules
    y01, classes = binary_target(pd.Series(["Yes", "No", "No"]))
    assert classes.tolist() == ["No", "Yes"] and y01.tolist() == [1, 0, 0]


@pytest.mark.parametrize(
    ("y", "kwargs", "error", "match"),
    [
        (["Yes", "Yes"], {}, InvalidValueError, "only one class"),
        ([1, 1, 1], {}, InvalidValueError, "only one class"),
        ([0.5, 1.5, 2.25], {}, InvalidValueError, "continuous"),
        (["Yes", None, "No"], {}, NullValueError, "1 of 3 rows without an outcome"),
        (["Yes", " ", "No"], {}, NullValueError, "without an outcome"),
        (["a", "b", "c"], {}, InvalidValueError, "Only binary"),
        (["Yes", "No"], {"positive_label": "Oui"}, InvalidValueError, "not a label"),
    ],
)
def test_bad_targets(y, kwargs, error, match):
    with pytest.raises(error, match=match):
        binary_target(y, **kwargs)


def test_explicit_positive_label():
    y01, classes = binary_target(["red", "blue", "red"], positive_label="blue")
    assert y01.tolist() == [0, 1, 0] and classes.tolist() == ["red", "blue"]


def test_kinds_blanks_and_dates():
    frame = pd.DataFrame({"n": [1.0, np.nan], "s": ["a", " "], "b": [True, False],
                          "code": [3, 4], "when": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    kinds = attribute_kinds(frame, ["n", "s", "b", "code"], ["code"], "X")
    assert kinds == {"n": "numeric", "s": "categorical", "b": "categorical",
                     "code": "categorical"}
    assert category_values(frame["s"]).tolist() == ["a", None]
    assert category_values(pd.Series([3.0, np.nan])).tolist() == ["3", None]
    with pytest.raises(InvalidDtypeError, match="'when' holds dates"):
        attribute_kinds(frame, ["when"], "auto", "X")
    with pytest.raises(InvalidValueError, match="'n' has 1 of 2 rows with an infinite"):
        numeric_values(pd.Series([1.0, np.inf]), "n", "X")
