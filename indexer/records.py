"""The records the pipeline produces and every later stage consumes.

A PDF becomes one :class:`Document`; a document holds one or more :class:`Report`;
a report holds its :class:`Finding` items (Hovedfunn, Anbefalinger, Sammendrag …)
and its body :class:`Passage` items; text left out of the reports on purpose (running
headers, page numbers, the contents page …) is kept as :class:`Furniture`; a PDF that
cannot be read becomes a :class:`FailedFile`, one read without some of its pages an
:class:`IncompleteFile` (each page an :class:`UnreadPage`). These are defined here once
and only here.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any


def stable_id(*parts: object, length: int = 16) -> str:
    """A short id that stays the same for the same parts across runs and machines."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return digest.hexdigest()[:length]


@dataclass
class Finding:
    """One main finding, recommendation or summary item of a report."""

    id: str
    text: str
    page: int
    section: str
    chapter: str | None = None
    # Read with OCR from a scanned page, and Tesseract's mean confidence (0–100) in its words.
    ocr: bool = False
    ocr_confidence: float | None = None


@dataclass
class Passage:
    """A body paragraph of a report, with where it stands."""

    id: str
    text: str
    page: int
    chapter: str | None
    section: str | None
    ocr: bool = False  # as Finding.ocr
    ocr_confidence: float | None = None


@dataclass
class Report:
    """One research report: a whole PDF, or one summary inside a compilation."""

    id: str
    title: str
    theme: str | None
    contractors: list[str]
    commissioner: str | None
    published: str | None  # "2018-12-12", "2019-11" or "2019"
    year: int | None
    year_inferred: bool
    lead: str
    page_start: int
    page_end: int
    findings: list[Finding] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # Every theme the report belongs to: the compilation chapter it sits under,
    # or, for a stand-alone report, its own chapters.
    themes: list[str] = field(default_factory=list)
    # The people who wrote it, as its byline names them: the authors of a chapter of an
    # edited volume. Institutes that did the work are ``contractors``.
    authors: list[str] = field(default_factory=list)
    # "nb", "nn" or "en": the language its text is written in (indexer.language.detect);
    # None when there is too little text to tell.
    language: str | None = None


# What a piece of furniture is: the part of the page, or the reason it stays out of the reports.
FURNITURE_KINDS = (
    "header",          # a running header (top margin, repeated on many pages)
    "footer",          # a running footer (bottom margin, repeated on many pages)
    "page_number",     # a bare page number in the margin
    "rotated",         # text set at an angle: a photo credit up the margin, a spine label
    "contents",        # the contents page: its heading and entries; dot-leader lines elsewhere
    "cover",           # the cover page (its title becomes the document title)
    "caption",         # a figure or table caption
    "link",            # a link line or download link ("Rapport (PDF, 971 KB)")
    "published",       # a publication line ("Utgitt: 12. desember 2018"), read into Report.published
    "list_marker",     # the number or letter of a numbered list item ("3.", "b)")
    "heading_number",  # the number of a numbered heading ("2.1"), left out of chapter and section names
    "heading",         # a heading no record is named by: another heading follows it with no text between
    "citation",        # a chapter's how-to-cite line, read into its report's title, authors and year
    "front_matter",    # a book's title pages, colophon and preface, before its first chapter
    "back_matter",     # a book's notes on contributors, index, after its last chapter
    "off_page",        # text lying mostly outside the page box (a facing page's frame run over)
    "colophon",        # contact and production lines: address, telephone, e-mail, web, "Design:"
)


@dataclass
class Furniture:
    """Text of a page that the pipeline leaves out of the reports on purpose.

    Kept so that every word read from a page can be accounted for: it is in a report
    (finding, passage, title, metadata) or here. ``kind`` is one of :data:`FURNITURE_KINDS`.
    """

    page: int
    kind: str
    text: str


@dataclass
class UnreadPage:
    """A page of a PDF whose text could not be read while the rest of the file was:
    a scanned page without the OCR programs (``needs_ocr``), or one whose OCR ran out
    of time (``timeout``) or failed (``unreadable``). ``code`` is an error code of
    :mod:`indexer.errors`; ``reason`` says why in Bokmål."""

    page: int
    code: str
    reason: str


@dataclass
class Document:
    """What one PDF file yields."""

    source: str
    sha256: str
    pages: int
    document_title: str
    reports: list[Report] = field(default_factory=list)
    furniture: list[Furniture] = field(default_factory=list)
    # Pages left out because their text could not be read; the file is indexed without them.
    unread_pages: list[UnreadPage] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        reports = []
        for r in data.get("reports", []):
            r = dict(r)
            r["findings"] = [Finding(**f) for f in r.get("findings", [])]
            r["passages"] = [Passage(**p) for p in r.get("passages", [])]
            reports.append(Report(**r))
        return cls(
            source=data["source"],
            sha256=data["sha256"],
            pages=data["pages"],
            document_title=data["document_title"],
            reports=reports,
            furniture=[Furniture(**f) for f in data.get("furniture", [])],
            unread_pages=[UnreadPage(**u) for u in data.get("unread_pages", [])],
        )


@dataclass
class FailedFile:
    """A PDF that could not be indexed, and why (``code`` is an error code of :mod:`indexer.errors`)."""

    file: str
    code: str
    reason: str
    pages: int | None = None
    seconds: float | None = None


@dataclass
class IncompleteFile:
    """An indexed PDF with pages whose text could not be read (the rest is indexed)."""

    file: str
    unread_pages: list[UnreadPage]
