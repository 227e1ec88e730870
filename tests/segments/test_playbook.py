"""Tests of Playbook: defaults, edits, keyword fallback for generated names, CSV export."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from custseg.exceptions import InvalidValueError, MissingColumnError
from custseg.segments import (
    DEFAULT_ACTIONS,
    DEFAULT_SEGMENT_MAP,
    STAGES,
    Action,
    KMeansSegmenter,
    Playbook,
)


def test_defaults_cover_segments_stages_and_tiers():
    for name in [*DEFAULT_SEGMENT_MAP, *STAGES, "A", "B", "C", "D"]:
        assert name in DEFAULT_ACTIONS
    book = Playbook()
    assert book.actions_for("Champions").action == "VIP care"
    assert book.actions_for("At Risk").action == "Win-back offer"
    assert book.actions_for("new").action == "Welcome series"
    assert book.actions_for("D").action == "Low-cost batch campaigns"
    assert book.actions_for("champions").action == "VIP care"  # case-insensitive


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("high value, frequent, recent", "VIP care"),
        ("high value, lapsed", "Win-back (high value)"),
        ("low value, infrequent, lapsed", "Win-back offer"),
        ("frequent, recent", "Loyalty programme"),
        ("low value, infrequent", "Low-cost batch campaigns"),
        ("average", "Review manually"),
    ],
)
def test_generated_kmeans_names_fall_back_to_keywords(name, action):
    assert Playbook().actions_for(name).action == action


def test_kmeans_names_all_get_an_action():
    import numpy as np

    X = pd.DataFrame({"frequency": np.r_[np.ones(50), np.full(50, 10.0)],
                      "monetary_total": np.r_[np.full(50, 10.0), np.full(50, 500.0)]})
    seg = KMeansSegmenter(n_clusters=2, random_state=0).fit(X)
    actions = [Playbook().actions_for(n).action for n in seg.segment_names_]
    assert actions == ["VIP care", "Low-cost batch campaigns"]


def test_user_edits_and_no_defaults():
    book = Playbook({"Champions": ("Invite to the event", "Gold tier", 1), "Gold": "Say thanks"})
    assert book.actions_for("Champions") == Action("Invite to the event", "Gold tier", 1)
    assert book.actions_for("Gold").action == "Say thanks"
    book.set_action("Lost", Action("Do nothing", priority=5))
    assert book.actions_for("Lost").action == "Do nothing"
    own = Playbook({"x": "y"}, use_defaults=False, default_action=None)
    assert list(own.actions) == ["x"]
    with pytest.raises(InvalidValueError, match="no action for 'Champions'"):
        own.actions_for("Champions")
    with pytest.raises(InvalidValueError, match="must be a string, an Action"):
        Playbook({"x": 3})
    frame = book.to_frame()
    assert frame.columns.tolist() == ["name", "action", "detail", "priority"]
    assert len(frame) == len(DEFAULT_ACTIONS) + 1


@pytest.mark.parametrize("lib", ["pandas", "polars"])
def test_assign_and_csv_export(lib, tmp_path):
    table = pd.DataFrame({"customer_id": [3, 1, 2], "stage": ["dormant", "new", "prospect"]})
    native = pl.from_pandas(table) if lib == "polars" else table
    book = Playbook()
    out = book.assign(native, column="stage")
    assert type(out) is type(native)
    out_pd = out.to_pandas() if lib == "polars" else out
    assert out_pd["action"].tolist() == ["Win-back offer", "Welcome series", "Convert prospect"]
    assert out_pd["priority"].tolist() == [1, 2, 3]
    assert table.columns.tolist() == ["customer_id", "stage"]  # the caller's table unchanged
    path = book.to_csv(native, tmp_path / "playbook.csv", column="stage")
    back = pd.read_csv(path)
    assert back.columns.tolist() == ["customer_id", "stage", "action", "detail", "priority"]
    assert back["customer_id"].tolist() == [3, 1, 2]


def test_assign_errors():
    with pytest.raises(MissingColumnError, match=r"column 'segment' \(column\) is not in table"):
        Playbook().assign(pd.DataFrame({"stage": ["new"]}))
    with pytest.raises(InvalidValueError, match=r"already has column\(s\) 'action';"):
        Playbook().assign(pd.DataFrame({"segment": ["Lost"], "action": ["x"]}))
