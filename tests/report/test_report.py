"""Tests of the self-contained HTML report and its figures."""

from __future__ import annotations

import base64
import html
import re

import pandas as pd
import pytest

from custseg.datasets import load_cdnow
from custseg.exceptions import EmptyDataError, InvalidDtypeError
from custseg.pipeline import CustomerSegmentation
from custseg.report import render_report, report_figures, write_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _images(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', page)]


def test_report_sections_for_a_business_reader(fitted_and_table, report_page):
    _, table = fitted_and_table
    page = report_page
    for heading in ("Customer segments", "Value tiers", "Lifecycle stages", "Churn risk",
                    "Behavioural clusters", "Playbook", "Valuable customers at high risk",
                    "What changed", "Trends", "Cohort retention"):
        assert f">{heading}" in page, heading
    assert "2,357 customers" in page and "as of 1998-06-30" in page
    # Every RFM segment, tier and stage present in the table is named in the page.
    for name in set(table["rfm_segment"].astype(str)) | set(table["tier"].astype(str)):
        assert f">{name.replace(chr(39), '&#x27;')}<" in page, name
    # The playbook's actions appear next to the groups.
    for action in table["action"].unique():
        assert action in page


def test_tier_rules_are_explained(fitted_and_table, report_page):
    model, table = fitted_and_table
    page = report_page
    section = page.split("Why is a customer in a tier?")[1].split("</pre>")[0]
    X = table[["recency_days", "frequency", "monetary_total"]]
    agree = (model.tier_rules_.predict(X) == table["tier"].astype(str)).mean()
    assert f"for {100 * agree:.1f}% of the customers" in section
    assert section.count("THEN") == model.tier_rules_.get_n_leaves()
    assert "&gt;" in section  # rule text is escaped


def test_report_is_self_contained(report_page):
    page = report_page
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "http://" not in page and "https://" not in page
    assert "<link" not in page and "@import" not in page
    # one inline script (sorting and filtering), loading nothing
    assert page.count("<script>") == 1 and "<script src" not in page
    assert "fetch(" not in page and "XMLHttpRequest" not in page
    assert "<style>" in page  # inline CSS
    images = _images(page)
    assert len(images) >= 6
    assert all(img.startswith(PNG_SIGNATURE) for img in images)


def test_high_risk_list_is_complete_biggest_spenders_first():
    # Fixed bands: with the default relative bands every high-risk customer of the
    # sample is also "churned", and the list (which leaves those out) would be empty.
    log = load_cdnow(sample=True)
    model = CustomerSegmentation(random_state=0, churn_risk_thresholds=(0.5, 0.8)).fit(log)
    table = model.predict(log)
    report_page = render_report(table, model=model)
    high = table[(table["churn_risk"] == "high") & (table["lifecycle_stage"] != "churned")]
    high = high.sort_values("monetary_total", ascending=False, kind="stable")
    assert len(high) > 20  # the list no longer stops at 20
    section = report_page.split('id="at-risk-table"')[1].split("</table>")[0]
    listed = re.findall(r"<tr><td class=\"num\"[^>]*>([^<]+)</td>", section)
    assert listed == high["customer_id"].tolist()
    assert f"{len(high):,} of {len(high):,} shown" in report_page
    assert 'class="data sortable" id="at-risk-table"' in report_page


def test_sections_follow_the_columns_present():
    table = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["A", "B", "B"],
                          "monetary_total": [90.0, 6.0, 4.0], "frequency": [4, 1, 1]})
    page = render_report(table, as_of="2024-06-30")
    assert ">Value tiers<" in page
    assert ">Churn risk<" not in page and ">Customer segments<" not in page
    assert "90.0%" in page  # tier A: 90 of the 100 spent, in the card as in the table
    assert "as of 2024-06-30" in page


def test_text_is_escaped():
    table = pd.DataFrame({"customer_id": ["<b>x</b>"], "tier": ["<script>"],
                          "monetary_total": [1.0]})
    page = render_report(table, title="A & B <report>")
    assert page.count("<script>") == 1 and "&lt;script&gt;" in page  # only the report's own
    assert "<title>A &amp; B &lt;report&gt;</title>" in page


def test_polars_table_is_accepted(fitted_and_table):
    import polars as pl

    _, table = fitted_and_table
    small = table[["customer_id", "tier", "monetary_total"]]
    assert ">Value tiers<" in render_report(pl.from_pandas(small))


def test_errors():
    with pytest.raises(EmptyDataError, match="0 rows"):
        render_report(pd.DataFrame({"customer_id": []}))
    with pytest.raises(InvalidDtypeError, match="table must be a dataframe"):
        render_report([1, 2, 3])


def test_figures_do_not_touch_pyplot(fitted_and_table):
    import matplotlib.pyplot as plt

    model, table = fitted_and_table
    before = plt.get_fignums()
    figs = report_figures(table, model=model)
    assert plt.get_fignums() == before
    assert {"rfm_segments", "tiers", "lifecycle", "churn_risk", "kmeans_profile",
            "rfm_heatmap", "k_selection"} <= set(figs)
    # The tier chart has one bar group per tier, labelled with the tier names.
    ax = figs["tiers"].axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert set(labels) == set(table["tier"].astype(str))


def test_write_report(tmp_path):
    table = pd.DataFrame({"customer_id": ["a", "b"], "tier": ["A", "B"],
                          "monetary_total": [3.0, 1.0]})
    path = write_report(tmp_path / "report.html", table, title="Two customers")
    page = path.read_text(encoding="utf-8")
    stamp = r"on \d{4}-\d\d-\d\d \d\d:\d\d UTC"
    assert re.sub(stamp, "", page) == re.sub(stamp, "", render_report(table, title="Two customers"))
    assert page.count("<section") == 1 and "<title>Two customers</title>" in page


def test_every_action_has_its_csv_with_one_row_per_customer(fitted_and_table, report_page):
    import io

    _, table = fitted_and_table
    links = re.findall(r'<a class="csv" download="([^"]+)" data-action="([^"]+)" '
                       r'data-rows="(\d+)" href="data:text/csv;charset=utf-8;base64,([^"]+)"',
                       report_page)
    assert sorted(html.unescape(a) for _, a, _, _ in links) == sorted(table["action"].unique())
    for name, action, rows, data in links:
        action = html.unescape(action)
        csv = pd.read_csv(io.BytesIO(base64.b64decode(data)), dtype={"customer_id": str})
        expected = table.loc[table["action"] == action, "customer_id"]
        assert sorted(csv["customer_id"]) == sorted(expected)
        assert int(rows) == len(expected) and csv["customer_id"].is_unique
        assert name.startswith("campaign-") and name.endswith(".csv")


def test_what_changed_leads_and_compares_one_month_earlier(fitted_and_table, sample_log,
                                                           report_page):
    model, table = fitted_and_table
    headings = re.findall(r"<h2>([^<]+)</h2>", report_page)
    assert headings[:3] == ["What changed", "Trends", "Cohort retention"]
    assert "on 1998-06-30 against 1998-05-30" in report_page
    previous = model.predict(sample_log, as_of="1998-05-30")
    from custseg.plotting._labels import column_label
    from custseg.segments import segment_migration

    # The report computes only the groups one month earlier: they match the full table.
    for col in ("rfm_segment", "lifecycle_stage", "tier"):
        m = segment_migration(previous.set_index("customer_id")[col],
                              table.set_index("customer_id")[col])
        row = re.search(rf"<tr><td>{column_label(col)}</td>(.*?)</tr>", report_page).group(1)
        cells = [int(v.replace(",", "")) for v in re.findall(r">([\d,]+)<", row)]
        assert cells == [m.n_stayed, m.n_better, m.n_worse, m.n_new, m.n_gone], col
        # counts print with thousands separators, as everywhere in the report
        expected = [f"{n:,}" for n in cells]
        assert re.findall(r">([\d,]+)<", row) == expected, col


def test_high_risk_card_states_the_band_share_now_and_at_fit(fitted_and_table, report_page):
    model, table = fitted_and_table
    now = (table["churn_risk"].astype(str) == "high").mean()
    then = model.churn_risk_bands_["high"]["share"]
    n = int((table["churn_risk"].astype(str) == "high").sum())
    card = (f'<div class="value">{n:,}</div><div class="label">customers at high churn risk '
            f"({100 * now:.1f}% of customers; {100 * then:.1f}% when the model was fit)</div>")
    assert card in report_page
    lo, hi = model.churn_risk_cuts_
    assert (f"a probability of {100 * lo:.1f}% or more is medium, {100 * hi:.1f}% or more "
            f"high") in report_page


def test_card_grid_never_leaves_one_card_alone():
    from custseg.report._html import card_columns

    for n in range(1, 13):
        wide, narrow = card_columns(n)
        assert n % wide != 1 or wide == 1, n
        assert n % narrow != 1 or narrow == 1, n


def test_days_are_whole_and_headers_human():
    table = pd.DataFrame({"customer_id": ["a", "b"], "tier": ["A", "B"],
                          "monetary_total": [3.0, 1.0], "recency_days": [72.0, 10.4],
                          "churn_risk": ["high", "high"], "churn_probability": [0.9, 0.8]})
    page = render_report(table)
    assert ">72<" in page and "72.0" not in page
    assert "Days since last purchase" in page and "recency_days" not in page


def test_expected_future_value_and_value_at_stake_per_segment_and_tier(fitted_and_table,
                                                                      report_page):
    from custseg.report._tables import group_summary

    _, table = fitted_and_table
    assert {"expected_value", "value_at_stake"} <= set(table.columns)
    for col in ("rfm_segment", "tier"):
        summary = group_summary(table, col)
        assert summary["expected future value"].sum() == pytest.approx(
            table["expected_value"].sum())
        assert summary["value at stake"].sum() == pytest.approx(table["value_at_stake"].sum())
        tier_a = table[table[col] == summary["group"].iloc[0]]
        assert summary["value at stake"].iloc[0] == pytest.approx(tier_a["value_at_stake"].sum())
    assert report_page.count("<th scope=\"col\">value at stake</th>") >= 2
    total = f"{table['value_at_stake'].sum():,.0f}"
    assert f'<div class="value">{total}</div>' in report_page


def test_risk_bands_give_their_rates_as_percentages(fitted_and_table, report_page):
    model, _ = fitted_and_table
    section = report_page.split("<h3>Risk bands</h3>", 1)[1].split("</table>", 1)[0]
    for band, v in model.churn_risk_bands_.items():
        rate, captured = f"{100 * v['churn_rate']:.1f}%", f"{100 * v['captured']:.1f}%"
        row = re.search(rf"<tr><td[^>]*>{band}</td>(.*?)</tr>", section)
        assert row is not None, band
        assert rate in row.group(1) and captured in row.group(1), (band, row.group(1))
