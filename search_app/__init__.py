"""Rapportsøk's web side: the search page and the JSON API."""
from search_app.app import create_app

__all__ = ["create_app"]
