"""The self-contained HTML report."""

from __future__ import annotations

import datetime as dt
import html
import importlib.metadata
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import EmptyDataError, InvalidDtypeError
from ._figures import _to_pandas, figure_to_base64, report_figures
from ._leads import lead_sections
from ._tables import (
    ACTION,
    CHURN_PROBABILITY,
    CHURN_RISK,
    KMEANS_NAME,
    LIFECYCLE,
    REVENUE,
    RFM_SEGMENT,
    TIER,
    group_summary,
    has,
    table_html,
)

__all__ = ["render_report", "write_report"]

_CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --accent:#2f6fae; --bg:#f7f9fb; }
* { box-sizing: border-box; }
body { margin:0; font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color:var(--ink); background:var(--bg); line-height:1.45; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; background:#fff; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.35em; margin-top: 2em; border-bottom: 2px solid var(--line);
     padding-bottom: 4px; }
p.lead { color: var(--muted); margin-top: 0; }
p.note { color: var(--muted); font-size: 0.92em; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin: 18px 0; }
.card { flex: 1 1 170px; border:1px solid var(--line); border-radius:8px; padding:12px 14px;
        background: var(--bg); }
.card .value { font-size: 1.55em; font-weight: 600; color: var(--accent); }
.card .label { color: var(--muted); font-size: 0.9em; }
table.data { border-collapse: collapse; width: 100%; margin: 10px 0 6px; font-size: 0.92em; }
table.data th { text-align:left; background: var(--bg); border-bottom: 2px solid var(--line);
                padding: 6px 8px; }
table.data td { border-bottom: 1px solid var(--line); padding: 5px 8px; vertical-align: top; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 12px 0; text-align:center; }
figure img { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.9em; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
pre.rules { background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
            padding: 10px 12px; font-size: 0.85em; overflow-x: auto; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85em;
         border-top: 1px solid var(--line); padding-top: 10px; }
"""


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _figure(figs: dict[str, Any], name: str, caption: str) -> str:
    fig = figs.get(name)
    if fig is None:
        return ""
    data = figure_to_base64(fig)
    return (
        f'<figure><img alt="{_esc(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def _card(value: str, label: str) -> str:
    return (f'<div class="card"><div class="value">{_esc(value)}</div>'
            f'<div class="label">{_esc(label)}</div></div>')


def _version() -> str:
    try:
        return importlib.metadata.version("custseg")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _share_text(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole > 0 else "n/a"


def _tier_rules_html(df: pd.DataFrame, model: Any) -> str:
    """The tier rules learnt by the model's decision tree, with their agreement."""
    rules = getattr(model, "tier_rules_", None) if model is not None else None
    if rules is None or not hasattr(rules, "export_rules"):
        return ""
    features = [str(c) for c in getattr(rules, "feature_names_in_", [])]
    if not features or not set(features) <= set(df.columns):
        return ""
    X = df[features].astype("float64")
    if "recency_days" in X.columns and "tenure_days" in df.columns:
        X["recency_days"] = X["recency_days"].fillna(df["tenure_days"])
    agree = float((pd.Series(rules.predict(X.fillna(0.0))).astype(str).to_numpy()
                   == df[TIER].astype(str).to_numpy()).mean())
    text = rules.export_rules("text")
    return (
        "<h3>Why is a customer in a tier?</h3>"
        f"<p>These rules, learnt from the customers' recency, purchases and spend, give "
        f"the same tier as the table for {100 * agree:.0f}% of the customers listed here. "
        "They can be pasted into a CRM or, as SQL, into a warehouse query.</p>"
        f'<pre class="rules">{_esc(text)}</pre>'
    )


def render_report(
    table: Any,
    *,
    model: Any = None,
    title: str = "Customer segmentation report",
    as_of: Any = None,
    customer_col: str | None = None,
    max_customers_listed: int = 20,
) -> str:
    """Render the per-customer table as one self-contained HTML page.

    The page is written for a business reader: key figures, then who the
    customers are (RFM segments), how valuable they are (tiers), where they
    are in their lifecycle, who is likely to stop buying (churn risk, with the
    most valuable customers at risk listed by name), the behavioural clusters
    found by K-means and the recommended action for each group (the playbook).
    A section appears only when the table holds its columns.

    Everything is inside the one file: the CSS is inline and every plot is a
    PNG embedded as a ``data:`` URI, so the page opens offline, can be mailed,
    and makes no network request.

    Parameters
    ----------
    table : DataFrame
        The per-customer table of
        :meth:`custseg.pipeline.CustomerSegmentation.predict` (pandas or any
        frame narwhals reads). Columns used when present: ``rfm_segment``,
        ``tier``, ``lifecycle_stage``, ``churn_probability``, ``churn_risk``,
        ``kmeans_segment_name``, ``action``, ``monetary_total``,
        ``frequency``, ``recency_days``; for prospects, ``lead_grade`` and
        ``converted`` (the lead-grading section).
    model : CustomerSegmentation, optional
        The fitted model: adds its settings (churn horizon, chosen k) to the notes.
    title : str, default="Customer segmentation report"
        Page title.
    as_of : date-like, optional
        Date of the table, shown in the header. Default: ``table.attrs["as_of"]``
        when present.
    customer_col : str, optional
        Customer id column. Default: the model's ``customer_col``, else the first
        column.
    max_customers_listed : int, default=20
        Length of the list of valuable customers at high churn risk.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    custseg.exceptions.EmptyDataError
        The table has no rows.

    See Also
    --------
    write_report : Render and write to a file.
    report_figures : The figures alone.

    Examples
    --------
    >>> import pandas as pd
    >>> from custseg.report import render_report
    >>> table = pd.DataFrame({"customer_id": ["a", "b"], "tier": ["A", "B"],
    ...                       "monetary_total": [90.0, 10.0], "frequency": [4, 1]})
    >>> page = render_report(table, as_of="2024-06-30")
    >>> page.startswith("<!DOCTYPE html>"), "Value tiers" in page, "http" in page
    (True, True, False)
    """
    if isinstance(table, pd.DataFrame):
        df = table
    else:
        try:
            df = _to_pandas(table)
        except TypeError as err:
            raise InvalidDtypeError(
                f"table must be a dataframe; got {type(table).__name__}."
            ) from err
    if len(df) == 0:
        raise EmptyDataError("the customer table has 0 rows; nothing to report.")
    if customer_col is None:
        customer_col = getattr(model, "customer_col", None) or str(df.columns[0])
    if as_of is None:
        as_of = df.attrs.get("as_of")
    figs = report_figures(df, model=model)

    n = len(df)
    revenue = float(df[REVENUE].clip(lower=0).sum()) if REVENUE in df.columns else None
    date_text = f"as of {pd.Timestamp(as_of).date()}" if as_of is not None else ""
    sections: list[tuple[str, str, str]] = []  # (anchor, heading, body)

    cards = [_card(f"{n:,}", "customers")]
    if revenue is not None:
        cards.append(_card(f"{revenue:,.0f}", "total spend to date"))
    if has(df, LIFECYCLE):
        active = df[LIFECYCLE].astype(str).isin(["new", "active"]).sum()
        cards.append(_card(_share_text(active, n), "customers new or active"))
    if has(df, TIER) and revenue:
        top = sorted(df[TIER].dropna().astype(str).unique())[0]
        top_rev = float(df.loc[df[TIER].astype(str) == top, REVENUE].clip(lower=0).sum())
        cards.append(_card(_share_text(top_rev, revenue), f"of spend from tier {top}"))
    high = None
    if has(df, CHURN_RISK):
        high = df[CHURN_RISK].astype(str) == "high"
        cards.append(_card(f"{int(high.sum()):,}", "customers at high churn risk"))
        if revenue:
            at_risk = float(df.loc[high, REVENUE].clip(lower=0).sum())
            cards.append(_card(_share_text(at_risk, revenue), "of spend from high-risk customers"))

    if has(df, RFM_SEGMENT):
        summary = group_summary(df, RFM_SEGMENT)
        sections.append((
            "segments", "Customer segments",
            "<p>Every customer is placed in one segment by how recently, how often and "
            "how much they bought (RFM scores from 1 to 5, 5 being best). The chart "
            "compares each segment's share of customers with its share of spend.</p>"
            + _figure(figs, "rfm_segments", "Share of customers and of spend by segment")
            + table_html(summary, first="segment"),
        ))
    if has(df, TIER):
        sections.append((
            "tiers", "Value tiers",
            "<p>Tiers grade customers by value, A being the most valuable. Use them to "
            "decide where account managers and service effort go first.</p>"
            + _figure(figs, "tiers", "Share of customers and of spend by tier")
            + table_html(group_summary(df, TIER), first="tier")
            + _tier_rules_html(df, model),
        ))
    if has(df, LIFECYCLE):
        sections.append((
            "lifecycle", "Lifecycle stages",
            "<p>Where each customer stands today: <b>new</b> (first purchase recently), "
            "<b>active</b> (buying at their usual pace), <b>dormant</b> (overdue, at "
            "risk) or <b>churned</b> (gone quiet for much longer than usual).</p>"
            + _figure(figs, "lifecycle", "Customers by lifecycle stage")
            + table_html(group_summary(df, LIFECYCLE), first="stage"),
        ))
    if has(df, CHURN_RISK):
        body = (
            "<p>The churn risk is the estimated probability that a customer makes no "
            "purchase in the coming period"
            + (f" ({int(model.churn_horizon_days)} days)"
               if getattr(model, "churn_horizon_days", None) else "")
            + ", learnt from how past customers behaved. Bands: low, medium, high.</p>"
            + _figure(figs, "churn_risk", "Share of customers and of spend by churn risk")
            + table_html(group_summary(df, CHURN_RISK), first="churn risk")
        )
        reachable = high
        if high is not None and has(df, LIFECYCLE):
            # Customers already churned are gone; the list is about those still buying.
            still_here = high & (df[LIFECYCLE].astype(str) != "churned")
            reachable = still_here if still_here.any() else high
        if reachable is not None and reachable.any() and REVENUE in df.columns:
            cols = [c for c in (customer_col, TIER, RFM_SEGMENT, LIFECYCLE, REVENUE,
                                "frequency", CHURN_PROBABILITY, ACTION) if c in df.columns]
            top = df.loc[reachable, cols].sort_values(REVENUE, ascending=False)
            top = top.head(max_customers_listed).rename(columns={
                REVENUE: "spend", "frequency": "purchases",
                CHURN_PROBABILITY: "churn probability", RFM_SEGMENT: "segment",
                LIFECYCLE: "stage", ACTION: "recommended action"})
            body += (
                f"<h3>Most valuable customers at high risk (top {len(top)})</h3>"
                "<p>Contact these first: they spent the most and are the most likely "
                "to stop buying"
                + (", and they have not churned yet" if reachable is not high else "")
                + ".</p>" + table_html(top, numeric=(customer_col,))
            )
        sections.append(("churn", "Churn risk", body))
    if has(df, KMEANS_NAME):
        sections.append((
            "clusters", "Behavioural clusters",
            "<p>K-means groups customers with similar buying behaviour, found from the "
            "data rather than from fixed rules. The lines show how each cluster differs "
            "from the average customer (0 = average) on each measure.</p>"
            + _figure(figs, "kmeans_profile", "Cluster profiles (standardised means)")
            + table_html(group_summary(df, KMEANS_NAME), first="cluster"),
        ))
    if has(df, ACTION):
        group_col = next((c for c in (RFM_SEGMENT, LIFECYCLE, TIER) if has(df, c)), None)
        if group_col is not None:
            plays = (df.groupby([df[group_col].astype(str), df[ACTION].astype(str)])
                     .size().reset_index(name="customers"))
            plays.columns = ["group", "recommended action", "customers"]
            plays = plays.sort_values(["customers"], ascending=False)
        else:
            plays = df[ACTION].astype(str).value_counts().rename_axis(
                "recommended action").reset_index(name="customers")
        sections.append((
            "playbook", "Playbook",
            "<p>The recommended action for each group of customers, and how many "
            "customers it concerns. Export the customer table to run the campaigns.</p>"
            + table_html(plays),
        ))
    sections.extend(lead_sections(df))
    if "rfm_heatmap" in figs:
        sections.append((
            "rfm-map", "Recency and frequency map",
            "<p>Average spend for customers grouped by days since their last purchase "
            "and by number of purchases.</p>"
            + _figure(figs, "rfm_heatmap", "Average spend by recency and frequency"),
        ))

    notes = [
        "Spend is the total of each customer's purchases to date, refunds netted.",
        "Recency is the number of days since the last purchase.",
    ]
    if model is not None:
        k = getattr(getattr(model, "kmeans_", None), "n_clusters_", None)
        if k is not None:
            notes.append(f"K-means found {k} clusters.")
    nav = "".join(f'<a href="#{a}">{_esc(h)}</a>' for a, h, _ in sections)
    body_html = "".join(
        f'<section id="{a}"><h2>{_esc(h)}</h2>{b}</section>' for a, h, b in sections
    )
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{_esc(title)}</h1>"
        f'<p class="lead">{_esc(f"{n:,} customers")} {_esc(date_text)}</p>'
        f"<nav>{nav}</nav>"
        f'<div class="cards">{"".join(cards)}</div>'
        f"{body_html}"
        "<footer>" + " ".join(_esc(t) for t in notes)
        + f"<br>Generated by custseg {_esc(_version())} on {_esc(generated)}.</footer>"
        "</main></body></html>\n"
    )


def write_report(path: str | Path, table: Any, **kwargs: Any) -> Path:
    """Render the report (:func:`render_report`) and write it to ``path`` (UTF-8).

    Parameters
    ----------
    path : str or Path
        Destination ``.html`` file; its folder must exist.
    table : DataFrame
        The per-customer table.
    **kwargs
        Passed to :func:`render_report`.

    Returns
    -------
    Path
        The path written.

    See Also
    --------
    render_report : The HTML as a string.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> from custseg.report import write_report
    >>> table = pd.DataFrame({"customer_id": ["a"], "monetary_total": [5.0]})
    >>> out = write_report(pathlib.Path(tempfile.mkdtemp()) / "r.html", table)
    >>> out.read_text(encoding="utf-8").count("<html")
    1
    """
    path = Path(path)
    path.write_text(render_report(table, **kwargs), encoding="utf-8")
    return path
