"""Remove page furniture: running headers and footers, page numbers, angled text, contents pages.

Works on the positioned lines from :mod:`indexer.extract.pdftext`, before paragraphs are
built, so none of this text can end up inside a finding or passage. Given a ``removed``
list, each function appends what it drops there as :class:`~indexer.records.Furniture`,
so the document can say where every word of a page went.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict

from indexer.extract.pdftext import Line, body_size
from indexer.records import Furniture

MARGIN_SHARE = 0.13  # top/bottom share of the page where running lines live
PAGE_NUMBER = re.compile(r"^[–—-]?\s*(side|s\.|page)?\s*[\divxlcdm]{1,6}(\s*(av|/|of)\s*\d+)?\s*[–—-]?$", re.I)
DOT_LEADER = re.compile(r"(\.\s?){4,}\s*\d+\s*$|…+\s*\d+\s*$")
CONTENTS_HEADINGS = {"innhold", "innholdsfortegnelse", "innhald", "innhaldsliste", "innholdsliste", "contents", "table of contents"}
SECTION_NUMBER_ONLY = re.compile(r"^\d+(\.\d+)*\.?$")
ENDS_WITH_PAGE = re.compile(r"\s\d{1,3}$")
# An entry with its page number first ("10 Avhengigheter mellom samfunnsfunksjoner"):
# counted only on the page the contents heading stands on.
STARTS_WITH_PAGE = re.compile(r"^\d{1,3}\s+[^\W\d_]")


def _in_margin(line: Line) -> bool:
    band = line.page_height * MARGIN_SHARE
    return line.bottom <= band or line.top >= line.page_height - band


def _off_page(line: Line) -> bool:
    """Most of the line lies outside the page: text of a facing page or a frame run off the
    edge (x0 = -361), which no reader of this page sees."""
    width = line.x1 - line.x0
    inside = min(line.x1, line.page_width) - max(line.x0, 0.0)
    return width > 0 and inside < 0.5 * width


def _shape(text: str) -> str:
    """Text with digits masked, so "Side 4" and "Side 5" count as one running line."""
    return re.sub(r"\d+", "#", text.lower()).strip()


def is_page_number(text: str) -> bool:
    return bool(PAGE_NUMBER.match(text.strip()))


def _furniture(line: Line, kind: str) -> Furniture:
    return Furniture(page=line.page, kind=kind, text=line.text)


def _running_kind(line: Line, running: set[str]) -> str:
    # "IMDi" reads as a roman numeral; a page number has digits or changes from page to page.
    if is_page_number(line.text) and (any(c.isdigit() for c in line.text) or _shape(line.text) not in running):
        return "page_number"
    return "header" if line.top < line.page_height / 2 else "footer"


def _edge_lines(page_lines: list[Line]) -> list[tuple[Line, str, bool]]:
    """The lines at the top and the foot of a page's text that stand apart from the rest.

    A running head is the first thing on the page (a running foot the last), one to three
    lines with more space between them and the text than between two lines of a
    paragraph. Two such groups per edge are looked at (a header over a rule over a
    chapter title). Each line comes with its band, "top" or "foot", and whether it is in
    the outer group.
    """
    lines = sorted((line for line in page_lines if not line.rotated), key=lambda line: line.top)
    edges: list[tuple[Line, str, bool]] = []
    for band, ordered in (("top", lines), ("foot", lines[::-1])):
        start = 0
        for outer in (True, False):
            group = [ordered[start]] if start < len(ordered) else []
            end = start + 1
            while group and end < len(ordered) and len(group) <= 6:
                line, previous = ordered[end], group[-1]
                gap = line.top - previous.bottom if band == "top" else previous.top - line.bottom
                if gap >= 0.9 * min(line.height, previous.height):
                    break
                group.append(line)
                end += 1
            rows = {round(line.top / 2) for line in group}
            if not group or end >= len(ordered) or len(rows) > 3:
                break
            edges.extend((line, band, outer) for line in group)
            start = end
    return edges


def _numbers(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)[:6])


def _numbers_run_with_pages(occurrences: list[tuple[int, tuple[int, ...]]]) -> bool:
    """Whether the figures of a recurring line are the same on every page or count the pages.

    "NSM RISIKO 2021 | 25" on page 25 and "… | 26" on page 26 is a running foot; "4.2.1.
    Introduksjon" and "4.3.1. Introduksjon" at the top of two chapters are headings.
    """
    lengths = {len(found) for _, found in occurrences}
    if len(lengths) != 1:
        return False
    for position in range(lengths.pop()):
        values = {found[position] for _, found in occurrences}
        if len(values) > 1 and len({found[position] - page for page, found in occurrences}) > 1:
            return False
    return True


def _numbers_count_pages(occurrences: list[tuple[int, tuple[int, ...]]]) -> bool:
    """Whether a figure of a recurring line changes with the page it stands on ("Page 5 of
    48 …" on page 5): a page count, never a section name, whatever its type."""
    lengths = {len(found) for _, found in occurrences}
    if len(lengths) != 1:
        return False
    return any(len({found[position] for _, found in occurrences}) > 1
               and len({found[position] - page for page, found in occurrences}) == 1
               for position in range(lengths.pop()))


def _typed_shape(line: Line) -> tuple[str, float, bool]:
    return _shape(line.text), round(line.size * 2) / 2, line.bold


def _slot(line: Line, band: str) -> tuple[str, int, float, str]:
    """Where a running line stands: its band, its height on the page, its type."""
    return band, round(line.top / 3), round(line.size * 2) / 2, line.font


def running_lines(pages: list[list[Line]]) -> dict[int, str]:
    """The running heads and feet, page numbers and angled text of a document, by line id.

    * A line at the top or foot of the page, standing apart from the text, whose wording
      (digits masked) recurs at the edge of at least three pages: a book title on the
      even pages, a chapter title on the odd ones, "NSM RISIKO 2020 | 27".
    * Any other edge line in the same place and type as such lines (a chapter's own
      running title on its only two pages).
    * A bare page number at an edge ("12", "Side 3", "– 7 –").
    * A line in the top or bottom 13 % of the page repeated on 15 % of the pages.
    * Text set at an angle (photo credits, spine labels).
    * Text lying mostly outside the page.
    Lines in heading type (bold or larger than the body text) recur as section names,
    so they count only in the page margins, or when a figure in them counts the pages.
    """
    body = body_size(pages)
    body_font = Counter(line.font for page_lines in pages for line in page_lines if line.size == body).most_common(1)
    font = body_font[0][0] if body_font else ""

    def body_type(line: Line) -> bool:
        return abs(line.size - body) < 0.3 and not line.bold and line.font == font

    # The outer group at an edge may be in any type; a second group under it only when
    # it is not set like the running text (that is the page's first paragraph).
    edges = [[(line, band) for line, band, outer in _edge_lines(page_lines) if outer or not body_type(line)]
             for page_lines in pages]
    # The same words in another type are another line: the running head "Sammendrag"
    # over the chapter heading "Sammendrag".
    shape_pages: dict[tuple[str, float, bool], set[int]] = defaultdict(set)
    margin_pages: dict[tuple[str, float, bool], set[int]] = defaultdict(set)
    numbers: dict[tuple[str, float, bool], list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
    for page_edges in edges:
        for line, _band in page_edges:
            shape_pages[_typed_shape(line)].add(line.page)
            numbers[_typed_shape(line)].append((line.page, _numbers(line.text)))
    for page_lines in pages:
        for line in page_lines:
            if _in_margin(line):
                margin_pages[_typed_shape(line)].add(line.page)
    threshold = max(3, int(len(pages) * 0.15))
    margin_running = {shape for shape, on_pages in margin_pages.items() if len(on_pages) >= threshold}

    def heading_type(line: Line) -> bool:
        return line.size > body * 1.15 or line.bold and line.size >= body * 0.95

    found: dict[int, str] = {}
    slots: Counter[tuple[str, int, float, str]] = Counter()
    for page_edges in edges:
        for line, band in page_edges:
            shape = _typed_shape(line)
            recurring = (len(shape_pages[shape]) >= 3 and _numbers_run_with_pages(numbers[shape])
                         and (not heading_type(line) or _in_margin(line) or _numbers_count_pages(numbers[shape])))
            if recurring or is_page_number(line.text):
                found[id(line)] = "running"
                slots[_slot(line, band)] += 1
    for page_edges in edges:
        for line, band in page_edges:
            if id(line) not in found and slots[_slot(line, band)] >= 3 and len(line.text) < 120:
                found[id(line)] = "running"
    for page_lines in pages:
        for line in page_lines:
            if line.rotated:
                found[id(line)] = "rotated"
            elif _off_page(line):
                found[id(line)] = "off_page"
            elif _in_margin(line) and (_typed_shape(line) in margin_running or is_page_number(line.text)):
                found[id(line)] = "running"
    return found


def remove_running_lines(pages: list[list[Line]], removed: list[Furniture] | None = None) -> list[list[Line]]:
    """Drop running heads and feet, page numbers, angled text and text off the page (see :func:`running_lines`)."""
    dropped: list[Furniture] = removed if removed is not None else []
    found = running_lines(pages)
    recurring = {_shape(line.text) for page_lines in pages for line in page_lines if id(line) in found}
    cleaned = []
    for page_lines in pages:
        kept = []
        for line in page_lines:
            kind = found.get(id(line))
            if kind is None:
                kept.append(line)
            else:
                dropped.append(_furniture(line, kind if kind in ("rotated", "off_page") else _running_kind(line, recurring)))
        cleaned.append(kept)
    return cleaned


def _is_contents_entry(text: str) -> bool:
    return bool(DOT_LEADER.search(text)) or bool(SECTION_NUMBER_ONLY.match(text))


def remove_contents(pages: list[list[Line]], removed: list[Furniture] | None = None) -> list[list[Line]]:
    """Drop the table of contents: its heading and its entries (dot leaders, page numbers)."""
    dropped: list[Furniture] = removed if removed is not None else []
    cleaned = []
    in_contents = False
    heading_page = None
    for page_lines in pages:
        kept = []
        leader_lines = sum(1 for line in page_lines if DOT_LEADER.search(line.text))
        # A page that is mostly contents entries continues the contents from the page before.
        contents_page = leader_lines >= 5 or (in_contents and leader_lines >= 2)
        in_contents = False
        for line in page_lines:
            text = line.text.strip()
            if text.lower().rstrip(":") in CONTENTS_HEADINGS:
                in_contents = True
                heading_page = line.page
                dropped.append(_furniture(line, "contents"))
                continue
            if in_contents or contents_page:
                # Entries: dot leaders, bare section numbers, or a title ending (or, under
                # the heading, starting) with a page number.
                if (_is_contents_entry(text) or ENDS_WITH_PAGE.search(text)
                        or line.page == heading_page and STARTS_WITH_PAGE.match(text)):
                    in_contents = True
                    dropped.append(_furniture(line, "contents"))
                    continue
                if contents_page and len(text) < 120:
                    dropped.append(_furniture(line, "contents"))
                    continue
                in_contents = False
            if DOT_LEADER.search(text):
                dropped.append(_furniture(line, "contents"))
                continue
            kept.append(line)
        in_contents = in_contents or contents_page
        cleaned.append(kept)
    return cleaned
