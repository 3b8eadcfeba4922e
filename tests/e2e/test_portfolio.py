"""The portfolio in a real browser: the analyst from the home panel to the regional dashboard,
the report with its peildatum and downloads, an upload refused row by row; the provider's
planner reads the same pages without the import; axe-core finds no serious violations."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_login import log_in

pytestmark = pytest.mark.e2e

PAGES = [
    "/portfolio/",
    "/portfolio/rapport/",
    "/portfolio/visie/",
    "/portfolio/kpis/",
    "/portfolio/regio/zuid-holland-noord/",
]


def test_the_analyst_goes_from_home_to_the_dashboard_and_the_report(demo_server, page):
    log_in(page, demo_server, "analist")
    page.get_by_role("link", name=re.compile("Regiodashboard Zuid-Holland Noord")).click()
    expect(page.get_by_role("heading", name="Regiodashboard Zuid-Holland Noord")).to_be_visible()
    expect(page.get_by_text("Projecten per status (12)")).to_be_visible()
    page.get_by_role("navigation", name="Portfolio").get_by_role("link", name="Rapport").click()
    page.get_by_label("Peildatum", exact=True).fill("2020-11-01")
    page.get_by_role("button", name="Toon").click()
    table = page.locator("#tabel-6")
    expect(table.get_by_role("row", name=re.compile("^Lopend 244"))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename == "portfolio-rapport-2020-11-01.xlsx"


def test_the_analyst_sees_an_upload_refused_row_by_row(demo_server, page, tmp_path):
    bad = tmp_path / "projecten.csv"
    bad.write_text(
        "id,naam,thema,concessiehouder,startperiode,status,impact,resultaten_deelbaar,"
        "opschaalbaarheid,betrokken_organisaties\n"
        "E2E-1,Test,Ruimtevaart,Z&Z,2020,Lopend,Op kleine schaal met veel betekenis,"
        '"Ja, vanwege meerdere redenen","Ja, alleen in deze regio",4 tot 6\n',
        encoding="utf-8",
    )
    log_in(page, demo_server, "analist")
    page.goto(f"{demo_server}/portfolio/importeren/")
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Importeren").click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_text("er is niets ingelezen")).to_be_visible()
    expect(alert.get_by_role("row", name=re.compile("2 thema onbekend thema"))).to_be_visible()


def test_the_provider_reads_the_portfolio_without_the_import(demo_server, page):
    log_in(page, demo_server, "planner")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Portfolio").click()
    expect(page.get_by_role("heading", name="Projecten")).to_be_visible()
    nav = page.get_by_role("navigation", name="Portfolio")
    expect(nav.get_by_role("link", name="Importeren")).to_have_count(0)
    nav.get_by_role("link", name="Visie en dekking").click()
    expect(page.get_by_role("table", name="Actielijn")).to_be_visible()
    page.goto(f"{demo_server}/portfolio/importeren/")
    expect(page.get_by_text("U heeft geen toestemming")).to_be_visible()


@pytest.mark.parametrize("username", ["analist", "planner"])
def test_the_portfolio_pages_have_no_serious_accessibility_violations(demo_server, page, username):
    log_in(page, demo_server, username)
    page.wait_for_url(f"{demo_server}/")
    found = {}
    for path in [*PAGES, *(["/portfolio/importeren/"] if username == "analist" else [])]:
        page.goto(f"{demo_server}{path}")
        page.wait_for_load_state("networkidle")
        problems = serious_violations(page)
        if problems:
            found[path] = problems
    assert found == {}
