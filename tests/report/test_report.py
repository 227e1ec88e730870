"""Tests of the self-contained HTML report and its figures."""

from __future__ import annotations

import base64
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
                    "Behavioural clusters", "Playbook", "Most valuable customers at high risk"):
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
    assert f"for {100 * agree:.0f}% of the customers" in section
    assert section.count("THEN") == model.tier_rules_.get_n_leaves()
    assert "&gt;" in section  # rule text is escaped


def test_report_is_self_contained(report_page):
    page = report_page
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert "<style>" in page  # inline CSS
    images = _images(page)
    assert len(images) >= 6
    assert all(img.startswith(PNG_SIGNATURE) for img in images)


def test_high_risk_list_is_the_most_valuable_high_risk_customers():
    # Fixed bands: with the default relative bands every high-risk customer of the
    # sample is also "churned", and the list (which leaves those out) would be empty.
    log = load_cdnow(sample=True)
    model = CustomerSegmentation(random_state=0, churn_risk_thresholds=(0.5, 0.8)).fit(log)
    table = model.predict(log)
    small = table.drop(columns=["kmeans_segment_name"])  # fewer figures: a quicker page
    page = render_report(small, model=model, max_customers_listed=5)
    high = table[(table["churn_risk"] == "high") & (table["lifecycle_stage"] != "churned")]
    high = high.sort_values("monetary_total", ascending=False)
    assert len(high) >= 5
    section = page.split("Most valuable customers at high risk")[1].split("</table>")[0]
    listed = re.findall(r"<tr><td class=\"num\">([^<]+)</td>", section)
    assert listed == high["customer_id"].head(5).tolist()


def test_sections_follow_the_columns_present():
    table = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["A", "B", "B"],
                          "monetary_total": [90.0, 6.0, 4.0], "frequency": [4, 1, 1]})
    page = render_report(table, as_of="2024-06-30")
    assert ">Value tiers<" in page
    assert ">Churn risk<" not in page and ">Customer segments<" not in page
    assert "90%" in page  # tier A: 90 of the 100 spent
    assert "as of 2024-06-30" in page


def test_text_is_escaped():
    table = pd.DataFrame({"customer_id": ["<b>x</b>"], "tier": ["<script>"],
                          "monetary_total": [1.0]})
    page = render_report(table, title="A & B <report>")
    assert "<script>" not in page and "&lt;script&gt;" in page
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
