"""Findings and reports by id, and the list of all reports.

These read stored fields only; the facet facts (:mod:`indexer.search.facets`) give
each finding its theme and each report its number of findings without
opening every document.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from indexer.search.facets import DocFacts
from indexer.search.hits import make_hit, pdf_url
from indexer.index.schema import KIND_FINDING, KIND_PASSAGE, KIND_REPORT

REPORT_FIELDS = ("id", "title", "theme", "contractors", "commissioner", "year", "published", "source")


def _docnum(searcher, doc_id: str, kind: str) -> int | None:
    docnum = searcher.document_number(id=doc_id)
    if docnum is None or searcher.stored_fields(docnum).get("kind") != kind:
        return None
    return docnum


def finding(searcher, facts: DocFacts, finding_id: str) -> dict[str, Any] | None:
    """A finding with its report, shaped like a search hit (plus its chapter)."""
    docnum = _docnum(searcher, finding_id, KIND_FINDING)
    if docnum is None:
        return None
    fields = searcher.stored_fields(docnum)
    data = make_hit(fields, set(), theme=facts.theme[docnum]).to_dict()
    data["chapter"] = fields.get("chapter")
    return data


def _report_summary(fields: dict[str, Any]) -> dict[str, Any]:
    report_id = fields.get("report_id") or fields.get("id")
    summary = {name: fields.get(name) for name in REPORT_FIELDS}
    summary["id"] = report_id
    summary["contractors"] = list(fields.get("contractors") or [])
    summary["lead"] = fields.get("lead")
    summary["page_start"] = fields.get("page")
    summary["pdf_url"] = pdf_url(report_id, fields.get("page"))
    return summary


def list_reports(searcher, facts: DocFacts) -> list[dict[str, Any]]:
    """Every report, newest first, with how many findings and passages it has."""
    counts = Counter(zip(facts.report_id, facts.kind))
    reports = []
    for fields in searcher.documents(kind=KIND_REPORT):
        summary = _report_summary(fields)
        summary["finding_count"] = counts[(summary["id"], KIND_FINDING)]
        summary["passage_count"] = counts[(summary["id"], KIND_PASSAGE)]
        reports.append(summary)
    reports.sort(key=lambda r: (r.get("published") or "", r.get("title") or ""), reverse=True)
    return reports


def _item(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": fields["id"],
        "text": fields.get("text") or "",
        "page": fields.get("page"),
        "section": fields.get("section"),
        "chapter": fields.get("chapter"),
    }


def get_report(searcher, facts: DocFacts, report_id: str) -> dict[str, Any] | None:
    """A report's metadata, its findings and its passages, in document order."""
    docnum = _docnum(searcher, report_id, KIND_REPORT)
    if docnum is None:
        return None
    report = _report_summary(searcher.stored_fields(docnum))
    items: dict[str, list[tuple[int, dict[str, Any]]]] = {KIND_FINDING: [], KIND_PASSAGE: []}
    for number, kind in enumerate(facts.kind):
        if kind in items and facts.report_id[number] == report_id:
            items[kind].append((facts.position[number], _item(searcher.stored_fields(number))))
    report["findings"] = [item for _, item in sorted(items[KIND_FINDING], key=lambda pair: pair[0])]
    report["passages"] = [item for _, item in sorted(items[KIND_PASSAGE], key=lambda pair: pair[0])]
    report["finding_count"] = len(report["findings"])
    report["passage_count"] = len(report["passages"])
    return report
