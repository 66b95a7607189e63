"""Headers every response carries: security policy, and CORS on the JSON API."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from search_app.urls import public_url

# No inline script or style anywhere, so the policy can stay this strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
API_PREFIX = "/api/"
# The API is read-only, so cross-origin access is only opened for reading.
CORS_METHODS = ("GET", "HEAD", "OPTIONS")


def _location_without_host(response: Response) -> None:
    """Werkzeug's own redirects (``/rapport//x`` → ``/rapport/x``) name the Host header
    the client sent; any client can forge it, so the link is made from the public base
    URL, or relative."""
    location = response.headers.get("Location")
    if not location:
        return
    target = urlsplit(location)
    if target.netloc and target.netloc == urlsplit(request.host_url).netloc:
        path = target.path + (f"?{target.query}" if target.query else "")
        response.headers["Location"] = public_url(current_app.config.get("PUBLIC_BASE_URL"), path)


def _add_headers(response: Response) -> Response:
    _location_without_host(response)
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if request.path.startswith(API_PREFIX) and request.method in CORS_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = ", ".join(CORS_METHODS)
    return response


def register_response_headers(app: Flask) -> None:
    app.after_request(_add_headers)
