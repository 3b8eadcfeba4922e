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
