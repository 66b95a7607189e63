"""The JSON API under ``/api``: search, findings, reports, health and the OpenAPI document.

Views read request parameters, ask :class:`~search_app.backend.SearchBackend`
and shape the answer; they add the ``pdf_url`` links because the PDF route
belongs to this app.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from search_app.backend import current_backend
from search_app.errors import NotFound
from search_app.openapi import openapi_document
from search_app.params import parse_search_params
from search_app.pdf import pdf_url

blueprint = Blueprint("api", __name__, url_prefix="/api")

SIMILAR_LIMIT = 5


def _link_report(report: dict[str, Any] | None, page: int | None) -> None:
    if report is not None:
        report["pdf_url"] = pdf_url(report.get("id"), page)


def _linked(item: dict[str, Any], report_id: str | None) -> dict[str, Any]:
    """A finding or passage with a link to its page in the report's PDF."""
    return {**item, "pdf_url": pdf_url(report_id, item.get("page"))}


def _linked_hit(hit: dict[str, Any]) -> dict[str, Any]:
    hit = dict(hit)
    if hit.get("report") is not None:
        hit["report"] = dict(hit["report"])
        _link_report(hit["report"], hit.get("page"))
    return hit


def _report_page(report: dict[str, Any]) -> int | None:
    return report.get("page_start") or report.get("page")


def _by_chapter(passages: list[dict[str, Any]], report_id: str | None) -> list[dict[str, Any]]:
    """Passages in document order, in runs that share a chapter."""
    chapters: list[dict[str, Any]] = []
    for passage in passages:
        title = passage.get("chapter")
        if not chapters or chapters[-1]["title"] != title:
            chapters.append({"title": title, "passages": []})
        chapters[-1]["passages"].append(_linked(passage, report_id))
    return chapters


@blueprint.get("/search")
def search() -> Response:
    params = parse_search_params(request.args)
    body = current_backend().search(params)
    body["results"] = [_linked_hit(hit) for hit in body.get("results", [])]
    return jsonify(body)


@blueprint.get("/findings/<finding_id>")
def finding(finding_id: str) -> Response:
    backend = current_backend()
    found = backend.get_finding(finding_id)
    if found is None:
        raise NotFound(f"Fant ikke funnet «{finding_id}».")
    body = _linked_hit(found)
    body["similar"] = [_linked_hit(hit) for hit in backend.similar_findings(finding_id, SIMILAR_LIMIT)]
    return jsonify(body)


@blueprint.get("/reports")
def reports() -> Response:
    listed = []
    for report in current_backend().list_reports():
        report = dict(report)
        _link_report(report, _report_page(report))
        listed.append(report)
    return jsonify({"total": len(listed), "reports": listed})


@blueprint.get("/reports/<report_id>")
def report(report_id: str) -> Response:
    found = current_backend().get_report(report_id)
    if found is None:
        raise NotFound(f"Fant ikke rapporten «{report_id}».")
    body = dict(found)
    _link_report(body, _report_page(body))
    body["findings"] = [_linked(f, body.get("id")) for f in body.get("findings") or []]
    if "chapters" not in body:
        body["chapters"] = _by_chapter(body.pop("passages", None) or [], body.get("id"))
    return jsonify(body)


@blueprint.get("/health")
def health() -> Response | tuple[Response, int]:
    status = current_backend().status()
    if not status.get("exists"):
        body = {"status": "unavailable", "documents": 0, "reports": 0, "findings": 0,
                "passages": 0, "last_indexed": None, "failed": []}
        return jsonify(body), 503
    last_run = status.get("last_run") or {}
    return jsonify(
        {
            "status": "ok",
            "documents": status.get("sources", 0),
            "reports": status.get("reports", 0),
            "findings": status.get("findings", 0),
            "passages": status.get("passages", 0),
            "last_indexed": last_run.get("finished") or status.get("last_modified"),
            "failed": status.get("failed", []),
        }
    )


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
