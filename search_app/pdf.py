"""``/pdf/<report_id>``: the PDF a report comes from, straight from the corpus folder.

The file is found through the index (the report's ``source``), never from a
path in the URL, and is only served if it lies inside ``CORPUS_DIR``; anything
else is a 404. The page is chosen by the browser from ``#page=N``.
"""
from __future__ import annotations

from pathlib import PurePosixPath

from flask import Blueprint, Response, current_app, send_from_directory, url_for

from search_app.backend import current_backend
from search_app.errors import NotFound

blueprint = Blueprint("pdf", __name__, url_prefix="/pdf")

NOT_FOUND_MESSAGE = "Fant ikke PDF-en til denne rapporten."


def pdf_url(report_id: str | None, page: int | None = None) -> str | None:
    """Where the report's PDF is served, opened at ``page`` when given."""
    if not report_id:
        return None
    url = url_for("pdf.report_pdf", report_id=report_id)
    return f"{url}#page={page}" if page else url


@blueprint.get("/<report_id>")
def report_pdf(report_id: str) -> Response:
    report = current_backend().get_report(report_id)
    source = (report or {}).get("source")
    if not source or PurePosixPath(source).suffix.lower() != ".pdf":
        raise NotFound(NOT_FOUND_MESSAGE)
    # send_from_directory refuses paths that leave the folder (404).
    return send_from_directory(
        current_app.config["CORPUS_DIR"],
        source,
        mimetype="application/pdf",
        download_name=PurePosixPath(source).name,
    )
