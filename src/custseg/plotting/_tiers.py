"""Plot of the tier rules learnt by :class:`custseg.tiers.TierClassifier`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..exceptions import InvalidValueError
from ._common import get_ax

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_tier_rules"]


def _layout(node: dict[str, Any], depth: int, nodes: list[dict[str, Any]],
            counter: list[int]) -> float:
    """Give every node an (x, depth); leaves are spaced evenly from left to right."""
    if node.get("leaf", True):
        x = float(counter[0])
        counter[0] += 1
    else:
        x_left = _layout(node["left"], depth + 1, nodes, counter)
        x_right = _layout(node["right"], depth + 1, nodes, counter)
        x = (x_left + x_right) / 2
    nodes.append({"node": node, "x": x, "depth": depth})
    return x


def plot_tier_rules(
    rules: Any,
    *,
    fontsize: float = 8,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Draw the tier tree: one box per split and per rule (leaf), leaves coloured by grade.

    A split box shows its condition and the number of training customers that
    reach it; the left branch ("yes") holds the customers meeting the
    condition. A leaf box shows the grade it assigns, its training customers
    and the share of them holding that grade. This is the tree after leaf
    merging, the one :meth:`custseg.tiers.TierClassifier.export_rules` prints.

    Parameters
    ----------
    rules : TierClassifier or dict
        A fitted :class:`custseg.tiers.TierClassifier`, or its
        ``export_rules("dict")`` (for example read back from JSON).
    fontsize : float, default=8
        Font size of the box text.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.text` for every box.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.texts`` holds one box per split (top down, left to right), then
        one per leaf (left to right), then the "yes"/"no" word of each branch;
        ``ax.lines`` one line per branch; the legend one entry per grade. The
        axis frame is hidden.

    See Also
    --------
    custseg.tiers.TierClassifier.export_rules : The same rules as text or SQL.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> from custseg.plotting import plot_tier_rules
    >>> from custseg.tiers import TierClassifier
    >>> X = pd.DataFrame({"monetary_total": [900.0, 600.0, 120.0, 90.0, 15.0, 30.0]})
    >>> clf = TierClassifier(max_depth=2).fit(X, ["A", "A", "B", "B", "C", "C"])
    >>> ax = plot_tier_rules(clf, ax=Figure().subplots())
    >>> [t.get_text().splitlines()[0] for t in ax.texts[:5]]
    ['monetary_total <= 60.0', 'monetary_total <= 360.0', 'C', 'B', 'A']
    """
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    spec = rules.export_rules("dict") if hasattr(rules, "export_rules") else rules
    if not isinstance(spec, dict) or "tree" not in spec or "grades" not in spec:
        raise InvalidValueError(
            "rules must be a fitted TierClassifier or its export_rules('dict') (a dict with "
            f"'tree' and 'grades'); got {type(rules).__name__}."
        )
    grades = list(spec["grades"])
    nodes: list[dict[str, Any]] = []
    _layout(spec["tree"], 0, nodes, [0])
    n_leaves = sum(1 for item in nodes if item["node"].get("leaf", True))
    max_depth = max(item["depth"] for item in nodes)
    cmap = colormaps["RdYlGn_r"]
    colours = {g: cmap(k / max(len(grades) - 1, 1) * 0.9 + 0.05) for k, g in enumerate(grades)}
    ax = get_ax(ax, figsize=(max(6.0, 2.2 * n_leaves), max(3.0, 1.6 * (max_depth + 1))))
    position = {id(item["node"]): (item["x"], -float(item["depth"])) for item in nodes}
    splits = [item for item in nodes if not item["node"].get("leaf", True)]
    leaves = [item for item in nodes if item["node"].get("leaf", True)]
    splits.sort(key=lambda item: (item["depth"], item["x"]))
    leaves.sort(key=lambda item: item["x"])
    for item in splits + leaves:
        node = item["node"]
        x, y = position[id(node)]
        if node.get("leaf", True):
            grade = node["grade"]
            share = node.get("distribution", {}).get(str(grade), float("nan"))
            text = f"{grade}\nn={node['n']:,}\n{share:.0%} {grade}"
            face = colours.get(grade, "white")
        else:
            text = f"{node['condition']}\nn={node['n']:,}"
            face = "whitesmoke"
        ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3,
                bbox={"boxstyle": "round", "facecolor": face, "edgecolor": "grey"}, **kwargs)
    # branches: a line from each split to its two children, under the boxes
    for item in splits:
        node = item["node"]
        x0, y0 = position[id(node)]
        for side, word in (("left", "yes"), ("right", "no")):
            x1, y1 = position[id(node[side])]
            ax.plot([x0, x1], [y0, y1], color="grey", linewidth=1.0, zorder=1)
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, word, ha="center", va="center",
                    fontsize=fontsize - 1, color="dimgrey", zorder=2,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                          "edgecolor": "none"})
    ax.set_xlim(-0.6, n_leaves - 0.4)
    ax.set_ylim(-max_depth - 0.5, 0.5)
    ax.set_axis_off()
    ax.legend(handles=[Patch(facecolor=colours[g], edgecolor="grey", label=str(g))
                       for g in grades], title="grade", loc="upper right", fontsize=fontsize)
    ax.set_title(f"Tier rules ({n_leaves} rules)")
    return ax
