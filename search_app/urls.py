"""The one place the app's links to report PDFs are made.

A pure function with no Flask context, so the JSON API, the pages, the exports
and ``rapportsok search --json`` all link a PDF the same way. It is the
:data:`indexer.PdfLinker` every engine result's ``to_dict`` takes.
"""
from __future__ import annotations

from urllib.parse import quote

# Where ``search_app.pdf`` serves a report's PDF.
PDF_PREFIX = "/pdf/"


def pdf_url(report_id: str | None, page: int | None = None) -> str | None:
    """Where the report's PDF is served, opened at ``page`` when given; ``None`` without a report."""
    if not report_id:
        return None
    url = PDF_PREFIX + quote(report_id, safe="")
    return f"{url}#page={page}" if page else url
