"""The one place the app's links to report PDFs are made.

A pure function with no Flask context, so the JSON API, the pages, the exports
and ``rapportsok search --json`` all link a PDF the same way. It is the
:data:`indexer.PdfLinker` every engine result's ``to_dict`` takes.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

# Where ``search_app.pdf`` serves a report's PDF.
PDF_PREFIX = "/pdf/"
# The site's public address («https://rapporter.example.no»), for links read outside it
# (exports, redirects). Set by ``rapportsok serve --public-url`` or this variable.
PUBLIC_URL_ENV = "RAPPORTSOK_PUBLIC_URL"


def checked_public_url(url: str | None) -> str | None:
    """A public base URL as the app uses it (no trailing slash), or ``None`` when unset.
    Raises ValueError for anything but an http(s) address without query or fragment."""
    if not url or not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"Den offentlige adressen må være en http(s)-adresse, for eksempel https://rapporter.example.no, ikke «{url}».")
    return url.strip().rstrip("/")


def public_url(base: str | None, path: str) -> str:
    """``path`` under the configured public base URL, or ``path`` itself (a relative link)
    without one: never built from the request's Host header, which any client can forge."""
    return base + path if base else path


def pdf_url(report_id: str | None, page: int | None = None) -> str | None:
    """Where the report's PDF is served, opened at ``page`` when given; ``None`` without a report."""
    if not report_id:
        return None
    url = PDF_PREFIX + quote(report_id, safe="")
    return f"{url}#page={page}" if page else url
