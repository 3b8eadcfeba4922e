"""WCAG 2.1 A/AA checks with axe-core (shipped inside the axe-playwright-python package) on
the main pages, in the real browser: no serious or critical violations."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.test_login import log_in

pytestmark = pytest.mark.e2e

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = {
    "verwijzer": ["/", "/capaciteit/", "/capaciteit/casussen/nieuw/", "/capaciteit/casussen/"],
    "planner": [
        "/capaciteit/bedden/",
        "/wachtlijst/",
        "/wachtlijst/plaatsing/",
        "/wachtlijst/importeren/",
    ],
    "beheerder": ["/beheer/auditlog/", "/beheer/medewerkers/", "/capaciteit/rapportage/"],
    "analist": ["/wachtlijst/cijfers/"],
}


def serious_violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_AA}})
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def test_the_login_page_has_no_serious_accessibility_violations(demo_server, page):
    page.goto(f"{demo_server}/inloggen/")
    assert serious_violations(page) == []


@pytest.mark.parametrize("username", sorted(PAGES))
def test_the_main_pages_have_no_serious_accessibility_violations(demo_server, page, username):
    log_in(page, demo_server, username)
    page.wait_for_url(f"{demo_server}/")
    found = {}
    for path in PAGES[username]:
        page.goto(f"{demo_server}{path}")
        page.wait_for_load_state("networkidle")
        problems = serious_violations(page)
        if problems:
            found[path] = problems
    assert found == {}


def test_the_check_itself_catches_an_unlabelled_field_and_an_image_without_text(page):
    page.set_content(
        '<html lang="nl"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">'
        "</main></body></html>"
    )
    found = " ".join(serious_violations(page))
    assert "image-alt" in found and "label" in found
