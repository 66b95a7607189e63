"""The Flask application factory.

``create_app`` wires the blueprints, JSON errors, response headers and request
log around one :class:`indexer.Engine` over the app's index folder. A new part
of the site (the HTML search page) is added by listing its blueprint in
:func:`blueprints`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from flask import Blueprint, Flask, request
from flask.json.provider import DefaultJSONProvider

from indexer import DEFAULT_CORPUS, DEFAULT_INDEX_DIR, Engine
from search_app import api, pdf, web
from search_app.backend import install_engine
from search_app.errors import register_error_handlers
from search_app.params import check_query_string
from search_app.request_log import register_request_log
from search_app.response_headers import register_response_headers
from search_app.urls import PUBLIC_URL_ENV, checked_public_url


class JSONProvider(DefaultJSONProvider):
    """Norwegian letters as they are, fields in the order the engine's results give
    them, and one fast serialisation (orjson) per response; what orjson does not
    know goes through Flask's own rules."""

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return self._bytes(obj).decode()

    def response(self, *args: Any, **kwargs: Any) -> Any:
        obj = self._prepare_response_obj(args, kwargs)
        response_class: Any = self._app.response_class
        return response_class(self._bytes(obj), mimetype=self.mimetype)

    def _bytes(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(obj, default=self.default)
        except TypeError:  # keys that are not strings, integers too large: the slower path knows them
            return super().dumps(obj).encode()


def blueprints() -> list[Blueprint]:
    """Every part of the site, in registration order."""
    return [api.blueprint, pdf.blueprint, web.blueprint]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The Rapportsøk web app. ``config`` may set ``INDEX_DIR``, ``CORPUS_DIR`` and
    ``PUBLIC_BASE_URL`` (default: the ``RAPPORTSOK_PUBLIC_URL`` variable; without it,
    links are relative)."""
    app = Flask(__name__)
    app.config.update(INDEX_DIR=DEFAULT_INDEX_DIR, CORPUS_DIR=DEFAULT_CORPUS,
                      PUBLIC_BASE_URL=os.environ.get(PUBLIC_URL_ENV))
    app.config.update(config or {})
    app.config["PUBLIC_BASE_URL"] = checked_public_url(app.config["PUBLIC_BASE_URL"])
    # Absolute, because Flask resolves relative folders against the package, not the working directory.
    for key in ("INDEX_DIR", "CORPUS_DIR"):
        app.config[key] = Path(app.config[key]).resolve()
    app.json = JSONProvider(app)

    install_engine(app, Engine(app.config["INDEX_DIR"]))
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    app.before_request(lambda: check_query_string(request.query_string))
    register_response_headers(app)
    register_request_log(app)
    return app
