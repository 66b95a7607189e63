"""Section headings as search context: ``anbefalinger`` lifts the items under «Anbefalinger».

A finding or passage is stored with the heading it stands under («Bruk av
tolk», «Kartlegging før bosetting», «Anbefalinger»). Headings are facet-like
values in the index, not analysed text, so the words of every heading are
looked up here (by lemma, stop words left out) and a query word that occurs
in a heading gives the items under it a constant score, higher for a short
heading where the word says more.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from whoosh import query as wq

from indexer.language.analysis import analyse_word
from indexer.language.synonyms import text_keys

SECTION_FIELD = "section"


def _content_keys(text: str, keys_of: Callable[[str], tuple[str, ...]] = text_keys) -> list[str]:
    return [key for key in keys_of(text) if not analyse_word(key).stop]


class Headings:
    """The words of the headings in one index."""

    def __init__(self, headings: Iterable[str], titles: Iterable[str] = (),
                 keys_of: Callable[[str], tuple[str, ...]] = text_keys):
        """``keys_of``: a heading's analysed words (:func:`text_keys`, or what a snapshot kept of it)."""
        self._by_key: dict[str, set[str]] = {}
        self._length: dict[str, int] = {}
        # A heading that repeats its report's title (the summary of a report in
        # a compilation) adds nothing the title does not already say.
        skipped = {" ".join(title.lower().split()) for title in titles}
        for heading in headings:
            if " ".join(heading.lower().split()) in skipped:
                continue
            keys = _content_keys(heading, keys_of)
            self._length[heading] = max(1, len(set(keys)))
            for key in keys:
                self._by_key.setdefault(key, set()).add(heading)

    def query(self, text: str, score: float) -> wq.Query | None:
        """Items under a heading containing a word of ``text``; ``None`` if there is none."""
        found: set[str] = set()
        for key in _content_keys(text):
            found |= self._by_key.get(key, set())
        if not found:
            return None
        return wq.Or(
            [
                wq.ConstantScoreQuery(wq.Term(SECTION_FIELD, heading), score=score / math.sqrt(self._length[heading]))
                for heading in sorted(found)
            ]
        )
