"""The app's one engine: an :class:`indexer.Engine` over the app's index folder.

Views never open the index or build queries themselves: they ask the engine
of the app handling the request, made once in ``create_app``. The engine keeps
its searcher open per process and thread and refreshes it after a re-index,
so the app keeps answering while ``rapportsok index`` runs. Its errors become
API errors in one place, :func:`search_app.errors.engine_api_error`.
"""
from __future__ import annotations

from flask import Flask, current_app

from indexer import Engine

EXTENSION_KEY = "rapportsok"


def install_engine(app: Flask, engine: Engine) -> None:
    app.extensions[EXTENSION_KEY] = engine


def current_engine() -> Engine:
    """The engine of the app handling this request."""
    engine: Engine = current_app.extensions[EXTENSION_KEY]
    return engine
