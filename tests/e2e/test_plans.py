"""Plan analysis in a real browser: an analyst opens a demo plan, accepts a proposed passage,
marks the indicator covered and sees the matrix change; the main pages pass axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_login import log_in

pytestmark = pytest.mark.e2e

REGION = "Zuid-Holland Noord"


def zhn_cell(page, code: str):
    headers = page.locator("table.matrix thead th").all_inner_texts()
    row = page.locator("table.matrix tbody tr").filter(
        has=page.get_by_role("rowheader", name=re.compile(rf"^{re.escape(code)} "))
    )
    return row.locator("th, td").nth(headers.index(REGION))


def test_an_analyst_confirms_a_passage_and_the_matrix_shows_it(demo_server, page):
    log_in(page, demo_server, "analist")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Regioplannen"
    ).click()
    page.get_by_role("link", name="Matrix en witte vlekken").click()
    codes = page.locator("table.matrix tbody th").all_inner_texts()
    unconfirmed = next(
        text.split()[0]
        for text in codes
        if re.search(r"bevestigd:\s*geen", zhn_cell(page, text.split()[0]).inner_text())
    )
    page.get_by_role("link", name="Plannen", exact=True).click()
    page.get_by_role("link", name="Regioplan IZA").click()
    expect(page.get_by_text("Klaar.")).to_be_visible()
    page.get_by_role("link", name=re.compile(rf"^{re.escape(unconfirmed)} ")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(unconfirmed)
    page.get_by_role("button", name="Passage 1 accepteren").click()
    expect(page.get_by_text("Passage geaccepteerd.")).to_be_visible()
    page.get_by_label("gedekt", exact=True).check()
    page.get_by_role("button", name="Oordeel vastleggen").click()
    expect(page.get_by_text("Oordeel vastgelegd.")).to_be_visible()
    page.get_by_role("link", name="Matrix en witte vlekken").click()
    expect(zhn_cell(page, unconfirmed)).to_contain_text("bevestigd: gedekt")


def test_the_plan_pages_have_no_serious_accessibility_violations(demo_server, page):
    log_in(page, demo_server, "analist")
    page.wait_for_url(f"{demo_server}/")
    found = {}
    for path in ["/plannen/", "/plannen/matrix/", "/plannen/betrouwbaarheid/", "/plannen/kaders/"]:
        page.goto(f"{demo_server}{path}")
        page.wait_for_load_state("networkidle")
        found[path] = serious_violations(page)
    page.goto(f"{demo_server}/plannen/")
    page.get_by_role("link", name="Regioplan IZA").click()
    found["plan"] = serious_violations(page)
    page.locator("tbody th a").first.click()
    found["indicator"] = serious_violations(page)
    page.goto(f"{demo_server}/plannen/vergelijken/")
    page.get_by_role("button", name="Vergelijk").click()
    expect(page.get_by_role("columnheader", name="Verandering")).to_be_visible()
    found["compare"] = serious_violations(page)
    page.goto(f"{demo_server}/plannen/kaders/")
    page.get_by_role("link", name="Beweging naar de voorkant", exact=True).click()
    found["framework"] = serious_violations(page)
    assert {path: problems for path, problems in found.items() if problems} == {}


def test_a_large_upload_is_processed_in_the_background_and_the_page_follows(
    demo_server, page, tmp_path
):
    from regiotafel.core.demo import DATA_DIR
    from regiotafel.plans import jobs

    seeds = sorted((DATA_DIR / "seeds").glob("*.txt"))
    big = tmp_path / "groot-regioplan.txt"
    text = "\n\n".join(path.read_text(encoding="utf-8") for path in seeds)
    big.write_text(text * (1 + jobs.INLINE_BYTES // len(text.encode())), encoding="utf-8")
    log_in(page, demo_server, "analist")
    page.wait_for_url(f"{demo_server}/")
    page.goto(f"{demo_server}/plannen/uploaden/")
    assert serious_violations(page) == []
    page.get_by_label("Titel").fill("Groot regioplan")
    page.get_by_label("Bestand (PDF, DOCX, TXT of HTML)").set_input_files(str(big))
    page.get_by_role("button", name="Uploaden en scannen").click()
    expect(page.get_by_role("heading", name="Groot regioplan")).to_be_visible()
    expect(page.get_by_text("Klaar.")).to_be_visible(timeout=60_000)  # htmx polls, then reloads
    expect(page.get_by_role("link", name=re.compile(r"^PREV-3 "))).to_be_visible()


def test_an_encrypted_pdf_is_refused_on_the_upload_page_and_a_deletion_asks_first(
    demo_server, page, tmp_path
):
    from tests.plans.conftest import PARAGRAPHS
    from tests.plans.fixtures.documents import encrypt_pdf, make_pdf, wrap

    locked = tmp_path / "beveiligd-plan.pdf"
    locked.write_bytes(encrypt_pdf(make_pdf([wrap(" ".join(PARAGRAPHS))]), password="geheim"))
    log_in(page, demo_server, "analist")
    page.wait_for_url(f"{demo_server}/")
    page.goto(f"{demo_server}/plannen/uploaden/")
    page.get_by_label("Bestand (PDF, DOCX, TXT of HTML)").set_input_files(str(locked))
    page.get_by_role("button", name="Uploaden en scannen").click()
    expect(page.get_by_role("alert")).to_contain_text("beveiligd-plan.pdf is versleuteld")
    page.goto(f"{demo_server}/plannen/")
    expect(page.get_by_text("beveiligd-plan.pdf")).to_have_count(0)

    page.get_by_role("link", name="Regiovisie ouderenzorg", exact=True).click()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Plan verwijderen").click()
    assert asked and "verwijderen?" in asked[0]
    expect(page.get_by_role("heading", name="Regiovisie ouderenzorg")).to_be_visible()
