"""Answers from the index: query language, query building, array scoring,
facets, typo correction, highlights, finding and report lookups and
more-like-this. ``engine.Engine`` is the interface the web app uses.
"""
