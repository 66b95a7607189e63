"""Group cleaned lines into blocks: headings, paragraphs, list items, links, footnotes.

Decisions use what a reader sees: font size and weight (headings), vertical gaps and
indents (paragraphs), bullet or number markers (list items), link annotations (link
lines), small type at the page foot (footnotes). A paragraph or list item that runs
over a page or column break continues there, with the footnotes kept out of it.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from indexer.extract.hyphenation import join_lines
from indexer.extract.pdftext import Line

BULLET = re.compile(r"^([•·▪■●○◦►▸‣⁃–—\-\*])\s*(?=\S)")
NUMBERED = re.compile(r"^(\d{1,2}|[a-h])[.)]\s+(?=\S)")
FOOTNOTE_START = re.compile(r"^(\d{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\*)\s*\S")
CAPTION = re.compile(r"^(Figur|Tabell|Figure|Table|Kilde|Foto)\s*\d*[\s.:–-]", re.I)
PDF_LINK_TEXT = re.compile(r"\((PDF|pdf)[,\s]+[\d.,]+\s*[KkMm][Bb]\)")
SENTENCE_END = re.compile(r"[.!?:;»”\")]$")
NUMBERED_HEADING = re.compile(r"^(\d+(\.\d+)*)\.?\s+(?=\S)")


@dataclass
class Block:
    kind: str  # heading | paragraph | item | link | caption | footnote
    text: str
    page: int
    level: int = 0  # headings: 1 is the largest
    marker: str | None = None  # items: "•" or "3."
    lines: list[Line] = field(default_factory=list, repr=False)
    # Filled in by segmentation: the nearest heading above and the chapter.
    section: str | None = None
    chapter: str | None = None


def body_size(pages: list[list[Line]]) -> float:
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page:
            weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _heading_sizes(pages: list[list[Line]], body: float) -> list[float]:
    sizes = {round(line.size * 2) / 2 for page in pages for line in page if line.size >= body * 1.12}
    return sorted(sizes, reverse=True)


def _looks_like_heading_text(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= 16 and not re.search(r"[.,;]$", text) and not BULLET.match(text)


def _is_footnote_area(line: Line, body: float) -> bool:
    return line.size <= body * 0.88 and line.top > line.page_height * 0.55


def _split_footnotes(page: list[Line], body: float) -> tuple[list[Line], list[list[Line]]]:
    """Separate the footnotes at the foot of a page from its body lines."""
    body_lines: list[Line] = []
    notes: list[list[Line]] = []
    seen_body = False
    for line in page:
        if seen_body and _is_footnote_area(line, body):
            if FOOTNOTE_START.match(line.text):
                notes.append([line])
                continue
            if notes and abs(line.size - notes[-1][-1].size) < 0.6:
                notes[-1].append(line)  # a footnote running over several lines
                continue
        if line.size >= body * 0.9:
            seen_body = True
        body_lines.append(line)
    return body_lines, notes


class BlockBuilder:
    """Turns a document's cleaned pages into an ordered list of blocks."""

    def __init__(self, pages: list[list[Line]], is_word: Callable[[str], bool] | None = None):
        self.pages = pages
        self.is_word = is_word
        self.body = body_size(pages)
        self.heading_sizes = _heading_sizes(pages, self.body)
        self.blocks: list[Block] = []
        self.footnotes: list[Block] = []

    # -- line classification -------------------------------------------------
    def heading_level(self, line: Line) -> int:
        """0 for body text, else 1.. for heading levels (largest type is 1)."""
        size = round(line.size * 2) / 2
        if size >= self.body * 1.12 and _looks_like_heading_text(line.text) or size >= self.body * 1.5:
            return self.heading_sizes.index(size) + 1 if size in self.heading_sizes else 1
        if line.bold and not line.italic and _looks_like_heading_text(line.text) and size >= self.body * 0.95:
            return len(self.heading_sizes) + 1
        return 0

    def _kind(self, line: Line) -> str:
        # A list item that starts with a link is still a list item; whether the whole
        # item is a download link is decided once it is complete.
        if BULLET.match(line.text) or NUMBERED.match(line.text):
            return "item"
        if line.link:
            return "link"
        if CAPTION.match(line.text):
            return "caption"
        return "paragraph"

    # -- building --------------------------------------------------------------
    def _start(self, kind: str, line: Line, level: int = 0) -> Block:
        marker = None
        text = line.text
        if kind == "item":
            bullet = BULLET.match(text)
            match = bullet or NUMBERED.match(text)
            assert match is not None, "_kind calls a line an item only when BULLET or NUMBERED matches it"
            marker = "•" if bullet else match.group(0).strip()
            text = text[match.end():]
        block = Block(kind=kind, text=text, page=line.page, level=level, marker=marker, lines=[line])
        self.blocks.append(block)
        return block

    def _continues(self, block: Block, line: Line, kind: str) -> bool:
        """Whether ``line`` carries on ``block`` rather than starting a new block."""
        prev = block.lines[-1]
        if block.kind == "heading":
            return (kind == "heading" and self.heading_level(line) == block.level
                    and line.page == prev.page and line.top - prev.bottom < line.size * 0.8)
        if kind == "item" or self.heading_level(line):
            return False
        if block.kind == "link":
            return line.link and line.page == prev.page and line.top - prev.bottom < line.size * 0.6
        if line.link and not prev.link and block.kind != "item":
            # A whole link line after text is its own block; a link inside running text is not.
            return line.top - prev.bottom < line.size * 0.6 and not SENTENCE_END.search(prev.text)
        new_column = line.page != prev.page or line.top < prev.top - prev.height
        if new_column:
            # Carry on over a page/column break only when the text visibly continues.
            return not SENTENCE_END.search(block.text) and (line.text[:1].islower() or line.text[:1].isdigit())
        gap = line.top - prev.bottom
        if gap > max(prev.height, line.height) * 0.55:
            return False
        if abs(line.size - prev.size) > 1.0:
            return False
        if block.kind == "item":
            first = block.lines[0]
            return line.x0 > first.x0 + 2 or abs(line.x0 - prev.x0) < 2 and len(block.lines) > 1
        # A first-line indent after a finished sentence starts a new paragraph.
        return not (line.x0 > prev.x0 + 6 and SENTENCE_END.search(prev.text))

    def build(self) -> list[Block]:
        current: Block | None = None
        for page in self.pages:
            body_lines, notes = _split_footnotes(page, self.body)
            for note in notes:
                text = note[0].text
                for line in note[1:]:
                    text = join_lines(text, line.text, self.is_word)
                self.footnotes.append(Block(kind="footnote", text=text, page=note[0].page, lines=note))
            for line in body_lines:
                level = self.heading_level(line)
                kind = "heading" if level else self._kind(line)
                if current is not None and self._continues(current, line, kind):
                    current.text = join_lines(current.text, line.text, self.is_word)
                    current.lines.append(line)
                    continue
                current = self._start(kind, line, level)
        for block in self.blocks:
            # Download links ("Tittel (PDF, 971 KB)") are metadata, not findings or passages.
            if block.kind == "item" and _mostly_link(block):
                block.kind = "link"
            elif block.kind == "paragraph" and PDF_LINK_TEXT.search(block.text) and len(block.text) < 300:
                block.kind = "link"
        return self.blocks


def _mostly_link(block: Block) -> bool:
    """Most of the block's characters are link text (a download line, not a sentence)."""
    letters = sum(len(line.text.replace(" ", "")) for line in block.lines)
    return sum(line.link_chars for line in block.lines) >= 0.6 * max(letters, 1)


def build_blocks(pages: list[list[Line]], is_word: Callable[[str], bool] | None = None) -> tuple[list[Block], list[Block]]:
    """Blocks in reading order, and the footnotes set apart."""
    builder = BlockBuilder(pages, is_word)
    return builder.build(), builder.footnotes
