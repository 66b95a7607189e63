"""Rapportsøk's web side: the search page and the JSON API.

:func:`create_app` is imported on first use, so the command line
(``search_app.cli``) loads Flask and the search engine only for the commands
that need them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from search_app.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":
        from search_app.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
