"""The strict Content-Security-Policy holds in a real browser: the main pages of every role load,
draw their charts and run their scripts without a single CSP violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_login import log_in

pytestmark = pytest.mark.e2e

PAGES = {
    "verwijzer": ["/", "/capaciteit/", "/capaciteit/casussen/nieuw/", "/capaciteit/casussen/"],
    "triagist": ["/", "/capaciteit/casussen/"],
    "planner": [
        "/",
        "/capaciteit/bedden/",
        "/wachtlijst/",
        "/wachtlijst/importeren/",
        "/wachtlijst/plaatsing/",
        "/wachtlijst/cijfers/",
    ],
    "analist": [
        "/",
        "/zorgkloof/",
        "/portfolio/",
        "/portfolio/kpis/",
        "/portfolio/rapport/",
        "/plannen/",
        "/plannen/matrix/",
        "/plannen/betrouwbaarheid/",
    ],
    "beheerder": [
        "/",
        "/beheer/auditlog/",
        "/beheer/medewerkers/",
        "/capaciteit/rapportage/",
        "/wachtlijst/dubbelen/",
        "/api/v1/docs",
    ],
}
# Pages that must show at least one drawn chart (plotly's SVG inside our chart div).
CHART_PAGES = {"/zorgkloof/", "/portfolio/kpis/", "/capaciteit/rapportage/", "/wachtlijst/cijfers/"}

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


def watch(page) -> list[str]:
    """Every CSP violation, CSP console error and script error the page reports."""
    problems: list[str] = []
    page.add_init_script(COLLECT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    return problems


def visit(page, url: str, problems: list[str]) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = list(problems) + page.evaluate("window.__cspViolations || []")
    problems.clear()
    return found


def test_the_login_page_has_no_csp_violations(demo_server, page):
    problems = watch(page)
    assert visit(page, f"{demo_server}/inloggen/", problems) == []


@pytest.mark.parametrize("username", sorted(PAGES))
def test_the_main_pages_of_every_role_run_without_csp_violations(demo_server, page, username):
    problems = watch(page)
    log_in(page, demo_server, username)
    page.wait_for_url(f"{demo_server}/")
    found, charts_missing = {}, []
    for path in PAGES[username]:
        violations = visit(page, f"{demo_server}{path}", problems)
        if violations:
            found[path] = violations
        if path in CHART_PAGES and page.locator(".plotly-chart .main-svg").count() == 0:
            charts_missing.append(path)
    assert found == {}
    assert charts_missing == []


def test_the_check_itself_catches_an_inline_script_under_the_policy(demo_server, page):
    problems = watch(page)
    page.route(
        f"{demo_server}/csp-proef",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": "script-src 'self'"},
            body="<!DOCTYPE html><title>t</title><script>document.title = 'x'</script>",
        ),
    )
    found = visit(page, f"{demo_server}/csp-proef", problems)
    assert any("script-src" in line or "Content Security Policy" in line for line in found)


def test_charts_swapped_in_by_htmx_are_drawn_without_csp_violations(demo_server, page):
    problems = watch(page)
    log_in(page, demo_server, "analist")
    page.wait_for_url(f"{demo_server}/")
    assert visit(page, f"{demo_server}/zorgkloof/", problems) == []
    page.get_by_label("Scenario", exact=True).select_option(label="Groeiscenario")
    page.wait_for_url(re.compile(r"scenario=groei"))
    page.wait_for_load_state("networkidle")
    expect(page.locator("#zorgkloof-paneel .plotly-chart .main-svg").first).to_be_visible()
    assert problems + page.evaluate("window.__cspViolations") == []
