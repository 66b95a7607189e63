"""What the engine answers with, and how a stored document becomes a search hit.

Shared by the search, the finding and report lookups, more-like-this and the
health check, so the terminal, the JSON API and the web page all show the same
fields. Each record's ``to_dict`` is the JSON the API sends.

The engine knows nothing of URLs: a caller that serves the PDFs passes a
:data:`PdfLinker` to ``to_dict``, and every record puts the link where the API
has its ``pdf_url``. Without one, ``pdf_url`` is left out.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from indexer.search.facets import Facets
from indexer.search.highlight import SNIPPET_CHARS, Phrase, highlight

# Where a report's PDF is served, opened at a page: (report id, page) -> URL.
PdfLinker = Callable[[str | None, int | None], str | None]


@dataclass
class ReportInfo:
    """A report's metadata: what a hit shows of the report it comes from."""

    id: str | None
    title: str | None
    theme: str | None
    contractors: list[str]
    authors: list[str]  # people named in a byline (a chapter of an edited volume)
    language: str | None  # "nb", "nn" or "en"; None when the text is too short to tell
    commissioner: str | None
    year: int | None
    published: str | None
    source: str | None

    def _metadata(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "theme": self.theme,
            "contractors": list(self.contractors),
            "authors": list(self.authors),
            "language": self.language,
            "commissioner": self.commissioner,
            "year": self.year,
            "published": self.published,
            "source": self.source,
        }

    def to_dict(self, link_pdf: PdfLinker | None = None, page: int | None = None) -> dict[str, Any]:
        """The report's fields; with ``link_pdf``, its ``pdf_url`` opened at ``page``."""
        data = self._metadata()
        if link_pdf is not None:
            data["pdf_url"] = link_pdf(self.id, page)
        return data


@dataclass
class SearchHit:
    """A finding or passage found by a search."""

    id: str
    kind: str
    text: str
    highlight: str  # HTML: escaped text with <mark>…</mark> around matched words
    score: float
    section: str | None
    page: int | None
    report: ReportInfo
    # With grouping by report: how many more hits the same report has.
    more_in_report: int | None = None
    # Read with OCR from a scanned page, with Tesseract's mean confidence (0–100) in its words.
    ocr: bool = False
    ocr_confidence: float | None = None

    def to_dict(self, link_pdf: PdfLinker | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "highlight": self.highlight,
            "score": self.score,
            "section": self.section,
            "page": self.page,
            "ocr": self.ocr,
            "ocr_confidence": self.ocr_confidence,
            "report": self.report.to_dict(link_pdf, self.page),
        }
        if self.more_in_report is not None:
            data["more_in_report"] = self.more_in_report
        return data


@dataclass
class FindingDetail(SearchHit):
    """One finding looked up by id: shown like a hit, with its chapter."""

    chapter: str | None = None

    def to_dict(self, link_pdf: PdfLinker | None = None) -> dict[str, Any]:
        return {**super().to_dict(link_pdf), "chapter": self.chapter}


@dataclass(frozen=True)
class Translation:
    """English words of the query (one, or a term of several) and the Norwegian
    lemmas or phrases searched for them."""

    english: str
    norwegian: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"english": self.english, "norwegian": list(self.norwegian)}


@dataclass
class SearchResponse:
    """One page of a search's hits, with the total and the facet counts of all of them."""

    query: str
    total: int
    page: int
    size: int
    took_ms: float
    suggestion: str | None = None
    results: list[SearchHit] = field(default_factory=list)
    facets: Facets = field(default_factory=dict)
    # What the query-cost guard cut from the query, said for the reader (Bokmål).
    limits: list[str] = field(default_factory=list)
    # English words of the query and the Norwegian words also searched for them.
    translations: list[Translation] = field(default_factory=list)

    def to_dict(self, link_pdf: PdfLinker | None = None) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "size": self.size,
            "took_ms": self.took_ms,
            "suggestion": self.suggestion,
            "limits": list(self.limits),
            "translations": [translation.to_dict() for translation in self.translations],
            "results": [hit.to_dict(link_pdf) for hit in self.results],
            "facets": {facet: [dict(entry) for entry in entries] for facet, entries in self.facets.items()},
        }


@dataclass
class ReportSummary(ReportInfo):
    """A report in the list of all reports."""

    lead: str | None
    page_start: int | None
    finding_count: int
    passage_count: int

    def to_dict(self, link_pdf: PdfLinker | None = None, page: int | None = None) -> dict[str, Any]:
        """The report's fields; with ``link_pdf``, its ``pdf_url`` (at its first page unless ``page`` is given)."""
        data = {**self._metadata(), "lead": self.lead, "page_start": self.page_start}
        if link_pdf is not None:
            data["pdf_url"] = link_pdf(self.id, self.page_start if page is None else page)
        return {**data, "finding_count": self.finding_count, "passage_count": self.passage_count}


@dataclass
class ReportItem:
    """A finding or passage as listed in its report."""

    id: str
    text: str
    page: int | None
    section: str | None
    chapter: str | None
    ocr: bool = False  # as SearchHit.ocr
    ocr_confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Chapter:
    """Passages in a row that share a chapter."""

    title: str | None
    passages: list[ReportItem]


@dataclass
class ReportDetail(ReportInfo):
    """A report with its findings and passages, in the order they are printed."""

    lead: str | None
    page_start: int | None
    findings: list[ReportItem] = field(default_factory=list)
    passages: list[ReportItem] = field(default_factory=list)

    @property
    def finding_count(self) -> int:
        return len(self.findings)

    @property
    def passage_count(self) -> int:
        return len(self.passages)

    def chapters(self) -> list[Chapter]:
        """The passages in runs that share a chapter (a chapter may come back after another)."""
        chapters: list[Chapter] = []
        for passage in self.passages:
            if not chapters or chapters[-1].title != passage.chapter:
                chapters.append(Chapter(passage.chapter, []))
            chapters[-1].passages.append(passage)
        return chapters

    def to_dict(self, link_pdf: PdfLinker | None = None, page: int | None = None) -> dict[str, Any]:
        """The report, its findings and its passages by chapter; with ``link_pdf``, each
        with its ``pdf_url`` (the report's at its first page unless ``page`` is given)."""

        def item(entry: ReportItem) -> dict[str, Any]:
            data = entry.to_dict()
            if link_pdf is not None:
                data["pdf_url"] = link_pdf(self.id, entry.page)
            return data

        data = {**self._metadata(), "lead": self.lead, "page_start": self.page_start}
        if link_pdf is not None:
            data["pdf_url"] = link_pdf(self.id, self.page_start if page is None else page)
        return {
            **data,
            "findings": [item(finding) for finding in self.findings],
            "finding_count": self.finding_count,
            "passage_count": self.passage_count,
            "chapters": [
                {"title": chapter.title, "passages": [item(passage) for passage in chapter.passages]}
                for chapter in self.chapters()
            ],
        }


@dataclass
class FailedSource:
    """A file in the corpus the index could not read."""

    file: str
    code: str | None
    reason: str | None


@dataclass
class IndexHealth:
    """The committed index as a health check sees it."""

    exists: bool
    documents: int = 0  # PDF files indexed
    reports: int = 0
    findings: int = 0
    passages: int = 0
    last_indexed: str | None = None  # ISO 8601
    failed: list[FailedSource] = field(default_factory=list)
    # Built by other code or data than today's: still searchable, but due for a re-index.
    stale: bool = False
    stale_reason: str | None = None  # Bokmål
    # Optional language data that is not installed (indexer.language.optional_data).
    missing_language_data: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.exists:
            return "unavailable"
        return "stale" if self.stale else "ok"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status}
        if self.stale:
            data["stale_reason"] = self.stale_reason
        return {
            **data,
            "documents": self.documents,
            "reports": self.reports,
            "findings": self.findings,
            "passages": self.passages,
            "last_indexed": self.last_indexed,
            "failed": [asdict(failure) for failure in self.failed],
            "missing_language_data": list(self.missing_language_data),
        }


def report_info(fields: dict[str, Any], theme: str | None = None) -> ReportInfo:
    """The report a stored document belongs to; ``theme`` overrides the report's."""
    return ReportInfo(
        id=fields.get("report_id"),
        title=fields.get("title"),
        theme=theme if theme is not None else fields.get("theme"),
        contractors=list(fields.get("contractors") or []),
        authors=list(fields.get("authors") or []),
        language=fields.get("language"),
        commissioner=fields.get("commissioner"),
        year=fields.get("year"),
        published=fields.get("published"),
        source=fields.get("source"),
    )


def make_hit(
    fields: dict[str, Any],
    terms: set[tuple[str, str]],
    score: float = 0.0,
    theme: str | None = None,
    whole: bool | None = None,
    phrases: Sequence[Phrase] = (),
    word_spans: Sequence[tuple[int, int]] | None = None,
) -> SearchHit:
    """A hit for a stored finding or passage; findings are shown whole, passages as a snippet.
    ``word_spans``: where the text's words are, when kept at indexing (else the text is tokenised)."""
    text = fields.get("text") or ""
    if whole is None:
        whole = fields.get("kind") == "finding"
    return SearchHit(
        id=fields["id"],
        kind=fields["kind"],
        text=text,
        highlight=highlight(text, terms, width=None if whole else SNIPPET_CHARS, phrases=phrases,
                            word_spans=word_spans),
        score=round(score, 4),
        section=fields.get("section"),
        page=fields.get("page"),
        report=report_info(fields, theme),
        ocr="ocr_confidence" in fields,
        ocr_confidence=fields.get("ocr_confidence"),
    )
