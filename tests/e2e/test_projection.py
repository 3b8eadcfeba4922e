"""The gap analysis in a real browser: the demo analyst opens the page, changes the scenario
and sees the table change (htmx swaps the panel); and the page passes the accessibility check."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_login import log_in

pytestmark = pytest.mark.e2e


def open_the_page(page, base: str) -> None:
    log_in(page, base, "analist")
    page.wait_for_url(f"{base}/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Zorgkloof").click()
    expect(page.get_by_role("heading", name="Zorgkloof regio Zuid-Holland Noord")).to_be_visible()


def test_the_analyst_changes_the_scenario_and_sees_the_table_change(demo_server, page):
    open_the_page(page, demo_server)
    table = page.locator("#zorgkloof-tabel")
    expect(table.get_by_role("rowheader", name="Leiden").first).to_be_visible()
    expect(table.locator("caption")).to_contain_text("Basisscenario")
    before = table.inner_text()
    page.get_by_label("Scenario", exact=True).select_option(label="Groeiscenario")
    expect(table.locator("caption")).to_contain_text("Groeiscenario")
    assert page.locator("#zorgkloof-tabel").inner_text() != before
    expect(page).to_have_url(re.compile(r"scenario=groei"))
    expect(page.locator("#zorgkloof-paneel .js-plotly-plot")).to_have_count(3)


def test_the_charts_write_numbers_the_dutch_way(demo_server, page):
    open_the_page(page, demo_server)
    first = page.locator("#zorgkloof-paneel .js-plotly-plot").first
    expect(first.locator(".ytick text").first).to_be_visible()
    ticks = first.locator(".ytick text").all_text_contents()
    assert any(re.fullmatch(r"\d{1,3}\.\d{3}", tick) for tick in ticks), ticks  # 2.500
    years = first.locator(".xtick text").all_text_contents()
    assert "2040" in years, years


def test_the_gap_analysis_pages_have_no_serious_accessibility_violations(demo_server, page):
    open_the_page(page, demo_server)
    page.wait_for_load_state("networkidle")
    found = {"/zorgkloof/": serious_violations(page)}
    page.goto(f"{demo_server}/zorgkloof/parameters/")
    page.wait_for_load_state("networkidle")
    found["/zorgkloof/parameters/"] = serious_violations(page)
    assert found == {"/zorgkloof/": [], "/zorgkloof/parameters/": []}
