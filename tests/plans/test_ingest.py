"""Reading plans into citable passages, and refusing what is not a readable plan."""

from __future__ import annotations

import pytest

from regiotafel.errors import InvalidInput
from regiotafel.plans import ingest
from regiotafel.plans.ingest import read_document
from tests.plans.conftest import FINANCIEN, MANTELZORG, PARAGRAPHS, VALPREVENTIE, WONEN
from tests.plans.fixtures.documents import encrypt_pdf, make_docx, make_pdf, wrap

pytestmark = pytest.mark.unit


def pdf_pages(paragraphs_per_page: list[list[str]], *, header: str | None = None) -> bytes:
    pages = []
    for number, paragraphs in enumerate(paragraphs_per_page, start=1):
        lines = [header] if header else []
        for paragraph in paragraphs:
            lines += wrap(paragraph)
        if header:
            lines.append(f"Pagina {number} van {len(paragraphs_per_page)}")
        pages.append(lines)
    return make_pdf(pages)


def passage_with(document, words: str):
    return next(p for p in document.passages if words in p.text)


# -- PDF -----------------------------------------------------------------------------------


def test_it_reads_a_pdf_page_by_page_and_cites_the_page_and_line():
    raw = pdf_pages([[MANTELZORG], [VALPREVENTIE, WONEN], [FINANCIEN]])
    document = read_document(raw, name="plan.pdf")
    assert (document.kind, document.pages, document.scanned_pages) == ("pdf", 3, [])
    assert passage_with(document, "Mantelzorgondersteuning").page == 1
    valpreventie = passage_with(document, "Valpreventie is het eerste")
    assert (valpreventie.page, valpreventie.line) == (2, 1)
    wonen = passage_with(document, "woningcorporaties")
    assert wonen.page == 2
    assert wonen.line == len(wrap(VALPREVENTIE)) + 1
    assert [p.index for p in document.passages] == list(range(len(document.passages)))


def test_a_passage_never_crosses_a_page():
    raw = pdf_pages([[MANTELZORG + " " + VALPREVENTIE], [WONEN + " " + FINANCIEN]])
    document = read_document(raw, name="plan.pdf")
    assert {p.page for p in document.passages} == {1, 2}
    assert not any(
        "Valpreventie" in p.text and "woningcorporaties" in p.text for p in document.passages
    )


def test_running_headers_footers_and_page_numbers_are_removed():
    pages = [[MANTELZORG], [VALPREVENTIE], [WONEN], [FINANCIEN], [MANTELZORG]]
    document = read_document(pdf_pages(pages, header="Regioplan Testregio 2024-2027"), name="p.pdf")
    text = " ".join(p.text for p in document.passages)
    assert "Regioplan Testregio 2024-2027" not in text
    assert "Pagina" not in text
    assert "Mantelzorgondersteuning krijgt" in text


def test_a_page_without_text_is_flagged_as_a_scan():
    raw = make_pdf([wrap(MANTELZORG), [], wrap(VALPREVENTIE + " " + WONEN)])
    document = read_document(raw, name="plan.pdf")
    assert document.scanned_pages == [2]
    assert any("OCR" in warning and "2" in warning for warning in document.warnings)
    assert {p.page for p in document.passages} == {1, 3}


def test_progress_is_reported_for_every_page():
    calls = []
    read_document(
        pdf_pages([[MANTELZORG], [VALPREVENTIE], [WONEN]]),
        name="plan.pdf",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_it_refuses_an_encrypted_pdf_naming_the_file():
    raw = encrypt_pdf(pdf_pages([PARAGRAPHS]), password="geheim")
    with pytest.raises(InvalidInput, match="versleuteld") as caught:
        read_document(raw, name="geheim-plan.pdf")
    assert "geheim-plan.pdf" in str(caught.value)


def test_it_refuses_a_broken_pdf():
    raw = pdf_pages([PARAGRAPHS])
    with pytest.raises(InvalidInput, match="beschadigd") as caught:
        read_document(raw[: len(raw) // 3], name="kapot.pdf")
    assert "kapot.pdf" in str(caught.value)


def test_it_refuses_a_pdf_of_scans_only():
    with pytest.raises(InvalidInput, match="OCR"):
        read_document(make_pdf([[], []]), name="scan.pdf")


def test_a_500_page_plan_is_accepted():
    assert ingest.MAX_PAGES >= 500
    pages = [wrap(PARAGRAPHS[n % 4])[:3] for n in range(500)]
    document = read_document(make_pdf(pages), name="groot.pdf")
    assert document.pages == 500
    assert document.passages[-1].page == 500


def test_a_pdf_beyond_the_page_limit_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(ingest, "MAX_PAGES", 4)
    with pytest.raises(InvalidInput, match="maximum is 4"):
        read_document(pdf_pages([[p] for p in PARAGRAPHS] + [[WONEN]]), name="lang.pdf")


# -- DOCX, HTML, text -------------------------------------------------------------------------


def test_it_reads_docx_paragraphs_headings_and_tables_but_not_the_running_header():
    raw = make_docx(
        [
            ("kop", "Mantelzorg"),
            ("alinea", MANTELZORG),
            ("tabel", "Actie | Trekker | Jaar"),
            ("tabel", "Valpreventie uitrollen | GGD Hollands Midden | 2025"),
            ("alinea", VALPREVENTIE),
            ("alinea", WONEN),
        ]
    )
    document = read_document(raw, name="plan.docx")
    text = " ".join(p.text for p in document.passages)
    assert document.kind == "docx"
    assert document.pages is None and passage_with(document, "Mantelzorg").page is None
    assert "Valpreventie uitrollen | GGD Hollands Midden | 2025" in text
    assert "koptekst" not in text
    assert passage_with(document, "Mantelzorgondersteuning").line == 1


def test_a_long_paragraph_is_cut_at_sentence_ends_and_every_piece_cites_it():
    long_paragraph = " ".join([MANTELZORG, VALPREVENTIE, WONEN, FINANCIEN, MANTELZORG])
    raw = make_docx([("alinea", long_paragraph), ("alinea", WONEN)])
    document = read_document(raw, name="plan.docx")
    pieces = [p for p in document.passages if p.line == 1]
    assert len(pieces) >= 2
    assert all(len(p.text.split()) <= ingest.PASSAGE_MAX_WORDS for p in pieces)
    assert " ".join(p.text for p in pieces).split() == long_paragraph.split()
    assert all(p.text.endswith(".") for p in pieces)


def test_docx_page_breaks_give_page_numbers():
    blocks = [("alinea", p) for p in PARAGRAPHS]
    document = read_document(make_docx(blocks, page_break_after={1}), name="plan.docx")
    assert document.pages == 2
    assert passage_with(document, "Mantelzorgondersteuning").page == 1
    assert passage_with(document, "woningcorporaties").page == 2


def test_it_reads_html_without_scripts_styles_or_navigation_citing_the_source_line():
    html = (
        "<!doctype html>\n<html><head><title>Plan</title><style>p { color: red }</style></head>\n"
        "<body>\n<nav>Home | Over ons | Contact</nav>\n"
        "<script>var mantelzorg = 'geen tekst';</script>\n"
        f"<h1>Regioplan</h1>\n<p>{MANTELZORG}</p>\n<p>\n{VALPREVENTIE}\n</p>\n"
        f"<div>{WONEN} <b>Dit is vet.</b></div>\n</body></html>\n"
    )
    document = read_document(html.encode(), name="plan.html")
    text = " ".join(p.text for p in document.passages)
    assert document.kind == "html"
    assert "Over ons" not in text and "color" not in text and "geen tekst" not in text
    assert passage_with(document, "Valpreventie").line == html.splitlines().index(VALPREVENTIE) + 1
    assert "Dit is vet." in text


def test_plain_text_passages_cite_the_line_in_the_file(seed_004):
    document = read_document(seed_004, name=seed_004.name)
    lines = seed_004.read_text(encoding="utf-8").splitlines()
    assert document.kind == "txt" and document.pages is None
    for passage in document.passages:
        assert passage.page is None
        assert passage.text.startswith(lines[passage.line - 1].strip())


def test_passages_are_paragraph_sized(seed_004):
    document = read_document(seed_004, name=seed_004.name)
    sizes = sorted(len(p.text.split()) for p in document.passages)
    assert max(sizes) <= 160
    assert 40 <= sizes[len(sizes) // 2] <= 120
    assert sum(sizes) == len(seed_004.read_text(encoding="utf-8").split())


# -- refusals -------------------------------------------------------------------------------


def test_it_refuses_an_empty_file():
    with pytest.raises(InvalidInput, match="leeg") as caught:
        read_document(b"  \n\n ", name="leeg.txt")
    assert "leeg.txt" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "name"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00\x00", "foto.png"), (b"PK\x03\x04rest", "tabel.xlsx")],
)
def test_it_refuses_an_unsupported_type(raw, name):
    with pytest.raises(InvalidInput, match="niet wordt ondersteund") as caught:
        read_document(raw, name=name)
    assert name in str(caught.value)


def test_it_refuses_a_text_too_short_to_be_a_plan():
    with pytest.raises(InvalidInput, match="te weinig tekst"):
        read_document(MANTELZORG.encode(), name="kort.txt")


def test_it_refuses_a_text_that_is_not_about_care_at_all():
    recipe = (
        "Verwarm de oven voor op tweehonderd graden. Meng de bloem met de boter en het zout "
        "tot een kruimelig deeg, voeg een ei toe en kneed het kort. Laat het deeg een half uur "
        "rusten in de koelkast. Rol het uit en bekleed de taartvorm, prik gaatjes in de bodem. "
    ) * 4
    with pytest.raises(InvalidInput, match="lijkt geen regioplan"):
        read_document(recipe.encode(), name="appeltaart.txt")


def test_a_missing_file_is_named():
    with pytest.raises(InvalidInput, match="bestaat niet"):
        read_document(ingest.Path("/nergens/plan.pdf"), name="plan.pdf")
