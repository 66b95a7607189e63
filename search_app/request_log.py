"""One log line per request: method, path, status and latency.

The line is ``key=value`` pairs so it can be grepped and parsed; the same values
are attached to the log record (``extra``) for a structured log handler.
"""
from __future__ import annotations

import logging
import time
from urllib.parse import quote

from flask import Flask, Response, g, request

logger = logging.getLogger("rapportsok.requests")


def _start_clock() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
    # Quoted so a path with spaces or control characters stays one parseable line.
    path = quote(request.path, safe="/")
    logger.info(
        "method=%s path=%s status=%d duration_ms=%s",
        request.method,
        path,
        response.status_code,
        duration_ms,
        extra={"method": request.method, "path": path, "status": response.status_code, "duration_ms": duration_ms},
    )
    return response


def register_request_log(app: Flask) -> None:
    app.before_request(_start_clock)
    app.after_request(_log_request)
