"""Remove page furniture: running headers and footers, page numbers, contents pages.

Works on the positioned lines from :mod:`indexer.extract.pdftext`, before paragraphs are
built, so none of this text can end up inside a finding or passage.
"""
from __future__ import annotations

import re
from collections import defaultdict

from indexer.extract.pdftext import Line

MARGIN_SHARE = 0.13  # top/bottom share of the page where running lines live
PAGE_NUMBER = re.compile(r"^(side|s\.|page)?\s*[\divxlcdm]{1,6}(\s*(av|/|of)\s*\d+)?$", re.I)
DOT_LEADER = re.compile(r"(\.\s?){4,}\s*\d+\s*$|…+\s*\d+\s*$")
CONTENTS_HEADINGS = {"innhold", "innholdsfortegnelse", "innhald", "innhaldsliste", "innholdsliste", "contents", "table of contents"}
SECTION_NUMBER_ONLY = re.compile(r"^\d+(\.\d+)*\.?$")
ENDS_WITH_PAGE = re.compile(r"\s\d{1,3}$")


def _in_margin(line: Line) -> bool:
    band = line.page_height * MARGIN_SHARE
    return line.bottom <= band or line.top >= line.page_height - band


def _shape(text: str) -> str:
    """Text with digits masked, so "Side 4" and "Side 5" count as one running line."""
    return re.sub(r"\d+", "#", text.lower()).strip()


def is_page_number(text: str) -> bool:
    return bool(PAGE_NUMBER.match(text.strip()))


def remove_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop headers/footers repeated across pages and bare page numbers in the margins."""
    pages_with_shape: dict[str, set[int]] = defaultdict(set)
    for page_lines in pages:
        for line in page_lines:
            if _in_margin(line):
                pages_with_shape[_shape(line.text)].add(line.page)
    # Running lines repeat on a good share of the pages (odd/even pages may differ,
    # chapters may have their own running title), so the bar is low but at least 3.
    threshold = max(3, int(len(pages) * 0.15))
    running = {shape for shape, on_pages in pages_with_shape.items() if len(on_pages) >= threshold}
    cleaned = []
    for page_lines in pages:
        kept = []
        for line in page_lines:
            if _in_margin(line) and (_shape(line.text) in running or is_page_number(line.text)):
                continue
            kept.append(line)
        cleaned.append(kept)
    return cleaned


def _is_contents_entry(text: str) -> bool:
    return bool(DOT_LEADER.search(text)) or bool(SECTION_NUMBER_ONLY.match(text))


def remove_contents(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop the table of contents: its heading and its entries (dot leaders, page numbers)."""
    cleaned = []
    in_contents = False
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
                continue
            if in_contents or contents_page:
                # Entries: dot leaders, bare section numbers, or a title ending in a page number.
                if _is_contents_entry(text) or ENDS_WITH_PAGE.search(text):
                    in_contents = True
                    continue
                if contents_page and len(text) < 120:
                    continue
                in_contents = False
            if DOT_LEADER.search(text):
                continue
            kept.append(line)
        in_contents = in_contents or contents_page
        cleaned.append(kept)
    return cleaned
