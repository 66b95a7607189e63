"""An edited volume: a book of chapters by different authors, one report per chapter.

A chapter of an anthology opens on a page of its own: its title in the largest type of
the page (often a subtitle below it), then a byline of personal names ("Dag W. Aksnes,
Fredrik N. Piro og Lynn P. Nygaard"), then its own sections. Before the title there may
be its number ("2") and a how-to-cite line ("Aarseth, H., Bråten, B. & Lund, R. (2022).
Kjønnsbalanse i tellekantenes tid: Epistemisk mangfold … (s. 42–61). Fagbokforlaget.").
A book with at least :data:`MIN_CHAPTERS` such openings is read as an edited volume:
each chapter becomes a report with its title, byline and pages; the book's front matter
(title pages, colophon, preface) and back matter (notes on contributors, index) are kept
as furniture, since they belong to no chapter.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from indexer.extract.blocks import NUMBERED_HEADING, Block
from indexer.extract.tagging import is_published_line
from indexer.records import Furniture

MIN_CHAPTERS = 3
# The title stands at the head of its page: at most this many blocks (number, how-to-cite
# line, its link) come before it.
OPENING_BLOCKS = 4
# Between the title and the byline: at most this many headings (a subtitle over two blocks).
SUBTITLE_BLOCKS = 2
MAX_AUTHORS = 12
SAME_SIZE = 0.6  # points: type sizes closer than this are one size
# Headings of a book's front and back matter: never a chapter, they end the last one.
BOOK_MATTER = frozenset({
    "forord", "føreord", "preface", "foreword", "innhold", "innhald", "innholdsfortegnelse",
    "contents", "forfatteromtaler", "forfattere", "forfattarar", "bidragsytere", "bidragsytarar",
    "contributors", "register", "stikkordregister", "personregister", "index", "etterord",
    "afterword", "takk", "takksigelser", "acknowledgements", "om forfatterne", "om forfattarane",
    "om bidragsyterne", "about the authors", "notes on contributors",
})
# One word of a person's name: "Lynn", "May-Linda", "O'Neill", an initial ("P.", "W.B.",
# "M.-L."), or a particle inside the name ("van", "de").
NAME_WORD = re.compile(r"^(?:[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéèáíóúçñ'’]+(?:-[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéèáíóúçñ'’]+)*"
                       r"|(?:[A-ZÆØÅÄÖÜ]\.-?)+)$")
NAME_PARTICLES = frozenset({"van", "von", "de", "der", "den", "af", "du", "da", "la", "le", "di"})
NAME_SEPARATOR = re.compile(r"\s*(?:,\s*(?:og|and|&)\s+|,\s*|\s+(?:og|and|&)\s+)")
CHAPTER_NUMBER = re.compile(r"^(?:(?:kapittel|kapitel|chapter)\s+)?(?:\d{1,3}|[IVXLC]{1,6})\.?$", re.I)
# A how-to-cite line: authors, "(2022)", the title, "(s. 42–61)".
CITATION_YEAR = re.compile(r"\((?P<year>(?:19|20)\d\d)[a-z]?\)")
CITATION_PAGES = re.compile(r"\((?:s|pp?)\.\s*\d+\s*[–-]\s*\d+\)")
# What may stand between a title and its subtitle in a how-to-cite line.
TITLE_SEPARATOR = r"\s*[:.–—-]?\s*"


def person_names(text: str) -> list[str] | None:
    """The people a byline names ("Helene Aarseth, Beret Bråten og Rebecca Lund"), or None
    when the text is not a list of personal names."""
    text = " ".join(text.split()).strip()
    if not text or len(text) > 300 or any(c.isdigit() for c in text):
        return None
    names = [name.strip() for name in NAME_SEPARATOR.split(text) if name.strip()]
    if not names or len(names) > MAX_AUTHORS:
        return None
    for name in names:
        words = name.split()
        if not 2 <= len(words) <= 5:
            return None
        if not (NAME_WORD.match(words[0]) and NAME_WORD.match(words[-1]) and not words[-1].endswith(".")):
            return None
        if not all(NAME_WORD.match(word) or word in NAME_PARTICLES for word in words[1:-1]):
            return None
    return names


def _size(block: Block) -> float:
    return max((line.size for line in block.lines), default=0.0)


def _words_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def is_book_matter(text: str) -> bool:
    """A heading of a book's front or back matter: "Forord", "Innhold", "Forfatteromtaler"."""
    return _words_key(NUMBERED_HEADING.sub("", text)) in BOOK_MATTER


@dataclass
class Chapter:
    """One chapter of an edited volume: what becomes one report."""

    title: str
    authors: list[str]
    blocks: list[Block] = field(default_factory=list)  # from its first page to the next chapter
    theme: str | None = None


@dataclass
class Volume:
    chapters: list[Chapter]
    # Front and back matter text, how-to-cite lines and chapter numbers. The other headings
    # outside the chapters (the book's own, a chapter's title and byline) name no record
    # and are recorded with the other such headings by the pipeline.
    furniture: list[Furniture]


@dataclass
class _Opening:
    title_index: int  # index of the title heading in the blocks
    first_index: int  # the first block of the chapter's page
    byline_index: int
    authors: list[str]


def _largest_on_page(blocks: Sequence[Block], first: int, index: int) -> bool:
    size = _size(blocks[index])
    page = blocks[index].page
    j = first
    while j < len(blocks) and blocks[j].page == page:
        if j != index and blocks[j].kind == "heading" and _size(blocks[j]) > size + SAME_SIZE:
            return False
        j += 1
    return True


def _opening(blocks: Sequence[Block], index: int, first: int) -> _Opening | None:
    """A chapter opening whose title is ``blocks[index]``: at the head of its page, in the
    page's largest type, with a byline of personal names below it (after a subtitle, perhaps)."""
    title = blocks[index]
    if title.kind != "heading" or index - first > OPENING_BLOCKS or is_book_matter(title.text):
        return None
    if person_names(title.text) is not None or not _largest_on_page(blocks, first, index):
        return None
    for j in range(index + 1, min(index + 2 + SUBTITLE_BLOCKS, len(blocks))):
        block = blocks[j]
        if block.page != title.page:
            return None
        if block.kind in ("heading", "paragraph") and (authors := person_names(block.text)):
            return _Opening(index, first, j, authors)
        if block.kind != "heading":
            return None
    return None


def _openings(blocks: Sequence[Block]) -> list[_Opening]:
    openings: list[_Opening] = []
    first = 0
    for index, block in enumerate(blocks):
        if index and block.page != blocks[index - 1].page:
            first = index
        if openings and index <= openings[-1].byline_index:
            continue
        if (found := _opening(blocks, index, first)) is not None:
            openings.append(found)
    # Chapter titles share one type size: keep the openings in the size most of them use.
    sizes = [_size(blocks[o.title_index]) for o in openings]
    if not sizes:
        return []
    common = max(sizes, key=lambda s: sum(abs(s - t) < SAME_SIZE for t in sizes))
    return [o for o, size in zip(openings, sizes, strict=True) if abs(size - common) < SAME_SIZE]


def _separator(title: str, subtitle: str, citation: str | None) -> str:
    """What joins a title and its subtitle: as the how-to-cite line has it, else ": "
    (a space after a title that ends in its own punctuation)."""
    if citation:
        pattern = (r"\s*".join(map(re.escape, title.split())) + f"(?P<sep>{TITLE_SEPARATOR})"
                   + r"\s*".join(map(re.escape, subtitle.split()[:3])))
        if match := re.search(pattern, citation):
            mark = match.group("sep").strip()
            return f" {mark} " if mark in ("–", "—", "-") else f"{mark} " if mark else " "
    return " " if title[-1:] in "?!.:;»”" else ": "


def _title(blocks: Sequence[Block], opening: _Opening, citation: str | None) -> str:
    """The title with its subtitle (the headings between the title and the byline)."""
    title = blocks[opening.title_index].text.strip()
    for number, block in enumerate(blocks[opening.title_index + 1:opening.byline_index]):
        subtitle = block.text.strip()
        title += (_separator(title, subtitle, citation) if number == 0 else " ") + subtitle
    return title


def _matter_furniture(block: Block, kind: str) -> Furniture | None:
    """Front or back matter text: its paragraphs and list items (headings, links, captions
    and publication lines are recorded as furniture of their own)."""
    if block.kind not in ("paragraph", "item") or is_published_line(block.text):
        return None
    return Furniture(page=block.page, kind=kind, text=block.text)


def read_volume(blocks: Sequence[Block]) -> Volume | None:
    """The chapters of an edited volume, or None when the blocks are not one (see the module docstring)."""
    openings = _openings(blocks)
    if len(openings) < MIN_CHAPTERS:
        return None
    chapter_size = _size(blocks[openings[0].title_index])
    furniture: list[Furniture] = []

    def to_matter(block: Block, kind: str) -> None:
        if (piece := _matter_furniture(block, kind)) is not None:
            furniture.append(piece)

    for block in blocks[:openings[0].first_index]:
        to_matter(block, "front_matter")
    chapters: list[Chapter] = []
    for number, opening in enumerate(openings):
        end = openings[number + 1].first_index if number + 1 < len(openings) else len(blocks)
        citation = None
        kept: list[Block] = []
        for block in blocks[opening.first_index:opening.title_index]:
            if block.kind == "heading" and CHAPTER_NUMBER.match(block.text.strip()):
                # The chapter's number: no report names it, so it is recorded here.
                furniture.append(Furniture(page=block.page, kind="heading_number", text=block.text.strip()))
                continue
            if block.kind == "paragraph" and citation is None and CITATION_YEAR.search(block.text) and (
                    _words_key(blocks[opening.title_index].text) in _words_key(block.text)):
                citation = " ".join(block.text.split())
                furniture.append(Furniture(page=block.page, kind="citation", text=block.text))
            else:
                kept.append(block)
        chapter = Chapter(title=_title(blocks, opening, citation), authors=opening.authors, blocks=kept)
        body = blocks[opening.byline_index + 1:end]
        # A heading in chapter-title type or larger that is the book's back matter ends the last chapter.
        for offset, block in enumerate(body):
            if (block.kind == "heading" and is_book_matter(block.text)
                    and _size(block) > chapter_size - SAME_SIZE and number + 1 == len(openings)):
                for rest in body[offset:]:
                    to_matter(rest, "back_matter")
                body = body[:offset]
                break
        chapter.blocks += body
        chapters.append(chapter)
    return Volume(chapters=chapters, furniture=furniture)
