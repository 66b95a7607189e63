"""Headers every response carries: security policy, and CORS on the JSON API."""
from __future__ import annotations

from flask import Flask, Response, request

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


def _add_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    if request.path.startswith(API_PREFIX) and request.method in CORS_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = ", ".join(CORS_METHODS)
    return response


def register_response_headers(app: Flask) -> None:
    app.after_request(_add_headers)
