"""Defaults and the data files the engine reads at run time.

Data ships inside the package and is read through :mod:`importlib.resources`,
so an installed wheel finds it as well as a source checkout does. The stop
lists are kept in the top-level ``stopwords/`` folder, linked into the package
as ``indexer/language/stopwords`` so the wheel carries them.
"""
from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

DEFAULT_CORPUS = Path("corpus")
DEFAULT_INDEX_DIR = Path("var/index")


def language_data(name: str) -> Traversable:
    """A file of the language data (lexicon exceptions, synonyms, gazetteer)."""
    return resources.files("indexer.language") / "data" / name


def stopword_list(name: str) -> Traversable:
    """A stop list (``nb.txt``, ``nn.txt``)."""
    return resources.files("indexer.language") / "stopwords" / name
