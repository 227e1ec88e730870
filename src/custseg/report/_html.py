"""The self-contained HTML report: page, style, script, key-figure cards, sections."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import EmptyDataError, InvalidDtypeError
from ._context import ReportContext, esc
from ._figures import to_pandas
from ._risk import high_risk_label
from ._sections import SECTIONS
from ._tables import CHURN_RISK, LIFECYCLE, REVENUE, TIER, best_first, fmt_pct, has
from ._trend_sections import trend_table

__all__ = ["render_report", "write_report"]

_CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --accent:#2f6fae; --bg:#f7f9fb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color:var(--ink); background:var(--bg); line-height:1.45; }
p, li, figcaption, .card { overflow-wrap: break-word; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; background:#fff; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.35em; margin-top: 2em; border-bottom: 2px solid var(--line);
     padding-bottom: 4px; }
p.lead { color: var(--muted); margin-top: 0; }
.cards { display:grid; grid-template-columns: repeat(var(--cols, 3), minmax(0, 1fr));
         gap:12px; margin: 18px 0; }
@media (max-width: 640px) { .cards { grid-template-columns: repeat(var(--cols-narrow, 2),
                                                                    minmax(0, 1fr)); } }
.card { border:1px solid var(--line); border-radius:8px; padding:12px 14px;
        background: var(--bg); min-width: 0; }
.card .value { font-size: 1.45em; font-weight: 600; color: var(--accent); }
.card .label { color: var(--muted); font-size: 0.9em; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 10px 0 6px; }
#at-risk .table-wrap { max-height: 34em; overflow-y: auto; }
table.data { border-collapse: collapse; width: 100%; font-size: 0.92em; }
table.data th, table.data td { overflow-wrap: normal; word-break: normal; }
table.data th { min-width: 4.5em; }
table.data th { text-align:left; background: var(--bg); border-bottom: 2px solid var(--line);
                padding: 6px 8px; position: sticky; top: 0; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; }
table.data td { border-bottom: 1px solid var(--line); padding: 5px 8px; vertical-align: top; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 12px 0; text-align:center; }
figure img { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 0.9em; }
nav { display: flex; flex-wrap: wrap; gap: 4px 14px; }
nav a { color: var(--accent); text-decoration: none; }
p.filter input { font: inherit; padding: 4px 6px; max-width: 100%; }
p.filter .count { color: var(--muted); margin-left: 8px; }
ul.downloads { columns: 2 18em; }
pre.rules { background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
            padding: 10px 12px; font-size: 0.85em; overflow-x: auto; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85em;
         border-top: 1px solid var(--line); padding-top: 10px; }
@media (max-width: 640px) { main { padding: 14px 12px 32px; } h1 { font-size: 1.5em; } }
"""

# Plain JavaScript, no library and no network: sort the sortable tables by a click on a
# heading, and filter a table by the text typed in its box.
_JS = """
(function () {
  function key(td) {
    var v = td.getAttribute('data-v');
    return v === null ? td.textContent.trim().toLowerCase() : parseFloat(v);
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    table.querySelectorAll('th').forEach(function (th, col) {
      th.setAttribute('role', 'button');
      th.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col]), y = key(b.cells[col]);
          var nx = typeof x === 'number', ny = typeof y === 'number';
          if (nx !== ny) { return nx ? -1 : 1; }
          var c = x < y ? -1 : x > y ? 1 : 0;
          return asc ? c : -c;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r); });
        body.appendChild(frag);
      });
    });
  });
  document.querySelectorAll('input[data-filter]').forEach(function (input) {
    var id = input.getAttribute('data-filter');
    var table = document.getElementById(id);
    var count = document.querySelector('[data-count-for="' + id + '"]');
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase(), shown = 0, rows = table.tBodies[0].rows;
      for (var i = 0; i < rows.length; i++) {
        var hit = !q || rows[i].textContent.toLowerCase().indexOf(q) >= 0;
        rows[i].style.display = hit ? '' : 'none';
        if (hit) { shown++; }
      }
      if (count) { count.textContent = shown.toLocaleString('en') + ' of '
                   + rows.length.toLocaleString('en') + ' shown'; }
    });
  });
})();
"""


def card_columns(n: int) -> tuple[int, int]:
    """Columns of the card grid (wide, narrow) so that no row holds a card alone.

    Wide: all cards on one row up to 4, else the largest of 4, 3 that divides ``n``
    (else the one leaving the fullest last row). Narrow (phones): 2 when ``n`` is
    even, else 1.
    """
    if n <= 4:
        wide = n
    else:
        wide = next((c for c in (4, 3) if n % c == 0), max((4, 3), key=lambda c: n % c))
    return max(wide, 1), 2 if n % 2 == 0 else 1


def _card(value: str, label: str) -> str:
    return (f'<div class="card"><div class="value">{esc(value)}</div>'
            f'<div class="label">{esc(label)}</div></div>')


def _share(part: float, whole: float) -> str:
    return fmt_pct(part / whole) if whole > 0 else "n/a"


def _cards(ctx: ReportContext) -> str:
    df = ctx.table
    n = len(df)
    revenue = float(df[REVENUE].clip(lower=0).sum()) if REVENUE in df.columns else None
    cards = [_card(f"{n:,}", "customers")]
    if revenue is not None:
        cards.append(_card(f"{revenue:,.0f}", "total spend to date"))
    trends = trend_table(ctx)
    if trends is not None and trends["complete"].any():
        last = trends[trends["complete"]].iloc[-1]
        per = ctx.freq or "period"
        cards.append(_card(f"{int(last['active_customers']):,}",
                           f"customers buying in the last complete {per}"))
    if has(df, LIFECYCLE):
        active = df[LIFECYCLE].astype(str).isin(["new", "active"]).sum()
        cards.append(_card(_share(active, n), "customers new or active"))
    if has(df, TIER) and revenue:
        top = best_first(df[TIER], TIER)[0]
        top_rev = float(df.loc[df[TIER].astype(str) == str(top), REVENUE].clip(lower=0).sum())
        cards.append(_card(_share(top_rev, revenue), f"of spend from tier {top}"))
    if has(df, "value_at_stake") and has(df, "expected_value"):
        stake = float(df["value_at_stake"].sum())
        cards.append(_card(f"{stake:,.0f}", "expected future value at stake (churn risk x "
                           "value)"))
    if has(df, CHURN_RISK):
        high = df[CHURN_RISK].astype(str) == "high"
        cards.append(_card(f"{int(high.sum()):,}", high_risk_label(ctx, int(high.sum()))))
        if revenue:
            at_risk = float(df.loc[high, REVENUE].clip(lower=0).sum())
            cards.append(_card(_share(at_risk, revenue), "of spend from high-risk customers"))
    wide, narrow = card_columns(len(cards))
    return (f'<div class="cards" style="--cols:{wide};--cols-narrow:{narrow}" '
            f'data-cards="{len(cards)}">{"".join(cards)}</div>')


def _version() -> str:
    try:
        return importlib.metadata.version("custseg")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _validated(transactions: Any, model: Any, as_of: Any) -> Any:
    """The log as custseg's validated Transactions, cut at ``as_of``."""
    from ..features._core import as_transactions
    from ..io import Transactions
    from ..io._options import SHARED_LOG_KEYS, log_options

    if isinstance(transactions, Transactions):
        return as_transactions(transactions, observation_date=as_of)
    kwargs = {k: v for k, v in log_options(model, keys=SHARED_LOG_KEYS).items() if v is not None}
    return as_transactions(transactions, observation_date=as_of, future="drop", **kwargs)


def _one_period_before(as_of: pd.Timestamp, freq: str) -> pd.Timestamp:
    return as_of - (pd.DateOffset(months=1) if freq == "month" else pd.Timedelta(days=7))


def build_context(table: Any, *, model: Any = None, transactions: Any = None,
                  previous: Any = None, as_of: Any = None,
                  customer_col: str | None = None) -> ReportContext:
    """Check the inputs of :func:`render_report` and gather what its sections read."""
    if isinstance(table, pd.DataFrame):
        df = table
    else:
        try:
            df = to_pandas(table)
        except TypeError as err:
            raise InvalidDtypeError(
                f"table must be a dataframe; got {type(table).__name__}.") from err
    if len(df) == 0:
        raise EmptyDataError("the customer table has 0 rows; nothing to report.")
    if customer_col is None:
        customer_col = getattr(model, "customer_col", None) or str(df.columns[0])
    if as_of is None:
        as_of = df.attrs.get("as_of")
    stamp = pd.Timestamp(as_of) if as_of is not None else None
    ctx = ReportContext(table=df, model=model, customer_col=customer_col, as_of=stamp)
    if transactions is not None:
        from ..cohorts._periods import resolve_freq

        tx = _validated(transactions, model, as_of)
        ctx.transactions = tx
        ctx.freq = resolve_freq(None, tx)
        if stamp is None:
            ctx.as_of = stamp = pd.Timestamp(tx.observation_date)
    if previous is not None:
        ctx.previous = previous if isinstance(previous, pd.DataFrame) else to_pandas(previous)
        prev_as_of = ctx.previous.attrs.get("as_of")
        ctx.previous_as_of = pd.Timestamp(prev_as_of) if prev_as_of is not None else None
    elif model is not None and transactions is not None and stamp is not None and ctx.freq:
        from ..exceptions import EmptyDataError as NoData

        when = _one_period_before(stamp, ctx.freq)
        # Only the groups are compared: a CustomerSegmentation skips its other stages.
        groups = getattr(model, "_groups_as_of", None)
        earlier = model.predict if groups is None else groups
        try:
            ctx.previous = to_pandas(earlier(transactions, as_of=when.date()))
            ctx.previous_as_of = pd.Timestamp(when.date())
        except NoData:  # nothing bought yet one period earlier: no comparison
            pass
    return ctx


def render_context(ctx: ReportContext, *, title: str = "Customer segmentation report") -> str:
    """The HTML page of a :class:`ReportContext` (its figures are kept in ``ctx.figures``)."""
    parts = []
    for section in SECTIONS:
        body = section.build(ctx)
        if body:
            parts.append((section.anchor, section.heading, body))
    n = len(ctx.table)
    date_text = f"as of {ctx.as_of.date()}" if ctx.as_of is not None else ""
    notes = ["Spend is the total of each customer's purchases to date, refunds netted.",
             "Recency is the number of days since the last purchase."]
    nav = "".join(f'<a href="#{a}">{esc(h)}</a>' for a, h, _ in parts)
    body_html = "".join(f'<section id="{a}"><h2>{esc(h)}</h2>{b}</section>' for a, h, b in parts)
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{esc(title)}</h1>"
        f'<p class="lead">{esc(f"{n:,} customers")} {esc(date_text)}</p>'
        f"<nav>{nav}</nav>{_cards(ctx)}{body_html}"
        "<footer>" + " ".join(esc(t) for t in notes)
        + f"<br>Generated by custseg {esc(_version())} on {esc(generated)}.</footer>"
        f"</main><script>{_JS}</script></body></html>\n"
    )


def render_report(
    table: Any,
    *,
    model: Any = None,
    transactions: Any = None,
    previous: Any = None,
    title: str = "Customer segmentation report",
    as_of: Any = None,
    customer_col: str | None = None,
) -> str:
    """Render the per-customer table as one self-contained HTML page.

    The page is written for a business reader and leads with what changed: the
    last complete period against the one before (revenue, active, new and lost
    customers) and how customers moved between RFM segments, lifecycle stages and
    tiers since one period earlier. Then the trends per week or month, cohort
    retention, who the customers are (RFM segments, value tiers, lifecycle stages),
    who is likely to stop buying (churn risk, with every valuable customer at high
    risk in a table sortable by a click and filterable), the behavioural clusters
    and the playbook, with one downloadable CSV per recommended action. A section
    appears only when its inputs are there; the sections are declared in
    ``custseg.report._sections.SECTIONS``.

    Everything is inside the one file: the CSS and the small script are inline,
    every plot is a PNG and every campaign list a CSV embedded as ``data:`` URIs,
    so the page opens offline, can be mailed, and makes no network request.

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
        The fitted model: its settings (churn horizon, chosen k, tier rules), its
        column names for ``transactions`` and, with ``transactions``, the table
        one period earlier (what changed).
    transactions : dataframe, lazy frame or Transactions, optional
        The transaction log the table was made from: adds the trends, cohort
        retention and what-changed sections. Weeks or months are chosen from its
        span (see :func:`custseg.cohorts.trends`).
    previous : DataFrame, optional
        The per-customer table at an earlier date, to compare with. Default: with a
        model and a log, ``model.predict(transactions, as_of=one period earlier)``.
    title : str, default="Customer segmentation report"
        Page title.
    as_of : date-like, optional
        Date of the table, shown in the header. Default: ``table.attrs["as_of"]``
        when present.
    customer_col : str, optional
        Customer id column. Default: the model's ``customer_col``, else the first
        column.

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
    report_figures : The figures of the customer table alone.

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
    ctx = build_context(table, model=model, transactions=transactions, previous=previous,
                        as_of=as_of, customer_col=customer_col)
    return render_context(ctx, title=title)


def write_report(path: str | Path, table: Any, **kwargs: Any) -> Path:
    """Render the report (:func:`render_report`) and write it to ``path`` (UTF-8).

    Parameters
    ----------
    path : str or Path
        Destination ``.html`` file; its folder must exist.
    table : DataFrame
        The per-customer table.
    **kwargs
        Passed to :func:`render_report` (``model``, ``transactions``, ``title``...).

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
