"""The JSON API under ``/api``: search, findings, reports, health and the OpenAPI document.

Views read request parameters, ask the app's :class:`indexer.Engine` and send
its results' ``to_dict``, with the ``pdf_url`` links of :func:`search_app.urls.pdf_url`
because the PDF route belongs to this app.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from indexer import stale_sources
from search_app.backend import current_engine
from search_app.errors import NotFound
from search_app.health import check_health
from search_app.openapi import openapi_document
from search_app.params import parse_search_params
from search_app.reportpages import page_of_report
from search_app.urls import pdf_url

blueprint = Blueprint("api", __name__, url_prefix="/api")

SIMILAR_LIMIT = 5


@blueprint.get("/search")
def search() -> Response:
    response = current_engine().search(parse_search_params(request.args, allow_blank=False))
    return jsonify(response.to_dict(pdf_url))


@blueprint.get("/findings/<finding_id>")
def finding(finding_id: str) -> Response:
    engine = current_engine()
    found = engine.finding(finding_id)
    if found is None:
        raise NotFound(f"Fant ikke funnet «{finding_id}».")
    similar = engine.similar(finding_id, SIMILAR_LIMIT)
    return jsonify({**found.to_dict(pdf_url), "similar": [hit.to_dict(pdf_url) for hit in similar]})


@blueprint.get("/reports")
def reports() -> Response:
    listed = [report.to_dict(pdf_url) for report in current_engine().reports()]
    return jsonify({"total": len(listed), "reports": listed})


@blueprint.get("/reports/<report_id>")
def report(report_id: str) -> Response:
    found = current_engine().report(report_id)
    if found is None:
        raise NotFound(f"Fant ikke rapporten «{report_id}».")
    data = page_of_report(found, request.args, allow_blank=False).to_dict(pdf_url)
    stale = stale_sources(current_app.config["INDEX_DIR"]).get(found.source or "")
    if stale is not None:
        data["stale"] = {"code": stale.get("code"), "reason": stale.get("reason")}
    return jsonify(data)


@blueprint.get("/health")
def health() -> tuple[Response, int]:
    # A stale index still answers searches (200); a missing, empty, unreadable or
    # unanswering one is 503 with its reason.
    body, status = check_health(current_engine(), current_app.config["INDEX_DIR"])
    return jsonify(body), status


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())
