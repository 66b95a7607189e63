"""Typeset the two IMDi seed texts in corpus/source/ into report-like PDFs.

Usage:  python corpus/build_corpus.py [--out DIR] [--quiet]

The PDFs are committed; this script only has to run when the layout or the
seeds change.  Rebuilding is byte-for-byte reproducible (reportlab invariant
mode), which tests/test_corpus_build.py checks.

How a seed line becomes a block (the seeds are plain text, so the structure
has to be recovered by rules):

* Cover: every line before "Innhold".  The first line is the title, the lines
  up to "IMDi" are subtitles, the lines after it spell out the publisher.
* Contents: the seed's own "Innhold" block (tab-separated "title<TAB>page"
  lines) is dropped and rebuilt from the real headings with real page
  numbers.  Its entries decide which body lines are chapter and section
  headings: the entries are matched in order, fuzzily, because the seed list
  has typos ("Sammen drag", "incentiver") and trailing dot leaders.
  - a matched entry starting with a number ("1 Bosetting og tidlig
    innsats") or an unnumbered introduction chapter ("Innledning") is a
    chapter: 16 pt, new page;
  - any other matched entry is a report title (compilation) or a section
    heading (survey): 13 pt.
* Minor headings (10.5 pt): a short line (at most 10 words, 80 characters)
  that starts with a capital and has no sentence punctuation at the end, or a
  single word followed by a colon ("Hovedfunn:", "Delstudier:").  A longer
  line ending in a colon ("Satsingen besto av ulike deler:") introduces a list
  and stays body text.
* "Utgitt: ..." lines are their own (italic) paragraph.
* "- " lines are bullet items, "1. " lines numbered items; a blank line
  between items does not end the list.
* "[text](#)" is a link (rendered as blue text with a link annotation to
  imdi.no), "<https://...>" an autolink, "*x*" italic; markdown escapes go.
* Page-break artefacts: lines holding only spaces are dropped, and a
  paragraph without closing punctuation that is followed (across footnotes
  and figure captions) by a paragraph starting in lower case is one paragraph.
  Figures found inside such a split paragraph are placed after it.
* Footnotes, tables and figures (only the survey has them): lines starting
  with superscript digits ("¹ Responsrate ...") are footnotes, printed at the
  foot of the page (or column) that carries the marker; tab-separated lines
  are tables (leading rows with an empty first cell are header rows);
  "Figur N - ..." lines are captions under a grey figure stand-in.
* Chapters listed in CorpusDocument.two_column_chapters (the survey's
  "6 Koronapandemien") are set in two columns.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pyphen
import reportlab.platypus.paragraph as reportlab_paragraph
from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate, Flowable, Frame, FrameBreak, KeepTogether, NextPageTemplate,
    PageBreak, PageTemplate, Paragraph, Spacer, Table, TableStyle)
from reportlab.platypus.tableofcontents import TableOfContents

CORPUS_DIR = Path(__file__).resolve().parent
SOURCE_DIR = CORPUS_DIR / "source"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# reportlab font name -> TTF file
FONT_FILES = {
    "DejaVuSerif": "DejaVuSerif.ttf",
    "DejaVuSerif-Bold": "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic": "DejaVuSerif-Italic.ttf",
    "DejaVuSerif-BoldItalic": "DejaVuSerif-BoldItalic.ttf",
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}

PUBLISHER_SHORT = "IMDi"
LINK_TARGET = "https://www.imdi.no/"
LINK_COLOUR = "#1F4E9C"
ACCENT_COLOUR = "#00505C"
FIGURE_FILL = "#E3E6E8"
FIGURE_STROKE = "#B5BCC2"
_NB_HYPHENATOR = pyphen.Pyphen(lang="nb_NO")

SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPERSCRIPT_VALUE = {ch: str(i) for i, ch in enumerate(SUPERSCRIPT_DIGITS)}
SUPERSCRIPT_CLASS = "[" + SUPERSCRIPT_DIGITS + "]"

CONTENTS_LINE = re.compile(r"^(?:(\d+)\t|\t)?(.+?)\t(\d+)$")
FOOTNOTE_LINE = re.compile(rf"^({SUPERSCRIPT_CLASS}+) (.+)$")
FOOTNOTE_MARKER = re.compile(rf"(?<=[^\s{SUPERSCRIPT_DIGITS}])({SUPERSCRIPT_CLASS}+)")
CAPTION_LINE = re.compile(r"^Figur \d+ - ")
BULLET_LINE = re.compile(r"^- (.+)$")
NUMBERED_LINE = re.compile(r"^(\d+)\. (.+)$")
LINK_ONLY_LINE = re.compile(r"^\[(?:\\.|[^\]\\])+\]\(#\)$")
INLINE_TOKEN = re.compile(
    r"\[(?P<label>(?:\\.|[^\]\\])+)\]\(#\)|<(?P<url>https?://[^>\s]+)>")
ITALIC = re.compile(r"\*([^*]+)\*")
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")

SENTENCE_END = ".!?:;…»\")"
INTRODUCTION_CHAPTERS = ("Forord", "Sammendrag", "Innledning")
HEADING_MATCH_RATIO = 0.85
MINOR_HEADING_MAX_WORDS = 10
MINOR_HEADING_MAX_CHARS = 80


@dataclass(frozen=True)
class CorpusDocument:
    """One PDF of the bundled corpus and the seed it is typeset from."""
    source: str
    output: str
    two_column_chapters: tuple[str, ...] = ()


DOCUMENTS = (
    CorpusDocument("fou-prosjekter-2019.txt", "fou-prosjekter-2019.pdf"),
    CorpusDocument("kommuneundersokelsen-2020.txt", "kommuneundersokelsen-2020.pdf",
                   two_column_chapters=("6 Koronapandemien",)),
)


# --------------------------------------------------------------------------
# Seed parsing
# --------------------------------------------------------------------------

@dataclass
class HeadingBlock:
    level: int  # 0 chapter, 1 report title / section, 2 minor heading
    text: str


@dataclass
class TextBlock:
    text: str
    kind: str = "body"  # body | published | link


@dataclass
class ListItem:
    label: str  # "•" or "3."
    text: str


@dataclass
class TableBlock:
    rows: list[list[str]]


@dataclass
class FigureBlock:
    caption: str


@dataclass
class Seed:
    title: str
    subtitles: list[str]
    publisher: str
    blocks: list = field(default_factory=list)
    footnotes: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ContentsEntry:
    text: str
    numbered: bool


def superscript_number(marker: str) -> int:
    return int("".join(SUPERSCRIPT_VALUE[ch] for ch in marker))


def _fold(text: str) -> str:
    return " ".join(text.casefold().rstrip(". ").split())


def matches_contents_entry(line: str, entry: ContentsEntry) -> bool:
    return SequenceMatcher(None, _fold(line), _fold(entry.text)).ratio() >= HEADING_MATCH_RATIO


def ends_sentence(text: str) -> bool:
    return text.rstrip()[-1] in SENTENCE_END


def is_minor_heading(text: str) -> bool:
    words = text.split()
    if text.endswith(":"):
        return len(words) == 1
    return (len(words) <= MINOR_HEADING_MAX_WORDS and len(text) <= MINOR_HEADING_MAX_CHARS
            and text[0].isupper() and not ends_sentence(text) and "](" not in text)


def _split_front_matter(lines: list[str]) -> tuple[list[str], list[ContentsEntry], int]:
    """Return cover lines, the seed's contents entries and the body start index."""
    contents_at = lines.index("Innhold")
    cover = [line for line in lines[:contents_at] if line]
    entries = []
    index = contents_at + 1
    while index < len(lines):
        line = lines[index]
        match = CONTENTS_LINE.match(line)
        if line and not match:
            break
        if match:
            number, text = match.group(1), match.group(2).rstrip(". ")
            text = f"{number} {text}" if number else text
            entries.append(ContentsEntry(text, numbered=bool(re.match(r"\d+ ", text))))
        index += 1
    return cover, entries, index


def _scan_units(lines: list[str], footnotes: dict[int, str]) -> list:
    """Turn body lines into raw units; footnote lines are collected on the side."""
    units: list = []
    for line in lines:
        if not line:
            if units and isinstance(units[-1], TableBlock):
                units.append(None)  # a blank line ends a table
            continue
        if note := FOOTNOTE_LINE.match(line):
            footnotes[superscript_number(note.group(1))] = line
        elif "\t" in line:
            if not (units and isinstance(units[-1], TableBlock)):
                units.append(TableBlock([]))
            units[-1].rows.append(line.split("\t"))
        elif CAPTION_LINE.match(line):
            units.append(FigureBlock(line))
        elif bullet := BULLET_LINE.match(line):
            units.append(ListItem("•", bullet.group(1)))
        elif numbered := NUMBERED_LINE.match(line):
            units.append(ListItem(numbered.group(1) + ".", numbered.group(2)))
        else:
            units.append(TextBlock(line))
    return [unit for unit in units if unit is not None]


def _join_page_breaks(units: list) -> list:
    """Re-join paragraphs the seed split at a page break (see module docstring)."""
    joined: list = []
    index = 0
    while index < len(units):
        unit = units[index]
        index += 1
        if not isinstance(unit, TextBlock):
            joined.append(unit)
            continue
        deferred_figures = []
        while not ends_sentence(unit.text):
            ahead = index
            while ahead < len(units) and isinstance(units[ahead], FigureBlock):
                ahead += 1
            follower = units[ahead] if ahead < len(units) else None
            if not (isinstance(follower, TextBlock) and follower.text[0].islower()):
                break
            deferred_figures.extend(units[index:ahead])
            unit = TextBlock(unit.text + " " + follower.text)
            index = ahead + 1
        joined.append(unit)
        joined.extend(deferred_figures)
    return joined


def _classify(units: list, contents: list[ContentsEntry]) -> list:
    """Decide which text units are headings, using the seed's contents list in order."""
    blocks = []
    expected = 0
    for unit in units:
        if not isinstance(unit, TextBlock):
            blocks.append(unit)
            continue
        text = unit.text
        if text.startswith("Utgitt:"):
            blocks.append(TextBlock(text, "published"))
        elif LINK_ONLY_LINE.match(text):
            blocks.append(TextBlock(text, "link"))
        elif expected < len(contents) and matches_contents_entry(text, contents[expected]):
            entry = contents[expected]
            chapter = entry.numbered or text in INTRODUCTION_CHAPTERS
            blocks.append(HeadingBlock(0 if chapter else 1, text))
            expected += 1
        elif is_minor_heading(text):
            blocks.append(HeadingBlock(2, text))
        else:
            blocks.append(unit)
    if expected != len(contents):
        raise ValueError(f"fant ikke overskriften «{contents[expected].text}» i teksten")
    return blocks


def parse_seed(text: str) -> Seed:
    # rstrip turns the space-only page-break lines into blank lines; leading
    # tabs stay because they mark empty first cells in tables and contents.
    lines = [line.rstrip() for line in text.splitlines()]
    cover, contents, body_start = _split_front_matter(lines)
    publisher_at = cover.index(PUBLISHER_SHORT)
    seed = Seed(title=cover[0], subtitles=cover[1:publisher_at],
                publisher=f"{PUBLISHER_SHORT} – " + " ".join(cover[publisher_at + 1:]))
    units = _join_page_breaks(_scan_units(lines[body_start:], seed.footnotes))
    seed.blocks = _classify(units, contents)
    return seed


# --------------------------------------------------------------------------
# Inline markup (markdown subset -> reportlab paragraph markup)
# --------------------------------------------------------------------------

def _link(href: str, label_markup: str) -> str:
    return f'<a href={quoteattr(href)} color="{LINK_COLOUR}">{label_markup}</a>'


def _plain_markup(text: str) -> str:
    return ITALIC.sub(r"<i>\1</i>", escape(MARKDOWN_ESCAPE.sub(r"\1", text)))


def inline_markup(text: str) -> str:
    parts = []
    position = 0
    for token in INLINE_TOKEN.finditer(text):
        parts.append(_plain_markup(text[position:token.start()]))
        if token.group("label"):
            parts.append(_link(LINK_TARGET, _plain_markup(token.group("label"))))
        else:
            url = token.group("url")
            parts.append(_link(url, escape(url)))
        position = token.end()
    parts.append(_plain_markup(text[position:]))
    return "".join(parts)


def footnote_numbers(text: str) -> list[int]:
    return [superscript_number(m.group(1)) for m in FOOTNOTE_MARKER.finditer(text)]


# --------------------------------------------------------------------------
# Norwegian hyphenation
# --------------------------------------------------------------------------

def hyphenate_nb(word: str):
    """Norwegian (Bokmål) break points for reportlab, as (head, tail) pairs.

    Words with more than one capital ("IMDis", "NORCE") are acronyms or names
    and are left whole, as a typesetter would.  Words holding more than
    letters and hyphens (numbers, dates, "og/eller") break after their own
    "/" or "-", with no hyphen added, or inside the all-letter part that ends
    them.
    """
    if not word.replace("-", "").isalpha():
        breaks = [i for i, ch in enumerate(word) if ch in "/-" and 0 < i < len(word) - 1]
        pairs = [(word[:i + 1], word[i + 1:]) for i in reversed(breaks)]
        if breaks and word[breaks[-1] + 1:].isalpha():  # "kommunedirektør/bydels-direktør"
            prefix, last = word[:breaks[-1] + 1], word[breaks[-1] + 1:]
            pairs[:0] = [(prefix + head, tail) for head, tail in hyphenate_nb(last)]
        return iter(pairs)
    if sum(ch.isupper() for ch in word) > 1:
        return iter(())
    return _NB_HYPHENATOR.iterate(word)


_reportlab_shy_unsplit = reportlab_paragraph._shyUnsplit


def _rejoin_word_halves(first: str, second: str | None = None) -> str:
    """Glue a split word back together when a paragraph moves to the next page.

    reportlab drops a trailing "-" of the first half even when the word owns it
    ("NAV-" + "tiltak" became "NAVtiltak"); the hyphen it added itself has
    already been removed by the time two halves are joined.
    """
    if second and not isinstance(first, reportlab_paragraph._SHYIndexedStr) \
            and not hasattr(second, "_shyIndices"):
        return first + second
    return _reportlab_shy_unsplit(first, second)


def adapt_reportlab_hyphenation() -> None:
    """Fit reportlab's (pinned, 5.1.0) hyphenation to Norwegian report text.

    - it strips only English quotes off a word before hyphenating it, but
      Bokmål quotes with «», so no quoted word would ever be split;
    - it breaks a word after "-" only when the rest is letters, and never
      after "/", so "kommunedirektør/bydelsdirektør", "2016-undersøkelsen" or
      "17.12.2020-17.01.2021" left very loose justified lines;
    - it loses real hyphens when re-flowing a split paragraph (see above).
    """
    if reportlab_paragraph._shyUnsplit is _rejoin_word_halves:
        return
    break_after = reportlab_paragraph._hy_shy + "/"
    reportlab_paragraph._hy_pfx_pat = re.compile(
        reportlab_paragraph._hy_pfx_pat.pattern.replace("^[", "^[«", 1))
    reportlab_paragraph._hy_sfx_pat = re.compile(
        reportlab_paragraph._hy_sfx_pat.pattern.replace("]+$", "»]+$", 1))
    reportlab_paragraph._hy_shy_pat = re.compile(f"([{break_after}])")
    reportlab_paragraph._hy_shy_letters_pat = re.compile(
        f"^[{break_after}0-9.{reportlab_paragraph._hy_letters}]+$")
    reportlab_paragraph._shyUnsplit = _rejoin_word_halves


# --------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_SIDE = 3.25 * cm            # leaves a 14.5 cm text column
MARGIN_TOP = 2.8 * cm
MARGIN_BOTTOM = 2.6 * cm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE
BODY_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
COLUMN_GUTTER = 0.8 * cm
COLUMN_WIDTH = (BODY_WIDTH - COLUMN_GUTTER) / 2
CHAPTER_BAND = 1.7 * cm            # full-width strip above two-column text
FIGURE_HEIGHT = 4 * cm
HEADER_Y = PAGE_HEIGHT - 1.9 * cm
FOOTER_Y = 1.5 * cm
FOOTNOTE_GAP = 2                   # points between two footnotes
FOOTNOTE_RULE_SPACE = 9            # room for the short rule above the notes
FOOTNOTE_RULE_LENGTH = 4 * cm
TABLE_FONT_SIZE = 8.5
TABLE_CELL_PADDING = 6
CONTENTS_NUMBER_ROOM = 1 * cm      # long contents entries wrap before the page number


def missing_fonts() -> list[Path]:
    return [FONT_DIR / name for name in FONT_FILES.values() if not (FONT_DIR / name).is_file()]


def register_fonts() -> None:
    if missing := missing_fonts():
        raise FileNotFoundError(
            "Fant ikke DejaVu-fontene som trengs for å bygge korpuset på nytt: "
            + ", ".join(str(path) for path in missing)
            + ". Installer dem (Debian/Ubuntu: apt-get install fonts-dejavu-core"
            " fonts-dejavu-extra). De ferdige PDF-ene ligger allerede i corpus/.")
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    for family in ("DejaVuSerif", "DejaVuSans"):
        italic = "Italic" if family == "DejaVuSerif" else "Oblique"
        pdfmetrics.registerFontFamily(
            family, normal=family, bold=f"{family}-Bold", italic=f"{family}-{italic}",
            boldItalic=f"{family}-Bold{italic}")


def make_styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName="DejaVuSerif", fontSize=10, leading=13.6, alignment=TA_JUSTIFY,
        spaceAfter=6, hyphenationLang=hyphenate_nb, embeddedHyphenation=1,
        uriWasteReduce=0.3)
    heading = dict(fontName="DejaVuSans-Bold", keepWithNext=1, hyphenationLang="",
                   alignment=TA_LEFT)
    return {
        "body": body,
        "published": ParagraphStyle("published", body, fontName="DejaVuSerif-Italic",
                                    fontSize=9.5, alignment=TA_LEFT),
        "item": ParagraphStyle("item", body, leftIndent=16, bulletIndent=3, spaceAfter=3,
                               bulletFontName="DejaVuSerif", bulletFontSize=10),
        "chapter": ParagraphStyle("chapter", fontSize=16, leading=20, spaceAfter=14,
                                  textColor=colors.HexColor(ACCENT_COLOUR), **heading),
        "section": ParagraphStyle("section", fontSize=13, leading=16, spaceBefore=14,
                                  spaceAfter=6, **heading),
        "minor": ParagraphStyle("minor", fontSize=10.5, leading=13, spaceBefore=8,
                                spaceAfter=3, **heading),
        "caption": ParagraphStyle("caption", fontName="DejaVuSans-Oblique", fontSize=8.5,
                                  leading=11, spaceBefore=3, spaceAfter=10),
        "footnote": ParagraphStyle("footnote", body, fontSize=8, leading=10, spaceAfter=0,
                                   alignment=TA_LEFT),
        "contents_chapter": ParagraphStyle("contents_chapter", fontName="DejaVuSans-Bold",
                                           fontSize=10.5, leading=14, spaceBefore=5,
                                           rightIndent=CONTENTS_NUMBER_ROOM),
        "contents_section": ParagraphStyle("contents_section", fontName="DejaVuSerif",
                                           fontSize=9.5, leading=12, leftIndent=0.8 * cm,
                                           rightIndent=CONTENTS_NUMBER_ROOM),
        "cover_title": ParagraphStyle("cover_title", fontName="DejaVuSans-Bold", fontSize=30,
                                      leading=36, spaceAfter=18,
                                      textColor=colors.HexColor(ACCENT_COLOUR)),
        "cover_subtitle": ParagraphStyle("cover_subtitle", fontName="DejaVuSans", fontSize=15,
                                         leading=20, spaceAfter=10),
    }


class FootnoteAnchor(Flowable):
    """Zero-height marker that hands its notes to the frame it lands in.

    The frame then raises its bottom edge by the notes' height, so the body
    text on that page stops above them, and the notes are drawn at the foot
    of the page when the page ends (see FootnoteFrame).
    """

    def __init__(self, notes: list[Paragraph]):
        super().__init__()
        self.notes = notes

    def height_needed(self, width: float, first_on_frame: bool) -> float:
        heights = sum(note.wrap(width, PAGE_HEIGHT)[1] + FOOTNOTE_GAP for note in self.notes)
        return heights + (FOOTNOTE_RULE_SPACE if first_on_frame else 0)

    def wrap(self, availWidth, availHeight):
        # Used by KeepTogether to keep the note with its paragraph.
        return 0, self.height_needed(availWidth, first_on_frame=True)

    def draw(self):
        pass


class FootnoteFrame(Frame):
    """A frame that collects the footnotes placed in it and prints them at its foot."""

    def _reset(self):
        super()._reset()
        self._geom()  # give back the space the previous page's notes took
        self.footnotes: list[Paragraph] = []

    def add(self, flowable, canv, trySplit=0):
        if isinstance(flowable, FootnoteAnchor):
            return self._reserve_footnotes(flowable)
        return super().add(flowable, canv, trySplit)

    def _reserve_footnotes(self, anchor: FootnoteAnchor) -> int:
        needed = anchor.height_needed(self._getAvailableWidth(), not self.footnotes)
        if self._y - needed < self._y1p:
            return 0
        self._y1p += needed
        self.footnotes.extend(anchor.notes)
        return 1

    def draw_footnotes(self, canv) -> None:
        if not self.footnotes:
            return
        width = self._getAvailableWidth()
        x = self._x1 + self._leftPadding
        y = self._y1 + self._bottomPadding
        for note in reversed(self.footnotes):
            height = note.wrap(width, PAGE_HEIGHT)[1]
            note.drawOn(canv, x, y)
            y += height + FOOTNOTE_GAP
        canv.saveState()
        canv.setLineWidth(0.5)
        canv.line(x, y + FOOTNOTE_RULE_SPACE / 2, x + FOOTNOTE_RULE_LENGTH,
                  y + FOOTNOTE_RULE_SPACE / 2)
        canv.restoreState()


class FigurePlaceholder(Flowable):
    """Grey box standing in for a chart that the plain-text seed does not contain."""

    def __init__(self, height: float = FIGURE_HEIGHT):
        super().__init__()
        self.box_height = height
        self.spaceBefore = 4

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        return availWidth, self.box_height

    def draw(self):
        self.canv.saveState()
        self.canv.setFillColor(colors.HexColor(FIGURE_FILL))
        self.canv.setStrokeColor(colors.HexColor(FIGURE_STROKE))
        self.canv.setLineWidth(0.5)
        self.canv.rect(0, 0, self.width, self.box_height, fill=1, stroke=1)
        self.canv.restoreState()


class HeadingParagraph(Paragraph):
    """A heading paragraph that knows its contents level and outline key."""

    def __init__(self, text: str, style: ParagraphStyle, level: int | None, key: str):
        super().__init__(escape(text), style)
        self.plain_text = text
        self.contents_level = level
        self.outline_key = key


def _draw_running_header_footer(canv, doc) -> None:
    canv.saveState()
    canv.setFont("DejaVuSans", 8)
    canv.setFillColor(colors.HexColor("#444444"))
    canv.drawString(MARGIN_SIDE, HEADER_Y, doc.running_title)
    canv.drawRightString(PAGE_WIDTH - MARGIN_SIDE, HEADER_Y, PUBLISHER_SHORT)
    canv.setStrokeColor(colors.HexColor("#888888"))
    canv.setLineWidth(0.4)
    canv.line(MARGIN_SIDE, HEADER_Y - 4, PAGE_WIDTH - MARGIN_SIDE, HEADER_Y - 4)
    canv.drawCentredString(PAGE_WIDTH / 2, FOOTER_Y, f"Side {canv.getPageNumber()}")
    canv.restoreState()


def _draw_cover(canv, doc) -> None:
    canv.saveState()
    canv.setFillColor(colors.HexColor(ACCENT_COLOUR))
    canv.rect(0, PAGE_HEIGHT - 3 * cm, PAGE_WIDTH, 3 * cm, fill=1, stroke=0)
    canv.rect(MARGIN_SIDE, 3.2 * cm, BODY_WIDTH, 1.2, fill=1, stroke=0)
    canv.setFillColor(colors.black)
    canv.setFont("DejaVuSans-Bold", 11)
    canv.drawString(MARGIN_SIDE, 2.4 * cm, doc.publisher)
    canv.restoreState()


class ContentsAndFootnotes:
    """What both build scripts' document templates do (mixed into a BaseDocTemplate): a
    heading with a contents level is bookmarked, put in the PDF outline and in the contents
    list; footnote frames draw their notes when the page is done."""

    def add_contents_entry(self, level: int, key: str, label: str) -> None:
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(label, key, level=level, closed=level > 0)
        self.notify("TOCEntry", (level, escape(label), self.page, key))

    def afterPage(self):
        for frame in self.pageTemplate.frames:
            if isinstance(frame, FootnoteFrame):
                frame.draw_footnotes(self.canv)


class ReportDocTemplate(ContentsAndFootnotes, BaseDocTemplate):
    """A4 report: cover, contents, one-column chapters and optional two-column ones."""

    def __init__(self, filename: str, seed: Seed):
        super().__init__(
            filename, pagesize=A4, leftMargin=MARGIN_SIDE, rightMargin=MARGIN_SIDE,
            topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1, lang="nb-NO",
            title=seed.title, author=PUBLISHER_SHORT, subject=" – ".join(seed.subtitles),
            creator="Rapportsøk corpus/build_corpus.py")
        self.running_title = seed.title
        self.publisher = seed.publisher
        left, bottom = MARGIN_SIDE, MARGIN_BOTTOM
        right_column = left + COLUMN_WIDTH + COLUMN_GUTTER
        column_height = BODY_HEIGHT - CHAPTER_BAND
        no_padding = dict(leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        running = dict(onPage=_draw_running_header_footer)
        self.addPageTemplates([
            PageTemplate("cover", [Frame(left, bottom, BODY_WIDTH, BODY_HEIGHT - 4 * cm,
                                         **no_padding)], onPage=_draw_cover),
            PageTemplate("body", [FootnoteFrame(left, bottom, BODY_WIDTH, BODY_HEIGHT,
                                                id="body", **no_padding)], **running),
            PageTemplate("twocol_first", [
                Frame(left, bottom + column_height, BODY_WIDTH, CHAPTER_BAND, id="band",
                      **no_padding),
                FootnoteFrame(left, bottom, COLUMN_WIDTH, column_height, id="left",
                              **no_padding),
                FootnoteFrame(right_column, bottom, COLUMN_WIDTH, column_height, id="right",
                              **no_padding)], **running),
            PageTemplate("twocol", [
                FootnoteFrame(left, bottom, COLUMN_WIDTH, BODY_HEIGHT, id="left", **no_padding),
                FootnoteFrame(right_column, bottom, COLUMN_WIDTH, BODY_HEIGHT, id="right",
                              **no_padding)], **running),
        ])

    def afterFlowable(self, flowable):
        if isinstance(flowable, HeadingParagraph) and flowable.contents_level is not None:
            self.add_contents_entry(flowable.contents_level, flowable.outline_key, flowable.plain_text)


# --------------------------------------------------------------------------
# Seed blocks -> flowables
# --------------------------------------------------------------------------

def _table_column_widths(rows: list[list[str]], header_rows: int,
                         spans: list[tuple[int, int]]) -> list[float]:
    """Widths that fit every cell on one line, widened to the text column."""
    def text_width(text: str, row: int) -> float:
        font = "DejaVuSans-Bold" if row < header_rows else "DejaVuSans"
        return stringWidth(text, font, TABLE_FONT_SIZE) + 2 * TABLE_CELL_PADDING

    widths = [0.0] * len(rows[0])
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if (c, r) not in spans:
                widths[c] = max(widths[c], text_width(cell, r))
    for c, r in spans:  # a spanned cell may need its two columns widened
        shortfall = text_width(rows[r][c], r) - widths[c] - widths[c + 1]
        if shortfall > 0:
            widths[c] += shortfall / 2
            widths[c + 1] += shortfall / 2
    spare = BODY_WIDTH - sum(widths)
    if spare > 0 and len(widths) > 1:
        widths[1:] = [width + spare / (len(widths) - 1) for width in widths[1:]]
    return widths


def _table_flowable(rows: list[list[str]]) -> Table:
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    header_rows = 0
    while header_rows < len(rows) and rows[header_rows][0] == "":
        header_rows += 1
    # an empty header cell right of a filled one belongs to that cell
    spans = [(c - 1, r) for r in range(header_rows) for c in range(1, width)
             if rows[r][c] == "" and rows[r][c - 1] != ""]
    last_header = header_rows - 1
    commands = [
        ("FONT", (0, 0), (-1, -1), "DejaVuSans", TABLE_FONT_SIZE),
        ("FONT", (0, 0), (-1, last_header), "DejaVuSans-Bold", TABLE_FONT_SIZE),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("ALIGN", (1, 0), (-1, last_header), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), TABLE_CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), TABLE_CELL_PADDING),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, last_header), (-1, last_header), 0.5, colors.black),
        ("LINEBELOW", (0, header_rows), (-1, -2), 0.25, colors.HexColor("#BBBBBB")),
        ("LINEBELOW", (0, -1), (-1, -1), 0.8, colors.black),
        ("BACKGROUND", (0, 0), (-1, last_header), colors.HexColor("#EEF1F2")),
    ] + [("SPAN", (c, r), (c + 1, r)) for c, r in spans]
    return Table(rows, colWidths=_table_column_widths(rows, header_rows, spans),
                 repeatRows=header_rows, hAlign="LEFT", style=TableStyle(commands),
                 spaceBefore=4, spaceAfter=10)


def _with_footnotes(flowable: Paragraph, text: str, seed: Seed, styles, used: set[int]):
    numbers = footnote_numbers(text)
    if not numbers:
        return flowable
    notes = []
    for number in numbers:
        if number not in seed.footnotes:
            raise ValueError(f"fotnote {number} mangler i kildeteksten")
        used.add(number)
        notes.append(Paragraph(inline_markup(seed.footnotes[number]), styles["footnote"]))
    return KeepTogether([flowable, FootnoteAnchor(notes)])


def _cover(seed: Seed, styles) -> list:
    story = [Spacer(1, 5 * cm), Paragraph(escape(seed.title), styles["cover_title"])]
    story += [Paragraph(escape(line), styles["cover_subtitle"]) for line in seed.subtitles]
    return story


def _contents(styles) -> list:
    table = TableOfContents(
        levelStyles=[styles["contents_chapter"], styles["contents_section"]], dotsMinLevel=0,
        tableStyle=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return [Paragraph("Innhold", styles["chapter"]), table]


def _heading(block: HeadingBlock, key: str, document: CorpusDocument, styles) -> list:
    style = styles[("chapter", "section", "minor")[block.level]]
    contents_level = block.level if block.level < 2 else None  # minor headings stay out
    heading = HeadingParagraph(block.text, style, contents_level, key)
    if block.level > 0:
        return [heading]
    if block.text in document.two_column_chapters:
        return [NextPageTemplate("twocol_first"), PageBreak(), heading,
                NextPageTemplate("twocol"), FrameBreak()]
    return [NextPageTemplate("body"), PageBreak(), heading]


def _block(block, seed: Seed, styles, used_notes: set[int]) -> Flowable:
    if isinstance(block, ListItem):
        item = Paragraph(inline_markup(block.text), styles["item"], bulletText=block.label)
        return _with_footnotes(item, block.text, seed, styles, used_notes)
    if isinstance(block, TableBlock):
        return _table_flowable(block.rows)
    if isinstance(block, FigureBlock):
        return KeepTogether([FigurePlaceholder(),
                             Paragraph(escape(block.caption), styles["caption"])])
    if block.kind == "published":
        return Paragraph(escape(block.text), styles["published"])
    paragraph = Paragraph(inline_markup(block.text), styles["body"])
    return _with_footnotes(paragraph, block.text, seed, styles, used_notes)


def build_story(seed: Seed, document: CorpusDocument, styles) -> list:
    story = _cover(seed, styles) + [NextPageTemplate("body"), PageBreak()] + _contents(styles)
    used_notes: set[int] = set()
    for index, block in enumerate(seed.blocks):
        if isinstance(block, HeadingBlock):
            story += _heading(block, f"h{index}", document, styles)
        else:
            story.append(_block(block, seed, styles, used_notes))
    if unused := sorted(set(seed.footnotes) - used_notes):
        raise ValueError(f"fotnoter uten henvisning i teksten: {unused}")
    return story


# --------------------------------------------------------------------------
# Build and report
# --------------------------------------------------------------------------

LINE_END_HYPHEN = re.compile(r"(\w+)-\n(\w+)")


def line_end_hyphenations(extracted: str, source: str) -> list[str]:
    """Words split across lines by hyphenation ("introduksjons-/programmet").

    A split only counts when the two halves form a word of the seed, so
    compounds that merely end a line ("Integrerings- og") are left out.
    """
    words = set(re.findall(r"\w+", source.casefold()))
    return [f"{head}-{tail}" for head, tail in LINE_END_HYPHEN.findall(extracted)
            if (head + tail).casefold() in words]


def build_document(document: CorpusDocument, out_dir: Path) -> tuple[Path, int]:
    """Typeset one seed; returns the PDF path and its page count."""
    seed = parse_seed((SOURCE_DIR / document.source).read_text(encoding="utf-8"))
    target = out_dir / document.output
    doc = ReportDocTemplate(str(target), seed)
    doc.multiBuild(build_story(seed, document, make_styles()))
    return target, doc.page


def build_all(out_dir: Path = CORPUS_DIR) -> list[tuple[Path, int]]:
    register_fonts()
    adapt_reportlab_hyphenation()
    out_dir.mkdir(parents=True, exist_ok=True)
    return [build_document(document, out_dir) for document in DOCUMENTS]


def describe(document: CorpusDocument, pdf: Path, pages: int) -> str:
    from pdfminer.high_level import extract_text

    source = (SOURCE_DIR / document.source).read_text(encoding="utf-8")
    splits = line_end_hyphenations(extract_text(str(pdf)), source)
    watched = [word for word in ("introduksjonsprogrammet", "videregående")
               if any(split.replace("-", "").casefold() == word for split in splits)]
    return (f"{pdf.name}: {pages} sider, {pdf.stat().st_size / 1024:.0f} KiB, "
            f"{len(splits)} orddelinger ved linjeslutt "
            f"(f.eks. {', '.join(splits[:4])}; delt: {', '.join(watched) or 'ingen'})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bygger eksempel-PDF-ene i corpus/.")
    parser.add_argument("--out", type=Path, default=CORPUS_DIR,
                        help="mappe PDF-ene skrives til (standard: corpus/)")
    parser.add_argument("--quiet", action="store_true",
                        help="ikke trekk ut tekst for å telle orddelinger")
    args = parser.parse_args(argv)
    try:
        built = build_all(args.out)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    for document, (pdf, pages) in zip(DOCUMENTS, built):
        print(f"{pdf.name}: {pages} sider" if args.quiet else describe(document, pdf, pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
