"""Read a PDF into positioned text lines with pdfminer.six.

This module knows about PDF files and pdfminer only. It turns each page into
:class:`Line` objects carrying what later stages need to tell structure apart:
font size and weight (headings), position (running headers/footers, indents,
columns) and whether the text sits inside a link annotation (link lines are
metadata, not findings). Unreadable files raise a typed ``ExtractionError``.
"""
from __future__ import annotations

import logging
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTFigure, LTTextBox, LTTextLine
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSException

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
# pdfminer reports each of these as one glyph; readers and the index want letters.
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
BOLD_MARKERS = ("bold", "black", "heavy", "semibold", "demibold", "demi")
FOOTNOTE_MARK = re.compile(r"(?<=[^\W\d_][^\W\d_])[¹²³⁴⁵⁶⁷⁸⁹⁰]+|(?<=[.,;:)»])[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


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

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class PdfText:
    pages: list[list[Line]]
    page_count: int
    title: str | None  # from the document information dictionary
    creation_year: int | None


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


def _line_from_layout(line: LTTextLine, page_no: int, width: float, height: float,
                      link_rects: list) -> Line | None:
    chars = [c for c in line if isinstance(c, LTChar)]
    if not chars:
        return None
    upright = sum(1 for c in chars if c.upright)
    if upright < len(chars) / 2:
        return None  # rotated margin text (spine labels, vertical captions)
    sizes = [round(c.size, 1) for c in chars if c.get_text().strip()]
    if not sizes:
        return None
    size = Counter(sizes).most_common(1)[0][0]
    # Footnote reference marks are small raised digits inside a body line: drop them
    # so "responsraten¹ langs" reads "responsraten langs", not "responsraten1 langs".
    baseline = statistics.median(c.y0 for c in chars if round(c.size, 1) == size)
    parts: list[str] = []
    for item in line:
        text = item.get_text()
        raised = isinstance(item, LTChar) and item.size < size * 0.8 and item.y0 > baseline + size * 0.15
        if raised and (text.translate(SUPERSCRIPT_DIGITS).strip().isdigit() or text in "*†"):
            continue
        parts.append(text)
    text = normalise("".join(parts)).replace("\n", " ").strip()
    text = " ".join(text.split())
    if not text:
        return None
    fonts = Counter(c.fontname.split("+")[-1].lower() for c in chars)
    font = fonts.most_common(1)[0][0]
    bold = any(m in font for m in BOLD_MARKERS)
    italic = "italic" in font or "oblique" in font
    link_chars = sum(_inside(c, link_rects) for c in chars) if link_rects else 0
    link = link_chars >= 0.6 * len(chars)
    return Line(
        text=text, page=page_no, x0=line.x0, x1=line.x1,
        top=height - line.y1, bottom=height - line.y0, size=size,
        bold=bold, italic=italic, link=link, link_chars=link_chars, page_height=height, page_width=width,
    )


def _column_edges(lines: list[Line]) -> set[int]:
    """Left edges shared by several lines: column starts and common indents."""
    counts = Counter(round(line.x0) for line in lines)
    return {x for x, n in counts.items() if n >= 3}


def _merge_line_fragments(lines: list[Line]) -> list[Line]:
    """Re-join a justified line that pdfminer split at a wide word gap.

    pdfminer cuts a strongly stretched line into separate boxes and may order the right
    piece first ("rammes spesielt" before "vandrerbakgrunn"). Two pieces on the same
    baseline are one line when no column edge lies between them; a piece that starts a
    column (a left edge shared by several lines) is never glued to the column before it.
    """
    edges = _column_edges(lines)

    def same_line(left: Line, right: Line) -> bool:
        return (left.page == right.page and abs(left.top - right.top) < 1.5
                and abs(left.size - right.size) < 0.6
                and left.x1 <= right.x0 + 1 and right.x0 - left.x1 < 4 * right.size
                and not any(left.x0 + 1 < edge <= right.x0 + 1 for edge in edges))

    merged: list[Line] = []
    for line in lines:
        partner = next((m for m in merged if same_line(m, line) or same_line(line, m)), None)
        if partner is None:
            merged.append(line)
            continue
        left, right = (partner, line) if partner.x0 <= line.x0 else (line, partner)
        partner.text = f"{left.text} {right.text}"
        partner.x0, partner.x1 = left.x0, right.x1
        partner.link_chars = left.link_chars + right.link_chars
    return merged


def _text_boxes(container) -> Iterator[LTTextBox]:
    """Text boxes in layout order, including those inside figures (form XObjects)."""
    for item in container:
        if isinstance(item, LTTextBox):
            yield item
        elif isinstance(item, LTFigure):
            yield from _text_boxes(item)


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


def read_pdf(path: Path | str, max_pages: int = MAX_PAGES) -> PdfText:
    """Read every page of ``path`` into lines. Raises a typed ExtractionError."""
    path = Path(path)
    _check_header(path)
    # all_texts: text drawn inside form XObjects (common in InDesign exports) is text too.
    laparams = LAParams(line_margin=0.5, char_margin=2.0, boxes_flow=0.5, all_texts=True)
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
            for page_no, page in enumerate(PDFPage.create_pages(document), start=1):
                if page_no > max_pages:
                    raise TooLargeError(str(path), f"mer enn {max_pages} sider")
                interpreter.process_page(page)
                layout = device.get_result()
                rects = _link_rects(page)
                lines = []
                for box in _text_boxes(layout):
                    for layout_line in box:
                        if isinstance(layout_line, LTTextLine):
                            line = _line_from_layout(layout_line, page_no, layout.width, layout.height, rects)
                            if line:
                                lines.append(line)
                pages.append(_merge_line_fragments(lines))
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
    if not any(ch.isalnum() for page in pages for line in page for ch in line.text):
        raise NoTextLayerError(str(path), "PDF-en har ikke noe tekstlag (skannet bilde?); OCR støttes ikke ennå")
    return PdfText(pages=pages, page_count=len(pages), title=title, creation_year=creation_year)
