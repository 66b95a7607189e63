"""JSON errors for every failure, so API clients never receive an HTML page.

:class:`ApiError` carries a status, a stable ``code`` and a Bokmål message;
the engine's errors (:data:`ENGINE_ERRORS`) become one in
:func:`engine_api_error`; HTTP errors raised by Flask/Werkzeug (404, 405 …) and
unexpected exceptions are turned into the same ``{"error": {"code", "message"}}``
shape.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from indexer import IndexNotFoundError, QueryError

logger = logging.getLogger("rapportsok.errors")

# Messages for the HTTP errors a client can provoke; others get a generic one.
HTTP_MESSAGES = {
    400: "Forespørselen er ugyldig.",
    404: "Fant ikke det du ba om.",
    405: "Metoden {method} er ikke tillatt for denne adressen.",
    413: "Forespørselen er for stor.",
    414: "Adressen er for lang.",
    431: "Forespørselens hoder er for store.",
}
INTERNAL_ERROR_MESSAGE = "Noe gikk galt på serveren. Prøv igjen senere."


class ApiError(Exception):
    """An error a client should see, with a machine-readable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class BadParameter(ApiError):
    """A query parameter has a value the API cannot use."""

    code = "bad_parameter"

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


class NotFound(ApiError):
    status = 404
    code = "not_found"


class IndexUnavailable(ApiError):
    status = 503
    code = "index_missing"

    def __init__(self) -> None:
        super().__init__("Søkeindeksen er ikke bygget ennå. Kjør «rapportsok index» og prøv igjen.")


# What the engine raises that a client should see as an error of its own.
EngineError = IndexNotFoundError | QueryError
ENGINE_ERRORS = (IndexNotFoundError, QueryError)


def engine_api_error(exc: EngineError) -> ApiError:
    """The API error for an engine error: 503 without an index, 400 for a query it cannot search."""
    if isinstance(exc, IndexNotFoundError):
        return IndexUnavailable()
    # The message is written for the person who typed the query.
    return ApiError(str(exc), code="bad_query")


def error_response(status: int, code: str, message: str, **details: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message, **details}})
    response.status_code = status
    return response


def _http_code_name(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def _handle_api_error(exc: ApiError) -> Response:
    details = {"parameter": exc.parameter} if isinstance(exc, BadParameter) else {}
    return error_response(exc.status, exc.code, exc.message, **details)


def _handle_engine_error(exc: EngineError) -> Response:
    return _handle_api_error(engine_api_error(exc))


def _handle_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    if status >= 500:
        return _handle_unexpected(exc)
    template = HTTP_MESSAGES.get(status, "Forespørselen kunne ikke behandles.")
    response = error_response(status, _http_code_name(exc), template.format(method=request.method))
    # Keep headers the status needs (``Allow`` on 405), not Werkzeug's HTML content type.
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def unreadable_index_reason() -> str | None:
    """After an unexpected failure: the health check's reason when the index itself
    cannot answer (a cut or missing file), so the client gets a 503 that says so
    rather than a 500 that blames the server."""
    from search_app.backend import current_engine
    from search_app.health import check_health

    try:
        body, status = check_health(current_engine(), current_app.config["INDEX_DIR"])
    except Exception:  # the check itself failed: nothing more to say than the 500
        logger.warning("the health check after a failure failed too", exc_info=True)
        return None
    if status != 503 or body.get("status") != "unavailable":
        return None  # the index opens: a failure of the code, not of the index
    return str(body.get("reason") or "") or None


def _handle_unexpected(exc: Exception) -> Response:
    # The traceback goes to the log only; the client gets a plain message.
    logger.exception("Uventet feil under %s %s", request.method, request.path)
    reason = unreadable_index_reason()
    if reason:
        return error_response(503, "index_unavailable", reason)
    return error_response(500, "internal_error", INTERNAL_ERROR_MESSAGE)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, _handle_api_error)
    for engine_error in ENGINE_ERRORS:
        app.register_error_handler(engine_error, _handle_engine_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
