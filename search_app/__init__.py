"""Rapportsøk's web side: the search page and the JSON API."""
