"""Group cleaned lines into blocks: headings, paragraphs, list items, tables, links, footnotes.

Decisions use what a reader sees: font size and weight measured against the
document's own body text, and the PDF outline when there is one (headings); the
distance between baselines against the document's usual line pitch, and indents
(paragraphs); a marker before a hanging indent (list items); cells standing apart
on one baseline (table rows); link annotations (link lines); small type at the page
foot (footnotes). A paragraph or list item that runs over a page or column break
continues there, also when a box, a caption or a quote stands in between, and
the footnotes are kept out of it. The rules, each with an example, are in
``docs/extraction.md`` ("Layout rules").
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from indexer.extract.glyphs import repair_glyphs
from indexer.extract.hyphenation import default_is_word, join_lines
from indexer.extract.pdftext import Line, OutlineEntry, body_size, is_label

# List markers: bullet glyphs (also those of symbol fonts in the private use area),
# a dash followed by a space, numbers and letters: "1." "1)" "(1)" "a)" "(a)" "iv)".
BULLET = re.compile(
    r"^([•·▪▫■□●○◦►▸▹‣⁃∙⦁✓✔✗✘➢➤➔→❖◆◇♦❯›»\uf000-\uf0ff]|\(cid:\d+\))\s*(?=\S)|^([–—\-\*])\s+(?=\S)")
NUMBERED = re.compile(
    r"^(\d{1,2}[.)]|\(\d{1,2}\)|[a-h][.)]|\([a-h]\)|[A-H]\)|\(?(?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\))\s+(?=\S)")
DASHES = "–—-*"
FOOTNOTE_START = re.compile(r"^(\d{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\*)\s*\S")
CAPTION = re.compile(r"^(Figur|Tabell|Figure|Table|Kilde|Foto)\s*\d*[\s.:–-]", re.I)
PDF_LINK_TEXT = re.compile(r"\((PDF|pdf)[,\s]+[\d.,]+\s*[KkMm][Bb]\)")
SENTENCE_END = re.compile(r"[.!?:;»”\")]$")
SENTENCE_INSIDE = re.compile(r"[a-zæøå]{2}[.!?] [A-ZÆØÅ]")
# A heading's number: "2", "2.3", "2.3." or a roman numeral with a stop or colon ("IV:", "II."),
# or a law's section sign ("§ 3.", "§ 12 a").
NUMBERED_HEADING = re.compile(r"^(§\s*\d+(?:\s?[a-z]\b)?|\d+(\.\d+)*|[IVXLC]{1,6}(?=[.:]))[.:]?\s+(?=\S)")
# A law's section heading: "§ 3. Tilsyn mv.", "§ 4 Overtredelsesgebyr".
SECTION_SIGN_HEADING = re.compile(r"^§\s*\d+(?:\s?[a-z]\b)?\.?\s+\S")
# A symbol standing first on a line, followed by a space: a list marker when the
# document uses it on several lines ("@ Tekst" from a symbol font without Unicode names).
MARKER_CANDIDATE = re.compile(r"^([^\w\s«»\"'“”‘’„()\[\]{}§%&/+=<>#.,;:!?])\s+\S")
# A field of a fact box or colophon: "Utgitt: November 2019", "Oppdragsgiver: IMDi".
FIELD = re.compile(r"^[A-ZÆØÅ][\w-]*( [\w-]+){0,2}:\s+\S")
MAX_HEADING_WORDS = 16
# A block set as a heading that reads as prose (an introduction in large type) is a paragraph.
MAX_HEADING_BLOCK_WORDS = 30
TABLE_ROWS_PER_BLOCK = 40
# A figure's or table's source line, under it: "Kilde: NIFU/SSB".
SOURCE_LINE = re.compile(r"^(Kilde|Kjelde|Source)\b", re.I)
FIGURE_LABEL_WORDS = 12  # a chart label, a legend entry, an axis's figures: a few words
FIGURE_TEXT_WORDS = 30  # a table's cell text between its title and its source: no prose


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
    table: bool = False  # a paragraph that is a table: one row a line, its cells on the row


def _heading_sizes(pages: list[list[Line]], body: float) -> list[float]:
    """The type sizes of headings, largest first.

    Clearly larger type (12 % over the body) is display type. Type just a little larger
    than the body is heading type when nearly all its lines read as headings (short, no
    closing stop) and it sets little text (section headings one point over the body).
    """
    lines_of: dict[float, list[Line]] = defaultdict(list)
    body_chars = 0
    for page in pages:
        for line in page:
            size = round(line.size * 2) / 2
            if size > body:
                lines_of[size].append(line)
            elif size == body:
                body_chars += len(line.text)
    sizes = set()
    for size, lines in lines_of.items():
        if size >= body * 1.12:
            sizes.add(size)
        elif size >= body + 0.5 and sum(_looks_like_heading_text(line.text) for line in lines) >= 0.8 * len(lines) and (
                sum(len(line.text) for line in lines) < 0.1 * body_chars):
            sizes.add(size)
    return sorted(sizes, reverse=True)


def _line_pitches(pages: list[list[Line]]) -> dict[float, float]:
    """The usual distance between the baselines of two lines of one paragraph, per type size."""
    pitches: dict[float, Counter[float]] = defaultdict(Counter)
    for page in pages:
        for before, line in zip(page, page[1:], strict=False):
            if line.region != before.region or abs(line.size - before.size) > 0.3:
                continue
            pitch = line.bottom - before.bottom
            if 0.9 * line.size < pitch < 2.5 * line.size:
                pitches[round(line.size * 2) / 2][round(pitch * 2) / 2] += 1
    return {size: counts.most_common(1)[0][0] for size, counts in pitches.items() if sum(counts.values()) >= 3}


def _looks_like_heading_text(text: str) -> bool:
    # A comma may end the first line of a heading set over two ("Samarbeid mellom offentlig,");
    # a sentence ending inside the line ("… sannsynlig. Norske …") is prose.
    words = text.split()
    return (0 < len(words) <= MAX_HEADING_WORDS and not re.search(r"[.;]$", text) and not BULLET.match(text)
            and not SENTENCE_INSIDE.search(text))


def _is_section_sign_heading(text: str) -> bool:
    """A law's section number and a short title ("§ 3. Tilsyn mv."): a heading, even with
    the abbreviation's stop at its end."""
    return (bool(SECTION_SIGN_HEADING.match(text)) and len(text.split()) <= MAX_HEADING_WORDS
            and not SENTENCE_INSIDE.search(text) and not text.rstrip().endswith((":", ";", ",")))


def _label_lead(line: Line) -> bool:
    """The line opens with a bold label and its value follows: "Tiltak 1: Videre …",
    "Tiltak 2 – Vedlikehold …" (a label, not a heading over the text)."""
    lead = line.lead
    if not lead or len(lead.split()) > 4:
        return False
    rest = line.text[len(lead):].lstrip() if line.text.startswith(lead) else ""
    return is_label(lead) or rest[:1] in (":", "–", "—")


def _side_by_side(a: Line, b: Line) -> bool:
    """Two lines with no stretch of the page's width in common: neither stands under the other."""
    return b.x0 >= a.x1 or b.x1 <= a.x0


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
            last = notes[-1][-1] if notes else None
            if (last is not None and abs(line.size - last.size) < 0.6 and line.region == last.region
                    and line.top - last.bottom < line.height):
                notes[-1].append(line)  # a footnote running over several lines
                continue
        if line.size >= body * 0.9:
            seen_body = True
        body_lines.append(line)
    return body_lines, notes


def _key(text: str) -> str:
    """Text as it is compared with an outline title or a repeated pull-quote: letters and
    digits only, case folded."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _document_markers(pages: list[list[Line]]) -> set[str]:
    """Symbols the document puts before several lines as list markers."""
    counts: Counter[str] = Counter()
    for page in pages:
        for line in page:
            match = MARKER_CANDIDATE.match(line.text)
            if match:
                counts[match.group(1)] += 1
    return {symbol for symbol, n in counts.items() if n >= 3}


def _ends_sentence(text: str) -> bool:
    return bool(SENTENCE_END.search(text.rstrip()))


def _centred(a: Line, b: Line) -> bool:
    """Two lines of different width on one centre line: centred text, where indents mean nothing."""
    return abs((a.x0 + a.x1) - (b.x0 + b.x1)) < 4 and abs(a.x0 - b.x0) > 4


class BlockBuilder:
    """Turns a document's cleaned pages into an ordered list of blocks."""

    def __init__(self, pages: list[list[Line]], is_word: Callable[[str], bool] | None = None,
                 outline: Sequence[OutlineEntry] = ()):
        self.pages = pages
        self.is_word = is_word
        repair_glyphs(pages, is_word or default_is_word)
        self.body = body_size(pages)
        self.heading_sizes = _heading_sizes(pages, self.body)
        self.pitches = _line_pitches(pages)
        self.markers = _document_markers(pages)
        fonts = Counter(line.font for page in pages for line in page if abs(line.size - self.body) < 0.3)
        self.body_font = fonts.most_common(1)[0][0] if fonts else ""
        self.blocks: list[Block] = []
        self.footnotes: list[Block] = []
        # Outline titles by page; their levels only when the outline has more than one.
        self.outline: dict[int, list[tuple[str, int]]] = defaultdict(list)
        levels = {entry.level for entry in outline if entry.page}
        self.outline_levels = len(levels) > 1
        self.deepest_outline = max(levels, default=0)
        for entry in outline:
            key = _key(entry.title)
            if entry.page and len(key) >= 3:
                for page in (entry.page - 1, entry.page, entry.page + 1):
                    self.outline[page].append((key, entry.level))
        self.outline_key: dict[int, str] = {}  # heading block id → the outline title it spells
        self.bold_prose: set[int] = set()  # ids of bold lines that are running text

    # -- line classification -------------------------------------------------
    def _size_level(self, size: float) -> int:
        return self.heading_sizes.index(size) + 1 if size in self.heading_sizes else 1

    def _level_offset(self) -> int:
        return self.deepest_outline if self.outline_levels else 0

    def outline_match(self, line: Line, following: Line | None = None) -> tuple[str, int] | None:
        """The outline title this line is (or begins, the next line going on with it), and its level."""
        entries = self.outline.get(line.page)
        if not entries or len(line.text.split()) > 2 * MAX_HEADING_WORDS or line.link:
            return None
        # Set as a heading: bold, larger or in another face than the running text
        # (a sentence quoting a chapter's title is not its heading).
        if not (line.bold or line.size >= self.body * 1.05 or line.font != self.body_font):
            return None
        key = _key(line.text)
        if len(key) < 3:
            return None
        joined = _key(line.text + following.text) if following is not None and following.page == line.page else ""
        for title, level in entries:
            if title == key or len(key) >= 8 and title.startswith(key) and joined and title.startswith(joined):
                return title, level
        return None

    def heading_level(self, line: Line, following: Line | None = None) -> int:
        """0 for body text, else 1.. for heading levels (largest type is 1)."""
        size = round(line.size * 2) / 2
        match = self.outline_match(line, following)
        if match is not None:
            if self.outline_levels:
                return match[1]
            return self._size_level(size) if size in self.heading_sizes else len(self.heading_sizes) + 1
        offset = self._level_offset()
        if size in self.heading_sizes and _looks_like_heading_text(line.text) or size >= self.body * 1.5:
            return offset + self._size_level(size)
        section_sign = line.bold and _is_section_sign_heading(line.text)
        if line.bold and (not line.italic or section_sign) and (
                _looks_like_heading_text(line.text) or section_sign) and line.cells == 1:
            if id(line) in self.bold_prose or following is not None and following.cells > 1 and (
                    following.top - line.bottom < line.height):
                return 0  # a line of a bold passage or list, or a table's column head
            if size >= self.body * 0.95:
                return offset + len(self.heading_sizes) + 1
            # A box's heading: bold in the box's smaller type, over text that is not bold.
            if (size >= self.body * 0.75 and following is not None and not following.bold
                    and abs(following.size - line.size) < 1.0 and following.page == line.page
                    and following.region == line.region):
                return offset + len(self.heading_sizes) + 1
        return 0

    def _marker(self, text: str) -> re.Match[str] | None:
        match = BULLET.match(text) or NUMBERED.match(text)
        if match is None and self.markers:
            candidate = MARKER_CANDIDATE.match(text)
            if candidate and candidate.group(1) in self.markers:
                return re.match(r"^\S+\s+", text)
        return match

    def _kind(self, line: Line, current: Block | None) -> str:
        # A list item that starts with a link is still a list item; whether the whole
        # item is a download link is decided once it is complete.
        marker = self._marker(line.text)
        if marker and not self._runs_on(current, line, marker.group(0).strip()):
            return "item"
        if line.cells > 1:
            return "table"
        if line.link:
            return "link"
        if CAPTION.match(line.text):
            return "caption"
        return "paragraph"

    def _runs_on(self, current: Block | None, line: Line, marker: str) -> bool:
        """A dash or number opening a line inside an unfinished sentence ("– både til …")."""
        if current is None or current.kind != "paragraph" or marker[0] not in DASHES + "0123456789(":
            return False
        prev = current.lines[-1]
        return (prev.page == line.page and prev.region == line.region and abs(prev.x0 - line.x0) < 2
                and not _ends_sentence(current.text) and line.top - prev.bottom < line.size)

    # -- building --------------------------------------------------------------
    def _start(self, kind: str, line: Line, level: int = 0) -> Block:
        previous = self.blocks[-1] if self.blocks else None
        if kind == "table" and previous is not None and self._heads_table(previous, line):
            previous.table = True  # the table's head row, a single cell over the rows
            self._append(previous, line)
            return previous
        marker = None
        text = line.text
        if kind == "item":
            match = self._marker(text)
            assert match is not None, "_kind calls a line an item only when it has a marker"
            token = match.group(0).strip()
            numbered = NUMBERED.match(text) is not None
            marker = token if numbered else "•"
            text = text[match.end():]
        block = Block(kind="paragraph" if kind == "table" else kind, text=text, page=line.page, level=level,
                      marker=marker, lines=[line], table=kind == "table")
        self.blocks.append(block)
        return block

    def _heads_table(self, block: Block, line: Line) -> bool:
        last = block.lines[-1]
        return (block.kind == "paragraph" and not block.table and len(block.lines) <= 2
                and len(block.text.split()) <= 8 and not _ends_sentence(block.text)
                and last.page == line.page and last.region == line.region
                and line.top - last.bottom < 1.5 * line.height)

    def _pitch(self, size: float) -> float:
        return self.pitches.get(round(size * 2) / 2, size * 1.2)

    def _same_paragraph_spacing(self, prev: Line, line: Line) -> bool:
        pitch = line.bottom - prev.bottom
        usual = self._pitch(line.size)
        if pitch <= usual * 1.15 + 0.5:
            return True
        # Loosely set lines of one size (a citation block): the gap is what a line pitch would leave.
        return line.top - prev.bottom <= max(prev.height, line.height) * 0.55 and pitch <= usual * 1.6

    def _visibly_continues(self, block: Block, line: Line, capital_ok: bool = True) -> bool:
        """Text picked up after a break (column, page, box) carries on ``block``.

        A capital may carry a sentence on ("… samarbeid med / NAV om …") only straight
        after the break; past a box or a quote it starts that box's own text.
        """
        if block.kind not in ("paragraph", "item") or block.table or _ends_sentence(block.text):
            return False
        last = block.lines[-1]
        if abs(line.size - last.size) > 0.6 or line.bold != last.bold and block.kind != "item":
            return False
        first = line.text[:1]
        if first.islower():
            return True
        if block.text.endswith("-"):
            return False  # the rest of a broken word starts in lower case
        # A capital or a figure after an unfinished prose line: "… samarbeid med / NAV om …".
        prose = len(block.lines) >= 2 or self._opens_paragraph(block)
        return capital_ok and (block.text.endswith(",") or prose and block.text[-1:].islower()
                               or first.isdigit()) and not self.heading_level(line)

    def _opens_paragraph(self, block: Block) -> bool:
        """A single line indented as the paragraphs before it open, their other lines standing
        further left: the first line of a paragraph ("Politiets sikkerhetstjeneste (PST) og")."""
        line = block.lines[0]
        for before in reversed(self.blocks[-4:]):
            if before is block or before.kind != "paragraph" or len(before.lines) < 2:
                continue
            first, second = before.lines[0], before.lines[1]
            return (first.page == line.page and first.region == line.region and abs(first.x0 - line.x0) < 1
                    and second.x0 < line.x0 - 3)
        return False

    def _continues(self, block: Block, line: Line, kind: str) -> bool:
        """Whether ``line`` carries on ``block`` rather than starting a new block."""
        prev = block.lines[-1]
        if block.kind == "heading":
            return self._heading_continues(block, line, kind)
        if kind in ("item", "heading"):
            return False
        if block.kind == "link":
            return line.link and line.page == prev.page and line.top - prev.bottom < line.size * 0.6
        if line.link and not prev.link and block.kind != "item":
            # A whole link line after text is its own block; a link inside running text is not.
            return line.top - prev.bottom < line.size * 0.6 and not _ends_sentence(prev.text)
        if (kind == "paragraph" and not any(ch.isalnum() for ch in line.text) and line.page == prev.page
                and self._same_paragraph_spacing(prev, line)):
            return True  # a stray mark under the text (a lone "."): no text of its own
        if line.page != prev.page or line.region != prev.region or line.top < prev.top - prev.height:
            # Carry on over a page/column break only when the text visibly continues.
            return kind == "paragraph" and self._visibly_continues(block, line)
        if block.table or kind == "table":
            # Table rows run on, and so does a cell's second line.
            return (block.table and abs(line.size - prev.size) < 1.0
                    and line.bottom - prev.bottom < 2.2 * self._pitch(line.size) + 0.5)
        if abs(line.size - prev.size) > 1.0:
            return False
        if not self._same_paragraph_spacing(prev, line):
            return False
        if _side_by_side(prev, line) and any(ch.isalnum() for ch in line.text):
            return False  # words beside the last line are no line under it (a margin note)
        if _label_lead(line) and _label_lead(block.lines[0]) and abs(line.x0 - block.lines[0].x0) < 2:
            return False  # labelled lines, one under the other: one block each
        if block.kind == "item":
            first = block.lines[0]
            if line.x0 > first.x0 + 2 or abs(line.x0 - prev.x0) < 2 and len(block.lines) > 1:
                return True
            # No hanging indent: the item runs on while its sentence does.
            return abs(line.x0 - first.x0) < 2 and not _ends_sentence(prev.text)
        if FIELD.match(line.text) and FIELD.match(prev.text):
            return False  # "Utgitt: 2019" over "Oppdragsgiver: IMDi": one field a line
        if _centred(prev, line):
            return True
        # A first-line indent after a finished sentence starts a new paragraph.
        return not (line.x0 > prev.x0 + 6 and _ends_sentence(prev.text))

    def _heading_continues(self, block: Block, line: Line, kind: str) -> bool:
        prev = block.lines[-1]
        if line.page != prev.page or line.region != prev.region or kind in ("item", "table"):
            return False
        if line.top - prev.bottom >= line.size * 0.8:
            return False
        title = self.outline_key.get(id(block))
        if title is not None:
            joined = _key(block.text + line.text)
            return len(_key(block.text)) < len(title) and title.startswith(joined)
        if kind == "heading" and self.heading_level(line) == block.level:
            return True
        # A heading broken over lines in the same type ("Oppgrader program-" / "og maskinvare.");
        # prose set this way (an introduction in large type) becomes a paragraph once complete.
        # A sentence going on in another weight ("Plattformene støtter smidig utvikling," /
        # "**DevOps og XaaS/XaC.**") is one text too.
        if abs(line.size - prev.size) >= 0.3:
            return False
        return line.bold == prev.bold or not _ends_sentence(block.text) and (
            block.text.endswith(",") or line.text[:1].islower())

    def _find_bold_prose(self, flow: list[Line]) -> None:
        """Bold lines that are running text: inside a run of more than three bold lines of one
        size, or going on from a bold line that ends mid-sentence (a bold list, a bold box)."""
        run: list[Line] = []

        def close() -> None:
            if len(run) > 3:
                self.bold_prose.update(id(line) for line in run)
            run.clear()

        before: Line | None = None
        for line in flow:
            prev = run[-1] if run else None
            if (prev is not None and line.bold and line.page == prev.page and line.region == prev.region
                    and abs(line.size - prev.size) < 0.3 and line.top - prev.bottom < line.height):
                if not _ends_sentence(prev.text) and not self._marker(line.text):
                    self.bold_prose.add(id(line))
                    if SENTENCE_INSIDE.search(line.text):
                        # "NSM vil understreke at det aldri er for" / "sent å trekke seg. Personer …":
                        # a sentence ends inside the run, so all of it is prose.
                        self.bold_prose.update(id(earlier) for earlier in run)
                run.append(line)
                before = line
                continue
            close()
            if line.bold:
                # Words set in bold inside a paragraph: a bold line going on in lower case from
                # an unfinished line of the text ("For myndighetene" / "vil det være viktig …").
                if (before is not None and not before.bold and line.text[:1].islower()
                        and line.page == before.page and line.region == before.region
                        and abs(line.size - before.size) < 0.3 and line.top - before.bottom < line.height
                        and not _ends_sentence(before.text)):
                    self.bold_prose.add(id(line))
                run.append(line)
            before = line
        close()

    def _flow(self) -> list[Line]:
        """The body lines of every page in reading order; footnotes set apart."""
        flow: list[Line] = []
        for page in self.pages:
            body_lines, notes = _split_footnotes(page, self.body)
            for note in notes:
                text = note[0].text
                for line in note[1:]:
                    text = join_lines(text, line.text, self.is_word)
                self.footnotes.append(Block(kind="footnote", text=text, page=note[0].page, lines=note))
            flow.extend(body_lines)
        return flow

    def _append(self, block: Block, line: Line) -> None:
        # A table keeps its rows apart: one row a line, never run together into a sentence.
        block.text = f"{block.text}\n{line.text}" if block.table else join_lines(block.text, line.text, self.is_word)
        block.lines.append(line)

    def build(self) -> list[Block]:
        flow = self._flow()
        self._find_bold_prose(flow)
        current: Block | None = None
        # A paragraph or item left unfinished at a break, waiting for its text to come back
        # after whatever stands between (a box, a caption, a pull-quote, a figure's labels).
        open_block: Block | None = None
        for index, line in enumerate(flow):
            following = flow[index + 1] if index + 1 < len(flow) else None
            if line.lead and self._runs_in(line, current, following):
                # "Arbeid og kvalifisering Generelt er kommunene …": the bold words head the paragraph.
                head = dataclasses.replace(line, text=line.lead, lead="", bold=True, x1=line.x0)
                current = self._start("heading", head, self._level_offset() + len(self.heading_sizes) + 1)
                line = dataclasses.replace(line, text=line.text[len(line.lead):].strip(), lead="", bold=False)
            level = self.heading_level(line, following)
            kind = "heading" if level else self._kind(line, current)
            if current is not None and self._continues(current, line, kind):
                if current.table and len(current.lines) >= TABLE_ROWS_PER_BLOCK and line.top > current.lines[-1].bottom:
                    current = self._start(kind, line, level)
                    continue
                self._append(current, line)
                continue
            resumed = self._resumes(open_block, current, line, kind)
            if resumed is not None:
                self._append(resumed, line)
                current = resumed
                continue
            if open_block is not None and self._ends_open(open_block, line, kind, level):
                open_block = None
            if (current is not None and current.kind in ("paragraph", "item") and not current.table
                    and not _ends_sentence(current.text) and (
                        not self._ends_open(current, line, kind, level)
                        or _side_by_side(current.lines[-1], line)
                        and (abs(current.lines[-1].size - self.body) < 0.6 or current.text.endswith("-")))):
                # Broken off by a column or page break, a box, a caption, a heading, or (running
                # text, a word broken at the line's end) by a note beside it.
                open_block = current
            current = self._start(kind, line, level)
            if level:
                match = self.outline_match(line, following)
                if match is not None:
                    self.outline_key[id(current)] = match[0]
        self._settle()
        return self.blocks

    def _runs_in(self, line: Line, current: Block | None, following: Line | None = None) -> bool:
        """A bold lead that heads its paragraph, not a bold phrase inside running text or a list item."""
        lead = line.lead
        words = lead.split()
        if line.cells > 1 or not 0 < len(words) <= 12 or lead.endswith(",") or not (lead[:1].isupper() or lead[:1].isdigit()):
            return False
        # "Oppdragsgiver: IMDi" is a field and its value, not a heading over a paragraph; a short
        # rest whose sentence goes on in the next line ("… integrering De fleste re-" / "spondentene …") is text.
        rest = line.text[len(lead):].split()
        goes_on = (following is not None and following.page == line.page and following.region == line.region
                   and following.text[:1].islower() and not following.bold
                   and following.top - line.bottom < line.height)
        if (not line.text.startswith(lead) or len(rest) < 5 and not (rest and goes_on)
                or self._marker(line.text) or CAPTION.match(line.text) or _label_lead(line)):
            return False
        if current is None or current.kind == "heading" or _ends_sentence(current.text):
            return True
        prev = current.lines[-1]
        return prev.page != line.page or prev.region != line.region or not self._same_paragraph_spacing(prev, line)

    def _resumes(self, open_block: Block | None, current: Block | None, line: Line, kind: str) -> Block | None:
        """The unfinished block ``line`` carries on after something stood between, if any.

        Across a column or page break, or past a box: the text visibly continues it.
        Past a gap in the same column (a figure): only a lower-case start does.
        """
        if kind != "paragraph":
            return None
        if (open_block is not None and open_block is not current
                and self._visibly_continues(open_block, line, capital_ok=False)):
            return open_block
        if (current is not None and current.lines[-1].page == line.page and current.lines[-1].region == line.region
                and not _side_by_side(current.lines[-1], line)
                and line.text[:1].islower() and self._visibly_continues(current, line)
                and current.kind != "heading"):
            return current
        return None

    def _mark_pull_quotes(self) -> None:
        """A sentence repeated from the text nearby in display type (a pull-quote) is display
        text, like a caption: the paragraph it comes from holds it already."""
        by_page: dict[int, list[tuple[Block, str]]] = defaultdict(list)
        for block in self.blocks:
            if block.kind in ("paragraph", "item"):
                by_page[block.page].append((block, _key(block.text)))
        for block in self.blocks:
            # A quoted statement, not a title that the text names («Evaluering av …», «Hvor lenge …?»).
            if (block.kind not in ("paragraph", "heading") or block.table or len(block.text.split()) < 6
                    or not block.text.rstrip().endswith((".", ".»", ".”"))):
                continue
            letters = _key(block.text)
            size = max(line.size for line in block.lines)
            for page in (block.page - 1, block.page, block.page + 1):
                # The quote is the shorter text, or of two alike the one in larger type.
                if any(other is not block and letters in text and (
                        len(text) > len(letters) or size > max(line.size for line in other.lines) + 0.5)
                       for other, text in by_page.get(page, ())):
                    block.kind, block.level = "caption", 0
                    break

    def _ends_open(self, open_block: Block, line: Line, kind: str, level: int) -> bool:
        """A new block in the open block's own type and column: its text is not coming back.

        Headings do not end it (a pull-quote in display type may stand between), nor does
        text in another column or box; after a page it has expired.
        """
        last = open_block.lines[-1]
        if line.page > last.page + 1:
            return True
        # Only the column it stands in moving on ends it: a box in the same type elsewhere does not.
        return (kind in ("paragraph", "item") and line.page == last.page and line.region == last.region
                and abs(line.size - last.size) < 0.6 and line.font == last.font)

    def _join_labels(self) -> None:
        """A label set as a heading ("Type:") over a one-line value right under it
        ("Anbefaling for videre standardiseringsarbeid.") is one text with it, like a table
        row: "Type: Anbefaling for videre standardiseringsarbeid."."""
        joined: list[Block] = []
        for block in self.blocks:
            label = joined[-1] if joined else None
            if (label is not None and label.kind == "heading" and len(label.lines) == 1 and is_label(label.text)
                    and block.kind == "paragraph" and not block.table and len(block.lines) == 1
                    and block.page == label.page and block.lines[0].region == label.lines[0].region
                    and 0 <= block.lines[0].top - label.lines[0].bottom < block.lines[0].height):
                label.kind, label.level = "paragraph", 0
                label.text = f"{label.text} {block.text}"
                label.lines.extend(block.lines)
                continue
            joined.append(block)
        self.blocks = joined

    def _figure_label(self, block: Block) -> bool:
        """A chart label, legend entry or axis figure: a few words in type smaller than the body's."""
        # A field and its value ("Utgitt: 2019") is a fact box's line, not a chart's.
        return (block.kind in ("paragraph", "heading") and len(block.text.split()) <= FIGURE_LABEL_WORDS
                and all(line.size <= self.body * 0.95 for line in block.lines)
                and not FIELD.match(block.text) and not block.text.rstrip().endswith(":"))

    def _join_figure_text(self) -> None:
        """Text inside a figure or a table is one block, its lines kept apart as rows: the blocks
        between a table's title and its source line ("Tabell 5.1 …" … "Kilde: …"), and a run of
        chart labels in small type ("100 %", "90 %", "Norskfødte kvinner")."""
        joined: list[Block] = []
        caption: Block | None = None  # a table's or figure's title, while only its text has followed
        figure: Block | None = None  # the figure text gathered so far
        for index, block in enumerate(self.blocks):
            if block.kind == "caption":
                caption, figure = (None if SOURCE_LINE.match(block.text) else block), None
                joined.append(block)
                continue
            between = (caption is not None and caption.page == block.page and block.kind in ("paragraph", "heading")
                       and (block.table or len(block.text.split()) <= FIGURE_TEXT_WORDS)
                       and any(later.kind == "caption" and SOURCE_LINE.match(later.text)
                               for later in self.blocks[index + 1:index + 12] if later.page == block.page))
            following = self.blocks[index + 1] if index + 1 < len(self.blocks) else None
            label = self._figure_label(block) and (
                figure is not None and figure.page == block.page
                or following is not None and following.page == block.page and self._figure_label(following))
            if not (between or label):
                caption = figure = None
                joined.append(block)
                continue
            if figure is not None and figure.page == block.page:
                figure.text = f"{figure.text}\n{block.text}"
                figure.lines.extend(block.lines)
                continue
            block.kind, block.level, block.table = "paragraph", 0, True
            figure = block
            joined.append(block)
        self.blocks = joined

    def _settle(self) -> None:
        self._join_labels()
        self._join_figure_text()
        for block in self.blocks:
            # Download links ("Tittel (PDF, 971 KB)") are metadata, not findings or passages.
            if block.kind == "item" and _mostly_link(block):
                block.kind = "link"
            elif block.kind == "paragraph" and PDF_LINK_TEXT.search(block.text) and len(block.text) < 300:
                block.kind = "link"
            elif block.kind == "heading" and (_reads_as_prose(block.text) or _mixed_sentence(block)):
                # An introduction set large ("Scenarioer som for få år siden … i dag.").
                block.kind, block.level = "paragraph", 0
        self._mark_pull_quotes()


def _reads_as_prose(text: str) -> bool:
    words = text.split()
    sentences = len(re.findall(r"[a-zæøå][.!?](\s|$)", text))
    return len(words) > MAX_HEADING_BLOCK_WORDS or sentences >= 2 or sentences == 1 and len(words) > 12 and text.endswith(".")


def _mixed_sentence(block: Block) -> bool:
    """A sentence set large with words in bold ("Plattformene er leverandørnøytrale" /
    "**og har høy tjenestemobilitet.**"): a heading keeps one weight and no full stop."""
    return len({line.bold for line in block.lines}) > 1 and block.text.rstrip().endswith(".")


def _mostly_link(block: Block) -> bool:
    """Most of the block's characters are link text (a download line, not a sentence)."""
    letters = sum(len(line.text.replace(" ", "")) for line in block.lines)
    return sum(line.link_chars for line in block.lines) >= 0.6 * max(letters, 1)


def build_blocks(pages: list[list[Line]], is_word: Callable[[str], bool] | None = None,
                 outline: Sequence[OutlineEntry] = ()) -> tuple[list[Block], list[Block]]:
    """Blocks in reading order, and the footnotes set apart."""
    builder = BlockBuilder(pages, is_word, outline)
    return builder.build(), builder.footnotes
