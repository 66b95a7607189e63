"""Scoring over a commit's serving snapshot (:mod:`indexer.index.snapshot`).

Terms and phrases are read from the snapshot's mapped arrays: a term's postings are
a slice of document numbers and precomputed BM25F impacts, a phrase's positions a
slice of flat arrays, so nothing is decoded at query time and a new process is as
fast as an old one. Everything else is combined as :class:`ArrayScorer` combines it
for Whoosh's segments, and a query type neither knows is walked over Whoosh, so the
answers are those of :func:`indexer.search.arrayscoring.score_all`.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.index import _whoosh
from indexer.index.snapshot import FieldPostings, Snapshot
from indexer.search.arrayscoring import ArrayScorer, Matches, score_all

_LENGTH_OF_BYTE = np.array(_whoosh.LENGTH_BY_BYTE, dtype=np.float64)


class SnapshotScorer(ArrayScorer):
    """Scores queries over one commit's snapshot; document numbers are the searcher's."""

    def __init__(self, snapshot: Snapshot, searcher: Searcher,
                 leaf_scorers: Callable[[], list[tuple[ArrayScorer, int]]] | None = None):
        self.snapshot = snapshot
        # Weak: a scorer is cached beside its searcher and must not keep it alive.
        self._searcher = weakref.ref(searcher)
        self.schema = searcher.schema
        self.size = snapshot.doc_count
        self._leaf_scorers = leaf_scorers

    def walk(self, query: wq.Query) -> Matches:
        """Over Whoosh's segments, for what the snapshot does not hold."""
        searcher = self._searcher()
        if searcher is None:
            raise ReferenceError("the searcher of this snapshot scorer is closed")
        return score_all(searcher, query, self._leaf_scorers() if self._leaf_scorers else None)

    def _field(self, fieldname: str) -> FieldPostings | None:
        return self.snapshot.field(fieldname) if self.snapshot.has_field(fieldname) else None

    def _number(self, fieldname: str, word: str) -> int | None:
        try:
            text = self.schema[fieldname].to_bytes(word)
        except ValueError:
            return None
        postings = self._field(fieldname)
        return postings.term_number(text) if postings is not None else None

    def term(self, query: wq.Term) -> Matches:
        fieldname = query.fieldname
        if fieldname not in self.schema:
            return Matches.none()
        postings = self._field(fieldname)
        if postings is None:
            return self.walk(query)
        return self._scored(postings, self._number(fieldname, query.text), query.boost)

    @staticmethod
    def _scored(postings: FieldPostings, number: int | None, boost: float) -> Matches:
        """A term's documents and Whoosh's scores, given its number in the field."""
        if number is None:
            return Matches.none()
        docs, stored = postings.postings(number)
        docnums = docs.astype(np.int64)
        # Whoosh keeps weights as 32-bit floats and scores them as doubles.
        weights = stored.astype(np.float64)
        if postings.scorable:
            assert postings.lengths is not None
            idf, K1, B, avgfl = float(postings.idf[number]), postings.K1, postings.B, postings.avgfl
            fl = _LENGTH_OF_BYTE[postings.lengths[docnums]]
            # The operations of whoosh.scoring.bm25, in its order (as LeafScorer.term), so the floats agree.
            scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        else:
            scores = weights  # Whoosh scores an unscorable field by the term's weight
        return Matches(docnums, scores * boost if boost != 1.0 else scores)

    def phrase(self, query: wq.Phrase) -> Matches:
        """As :meth:`LeafScorer.phrase`: the words at consecutive positions, scored by
        the sum of their term scores."""
        fieldname = query.fieldname
        postings = self._field(fieldname)
        if query.slop != 1 or not query.words or postings is None or postings.positions is None:
            return self.walk(query)
        numbers = {word: self._number(fieldname, word) for word in query.words}  # each word looked up once
        per_word = [self._scored(postings, numbers[word], 1.0) for word in query.words]
        both = self.intersection(per_word)
        if not len(both):
            return Matches.none()

        def positions_of(word: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
            number = numbers[word]
            return postings.term_positions(number) if number is not None else None

        found = self.phrase_starts_of(query, both, per_word, positions_of)
        return self.walk(query) if found is None else found
