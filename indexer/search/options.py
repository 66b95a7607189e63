"""What a search can ask for: :class:`SearchRequest`, and the names of its options.

The kinds, sort orders and year limits are defined here once for every front
end (the query language, the JSON API, the search page, the terminal): each
accepts the English name and its Bokmål word, and links are written with the
Bokmål word.
"""
from __future__ import annotations

from dataclasses import dataclass

from indexer.index.docfacts import MAX_YEAR, MIN_YEAR  # what a year filter accepts: four digits
from indexer.index.schema import KIND_FINDING, KIND_PASSAGE, SEARCHABLE_KINDS

__all__ = [
    "DEFAULT_SIZE",
    "DEFAULT_SORT",
    "KIND_VALUES",
    "KIND_WORDS",
    "MAX_YEAR",
    "MIN_YEAR",
    "SEARCHABLE_KINDS",
    "SORT_NEWEST",
    "SORT_RELEVANCE",
    "SORT_VALUES",
    "SORT_WORDS",
    "SearchRequest",
]

DEFAULT_SIZE = 10

# The Bokmål word for each kind a search returns.
KIND_WORDS = {KIND_FINDING: "funn", KIND_PASSAGE: "avsnitt"}
# Every name of a kind, English or Bokmål, and the kind it means.
KIND_VALUES = {**{kind: kind for kind in SEARCHABLE_KINDS}, **{word: kind for kind, word in KIND_WORDS.items()}}

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
DEFAULT_SORT = SORT_RELEVANCE
# The Bokmål word for each sort order.
SORT_WORDS = {SORT_RELEVANCE: "relevans", SORT_NEWEST: "nyeste"}
# Every name of a sort order, English or Bokmål, and the order it means.
SORT_VALUES = {**{sort: sort for sort in SORT_WORDS}, **{word: sort for sort, word in SORT_WORDS.items()}}


@dataclass(frozen=True)
class SearchRequest:
    """One page of a search: what was typed, the filters on top of it, the order and the page.

    Filters combine as in the query language: OR within ``themes``,
    ``contractors`` and ``years``, AND across them.
    """

    query: str = ""
    page: int = 1
    size: int = DEFAULT_SIZE
    themes: tuple[str, ...] = ()
    contractors: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    kinds: tuple[str, ...] = SEARCHABLE_KINDS
    sort: str = DEFAULT_SORT
    group_by_report: bool = False
