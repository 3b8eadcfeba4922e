"""Reading a regional plan (PDF, DOCX, plain text, HTML) into citable passages.

Every format is first turned into numbered lines (:class:`Line`: page, line, text, and
whether a paragraph or heading ends or starts there); running headers and footers are
removed; then the lines are grouped into passages of roughly 40–120 words that never cross
a page, each remembering the page and line where it starts, so that every piece of evidence
can be cited ("p. 23, regel 4"; plain text and HTML have no pages: the line is in the file).

Nothing here touches the database. Bad input raises :class:`regiotafel.errors.InvalidInput`
with one Dutch sentence that names the file.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.utils.translation import gettext as _

from regiotafel.core.tabular import check_unpacked_sizes
from regiotafel.errors import InvalidInput
from regiotafel.plans import text as textlib

MAX_PAGES = 1000  # a 500-page plan is accepted; beyond this we refuse rather than grind
# A PDF stream unpacks to at most 75 MB: pypdf's own bound (pypdf.filters), kept as it is.
MAX_BYTES = 200 * 1024 * 1024
MIN_WORDS = 100  # fewer words than this is not a plan
MIN_DOMAIN_WORDS = 5  # ... and neither is a text without the vocabulary of care and housing

PASSAGE_MIN_WORDS = 40
PASSAGE_SENTENCE_WORDS = 70
PASSAGE_MAX_WORDS = 120
FRAGMENT_WORDS = 12  # a page's last few words join the passage before them

# Stems that any plan about older people, care and housing uses; a document with (almost)
# none of them is "not a plan at all".
DOMAIN_STEMS = (
    "zorg",
    "ouder",
    "wonen",
    "woning",
    "gemeent",
    "regio",
    "welzijn",
    "preventie",
    "ondersteun",
    "gezondheid",
    "wijk",
    "mantelzorg",
    "verpleeg",
    "huisarts",
    "inwoner",
)

ProgressCallback = Callable[[int, int], None]

# pypdf logs its repairs in English ("EOF marker not found"); the Dutch refusal says enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Passage:
    index: int  # 0-based order in the document
    page: int | None  # 1-based page; None for plain text and HTML
    line: int  # 1-based line where the passage starts (in its page for PDF, else in the file)
    text: str


@dataclass
class Document:
    name: str
    kind: str  # "pdf" | "docx" | "txt" | "html"
    pages: int | None
    passages: list[Passage]
    scanned_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def word_count(self) -> int:
        return sum(textlib.word_count(p.text) for p in self.passages)


@dataclass(frozen=True)
class Line:
    page: int | None
    number: int
    text: str
    block_end: bool = False  # a structural paragraph end (DOCX paragraph, HTML block, blank)
    heading: bool = False


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(line: Line) -> Line:
    """The line without NUL characters (PostgreSQL refuses them in text) and lone surrogates
    (no UTF-8 for a page), which a text file or a PDF's broken font map can hold."""
    if not _UNSTORABLE.search(line.text):
        return line
    return dataclasses.replace(line, text=_UNSTORABLE.sub("", line.text))


def read_document(
    source: Path | str | bytes,
    *,
    name: str,
    progress: ProgressCallback | None = None,
) -> Document:
    """Read one plan into passages; refuse what cannot be read, with a Dutch reason."""
    raw = _read_bytes(source, name)
    kind = detect_kind(raw, name)
    report = progress or (lambda done, total: None)
    if kind == "pdf":
        lines, pages, scanned, warnings = _pdf_lines(raw, name, report)
    else:
        pages, scanned, warnings = None, [], []
        if kind == "docx":
            lines, pages = _docx_lines(raw, name)
        elif kind == "html":
            lines = _html_lines(_decode(raw, name), name)
        else:
            lines = _text_lines(_decode(raw, name))
        report(1, 1)
    lines = [_storable(line) for line in lines]
    passages = split_passages(lines)
    document = Document(name, kind, pages, passages, scanned, warnings)
    _check_it_is_a_plan(document)
    return document


def check_upload(raw: bytes, *, name: str, read_fully: bool) -> str:
    """Refuse at upload, before anything is stored, what can be refused there; the kind.

    With ``read_fully`` (small files) the whole document is read, so an empty, unreadable
    or not-a-plan file is refused at once; otherwise (large files, read in the background)
    only what needs no text extraction: an unsupported type, an encrypted or broken PDF,
    too many pages.
    """
    if read_fully:
        return read_document(raw, name=name).kind
    raw = _read_bytes(raw, name)
    kind = detect_kind(raw, name)
    if kind == "pdf":
        _open_pdf(raw, name)
    elif kind == "docx":
        _docx_lines(raw, name)
    return kind


# -- bytes and kinds ----------------------------------------------------------------------


def _read_bytes(source: Path | str | bytes, name: str) -> bytes:
    if isinstance(source, bytes):
        raw = source
    else:
        path = Path(source)
        if not path.is_file():
            raise InvalidInput(
                _("Bestand %(name)s bestaat niet.") % {"name": name}, code="bestand-niet-gevonden"
            )
        if path.stat().st_size > MAX_BYTES:
            raise _too_big(name)
        raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise _too_big(name)
    if not raw.strip():
        raise InvalidInput(_("Bestand %(name)s is leeg.") % {"name": name}, code="bestand-leeg")
    return raw


def _too_big(name: str) -> InvalidInput:
    return InvalidInput(
        _("Bestand %(name)s is groter dan %(mb)s MB; splits het document.")
        % {"name": name, "mb": MAX_BYTES // (1024 * 1024)},
        code="bestand-te-groot",
    )


SUPPORTED = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "txt", ".text": "txt"}
SUPPORTED |= {".html": "html", ".htm": "html", ".xhtml": "html"}


def detect_kind(raw: bytes, name: str) -> str:
    """The document's kind from its content first, then its extension."""
    if raw.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if raw[:4] == b"PK\x03\x04":
        if _is_docx(raw):
            return "docx"
        raise _unsupported(name)
    suffix = Path(name).suffix.lower()
    kind = SUPPORTED.get(suffix)
    if kind == "pdf":
        raise InvalidInput(
            _("Bestand %(name)s is geen geldige PDF of is beschadigd.") % {"name": name},
            code="bestand-onleesbaar",
        )
    if kind == "docx":
        raise InvalidInput(
            _("Bestand %(name)s is geen geldig DOCX-bestand of is beschadigd.") % {"name": name},
            code="bestand-onleesbaar",
        )
    head = raw[:512].lstrip().lower()
    if kind == "html" or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if kind == "txt" or (not suffix and b"\x00" not in raw[:4096]):
        return "txt"
    raise _unsupported(name)


def _unsupported(name: str) -> InvalidInput:
    return InvalidInput(
        _(
            "Bestand %(name)s heeft een bestandstype dat niet wordt ondersteund; "
            "lever een PDF, DOCX, TXT of HTML aan."
        )
        % {"name": name},
        code="bestandstype-niet-ondersteund",
    )


def _is_docx(raw: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _decode(raw: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(
        _("Bestand %(name)s is geen leesbare tekst.") % {"name": name}, code="bestand-onleesbaar"
    )


# -- PDF ------------------------------------------------------------------------------------


def _open_pdf(raw: bytes, name: str):
    """A pypdf reader for a readable, unencrypted PDF of 1 to MAX_PAGES pages; else refused.
    Cheap: no page's text is extracted yet."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError  # PdfReadError, LimitReachedError (a bomb), …

    broken = InvalidInput(
        _("Bestand %(name)s is geen geldige PDF of is beschadigd.") % {"name": name},
        code="bestand-onleesbaar",
    )
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not _opens_without_password(reader):
            raise InvalidInput(
                _(
                    "Bestand %(name)s is versleuteld (met een wachtwoord beveiligd); "
                    "lever een PDF zonder wachtwoord aan."
                )
                % {"name": name},
                code="bestand-versleuteld",
            )
        total = len(reader.pages)
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise broken from None
    if total == 0:
        raise InvalidInput(
            _("Bestand %(name)s heeft geen pagina's.") % {"name": name}, code="bestand-leeg"
        )
    if total > MAX_PAGES:
        raise InvalidInput(
            _("Bestand %(name)s heeft %(n)s pagina's; het maximum is %(max)s.")
            % {"name": name, "n": total, "max": MAX_PAGES},
            code="bestand-te-groot",
        )
    return reader


def _pdf_lines(raw: bytes, name: str, report: ProgressCallback):
    reader = _open_pdf(raw, name)
    total = len(reader.pages)
    page_texts: list[str] = []
    warnings: list[str] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            page_texts.append(page.extract_text() or "")
        except Exception:  # noqa: BLE001 - pypdf raises many kinds on a damaged page
            page_texts.append("")
            warnings.append(
                _("Pagina %(page)s van %(name)s kon niet worden gelezen.")
                % {"page": number, "name": name}
            )
        report(number, total)
    scanned = [n for n, t in enumerate(page_texts, start=1) if not t.strip()]
    if len(scanned) == total:
        raise InvalidInput(
            _(
                "Bestand %(name)s bevat geen tekst, alleen afbeeldingen (een scan?); "
                "laat het eerst met OCR omzetten naar tekst."
            )
            % {"name": name},
            code="geen-tekst",
        )
    if scanned:
        warnings.append(
            _("Pagina's zonder tekst (scan, OCR nodig): %(pages)s.")
            % {"pages": ", ".join(map(str, scanned))}
        )
    pages_lines = [page_text.splitlines() for page_text in page_texts]
    running = _running_lines(pages_lines)
    lines: list[Line] = []
    for page, page_lines in enumerate(pages_lines, start=1):
        lines.extend(_page_lines(page, page_lines, running))
    return lines, total, scanned, warnings


def _opens_without_password(reader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - unsupported algorithms and bad keys alike
        return False


_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:(?:pagina|page|blz\.?|p\.)\s*)?\d{1,4}"
    r"(?:\s*(?:van|of|/)\s*\d{1,4})?(?:\s*[-–—])?\s*$",
    re.IGNORECASE,
)
EDGE_LINES = 2  # headers and footers live in the first and last two lines of a page


def _shape(line: str) -> str:
    """A line with its digits blurred, so "Regioplan 2024 — 7" repeats as one shape."""
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _running_lines(pages_lines: list[list[str]]) -> set[str]:
    """Shapes of lines at the top or bottom of many pages: running headers and footers."""
    counts: Counter[str] = Counter()
    for page_lines in pages_lines:
        content = [line for line in page_lines if line.strip()]
        edges = content[:EDGE_LINES] + content[-EDGE_LINES:]
        counts.update({_shape(line) for line in edges})
    pages = sum(1 for page_lines in pages_lines if any(line.strip() for line in page_lines))
    needed = max(3, int(0.4 * pages + 0.5))
    return {shape for shape, count in counts.items() if count >= needed and shape}


def _page_lines(page: int, page_lines: list[str], running: set[str]) -> list[Line]:
    numbered = [(n, line) for n, line in enumerate(page_lines, start=1) if line.strip()]
    edges = {n for n, _line in numbered[:EDGE_LINES] + numbered[-EDGE_LINES:]}
    lengths = sorted(len(line.strip()) for _n, line in numbered)
    full = lengths[(3 * len(lengths)) // 4] if lengths else 0  # a typical full line
    kept = []
    for n, line in numbered:
        if n in edges and (_shape(line) in running or _PAGE_NUMBER.match(line)):
            continue
        text = line.strip()
        # A paragraph's last line ends a sentence before the right margin.
        ends = bool(_SENTENCE_END.search(text)) and len(text) < 0.85 * full
        kept.append(Line(page, n, text, block_end=ends))
    return kept


# -- DOCX -----------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_lines(raw: bytes, name: str) -> tuple[list[Line], int | None]:
    """Paragraphs and table rows in body order; a "line" is the block's number.

    Pages are known only from explicit page breaks; without any, ``page`` is None.
    Word's running headers and footers live outside the body and are never read.
    """
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_unpacked_sizes(archive, name)  # a zip bomb is refused before python-docx
    except zipfile.BadZipFile:
        raise InvalidInput(
            _("Bestand %(name)s is geen geldig DOCX-bestand of is beschadigd.") % {"name": name},
            code="bestand-onleesbaar",
        ) from None
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception:  # noqa: BLE001 - python-docx raises KeyError, ValueError, lxml errors
        raise InvalidInput(
            _("Bestand %(name)s is geen geldig DOCX-bestand of is beschadigd.") % {"name": name},
            code="bestand-onleesbaar",
        ) from None
    blocks: list[tuple[int, str, bool]] = []  # (page break count before, text, heading)
    page = 0
    for child in document.element.body.iterchildren():
        if child.tag == _W + "p":
            paragraph = Paragraph(child, document)
            if _breaks_page_before(paragraph):
                page += 1
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            heading = style.lower().startswith(("heading", "kop", "title", "titel"))
            blocks.append((page, paragraph.text, heading))
            page += sum(1 for br in child.iter(_W + "br") if br.get(_W + "type") == "page")
        elif child.tag == _W + "tbl":
            for row in Table(child, document).rows:
                cells = _unique_cells(row.cells)
                blocks.append((page, " | ".join(cells), False))
    paged = page > 0
    lines = [
        Line(index + 1 if paged else None, number, text.strip(), block_end=True, heading=heading)
        for number, (index, text, heading) in enumerate(blocks, start=1)
        if text.strip()
    ]
    return lines, (page + 1 if paged else None)


def _breaks_page_before(paragraph) -> bool:
    properties = paragraph._p.pPr
    if properties is None:
        return False
    flag = properties.find(_W + "pageBreakBefore")
    return flag is not None and flag.get(_W + "val", "true") not in ("0", "false")


def _unique_cells(cells) -> list[str]:
    """Cell texts of a row; merged cells repeat in python-docx, keep each once."""
    seen: list[str] = []
    for cell in cells:
        value = " ".join(cell.text.split())
        if value and (not seen or seen[-1] != value):
            seen.append(value)
    return seen


# -- HTML -----------------------------------------------------------------------------------

SKIPPED_TAGS = {"script", "style", "nav", "noscript", "template", "svg", "head", "footer"}
BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tr", "br",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "header", "aside",
    "figcaption", "td", "th", "hr",
}  # fmt: skip
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self._parts: list[str] = []
        self._start: int | None = None
        self._skip = 0
        self._heading = False

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS and tag not in VOID_TAGS:
            self._skip += 1
        elif tag in BLOCK_TAGS:
            self._flush()
            self._heading = tag in HEADING_TAGS

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS and tag not in VOID_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in BLOCK_TAGS:
            self._flush()
            self._heading = False

    def handle_data(self, data):
        if self._skip or not data.strip():
            if data and self._parts:
                self._parts.append(" ")
            return
        if self._start is None:
            leading = len(data) - len(data.lstrip("\r\n"))
            self._start = self.getpos()[0] + data[:leading].count("\n")
        self._parts.append(data)

    def _flush(self):
        text = " ".join("".join(self._parts).split())
        if text and self._start is not None:
            self.lines.append(Line(None, self._start, text, block_end=True, heading=self._heading))
        self._parts, self._start = [], None

    def close(self):
        super().close()
        self._flush()


def _html_lines(text: str, name: str) -> list[Line]:
    collector = _TextCollector()
    try:
        collector.feed(text)
        collector.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; anything here is a broken file
        raise InvalidInput(
            _("Bestand %(name)s is geen leesbare HTML.") % {"name": name}, code="bestand-onleesbaar"
        ) from None
    return collector.lines


# -- plain text -----------------------------------------------------------------------------


def _text_lines(text: str) -> list[Line]:
    """Lines of a text file numbered as an editor numbers them; a blank line ends a block."""
    raw_lines = text.splitlines()
    lines = []
    for number, line in enumerate(raw_lines, start=1):
        if not line.strip():
            continue
        following = raw_lines[number] if number < len(raw_lines) else ""
        lines.append(Line(None, number, line.strip(), block_end=not following.strip()))
    return lines


# -- passages -------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?:;]['\"”’)]*$")


def _looks_like_heading(line: Line) -> bool:
    if line.heading:
        return True
    text = line.text
    return (
        textlib.word_count(text) <= 6
        and not _SENTENCE_END.search(text)
        and not text.endswith(",")
        and (text[:1].isupper() or text[:1].isdigit())
    )


def split_passages(lines: list[Line]) -> list[Passage]:
    """Group lines into passages of about 40–120 words that never cross a page.

    A passage ends at a paragraph end once it has 40 words, at a sentence end once it has
    70, and at any line once it has 120; a heading starts a new one. A page's trailing
    fragment of a few words joins the passage before it on that page.
    """
    passages: list[Passage] = []
    buffer: list[Line] = []
    count = 0

    def flush() -> None:
        nonlocal buffer, count
        if not buffer:
            return
        text = " ".join(line.text for line in buffer)
        previous = passages[-1] if passages else None
        if (
            count < FRAGMENT_WORDS
            and previous is not None
            and previous.page == buffer[0].page
            and not buffer[0].heading
        ):
            joined = previous.text + " " + text
            passages[-1] = Passage(previous.index, previous.page, previous.line, joined)
        else:
            passages.append(Passage(len(passages), buffer[0].page, buffer[0].number, text))
        buffer, count = [], 0

    lines = [piece for line in lines for piece in _split_long(line)]
    for position, line in enumerate(lines):
        if buffer and line.page != buffer[0].page:
            flush()
        if buffer and _looks_like_heading(line) and count >= 25:
            flush()
        buffer.append(line)
        count += textlib.word_count(line.text)
        ends_sentence = bool(_SENTENCE_END.search(line.text))
        next_line = lines[position + 1] if position + 1 < len(lines) else None
        if (
            count >= PASSAGE_MAX_WORDS
            or (ends_sentence and line.block_end and count >= PASSAGE_MIN_WORDS)
            or (ends_sentence and count >= PASSAGE_SENTENCE_WORDS)
            or (line.block_end and line.heading is False and count >= PASSAGE_MAX_WORDS * 0.8)
            or next_line is None
        ):
            flush()
    flush()
    return passages


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý0-9•\-–(])")


def _split_long(line: Line) -> list[Line]:
    """A line longer than a passage (a long DOCX or HTML paragraph) cut at sentence ends
    into pieces of at most ~``PASSAGE_MAX_WORDS`` words; every piece cites the same line."""
    if textlib.word_count(line.text) <= PASSAGE_MAX_WORDS:
        return [line]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in _SENTENCE_BREAK.split(line.text):
        words = sentence.split()
        if current and len(current) + len(words) > PASSAGE_MAX_WORDS:
            pieces.append(" ".join(current))
            current = []
        current.extend(words)
        while len(current) > PASSAGE_MAX_WORDS * 1.5:  # a "sentence" without any full stop
            pieces.append(" ".join(current[:PASSAGE_MAX_WORDS]))
            current = current[PASSAGE_MAX_WORDS:]
    if current:
        pieces.append(" ".join(current))
    last = len(pieces) - 1
    return [
        Line(
            line.page,
            line.number,
            piece,
            block_end=line.block_end if i == last else True,
            heading=line.heading and i == 0,
        )
        for i, piece in enumerate(pieces)
    ]


def _check_it_is_a_plan(document: Document) -> None:
    name = document.name
    if not document.passages:
        raise InvalidInput(
            _("Bestand %(name)s bevat geen tekst.") % {"name": name}, code="geen-tekst"
        )
    if document.word_count < MIN_WORDS:
        raise InvalidInput(
            _(
                "Bestand %(name)s bevat te weinig tekst (%(n)s woorden) voor een regioplan; "
                "er zijn er minstens %(min)s nodig."
            )
            % {"name": name, "n": document.word_count, "min": MIN_WORDS},
            code="geen-regioplan",
        )
    content = textlib.words(" ".join(p.text for p in document.passages[:400]))
    hits = sum(1 for word in content if any(stem in word for stem in DOMAIN_STEMS))
    if hits < MIN_DOMAIN_WORDS:
        raise InvalidInput(
            _(
                "Bestand %(name)s lijkt geen regioplan: er staat (bijna) niets in over zorg, "
                "ouderen, wonen of welzijn."
            )
            % {"name": name},
            code="geen-regioplan",
        )
