"""A report a page at a time: its findings and passages in slices of a bounded size.

One scanned form of fifty pages gave a 1.3 MB JSON answer and a 2 MB page; here
both the page (``/rapport/<id>?page=N``) and the API (``/api/reports/<id>?page=N``)
hold at most :data:`REPORT_PAGE_ITEMS` findings and as many passages, and say which
page of how many they are, so a client asks for the rest («Vis flere»).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from indexer import PdfLinker, ReportDetail
from search_app.errors import BadParameter
from search_app.params import read_integer

REPORT_PAGE_ITEMS = 100


@dataclass(frozen=True)
class ReportPage:
    report: ReportDetail  # holding this page's findings and passages only
    number: int
    pages: int
    finding_count: int  # in the whole report
    passage_count: int

    def to_dict(self, link_pdf: PdfLinker) -> dict[str, Any]:
        return {**self.report.to_dict(link_pdf), "finding_count": self.finding_count,
                "passage_count": self.passage_count, "page": self.number, "pages": self.pages,
                "page_size": REPORT_PAGE_ITEMS}


def report_pages(report: ReportDetail) -> int:
    longest = max(len(report.findings), len(report.passages))
    return max(1, -(-longest // REPORT_PAGE_ITEMS))


def page_of_report(report: ReportDetail, args: MultiDict, *, allow_blank: bool = True) -> ReportPage:
    """The page of the report that ``args`` asks for (``page``, from 1)."""
    pages = report_pages(report)
    raw = args.get("page")
    if raw is None or (allow_blank and not raw.strip()):
        number = 1
    elif not raw.strip():
        raise BadParameter("page", "«page» er tom; utelat parameteren eller gi den en verdi.")
    else:
        number = read_integer("page", raw, 1, pages, "et sidetall")
    window = slice((number - 1) * REPORT_PAGE_ITEMS, number * REPORT_PAGE_ITEMS)
    shown = dataclasses.replace(report, findings=report.findings[window], passages=report.passages[window])
    return ReportPage(shown, number, pages, len(report.findings), len(report.passages))
