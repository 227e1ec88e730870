import json

import numpy as np
import pandas as pd
import pytest

from custseg.exceptions import InvalidValueError
from custseg.plotting import plot_tier_rules
from custseg.tiers import TierClassifier

X = pd.DataFrame({"monetary_total": [900.0, 600.0, 120.0, 90.0, 15.0, 30.0]})
Y = ["A", "A", "B", "B", "C", "C"]


@pytest.fixture(scope="module")
def clf():
    return TierClassifier(max_depth=2, random_state=0).fit(X, Y)


def _box_texts(ax, n):
    return [t.get_text() for t in ax.texts[:n]]


def test_tree_boxes_branches_and_colours(clf, ax):
    plot_tier_rules(clf, ax=ax)
    # 2 splits + 3 leaves = 5 boxes, 4 branches each with a line and a yes/no word
    assert _box_texts(ax, 5) == [
        "monetary_total <= 60.0\nn=6",
        "monetary_total <= 360.0\nn=4",
        "C\nn=2\n100% C",
        "B\nn=2\n100% B",
        "A\nn=2\n100% A",
    ]
    assert [t.get_text() for t in ax.texts[5:]] == ["yes", "no", "yes", "no"]
    assert len(ax.lines) == 4
    # the root sits at the top centre of its children; leaves left to right at x = 0, 1, 2
    assert ax.texts[0].get_position() == (0.75, 0.0)
    assert [ax.texts[k].get_position() for k in (2, 3, 4)] == [(0.0, -1.0), (1.0, -2.0),
                                                                  (2.0, -2.0)]
    # a branch joins the root to its "no" child
    np.testing.assert_allclose(ax.lines[1].get_xydata(), [[0.75, 0.0], [1.5, -1.0]])
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["A", "B", "C"]
    leaf_a = ax.texts[4].get_bbox_patch().get_facecolor()
    assert leaf_a == legend.legend_handles[0].get_facecolor()
    assert not ax.axison
    assert ax.get_title() == "Tier rules (3 rules)"


def test_from_exported_json_matches_classifier(clf, ax):
    rules = json.loads(clf.export_rules("json"))
    plot_tier_rules(rules, ax=ax)
    assert _box_texts(ax, 5)[0] == "monetary_total <= 60.0\nn=6"
    assert len(ax.lines) == 4


def test_categorical_split_and_mixed_leaf(ax):
    X2 = pd.DataFrame({"industry": ["ICT", "SaaS", "ICT", "Retail", "Retail", "Retail"]})
    clf2 = TierClassifier(max_depth=1, random_state=0).fit(X2, ["A", "A", "B", "B", "C", "C"])
    plot_tier_rules(clf2, ax=ax)
    texts = [t.get_text() for t in ax.texts]
    assert texts[0].startswith("industry IN (")
    n_leaves = clf2.n_leaves_
    leaves = texts[1:1 + n_leaves]
    # leaves report the share of their own grade, which is below 100% here
    assert any("67%" in leaf or "50%" in leaf for leaf in leaves)


def test_single_leaf_and_errors(ax):
    clf1 = TierClassifier(max_depth=1).fit(np.array([[1.0], [1.0]]), ["A", "B"])
    plot_tier_rules(clf1, ax=ax)
    assert len(ax.lines) == 0 and len(ax.texts) == 1
    with pytest.raises(InvalidValueError, match="fitted TierClassifier"):
        plot_tier_rules({"rules": []}, ax=ax)
