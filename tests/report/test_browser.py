"""The HTML report in real headless Chromium (Playwright driving the system's chromium).

At a desktop (1280 px) and a phone (390 px) width: the page never scrolls sideways,
every section is there, the at-risk table sorts by a click and filters by typing, the
key-figure grid leaves no card alone on a row, and every embedded campaign CSV
downloads and parses with one row per customer of its action.

``make install`` brings Debian's chromium and ``make test`` sets
``CUSTSEG_REQUIRE_BROWSER=1``, so there a missing browser fails instead of skipping.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from custseg.report import write_report

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
REQUIRED = os.environ.get("CUSTSEG_REQUIRE_BROWSER") == "1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None and not REQUIRED,
                       reason="Chromium is not on PATH (make install brings Debian's chromium)"),
]

WIDTHS = [1280, 390]
SECTIONS = ["changes", "trends", "cohorts", "segments", "tiers", "lifecycle", "churn",
            "at-risk", "clusters", "decisions", "playbook", "rfm-map"]


@pytest.fixture(scope="module")
def report_file(fitted_and_table, sample_log, tmp_path_factory):
    model, table = fitted_and_table
    path = tmp_path_factory.mktemp("browser") / "report.html"
    write_report(path, table, model=model, transactions=sample_log)
    return path


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM is not None, "Chromium is required (CUSTSEG_REQUIRE_BROWSER=1)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox",
                                                            "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(request, browser, report_file):
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    # The report must load nothing: any request other than the file itself fails the test.
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    pg = context.new_page()
    pg.goto(report_file.resolve().as_uri())
    pg.wait_for_load_state("load")
    yield pg
    keep = os.environ.get("CUSTSEG_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(keep) / f"report-{width}px.png"), full_page=True)
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    context.close()


def test_no_horizontal_overflow(page):
    overflow = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert overflow[0] <= overflow[1], overflow
    # nothing inside sticks out of the page either (wide tables scroll in their own box)
    wider = page.evaluate("""() => Array.from(document.querySelectorAll('main > *, section > *'))
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + '.' + e.className)""")
    assert wider == []


def test_every_section_is_present_and_drawn(page):
    for anchor in SECTIONS:
        box = page.locator(f"section#{anchor}").bounding_box()
        assert box is not None and box["height"] > 40, anchor
    assert page.locator("nav a").count() == len(SECTIONS)
    images = page.evaluate(
        "Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
    assert len(images) >= 10 and all(images)


def test_card_grid_leaves_no_card_alone(page):
    tops = page.evaluate(
        "Array.from(document.querySelectorAll('.cards .card')).map(c => c.offsetTop)")
    rows = pd.Series(tops).value_counts()
    assert len(tops) >= 4
    assert (rows > 1).all() or (rows == 1).all(), rows.to_dict()


def _column(page, index):
    return page.evaluate(f"""Array.from(document.querySelectorAll('#at-risk-table tbody tr'))
        .filter(r => r.style.display !== 'none')
        .map(r => r.cells[{index}].getAttribute('data-v') ?? r.cells[{index}].textContent)""")


def test_at_risk_table_sorts_by_a_click(page):
    headers = page.locator("#at-risk-table thead th").all_inner_texts()
    spend = [h.strip() for h in headers].index("Total spend")
    before = [float(v) for v in _column(page, spend)]
    assert before == sorted(before, reverse=True)  # biggest spenders first
    header = page.locator("#at-risk-table thead th").nth(spend)
    header.click()
    ascending = [float(v) for v in _column(page, spend)]
    assert ascending == sorted(before) and header.get_attribute("aria-sort") == "ascending"
    header.click()
    assert [float(v) for v in _column(page, spend)] == sorted(before, reverse=True)
    tier = [h.strip() for h in headers].index("Value tier")
    page.locator("#at-risk-table thead th").nth(tier).click()
    tiers = _column(page, tier)
    assert tiers == sorted(tiers) and len(tiers) == len(before)


def test_at_risk_table_filters_by_typing(page, fitted_and_table):
    box = page.locator('input[data-filter="at-risk-table"]')
    box.fill("Champions")
    rows = page.evaluate("""Array.from(document.querySelectorAll('#at-risk-table tbody tr'))
        .filter(r => r.style.display !== 'none').map(r => r.textContent)""")
    total = page.locator("#at-risk-table tbody tr").count()
    assert rows and all("Champions" in r for r in rows) and len(rows) < total
    count = page.locator('[data-count-for="at-risk-table"]').inner_text()
    assert count == f"{len(rows):,} of {total:,} shown"
    box.fill("")
    assert len(_column(page, 0)) == total


def test_every_campaign_csv_downloads_with_its_customers(page, fitted_and_table):
    _, table = fitted_and_table
    links = page.locator("a.csv")
    actions = sorted(links.evaluate_all("ls => ls.map(a => a.dataset.action)"))
    assert actions == sorted(table["action"].unique())
    for i in range(links.count()):
        link = links.nth(i)
        link.scroll_into_view_if_needed()
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == link.get_attribute("download")
        csv = pd.read_csv(download.path(), dtype={"customer_id": str})
        action = link.get_attribute("data-action")
        expected = table.loc[table["action"] == action, "customer_id"]
        assert csv["customer_id"].is_unique
        assert sorted(csv["customer_id"]) == sorted(expected), action
        assert (csv["action"] == action).all()
