"""Notifications in a real browser: a planner's header badge rises, without a reload, when a
referrer in another browser claims one of the planner's beds."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_login import log_in

pytestmark = pytest.mark.e2e


def test_the_planners_badge_rises_when_a_referrer_claims_one_of_its_beds(demo_server, browser):
    planner_context = browser.new_context(locale="nl-NL")
    referrer_context = browser.new_context(locale="nl-NL")
    try:
        planner = planner_context.new_page()
        log_in(planner, demo_server, "planner")
        planner.wait_for_url(f"{demo_server}/")
        count = planner.locator("#meldingen-link [data-unread]")
        before = int(count.text_content() or 0)
        planner.evaluate("window.__no_reload = true")

        referrer = referrer_context.new_page()
        log_in(referrer, demo_server, "verwijzer")
        referrer.goto(f"{demo_server}/capaciteit/")
        reserve = referrer.get_by_role(
            "button", name=re.compile(r"Reserveer een bed .* bij Rijnhof")
        )
        reserve.first.click()
        expect(referrer.get_by_text(re.compile(r"is voor u gereserveerd tot"))).to_be_visible()

        # the poll (every 15 s) brings the new count into the open page
        expect(count).to_have_text(str(before + 1), timeout=30_000)
        assert planner.evaluate("window.__no_reload") is True
        expect(planner.locator("#meldingen-nieuw")).to_contain_text("Nieuwe reservering")
        planner.locator("#meldingen-link").click()
        planner.wait_for_url(f"{demo_server}/meldingen/")
        expect(
            planner.get_by_text(re.compile(r"Nieuwe reservering \d+ op bed")).first
        ).to_be_visible()
    finally:
        referrer_context.close()
        planner_context.close()


def test_the_notification_pages_are_accessible_and_fit_a_phone(demo_server, browser):
    from tests.e2e.test_accessibility import serious_violations

    context = browser.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        log_in(page, demo_server, "planner")
        page.wait_for_url(f"{demo_server}/")
        for path in ("/meldingen/", "/meldingen/voorkeuren/"):
            page.goto(f"{demo_server}{path}")
            page.wait_for_load_state("networkidle")
            assert serious_violations(page) == [], path
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, (path, overflow)
        page.get_by_label("Nieuwe reservering op een bed van uw organisatie").uncheck()
        page.get_by_role("button", name="Opslaan").click()
        expect(page.get_by_text("Uw voorkeuren zijn opgeslagen.")).to_be_visible()
        expect(
            page.get_by_label("Nieuwe reservering op een bed van uw organisatie")
        ).not_to_be_checked()
    finally:
        context.close()
