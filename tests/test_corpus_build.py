"""The bundled sample PDFs: rebuilt byte for byte from their seeds, and read like reports.

Expectations are derived from the seed texts in corpus/source/, not from the
build script, so a layout change that loses text or structure fails here.
"""
import re
import subprocess
import sys
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTPage, LTTextContainer, LTTextLine
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import resolve1

REPO = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = REPO / "corpus" / "build_corpus.py"
SEED_FOR_PDF = {
    "fou-prosjekter-2019.pdf": "fou-prosjekter-2019.txt",
    "kommuneundersokelsen-2020.pdf": "kommuneundersokelsen-2020.txt",
}
SURVEY = "kommuneundersokelsen-2020.pdf"
FONTS_MISSING_EXIT = 2  # build_corpus.py's exit status when DejaVu is not installed

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
CONTENTS_LINE = re.compile(r"^(?:(\d+)\t|\t)?(.+?)\t\d+$")
FOOTNOTE_LINE = re.compile(rf"^([{SUPERSCRIPTS}]+) (.+)$")
LINE_END_SPLIT = re.compile(r"(\w+)-\n(\w+)")


def _seed(pdf_name: str, corpus_dir: Path) -> str:
    return (corpus_dir / "source" / SEED_FOR_PDF[pdf_name]).read_text(encoding="utf-8")


def _seed_title(seed: str) -> str:
    return next(line.strip() for line in seed.splitlines() if line.strip())


def _seed_contents(seed: str) -> list[str]:
    """Entries of the seed's own "Innhold" list, dot leaders removed."""
    lines = seed.splitlines()
    entries = []
    for line in lines[lines.index("Innhold") + 1:]:
        if match := CONTENTS_LINE.match(line):
            number, title = match.groups()
            entries.append(f"{number} {title}".strip(". ") if number else title.strip(". "))
        elif line.strip():
            break
    return entries


def _flat(text: str) -> str:
    return " ".join(text.split())


def _contains_approximately(text: str, phrase: str, ratio: float = 0.9) -> bool:
    """True if `phrase` occurs in `text`, allowing the seed list's typos."""
    if phrase in text:
        return True
    first_word = phrase.split()[0]
    return any(
        SequenceMatcher(None, phrase.casefold(),
                        text[m.start():m.start() + len(phrase)].casefold()).ratio() >= ratio
        for m in re.finditer(re.escape(first_word), text))


@dataclass
class Row:
    """Text on one baseline of a page, left to right, with its largest font size."""
    y: float
    text: str
    size: float


@dataclass
class Page:
    text: str         # pdfminer's own reading order
    rows: list[Row]   # top to bottom, independent of how pdfminer groups boxes
    layout: LTPage


def _rows(layout: LTPage) -> list[Row]:
    lines = [line for box in layout if isinstance(box, LTTextContainer)
             for line in box if isinstance(line, LTTextLine) and line.get_text().strip()]
    lines.sort(key=lambda line: (-round(line.y0), line.x0))
    rows: list[list[LTTextLine]] = []
    for line in lines:
        if rows and abs(rows[-1][0].y0 - line.y0) < 2:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [Row(row[0].y0, " ".join(" ".join(line.get_text().split()) for line in row),
                max(ch.size for line in row for ch in line if isinstance(ch, LTChar)))
            for row in rows]


@pytest.fixture(scope="module")
def pages(corpus_dir) -> dict[str, list[Page]]:
    """Each committed PDF, page by page."""
    def page(layout: LTPage) -> Page:
        text = "".join(box.get_text() for box in layout if isinstance(box, LTTextContainer))
        return Page(text, _rows(layout), layout)

    return {name: [page(layout) for layout in extract_pages(str(corpus_dir / name))]
            for name in SEED_FOR_PDF}


def _listed_chapters(contents: Page) -> dict[str, int]:
    """Chapter number -> page number, read off the contents page's dot leaders."""
    rows = (re.match(r"^(\d+) \D.*?[ .]+ (\d+)$", row.text) for row in contents.rows)
    return {m.group(1): int(m.group(2)) for m in rows if m}


def test_rebuild_reproduces_the_committed_pdfs_byte_for_byte(tmp_path, corpus_dir):
    run = subprocess.run([sys.executable, str(BUILD_SCRIPT), "--out", str(tmp_path), "--quiet"],
                         capture_output=True, text=True, timeout=120)
    if run.returncode == FONTS_MISSING_EXIT:
        pytest.skip(f"DejaVu-fontene mangler, korpuset kan ikke bygges her: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    for name in SEED_FOR_PDF:
        rebuilt, committed = (tmp_path / name).read_bytes(), (corpus_dir / name).read_bytes()
        assert rebuilt == committed, f"{name} differs from a fresh build: run corpus/build_corpus.py"


@pytest.mark.parametrize("pdf_name", SEED_FOR_PDF)
def test_every_entry_of_the_seed_contents_is_listed_and_used_as_heading(pdf_name, pages,
                                                                        corpus_dir):
    entries = _seed_contents(_seed(pdf_name, corpus_dir))
    contents_page = " ".join(row.text for row in pages[pdf_name][1].rows)
    body = _flat(" ".join(page.text for page in pages[pdf_name][2:]))
    assert "Innhold" in contents_page
    for entry in entries:
        assert _contains_approximately(contents_page, entry), f"not in contents: {entry}"
        assert _contains_approximately(body, entry), f"not in body: {entry}"


@pytest.mark.parametrize("pdf_name", SEED_FOR_PDF)
def test_contents_page_numbers_point_at_the_pages_where_chapters_start(pdf_name, pages,
                                                                       corpus_dir):
    chapters = [e for e in _seed_contents(_seed(pdf_name, corpus_dir)) if e[0].isdigit()]
    listed = _listed_chapters(pages[pdf_name][1])
    assert list(listed) == [chapter.split()[0] for chapter in chapters]
    for chapter in chapters:
        rows = pages[pdf_name][listed[chapter.split()[0]] - 1].rows
        assert _contains_approximately(rows[1].text, chapter), (chapter, rows[1].text)
        assert rows[1].size >= 15  # chapter headings are the largest text on a page


@pytest.mark.parametrize("pdf_name", SEED_FOR_PDF)
def test_running_header_and_footer_on_every_page_after_the_cover(pdf_name, pages, corpus_dir):
    title = _seed_title(_seed(pdf_name, corpus_dir))
    cover, *rest = pages[pdf_name]
    assert _flat(cover.text).startswith(title) and not re.search(r"Side \d+", cover.text)
    assert len(rest) > 10
    for number, page in enumerate(rest, start=2):
        assert page.rows[0].text == f"{title} IMDi", number
        assert page.rows[-1].text == f"Side {number}"
        assert len(re.findall(r"Side \d+", page.text)) == 1


@pytest.mark.parametrize("pdf_name", SEED_FOR_PDF)
def test_body_text_is_hyphenated_at_line_ends(pdf_name, pages, corpus_dir):
    seed_words = set(re.findall(r"\w+", _seed(pdf_name, corpus_dir).casefold()))
    splits = [head + tail for page in pages[pdf_name]
              for head, tail in LINE_END_SPLIT.findall(page.text)
              if (head + tail).casefold() in seed_words]
    assert len(splits) >= 50
    assert "introduksjonsprogrammet" in splits


def test_footnotes_are_printed_at_the_foot_of_the_page_of_their_marker(pages, corpus_dir):
    notes = [FOOTNOTE_LINE.match(line) for line in _seed(SURVEY, corpus_dir).splitlines()]
    notes = [(m.group(1), re.sub(r"[*<>]", "", m.group(2))[:25]) for m in notes if m]
    assert len(notes) >= 10
    for marker, opening in notes:
        note_start = f"{marker} {opening}"
        hits = [page for page in pages[SURVEY] if note_start in _flat(page.text)]
        assert len(hits) == 1, f"note {note_start!r} found on {len(hits)} pages"
        rows = hits[0].rows
        note_row = next(i for i, row in enumerate(rows) if row.text.startswith(note_start))
        # the marker sits right after a word and is not part of a longer number
        marker_in_text = re.compile(rf"(?<=[^\s{SUPERSCRIPTS}]){marker}(?![{SUPERSCRIPTS}])")
        marked = [i for i, row in enumerate(rows) if marker_in_text.search(row.text)]
        assert marked and max(marked) < note_row, f"marker {marker} not above its note"
        below = rows[note_row:-1]  # the note, any later notes, then the footer
        assert all(row.size < 9 for row in below), [row.text for row in below]


def test_markdown_links_become_link_annotations(pages, corpus_dir):
    links_seen = 0
    for name in SEED_FOR_PDF:
        seed = _seed(name, corpus_dir)
        autolinks = set(re.findall(r"<(https?://[^>]+)>", seed))
        with open(corpus_dir / name, "rb") as pdf:
            actions = [resolve1(resolve1(annot).get("A"))
                       for page in PDFPage.get_pages(pdf) for annot in resolve1(page.annots) or []]
        uris = [action["URI"].decode() for action in actions if action and "URI" in action]
        assert uris.count("https://www.imdi.no/") >= seed.count("](#)")
        assert autolinks <= set(uris)
        assert not any("](" in page.text or "\\(" in page.text for page in pages[name])
        links_seen += len(uris)
    assert links_seen > 0


def test_koronapandemien_chapter_is_set_in_two_columns(pages):
    layout = pages[SURVEY][_listed_chapters(pages[SURVEY][1])["6"] - 1].layout
    middle = layout.width / 2
    paragraphs = [box for box in layout if isinstance(box, LTTextContainer)
                  and len(box.get_text().split()) > 20]
    assert any(box.x1 < middle for box in paragraphs)
    assert any(box.x0 > middle for box in paragraphs)
    assert not any(box.x0 < middle < box.x1 for box in paragraphs)
