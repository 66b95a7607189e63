"""Read a PDF into positioned text lines, in reading order, with pdfminer.six.

This module knows about PDF files and pdfminer only. It turns each page into
:class:`Line` objects carrying what later stages need to tell structure apart:
font size, weight and name (headings), position (running headers/footers, indents),
the column or box the line stands in (reading order, continuation over columns),
table cells, and whether the text sits inside a link annotation (link lines are
metadata, not findings). Unreadable files raise a typed ``ExtractionError``.

pdfminer's own order of text boxes is not used: it groups boxes bottom-up and
often reads a two-column page across, or puts a word of a widely spaced line
in a box of its own. Instead every text line pdfminer finds (a *fragment*) is
placed by :func:`reading_order`: columns are found from the page's shared left
edges, full-width lines (a heading over two columns, a one-column part of the
page) separate the column bands, and fragments on one baseline within a column
become one line. See ``docs/extraction.md`` ("Layout rules").
"""
from __future__ import annotations

import functools
import logging
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTFigure, LTImage, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, resolve1
from pdfminer.psparser import PSException, PSLiteral

from indexer.errors import (
    CorruptPdfError,
    EncryptedPdfError,
    ExtractionError,
    NotAPdfError,
    NoTextLayerError,
    TooLargeError,
)

# pdfminer logs every recoverable glitch of a damaged file; errors reach us as exceptions.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

MAX_PAGES = 3000
MAX_OUTLINE_ENTRIES = 2000
# pdfminer reports each of these as one glyph; readers and the index want letters.
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
BOLD_MARKERS = ("bold", "black", "heavy", "semibold", "demibold", "demi")
FOOTNOTE_MARK = re.compile(r"(?<=[^\W\d_][^\W\d_])[¹²³⁴⁵⁶⁷⁸⁹⁰]+|(?<=[.,;:)»])[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# A gap on one baseline at least this many font sizes wide separates two table cells.
CELL_GAP = 1.6
# Columns: a left edge shared by this many lines, with as many text lines beside them.
COLUMN_MIN_LINES = 3


@dataclass
class Line:
    """One visual line of text on a page (coordinates from the page top, in points)."""

    text: str
    page: int  # 1-based physical page number
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # dominant font size
    bold: bool
    italic: bool
    link: bool  # most of the line lies inside a link annotation
    link_chars: int  # how many of its characters lie inside link annotations
    page_height: float
    page_width: float
    font: str = ""  # dominant font name, without the subset prefix
    region: int = 0  # the column or band of the page the line stands in, numbered in reading order
    cells: int = 1  # more than one: a table row whose cells stand apart on one baseline
    rotated: bool = False  # text set at an angle (spine labels, photo credits): page furniture
    lead: str = ""  # the bold words the line opens with when the rest is not bold (a run-in heading)

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class OutlineEntry:
    """One bookmark of the PDF outline."""

    level: int  # 1: top level
    title: str
    page: int | None  # 1-based physical page, when the destination could be resolved


@dataclass
class PdfText:
    pages: list[list[Line]]
    page_count: int
    title: str | None  # from the document information dictionary
    creation_year: int | None
    outline: list[OutlineEntry] = field(default_factory=list)
    # Per page: the share of it images cover, and its width and height in points
    # (what tells a scanned page, and where OCR puts its words).
    image_shares: list[float] = field(default_factory=list)
    page_sizes: list[tuple[float, float]] = field(default_factory=list)


def normalise(text: str) -> str:
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    text = text.replace("\u00ad", "")  # soft hyphen: invisible unless at a break
    # Footnote reference marks set as superscript characters ("responsraten¹ langs").
    text = FOOTNOTE_MARK.sub("", text)
    return unicodedata.normalize("NFC", text)


def _decode_info_string(value: object) -> str | None:
    value = resolve1(value)
    if isinstance(value, bytes):
        if value.startswith(b"\xfe\xff"):
            return value[2:].decode("utf-16-be", "ignore")
        return value.decode("latin-1", "ignore")
    return value if isinstance(value, str) else None


def _link_rects(page: PDFPage) -> list[tuple[float, float, float, float]]:
    rects = []
    for annot in resolve1(page.annots) or []:
        annot = resolve1(annot)
        if not isinstance(annot, dict):
            continue
        subtype = resolve1(annot.get("Subtype"))
        if getattr(subtype, "name", None) != "Link":
            continue
        rect = resolve1(annot.get("Rect"))
        if isinstance(rect, list) and len(rect) == 4:
            try:
                x0, y0, x1, y1 = (float(resolve1(v)) for v in rect)
            except (TypeError, ValueError):
                continue
            rects.append((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return rects


def _inside(char: LTChar, rects: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (char.x0 + char.x1) / 2, (char.y0 + char.y1) / 2
    return any(x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1 for x0, y0, x1, y1 in rects)


@functools.lru_cache(maxsize=512)
def _font_style(fontname: str) -> tuple[str, bool, bool]:
    font = fontname.split("+")[-1]
    lower = font.lower()
    return font, any(m in lower for m in BOLD_MARKERS), "italic" in lower or "oblique" in lower


def _line_from_layout(line: LTTextLine, chars: list[LTChar], page_no: int, width: float, height: float,
                      link_rects: list) -> Line | None:
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    for char in chars:
        fonts[char.fontname] += 1
        if not char.get_text().isspace():
            sizes[round(char.size, 1)] += 1
    if not sizes:
        return None
    size = sizes.most_common(1)[0][0]
    fontname = fonts.most_common(1)[0][0]
    if min(sizes) < size * 0.8:
        text, lead = _line_text(line, chars, size)
    else:
        # No smaller type on the line: no raised marks to drop, and pdfminer's own text serves.
        text = " ".join(normalise(line.get_text()).split())
        lead = _run_in(line) if len(fonts) > 1 else ""
    if not text:
        return None
    font, bold, italic = _font_style(fontname)
    link_chars = sum(_inside(c, link_rects) for c in chars) if link_rects else 0
    link = link_chars >= 0.6 * len(chars)
    return Line(
        text=text, page=page_no, x0=line.x0, x1=line.x1,
        top=height - line.y1, bottom=height - line.y0, size=size,
        bold=bold, italic=italic, link=link, link_chars=link_chars, page_height=height, page_width=width,
        font=font, lead=lead,
    )


def _line_text(line: LTTextLine, chars: list[LTChar], size: float) -> tuple[str, str]:
    """The text of a line with smaller type in it, without footnote reference marks.

    Footnote reference marks are small raised digits inside a body line: dropped, so
    "responsraten¹ langs" reads "responsraten langs", not "responsraten1 langs".
    """
    baseline = statistics.median(c.y0 for c in chars if round(c.size, 1) == size)
    parts: list[str] = []
    for item in line:
        text = item.get_text()
        if (isinstance(item, LTChar) and item.size < size * 0.8 and item.y0 > baseline + size * 0.15
                and (text.translate(SUPERSCRIPT_DIGITS).strip().isdigit() or text in "*†")):
            continue
        parts.append(text)
    return " ".join(normalise("".join(parts)).split()), _run_in(line)


def _run_in(line: LTTextLine) -> str:
    """The bold words a line opens with when the rest is in another weight (a run-in heading)."""
    parts: list[str] = []
    leading_bold: bool | None = None
    for item in line:
        text = item.get_text()
        if isinstance(item, LTChar) and not text.isspace():
            bold_char = _font_style(item.fontname)[1]
            if leading_bold is None:
                if not bold_char:
                    return ""
                leading_bold = True
            elif not bold_char:
                return " ".join(normalise("".join(parts)).split())
        parts.append(text)
    return ""


def _direction(char: LTChar) -> tuple[float, float, float]:
    """The unit vector along which ``char`` is written, and the matrix's scale."""
    a, b = char.matrix[0], char.matrix[1]
    norm = (a * a + b * b) ** 0.5 or 1.0
    return a / norm, b / norm, norm


def _rotated_lines(chars: list[LTChar], page_no: int, width: float, height: float) -> list[Line]:
    """Text set at an angle, read along its own direction (a photo credit up the margin).

    Characters written in one direction on one line (the same offset across it) make one line.
    """
    groups: dict[tuple[float, float, int], list[tuple[float, float, LTChar]]] = {}
    for char in chars:
        ux, uy, norm = _direction(char)
        along = char.matrix[4] * ux + char.matrix[5] * uy
        across = char.matrix[5] * ux - char.matrix[4] * uy
        groups.setdefault((round(ux, 1), round(uy, 1), round(across / 3)), []).append((along, norm, char))
    lines = []
    for group in groups.values():
        group.sort(key=lambda entry: entry[0])
        parts: list[str] = []
        end = None
        for along, norm, char in group:
            advance = char.adv * norm
            if end is not None and along - end > advance * 0.3 + 0.5:
                parts.append(" ")
            parts.append(char.get_text())
            end = along + advance
        text = " ".join(normalise("".join(parts)).split())
        if not text:
            continue
        members = [char for _, _, char in group]
        font, bold, italic = _font_style(members[0].fontname)
        lines.append(Line(
            text=text, page=page_no, x0=min(c.x0 for c in members), x1=max(c.x1 for c in members),
            top=height - max(c.y1 for c in members), bottom=height - min(c.y0 for c in members),
            # Its size across the page says nothing about its type: 0 keeps it out of
            # every comparison of type sizes (titles, headings, the body size).
            size=0.0, bold=bold, italic=italic,
            link=False, link_chars=0, page_height=height, page_width=width, font=font, rotated=True))
    return lines


def _text_lines(container) -> Iterator[LTTextLine]:
    """Every text line pdfminer found, figures included.

    pdfminer keeps a line of zero width or height out of its boxes (``empties``); it is
    text all the same.
    """
    for item in container:
        if isinstance(item, LTTextBox):
            for line in item:
                if isinstance(line, LTTextLine):
                    yield line
        elif isinstance(item, LTTextLine):
            yield item
        elif isinstance(item, LTFigure):
            yield from _text_lines(item)


def _page_fragments(layout, page_no: int, rects: list) -> tuple[list[Line], list[Line]]:
    """Upright fragments and rotated lines of one page, in no particular order."""
    fragments: list[Line] = []
    rotated: list[LTChar] = []
    for layout_line in _text_lines(layout):
        chars = [c for c in layout_line if isinstance(c, LTChar)]
        if not chars:
            continue
        upright = sum(1 for c in chars if c.upright)
        if upright < len(chars) / 2:
            rotated.extend(c for c in chars if not c.upright)
            continue
        line = _line_from_layout(layout_line, chars, page_no, layout.width, layout.height, rects)
        if line:
            fragments.append(line)
    return fragments, _rotated_lines(rotated, page_no, layout.width, layout.height) if rotated else []


# -- reading order -------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _row_gaps(lines: list[Line], min_gap: float) -> list[tuple[Line, Line]]:
    """Each line with its nearest neighbour to the right on the same height, when a gap parts them."""
    ordered = sorted(lines, key=lambda line: line.top)
    pairs = []

    def beside(line: Line, other: Line) -> bool:
        overlap = min(line.bottom, other.bottom) - max(line.top, other.top)
        return overlap >= 0.5 * min(line.height, other.height) and other.x0 >= line.x1 + min_gap

    for index, line in enumerate(ordered):
        candidates = []
        for other in ordered[index + 1:]:
            if other.top >= line.bottom:
                break  # sorted by top: no later line reaches this one's height
            if beside(line, other):
                candidates.append(other)
        for other in ordered[max(0, index - 12):index]:
            if beside(line, other):
                candidates.append(other)
        if candidates:
            pairs.append((line, min(candidates, key=lambda other: other.x0)))
    return pairs


def _is_textual(lines: list[Line], size: float) -> bool:
    """Lines of running text, not table figures, bullets or labels."""
    return _median([line.x1 - line.x0 for line in lines]) >= 4 * size


def _is_table(left: list[Line]) -> bool:
    """Cells beside each other: short, ragged, mostly a few words (figures, labels)."""
    words = _median([len(line.text.split()) for line in left])
    extent = max(line.x1 for line in left) - min(line.x0 for line in left)
    fill = _median([line.x1 - line.x0 for line in left]) / max(extent, 1.0)
    return words <= 3 and fill < 0.8


def _runs_to_gutter(left: list[Line], size: float) -> bool:
    """Running text on the left: several lines of words that fill the column to one right edge
    (a text column under a table or a figure set in it, not a table's first column)."""
    edge = max(line.x1 for line in left)
    full = [line for line in left if line.x1 >= edge - size and len(line.text.split()) >= 5]
    return len(full) >= 2 * COLUMN_MIN_LINES


def _is_label_column(left: list[Line]) -> bool:
    """Labels beside their texts ("Tiltak 1:" left of its sentence): label and value rows, not columns."""
    return all(is_label(line.text) for line in left)


def is_label(text: str) -> bool:
    """A short label ending in a colon: "Type:", "Tiltak 1:", "Oppdragsgiver:"."""
    return text.endswith(":") and len(text.split()) <= 4 and len(text) <= 40


def _find_gutter(lines: list[Line]) -> tuple[float, float] | None:
    """The gap between two columns, as (right edge of the left column, left edge of the right one).

    Columns stand beside each other: many lines have a neighbour to their right, at the
    same height, across one strip of white. The strip is where most such gaps overlap;
    the lines on either side must be text (a bullet or a figure label is not), and not
    short cells in rows (a table is read row by row).
    """
    size = _median([line.size for line in lines]) or 10.0
    pairs = _row_gaps(lines, max(3.0, 0.5 * size))
    if len(pairs) < 2:
        return None
    best: tuple[int, float, list[tuple[Line, Line]]] | None = None
    for left, right in pairs:
        middle = (left.x1 + right.x0) / 2
        across = [(a, b) for a, b in pairs if a.x1 <= middle <= b.x0]
        if best is None or (len(across), right.x0 - left.x1) > (best[0], best[1]):
            best = (len(across), right.x0 - left.x1, across)
    assert best is not None
    across = best[2]
    left_lines = list({id(a): a for a, _ in across}.values())
    right_lines = list({id(b): b for _, b in across}.values())
    # Two lines beside the text suffice when they are set in other type (a quote in the margin).
    other_type = abs(_median([line.size for line in left_lines]) - _median([line.size for line in right_lines])) >= 0.6
    if len(across) < (2 if other_type else COLUMN_MIN_LINES):
        return None
    if not _is_textual(left_lines, size) or not _is_textual(right_lines, size) or _is_label_column(left_lines):
        return None
    if _is_table(left_lines) and not _runs_to_gutter(left_lines, size):
        return None
    return max(a.x1 for a in left_lines), min(b.x0 for b in right_lines)


def _column_order(lines: list[Line], depth: int = 0) -> list[list[Line]]:
    """The page's lines as regions (columns, bands between them) in reading order."""
    if len(lines) < 2 * COLUMN_MIN_LINES or depth > 8:
        return [lines]
    gutter = _find_gutter(lines)
    if gutter is None:
        return [lines]
    middle = (gutter[0] + gutter[1]) / 2
    crossing = [line for line in lines if line.x0 < middle < line.x1]
    sides = [line for line in lines if not line.x0 < middle < line.x1]
    # A line across the gutter with column text beside it is a box set into the columns
    # (a pull-quote): it is read after them. Any other crossing line separates bands.
    floats = {id(line) for line in crossing
              if any(s.top < line.bottom - 1 and line.top < s.bottom - 1 for s in sides)}
    # Sweep down the page: bands of crossing lines, and between them column segments.
    parts: list[tuple[str, list[Line], list[Line], list[Line]]] = []
    for line in sorted(lines, key=lambda line: (line.top, line.x0)):
        spanning = line.x0 < middle < line.x1 and id(line) not in floats
        kind = "band" if spanning else "columns"
        if not parts or parts[-1][0] != kind:
            parts.append((kind, [], [], []))
        _, left, right, inset = parts[-1]
        if spanning or line.x1 <= middle and id(line) not in floats:
            left.append(line)
        elif id(line) in floats:
            inset.append(line)
        else:
            right.append(line)
    # The short last line of a full-width paragraph falls on one side of the gutter: it
    # stays with the paragraph when it sits right under it, above the columns' first lines.
    for before, after in zip(parts, parts[1:], strict=False):
        if before[0] != "band" or after[0] != "columns":
            continue
        last = max(before[1], key=lambda line: line.bottom)
        for side, other in ((after[1], after[2]), (after[2], after[1])):
            while side and (not other or side[0].bottom < min(line.top for line in other)) and (
                    side[0].top - last.bottom < side[0].height and abs(side[0].size - last.size) < 0.6):
                last = side.pop(0)
                before[1].append(last)
    # A segment with text on one side only is no pair of columns (the last line of a
    # full-width paragraph, a heading wider than its column): it joins the bands around it.
    merged: list[tuple[str, list[Line], list[Line], list[Line]]] = []
    for kind, left, right, inset in parts:
        if kind == "columns" and not (left or right or inset):
            continue
        if kind == "columns" and left and right:
            merged.append((kind, left, right, inset))
            continue
        group = left + right + inset
        if merged and merged[-1][0] == "band":
            merged[-1][1].extend(group)
        else:
            merged.append(("band", group, [], []))
    regions: list[list[Line]] = []
    if len(merged) == 1 and merged[0][0] == "band":
        return [lines]
    for kind, left, right, inset in merged:
        for part in (left, right, inset) if kind == "columns" else (left,):
            if part:
                regions.extend(_column_order(part, depth + 1))
    return regions


def _same_baseline(a: Line, b: Line) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap >= 0.5 * min(a.height, b.height) and abs(a.bottom - b.bottom) <= 0.45 * max(a.size, b.size)


def _cell_starts(pieces: list[Line]) -> list[float]:
    """Where the cells after the first start: after a gap far wider than a word space."""
    return [piece.x0 for before, piece in zip(pieces, pieces[1:], strict=False)
            if piece.x0 - before.x1 >= CELL_GAP * max(piece.size, before.size)]


def _join_fragments(pieces: list[Line], cells: int) -> Line:
    """Fragments on one baseline of one region, left to right, as one line."""
    first = pieces[0]
    texts = [piece.text for piece in pieces]
    main = max(pieces, key=lambda piece: len(piece.text))
    return Line(
        text=" ".join(texts), page=first.page, x0=first.x0, x1=max(p.x1 for p in pieces),
        top=min(p.top for p in pieces), bottom=max(p.bottom for p in pieces), size=main.size,
        bold=main.bold, italic=main.italic, link=sum(p.link_chars for p in pieces) >= 0.6 * sum(
            len(p.text.replace(" ", "")) for p in pieces),
        link_chars=sum(p.link_chars for p in pieces), page_height=first.page_height,
        page_width=first.page_width, font=main.font, region=first.region, cells=cells,
        lead=first.lead or (first.text if first.bold and not all(p.bold for p in pieces) else ""),
    )


def _region_lines(fragments: list[Line]) -> list[Line]:
    """One region's fragments as lines, top to bottom; a baseline's pieces joined left to right."""
    ordered = sorted(fragments, key=lambda line: (line.bottom, line.x0))
    rows: list[list[Line]] = []
    for piece in ordered:
        row = rows[-1] if rows else None
        if row is not None and any(_same_baseline(piece, other) for other in row[-3:]):
            row.append(piece)
        else:
            rows.append([piece])
    # A row is a table row when a cell of it starts where a cell of another row does:
    # table columns line up, the wide word gaps of a stretched justified line do not.
    for row in rows:
        row.sort(key=lambda piece: piece.x0)
    starts = [_cell_starts(row) if len(row) > 1 else [] for row in rows]
    edges = Counter(round(x / 2) for row_starts in starts for x in set(row_starts))

    def cells(row: list[Line], row_starts: list[float]) -> int:
        aligned = [x for x in row_starts if sum(edges[round(x / 2) + d] for d in (-1, 0, 1)) >= 2]
        if len(aligned) == 1 and is_label(row[0].text):
            return 1  # a label and its value ("Tiltak 1:" · "Videre utvikling …"): one line of text
        return 1 + len(aligned) if aligned else 1

    lines = [row[0] if len(row) == 1 else _join_fragments(row, cells(row, row_starts))
             for row, row_starts in zip(rows, starts, strict=True)]
    lines.sort(key=lambda line: (line.top, line.x0))
    return lines


def reading_order(fragments: list[Line]) -> list[Line]:
    """A page's fragments as lines in reading order, each line numbered by its region."""
    lines: list[Line] = []
    for number, region in enumerate(_column_order(fragments)):
        for line in _region_lines(region):
            line.region = number
            lines.append(line)
    return lines


# -- the outline ---------------------------------------------------------------


def _destination_page(document: PDFDocument, dest: object, action: object, page_numbers: dict[int, int]) -> int | None:
    dest = resolve1(dest)
    if dest is None:
        action = resolve1(action)
        if isinstance(action, dict):
            dest = resolve1(action.get("D"))
    if isinstance(dest, PSLiteral):
        dest = dest.name
    if isinstance(dest, str | bytes):
        try:
            dest = resolve1(document.get_dest(dest))
        except Exception:  # a named destination that is missing or damaged
            return None
    if isinstance(dest, dict):
        dest = resolve1(dest.get("D"))
    if isinstance(dest, list) and dest:
        target = dest[0]
        if isinstance(target, PDFObjRef):
            return page_numbers.get(target.objid)
        if isinstance(target, int):
            return target + 1
    return None


def _read_outline(document: PDFDocument, page_numbers: dict[int, int]) -> list[OutlineEntry]:
    entries: list[OutlineEntry] = []
    try:
        for level, title, dest, action, _ in document.get_outlines():
            if len(entries) >= MAX_OUTLINE_ENTRIES:
                break
            text = " ".join(normalise(str(title or "")).split())
            if text:
                entries.append(OutlineEntry(level, text, _destination_page(document, dest, action, page_numbers)))
    except Exception:  # no outline, or a damaged one: the outline only helps
        return entries
    return entries


# -- the document --------------------------------------------------------------


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise ExtractionError(str(path), f"kan ikke lese fila: {exc.strerror or exc}") from exc
    if not head:
        raise NotAPdfError(str(path), "fila er tom (0 byte)")
    if b"%PDF-" not in head:
        raise NotAPdfError(str(path), "fila er ikke en PDF (mangler %PDF-signatur)")


def _image_share(container, area: float) -> float:
    """How much of the page its images cover (a scanned page: nearly all of it)."""
    covered = 0.0
    for item in container:
        if isinstance(item, LTImage):
            covered += max(0.0, item.width) * max(0.0, item.height)
        elif isinstance(item, LTFigure):
            covered += _image_share(item, area) * area
    return min(1.0, covered / area) if area > 0 else 0.0


def read_pdf(path: Path | str, max_pages: int = MAX_PAGES, require_text: bool = True) -> PdfText:
    """Read every page of ``path`` into lines. Raises a typed ExtractionError.

    ``require_text=False``: a PDF without a text layer is no error (OCR reads it:
    ``indexer.extract.ocr.read_document``).
    """
    path = Path(path)
    _check_header(path)
    # all_texts: text drawn inside form XObjects (common in InDesign exports) is text too.
    # boxes_flow=None: pdfminer's box order is not used (see reading_order), so it is not computed.
    laparams = LAParams(line_margin=0.5, char_margin=2.0, boxes_flow=None, all_texts=True)
    try:
        with path.open("rb") as fh:
            parser = PDFParser(fh)
            try:
                document = PDFDocument(parser, password="")
            except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
                raise EncryptedPdfError(str(path), "PDF-en er kryptert og åpnes ikke uten passord") from exc
            if not document.is_extractable:
                # Permission flags only; pdfminer can still read it, so carry on.
                pass
            info = document.info[0] if document.info else {}
            title = _decode_info_string(info.get("Title")) if info else None
            created = _decode_info_string(info.get("CreationDate")) if info else None
            creation_year = None
            if created:
                digits = created.removeprefix("D:")[:4]
                creation_year = int(digits) if digits.isdigit() else None

            rsrcmgr = PDFResourceManager(caching=True)
            device = PDFPageAggregator(rsrcmgr, laparams=laparams)
            interpreter = PDFPageInterpreter(rsrcmgr, device)
            pages: list[list[Line]] = []
            image_shares: list[float] = []
            sizes: list[tuple[float, float]] = []
            page_numbers: dict[int, int] = {}
            for page_no, page in enumerate(PDFPage.create_pages(document), start=1):
                if page_no > max_pages:
                    raise TooLargeError(str(path), f"mer enn {max_pages} sider")
                if isinstance(page.pageid, int):
                    page_numbers[page.pageid] = page_no
                interpreter.process_page(page)
                layout = device.get_result()
                fragments, rotated = _page_fragments(layout, page_no, _link_rects(page))
                pages.append(reading_order(fragments) + rotated)
                image_shares.append(_image_share(layout, layout.width * layout.height))
                sizes.append((layout.width, layout.height))
            outline = _read_outline(document, page_numbers)
    except ExtractionError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedPdfError(str(path), "PDF-en er kryptert og åpnes ikke uten passord") from exc
    except (PSException, ValueError, KeyError, TypeError, IndexError, AttributeError,
            AssertionError, EOFError, ZeroDivisionError, OverflowError, RecursionError) as exc:
        raise CorruptPdfError(str(path), f"PDF-en er skadet og kan ikke leses ({type(exc).__name__}: {exc})"[:300]) from exc
    except MemoryError as exc:
        raise TooLargeError(str(path), "PDF-en krever for mye minne") from exc
    except Exception as exc:  # pdfminer raises many ad-hoc types for damaged files
        raise CorruptPdfError(str(path), f"PDF-en kan ikke leses ({type(exc).__name__}: {exc})"[:300]) from exc

    if not pages:
        raise CorruptPdfError(str(path), "PDF-en har ingen sider")
    if require_text and not any(ch.isalnum() for page in pages for line in page if not line.rotated
                                for ch in line.text):
        raise NoTextLayerError(str(path), "PDF-en har ikke noe tekstlag (skannet bilde?)")
    return PdfText(pages=pages, page_count=len(pages), title=title, creation_year=creation_year, outline=outline,
                   image_shares=image_shares, page_sizes=sizes)


def body_size(pages: list[list[Line]]) -> float:
    """The body text's type size: the size (to half a point) that sets the most characters."""
    weights: Counter[float] = Counter()
    for page in pages:
        for line in page:
            weights[round(line.size * 2) / 2] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0
