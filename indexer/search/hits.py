"""The records a search answers with, and how a stored document becomes one.

Shared by the search, the finding and report lookups and more-like-this, so
the terminal, the JSON API and the web page all show the same fields.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote

from indexer.search.highlight import SNIPPET_CHARS, Phrase, highlight

PDF_URL_PREFIX = "/pdf/"


@dataclass
class ReportInfo:
    id: str | None
    title: str | None
    theme: str | None
    contractors: list[str]
    commissioner: str | None
    year: int | None
    published: str | None
    source: str | None
    pdf_url: str | None


@dataclass
class SearchHit:
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

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if data["more_in_report"] is None:
            del data["more_in_report"]
        return data


@dataclass
class SearchResponse:
    query: str
    total: int
    page: int
    size: int
    took_ms: float
    suggestion: str | None = None
    results: list[SearchHit] = field(default_factory=list)
    facets: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["results"] = [hit.to_dict() for hit in self.results]
        return data


def pdf_url(report_id: str | None, page: int | None = None) -> str | None:
    """Where the web app serves the report's PDF, opened at ``page``."""
    if not report_id:
        return None
    url = PDF_URL_PREFIX + quote(report_id)
    return f"{url}#page={page}" if page else url


def report_info(fields: dict[str, Any], theme: str | None = None) -> ReportInfo:
    """The report a stored document belongs to; ``theme`` overrides the report's."""
    return ReportInfo(
        id=fields.get("report_id"),
        title=fields.get("title"),
        theme=theme if theme is not None else fields.get("theme"),
        contractors=list(fields.get("contractors") or []),
        commissioner=fields.get("commissioner"),
        year=fields.get("year"),
        published=fields.get("published"),
        source=fields.get("source"),
        pdf_url=pdf_url(fields.get("report_id"), fields.get("page")),
    )


def make_hit(
    fields: dict[str, Any],
    terms: set[tuple[str, str]],
    score: float = 0.0,
    theme: str | None = None,
    whole: bool | None = None,
    phrases: Sequence[Phrase] = (),
) -> SearchHit:
    """A hit for a stored finding or passage; findings are shown whole, passages as a snippet."""
    text = fields.get("text") or ""
    if whole is None:
        whole = fields.get("kind") == "finding"
    return SearchHit(
        id=fields["id"],
        kind=fields["kind"],
        text=text,
        highlight=highlight(text, terms, width=None if whole else SNIPPET_CHARS, phrases=phrases),
        score=round(score, 4),
        section=fields.get("section"),
        page=fields.get("page"),
        report=report_info(fields, theme),
    )

