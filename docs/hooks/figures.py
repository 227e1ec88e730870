"""mkdocs hook: draw the gallery of the plotting guide with the current code.

The figures are not committed: at every build they are drawn from the bundled CDNOW sample
with ``custseg.plotting`` and added to the site as ``images/<name>.png``, so the gallery always
shows what the code draws today.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

FIGURES: dict[str, tuple[float, float]] = {
    "plot_rfm_heatmap": (7, 4.5),
    "plot_segment_sizes": (7, 5.5),
    "plot_segment_profile": (7, 4.5),
    "plot_k_selection": (7, 4),
    "plot_silhouette": (7, 4.5),
    "plot_lifecycle": (6, 4),
    "plot_migration": (8, 6.5),
    "plot_tier_rules": (12, 5.5),
    "plot_roc": (5.5, 5),
    "plot_gains": (5.5, 5),
    "plot_lift": (6.5, 4.5),
    "plot_calibration": (5.5, 5),
    "plot_expected_purchases": (7, 5),
    "plot_rules": (7, 4.5),
}


def _drawers() -> dict[str, Callable[[Any], Any]]:
    """One function per figure, drawing on a given axes (data computed once)."""
    import custseg
    from custseg import plotting
    from custseg.churn import BetaGeoModel, ChurnPredictor, churn_labels
    from custseg.datasets import load_cdnow
    from custseg.features import btyd_summary
    from custseg.segments import (
        KMeansSegmenter,
        LifecycleStager,
        RFMScorer,
        segment_migration,
    )
    from custseg.tiers import TierClassifier, ValueGrader

    log = load_cdnow(sample=True)
    features = custseg.rfm(log, observation_date="1998-06-30")
    scores = RFMScorer().fit_transform(features)
    table = features.merge(scores, on="customer_id")
    rfm_cols = ["recency_days", "frequency", "monetary_total"]
    segmenter = KMeansSegmenter(k_range=(2, 7), random_state=0).fit(features[rfm_cols])
    table["kmeans"] = [segmenter.segment_names_[k] for k in segmenter.labels_]
    stages = LifecycleStager(observation_date="1998-06-30").fit_transform(log)
    before = custseg.rfm(log, observation_date="1997-12-31", future="drop")
    scorer = RFMScorer().fit(before)
    moves = segment_migration(scorer.transform(before).set_index("customer_id")["segment"],
                              scorer.transform(features).set_index("customer_id")["segment"])
    tiers = ValueGrader().fit(features).predict(features)
    tree = TierClassifier(max_depth=3, random_state=0).fit(features[rfm_cols], tiers)
    train = churn_labels(log, "1997-06-30", 26, unit="W")
    test = churn_labels(log, "1997-12-30", 26, unit="W")
    drop = ["customer_id", "churned"]
    churn = ChurnPredictor(random_state=0).fit(train.drop(columns=drop), train["churned"])
    proba = churn.predict_proba(test.drop(columns=drop))[:, 1]
    y = test["churned"]
    bg = BetaGeoModel().fit(btyd_summary(log, unit="W"))

    def roc(ax: Any) -> Any:
        plotting.plot_roc(y, proba, label="gradient boosting", ax=ax)
        return plotting.plot_roc(y, test["recency_days"], label="recency only", ax=ax)

    return {
        "plot_rfm_heatmap": lambda ax: plotting.plot_rfm_heatmap(features, ax=ax),
        "plot_segment_sizes": lambda ax: plotting.plot_segment_sizes(
            table, "segment", "monetary_total", ax=ax),
        "plot_segment_profile": lambda ax: plotting.plot_segment_profile(
            table, "kmeans", [*rfm_cols, "tenure_days"], ax=ax),
        "plot_k_selection": lambda ax: plotting.plot_k_selection(segmenter, ax=ax),
        "plot_silhouette": lambda ax: plotting.plot_silhouette(segmenter, ax=ax),
        "plot_lifecycle": lambda ax: plotting.plot_lifecycle(stages, ax=ax),
        "plot_migration": lambda ax: plotting.plot_migration(moves, normalize=True, ax=ax),
        "plot_tier_rules": lambda ax: plotting.plot_tier_rules(tree, ax=ax),
        "plot_roc": roc,
        "plot_gains": lambda ax: plotting.plot_gains(y, proba, ax=ax),
        "plot_lift": lambda ax: plotting.plot_lift(y, proba, ax=ax),
        "plot_calibration": lambda ax: plotting.plot_calibration(y, proba, ax=ax),
        "plot_expected_purchases": lambda ax: plotting.plot_expected_purchases(
            bg, T=78, horizon=4, max_frequency=15, ax=ax),
        "plot_rules": _rules_drawer(),
    }


def _rules_drawer() -> Callable[[Any], Any]:
    """Rules of one segment of synthetic baskets (CDNOW has no products)."""
    from custseg import plotting
    from custseg.baskets import AssociationRules
    from custseg.datasets import make_baskets

    lines, _ = make_baskets(5_000, random_state=0)
    rules = AssociationRules(min_support=0.005, min_confidence=0.1, by="segment",
                             product_col="product", order_col="order_id").fit(lines).rules_
    return lambda ax: plotting.plot_rules(rules, segment="S1", by="segment", ax=ax)


def render() -> dict[str, bytes]:
    """PNG bytes of every gallery figure, by function name."""
    from matplotlib.figure import Figure
    from threadpoolctl import threadpool_limits

    out = {}
    with threadpool_limits(limits=1):
        drawers = _drawers()
        for name, size in FIGURES.items():
            fig = Figure(figsize=size, layout="constrained")
            drawers[name](fig.subplots())
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png", dpi=80)
            out[name] = buffer.getvalue()
    return out


def on_files(files: Any, config: Any) -> Any:
    """Add ``images/<name>.png`` for every gallery figure to the site."""
    from mkdocs.structure.files import File

    for name, png in render().items():
        files.append(File.generated(config, f"images/{name}.png", content=png))
    return files
