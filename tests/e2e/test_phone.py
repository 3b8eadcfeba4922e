"""Every demo role's daily pages on a phone (390 × 844): no horizontal scrolling, the key
controls inside the screen; and the board on paper (print media) without navigation or forms.

One browser for the session, one context (and one login) per role, reused by every page of
that role. Set REGIOTAFEL_SCREENSHOTS=/some/dir to keep a PNG of each page (not committed).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.test_login import log_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
CASE, CLIENT = "<casus>", "<client>"  # the first case / waiting-list client the role can open
TRIAGE_FORM = "<casus>triage/"  # the triage form of that case

# The pages each role opens in a day (the nav entries of its work, plus one detail page).
DAILY_PAGES: dict[str, list[str]] = {
    "verwijzer": [
        "/",
        "/capaciteit/",
        "/capaciteit/casussen/",
        "/capaciteit/casussen/nieuw/",
        CASE,
        "/capaciteit/reserveringen/",
    ],
    "triagist": [
        "/",
        "/capaciteit/",
        "/capaciteit/casussen/",
        "/capaciteit/triage/",
        CASE,
        TRIAGE_FORM,
        "/capaciteit/reserveringen/",
    ],
    "planner": [
        "/",
        "/capaciteit/bedden/",
        "/capaciteit/reserveringen/",
        "/wachtlijst/",
        CLIENT,
        "/wachtlijst/plaatsing/",
    ],
    "analist": ["/", "/capaciteit/rapportage/", "/wachtlijst/", "/wachtlijst/cijfers/"],
    "beheerder": ["/", "/wachtlijst/", "/beheer/medewerkers/", "/beheer/auditlog/"],
}
PAGES = [(role, path) for role, paths in DAILY_PAGES.items() for path in paths]

# Controls that must be fully on screen (horizontally) where they occur.
KEY_CONTROLS = [
    "#board-rows td.free",
    "#board-rows td.distance",
    "#board-rows a.tel",
    "#board-rows button.reserve",
    ".claim-for-case button.reserve",
    "#organisatie-keuze",
    "main button",
    "main select",
]

_contexts: dict[str, object] = {}


@pytest.fixture(scope="module")
def phone_contexts(browser, demo_server):
    yield _contexts
    for context in _contexts.values():
        context.close()
    _contexts.clear()


def phone_page(browser, base: str, contexts: dict, role: str):
    if role not in contexts:
        context = browser.new_context(locale="nl-NL", viewport=PHONE, has_touch=True)
        page = context.new_page()
        log_in(page, base, role)
        contexts[role] = context
    context = contexts[role]
    return context.pages[0]


def _first_link(page, base: str, listing: str, pattern: str) -> str:
    page.goto(f"{base}{listing}")
    hrefs = page.eval_on_selector_all(
        "main a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    found = [h for h in hrefs if re.fullmatch(pattern, h)]
    assert found, f"no link matching {pattern} on {listing}"
    return found[0]


def _resolve(page, base: str, path: str) -> str:
    if path == TRIAGE_FORM:
        return _resolve(page, base, CASE) + "triage/"
    if path == CASE:
        return _first_link(
            page, base, "/capaciteit/casussen/", r"/capaciteit/casussen/\d{4}-[0-9A-F]+/"
        )
    if path == CLIENT:
        return _first_link(page, base, "/wachtlijst/", r"/wachtlijst/clienten/\d+/")
    return path


OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width && r.right > width + 1; })
    .filter(e => !e.closest('.table-scroll, main table:not(.cards)'))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
      + (typeof e.className === 'string' && e.className ? '.' + e.className : ''));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""

OFF_SCREEN = """(selectors) => {
  const width = window.innerWidth, out = [];
  for (const selector of selectors) {
    for (const e of document.querySelectorAll(selector)) {
      const r = e.getBoundingClientRect();
      if (!r.width || e.closest('.table-scroll, main table:not(.cards)')) continue;
      if (r.left < -1 || r.right > width + 1) {
        out.push(`${selector} at ${Math.round(r.left)}..${Math.round(r.right)}`);
      }
    }
  }
  return out.slice(0, 5);
}"""


@pytest.mark.parametrize(("role", "path"), PAGES, ids=[f"{r}:{p}" for r, p in PAGES])
def test_a_daily_page_fits_a_phone(browser, demo_server, phone_contexts, role, path):
    page = phone_page(browser, demo_server, phone_contexts, role)
    url = _resolve(page, demo_server, path)
    response = page.goto(f"{demo_server}{url}")
    assert response.status == 200, f"{role} {url}: {response.status}"
    page.wait_for_load_state("load")
    measured = page.evaluate(OVERFLOW)
    assert measured["scroll"] <= measured["width"], f"{role} {url} scrolls sideways: {measured}"
    assert page.evaluate(OFF_SCREEN, KEY_CONTROLS) == [], f"{role} {url}: control off screen"
    if shots := os.environ.get("REGIOTAFEL_SCREENSHOTS"):
        name = re.sub(r"[^\w]+", "_", f"{role}{url}").strip("_") + ".png"
        page.screenshot(path=str(Path(shots) / name), full_page=True)


def test_the_board_shows_free_count_distance_phone_and_reserve_on_the_first_screen(
    browser, demo_server, phone_contexts
):
    page = phone_page(browser, demo_server, phone_contexts, "verwijzer")
    page.goto(f"{demo_server}/capaciteit/?vanaf_gemeente=GM0546")
    card = page.locator("#board-rows tbody tr").first
    card.scroll_into_view_if_needed()
    for part in ["td.free", "td.distance", "a.tel", "button.reserve"]:
        box = card.locator(part).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], part
    assert card.locator("a.tel").get_attribute("href").startswith("tel:")
    reserve = card.locator("button.reserve").bounding_box()
    assert reserve["height"] >= 44 and reserve["width"] >= 44  # a tap target


def test_the_board_prints_without_navigation_forms_or_dark_backgrounds(
    browser, demo_server, phone_contexts
):
    page = phone_page(browser, demo_server, phone_contexts, "verwijzer")
    page.goto(f"{demo_server}/capaciteit/")
    page.emulate_media(media="print")
    try:
        hidden = page.evaluate(
            """() => ['.main-nav', '#bord-filter', '.who', '#board-rows button.reserve']
                 .map(s => document.querySelector(s))
                 .filter(e => e && getComputedStyle(e).display !== 'none').length"""
        )
        assert hidden == 0
        assert page.locator("#board-rows table").is_visible()
        header = page.evaluate(
            "() => getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        )
        assert header in ("rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)")
        assert page.pdf(format="A4")[:4] == b"%PDF"
    finally:
        page.emulate_media(media="screen")
