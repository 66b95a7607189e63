"""Findings and reports by id, and the list of all reports.

These read stored fields only; the document facts (:mod:`indexer.index.docfacts`) give
each finding its theme and each report its number of findings without
opening every document.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from indexer.index.docfacts import DocFacts
from indexer.index.schema import KIND_FINDING, KIND_PASSAGE, KIND_REPORT
from indexer.search.results import FindingDetail, ReportDetail, ReportItem, ReportSummary, make_hit, report_info


def _docnum(searcher: Searcher, doc_id: str, kind: str) -> int | None:
    docnum = searcher.document_number(id=doc_id)
    if docnum is None or searcher.stored_fields(docnum).get("kind") != kind:
        return None
    return docnum


def finding(searcher: Searcher, facts: DocFacts, finding_id: str) -> FindingDetail | None:
    """A finding with its report, shaped like a search hit (plus its chapter)."""
    docnum = _docnum(searcher, finding_id, KIND_FINDING)
    if docnum is None:
        return None
    fields = searcher.stored_fields(docnum)
    hit = make_hit(fields, set(), theme=facts.value("theme", docnum))
    return FindingDetail(**vars(hit), chapter=fields.get("chapter"))


def _report_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """A stored report document's metadata, as the keyword arguments of a report record."""
    return {
        **vars(report_info(fields)),
        "id": fields.get("report_id") or fields.get("id"),
        "lead": fields.get("lead"),
        "page_start": fields.get("page"),
    }


def _summary(fields: dict[str, Any], counts: Counter[tuple[str | None, str | None]]) -> ReportSummary:
    report = _report_fields(fields)
    return ReportSummary(
        **report,
        finding_count=counts[(report["id"], KIND_FINDING)],
        passage_count=counts[(report["id"], KIND_PASSAGE)],
    )


def list_reports(searcher: Searcher, facts: DocFacts) -> list[ReportSummary]:
    """Every report, newest first, with how many findings and passages it has."""
    counts = Counter(zip(facts.report_id, facts.kind, strict=True))
    reports = [_summary(fields, counts) for fields in searcher.documents(kind=KIND_REPORT)]
    reports.sort(key=lambda report: (report.published or "", report.title or ""), reverse=True)
    return reports


def _item(fields: dict[str, Any]) -> ReportItem:
    return ReportItem(
        id=fields["id"],
        text=fields.get("text") or "",
        page=fields.get("page"),
        section=fields.get("section"),
        chapter=fields.get("chapter"),
        ocr="ocr_confidence" in fields,
        ocr_confidence=fields.get("ocr_confidence"),
    )


def get_report(searcher: Searcher, facts: DocFacts, report_id: str) -> ReportDetail | None:
    """A report's metadata, its findings and its passages, in document order."""
    docnum = _docnum(searcher, report_id, KIND_REPORT)
    if docnum is None:
        return None
    items: dict[str, list[tuple[int, ReportItem]]] = {KIND_FINDING: [], KIND_PASSAGE: []}
    codes = facts.codes
    report_code = bisect_left(codes.tables["report_id"], report_id)
    if report_code < len(codes.tables["report_id"]) and codes.tables["report_id"][report_code] == report_id:
        for number in np.flatnonzero(codes.codes["report_id"] == report_code).tolist():
            kind = facts.value("kind", number)
            if kind in items:
                items[kind].append((int(codes.position[number]), _item(searcher.stored_fields(number))))
    return ReportDetail(
        **_report_fields(searcher.stored_fields(docnum)),
        findings=[item for _, item in sorted(items[KIND_FINDING], key=lambda pair: pair[0])],
        passages=[item for _, item in sorted(items[KIND_PASSAGE], key=lambda pair: pair[0])],
    )
