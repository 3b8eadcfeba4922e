"""The bed board in a real browser: filter live with htmx, reserve a bed, the planner decides."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_login import log_in

pytestmark = pytest.mark.e2e


def test_a_referrer_filters_the_board_without_reloading_and_reserves_a_bed(demo_server, page):
    log_in(page, demo_server, "verwijzer")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Beddenbord").click()
    page.wait_for_url(re.compile(r"/capaciteit/$"))
    page.evaluate("window.__no_reload = true")
    page.get_by_label("Beddentype").select_option(label="ELV palliatief")
    page.wait_for_url(re.compile(r"beddentype=elv-palliatief"))
    rows = page.locator("#bord tbody tr")
    rows.first.wait_for()
    assert page.evaluate("window.__no_reload") is True  # htmx swapped the table in place
    assert all("ELV palliatief" in text for text in rows.all_inner_texts())
    page.get_by_label("Sorteer op afstand vanaf").select_option(label="Katwijk")
    page.wait_for_url(re.compile(r"vanaf_gemeente=GM0537"))
    page.locator("#bord tbody tr").first.get_by_role("button", name="Reserveer").click()
    expect(page.get_by_text(re.compile(r"is voor u gereserveerd tot"))).to_be_visible()


def test_a_planner_sees_waiting_claims_and_marks_a_bed_closed(demo_server, page):
    log_in(page, demo_server, "planner")
    page.wait_for_url(f"{demo_server}/")
    assert page.get_by_role("heading", name="Capaciteitsbeheerder").is_visible()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn bedden").click()
    select = page.locator("select[name=status]").first
    select.select_option("gesloten")
    expect(page.get_by_text(re.compile(r"Opgeslagen: .*gesloten")).first).to_be_visible()


def test_a_triagist_sees_the_queue_of_the_registration_point(demo_server, page):
    log_in(page, demo_server, "triagist")
    page.wait_for_url(f"{demo_server}/")
    assert page.get_by_text(re.compile(r"open casus(sen)? in de werkvoorraad")).is_visible()
    page.get_by_role("link", name="Naar de werkvoorraad").click()
    assert page.get_by_role("heading", name="Werkvoorraad aanmeldpunt").is_visible()
