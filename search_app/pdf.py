"""``/pdf/<report_id>``: the PDF a report comes from, straight from the corpus folder.

The file is found through the index (the report's ``source``), never from a
path in the URL, and is only served if it lies inside ``CORPUS_DIR``; anything
else is a 404. The page is chosen by the browser from ``#page=N``; links here
are made by :func:`search_app.urls.pdf_url`.
"""
from __future__ import annotations

from pathlib import PurePosixPath

from flask import Blueprint, Response, current_app, send_from_directory

from search_app.backend import current_engine
from search_app.errors import NotFound
from search_app.urls import PDF_PREFIX

blueprint = Blueprint("pdf", __name__, url_prefix=PDF_PREFIX.rstrip("/"))

NOT_FOUND_MESSAGE = "Fant ikke PDF-en til denne rapporten."


@blueprint.get("/<report_id>")
def report_pdf(report_id: str) -> Response:
    report = current_engine().report(report_id)
    source = report.source if report is not None else None
    if not source or PurePosixPath(source).suffix.lower() != ".pdf":
        raise NotFound(NOT_FOUND_MESSAGE)
    # send_from_directory refuses paths that leave the folder (404).
    return send_from_directory(
        current_app.config["CORPUS_DIR"],
        source,
        mimetype="application/pdf",
        download_name=PurePosixPath(source).name,
    )
