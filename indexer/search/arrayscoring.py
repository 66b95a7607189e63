"""Every matching document of a query with its score, computed over arrays.

A search answers with exact facet counts and an exact total, so every matching
document is scored, not just the first page. Whoosh's matchers do that one
document at a time in Python, which at 100,000 findings and passages costs
seconds for a common word. Here the postings of a term are read a block at a
time into NumPy arrays and BM25F is computed over whole arrays; ``Or``, ``And``,
boosts, constant scores and :class:`~indexer.search.coordination.CoordinatedQuery`
combine arrays.

The scores are Whoosh's: the same formula, the same statistics from the
top-level searcher (idf, average field length), the same lossy field lengths.
Query types this module does not know (a phrase, say) are walked with their
own Whoosh matcher, so :func:`score_all` always agrees with
``searcher.search(query, limit=None)``.
"""
from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from indexer.index import _whoosh

# Field length as Whoosh stores it: one byte, decoded through a table.
_LENGTH_OF_BYTE = np.array(_whoosh.LENGTH_BY_BYTE, dtype=np.float64)
# A term the segment does not have.
_ABSENT = object()


@dataclass
class Matches:
    """Document numbers (ascending, unique) and their scores."""

    docnums: np.ndarray  # int64
    scores: np.ndarray  # float64

    @classmethod
    def none(cls) -> Matches:
        return cls(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.docnums)


class DecodedCache:
    """Decoded postings and field lengths, shared by every thread's searcher.

    Keyed by segment id, which names immutable data, so an entry stays valid
    for as long as the segment exists; deletions are applied after lookup. The
    terms a day's queries use are decoded from disk once instead of per query.
    Least recently used entries go first when the cache is over its size.
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._sizes: dict[tuple, int] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, load: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = load()
        size = _nbytes(value)
        with self._lock:
            if key not in self._entries and size <= self.max_bytes:
                self._entries[key] = value
                self._sizes[key] = size
                self._bytes += size
                while self._bytes > self.max_bytes:
                    old, _ = self._entries.popitem(last=False)
                    self._bytes -= self._sizes.pop(old)
        return value


def _nbytes(value: Any) -> int:
    arrays = value if isinstance(value, tuple) else (value,)
    return 64 + sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))


# 96 MB holds the postings of a few hundred common terms of a 100,000-item index.
DECODED = DecodedCache(max_bytes=96 * 1024 * 1024)


class ArrayScorer:
    """Scores queries over arrays: the query types of :data:`_EVALUATORS` one way for
    all, the terms and phrases by the subclass (a Whoosh segment, or a serving
    snapshot), anything else by :meth:`walk`."""

    size: int  # document numbers run from 0 to size - 1

    def matches(self, query: wq.Query) -> Matches:
        """The documents the query matches, with Whoosh's scores."""
        evaluate = _EVALUATORS.get(type(query))
        if evaluate is None:
            return self.walk(query)
        return evaluate(self, query)

    def walk(self, query: wq.Query) -> Matches:
        raise NotImplementedError

    def term(self, query: wq.Term) -> Matches:
        raise NotImplementedError

    def phrase(self, query: wq.Phrase) -> Matches:
        raise NotImplementedError

    def union(self, children: list[Matches], boost: float = 1.0) -> Matches:
        """Documents matching any child; a document's score is the sum of its children's."""
        children = [m for m in children if len(m)]
        if not children:
            return Matches.none()
        if len(children) == 1:
            only = children[0]
            return only if boost == 1.0 else Matches(only.docnums, only.scores * boost)
        totals = np.zeros(self.size, dtype=np.float64)
        hit = np.zeros(self.size, dtype=bool)
        for child in children:
            totals[child.docnums] += child.scores
            hit[child.docnums] = True
        docnums = np.flatnonzero(hit)
        scores = totals[docnums]
        return Matches(docnums, scores * boost if boost != 1.0 else scores)

    def intersection(self, children: list[Matches], boost: float = 1.0) -> Matches:
        """Documents matching every child; scores summed."""
        if not children or any(not len(m) for m in children):
            return Matches.none()
        docnums, scores = children[0].docnums, children[0].scores
        for child in children[1:]:
            docnums, mine, theirs = np.intersect1d(docnums, child.docnums, assume_unique=True, return_indices=True)
            scores = scores[mine] + child.scores[theirs]
        return Matches(docnums, scores * boost if boost != 1.0 else scores)

    def or_query(self, query: wq.Or) -> Matches:
        if query.minmatch or query.scale:
            return self.walk(query)
        subqueries = query.subqueries
        if len(subqueries) == 1:  # Whoosh ignores the boost of a one-child Or
            return self.matches(subqueries[0])
        return self.union([self.matches(q) for q in subqueries], query.boost)

    def and_query(self, query: wq.And) -> Matches:
        subqueries = query.subqueries
        if len(subqueries) == 1:
            return self.matches(subqueries[0])
        return self.intersection([self.matches(q) for q in subqueries], query.boost)

    def constant(self, query: wq.ConstantScoreQuery) -> Matches:
        # A search that does not need the current match (ours) gets the constant.
        child = self.matches(query.child)
        return Matches(child.docnums, np.full(len(child), float(query.score)))

    def nothing(self, query: wq.Query) -> Matches:
        return Matches.none()

    def phrase_starts_of(self, query: wq.Phrase, both: Matches, per_word: list[Matches],
                         positions_of: Callable[[str], tuple[np.ndarray, np.ndarray, np.ndarray] | None]
                         ) -> Matches | None:
        """The documents of ``both`` where the phrase's words stand in a row
        (``None``: positions not available, walk instead)."""
        words = list(query.words)
        # Rarest word first: the fewest possible starts from the outset.
        starts: np.ndarray | None = None
        for offset in sorted(range(len(words)), key=lambda i: len(per_word[i])):
            positions = positions_of(words[offset])
            if positions is None:
                return None
            starts = phrase_starts(both.docnums if starts is None else starts, positions, offset, first=starts is None)
            if not len(starts):
                return Matches.none()
        assert starts is not None  # a phrase has words
        keep = np.flatnonzero(np.isin(both.docnums, np.unique(starts >> _POSITION_BITS)))
        scores = both.scores[keep]
        return Matches(both.docnums[keep], scores * query.boost if query.boost != 1.0 else scores)


class LeafScorer(ArrayScorer):
    """Scores queries over one segment of the index (a leaf searcher)."""

    def __init__(self, leaf: Searcher, top: Searcher):
        # Weak: a scorer is cached beside its searcher and must not keep it alive.
        self.leaf = weakref.proxy(leaf)
        self.top = weakref.proxy(top)
        self.reader = leaf.reader()
        self.size = self.reader.doc_count_all()
        deleted = sorted(self.reader.deleted_docs_set) if self.reader.has_deletions() else []
        self._deleted = np.array(deleted, dtype=np.int64)
        segment = self.reader.segment() if hasattr(self.reader, "segment") else None
        # Without a segment id nothing read here can be shared.
        self._segment_key = segment.segment_id() if segment is not None else ("searcher", id(self))
        weighting = top.weighting
        self._bm25 = weighting if type(weighting) is BM25F else None

    # --- queries ---------------------------------------------------------------------

    def walk(self, query: wq.Query) -> Matches:
        """Whoosh's own matcher, one document at a time (for query types not done here)."""
        matcher = query.matcher(self.leaf, self.top.context())
        docnums: list[int] = []
        scores: list[float] = []
        while matcher.is_active():
            docnums.append(matcher.id())
            scores.append(matcher.score())
            matcher.next()
        return Matches(np.array(docnums, dtype=np.int64), np.array(scores, dtype=np.float64))

    # --- terms -----------------------------------------------------------------------

    def term(self, query: wq.Term) -> Matches:
        fieldname = query.fieldname
        schema = self.leaf.schema
        if fieldname not in schema:
            return Matches.none()
        field = schema[fieldname]
        try:
            text = field.to_bytes(query.text)
        except ValueError:
            return Matches.none()
        postings = DECODED.get((self._segment_key, "postings", fieldname, text), lambda: self._read_postings(fieldname, text))
        if postings is _ABSENT:
            return Matches.none()
        if postings is None or self._bm25 is None:
            return self.walk(query)
        docnums, weights = postings
        if len(self._deleted):
            keep = ~np.isin(docnums, self._deleted, assume_unique=True)
            docnums, weights = docnums[keep], weights[keep]
        docnums = docnums.astype(np.int64)
        # Whoosh keeps weights as 32-bit floats and scores them as doubles.
        weights = weights.astype(np.float64)
        if field.scorable:
            length_bytes = DECODED.get((self._segment_key, "lengths", fieldname), lambda: self._read_length_bytes(fieldname))
            if length_bytes is None:
                return self.walk(query)
            B = _whoosh.bm25_field_b(self._bm25, fieldname)
            K1 = self._bm25.K1
            idf = self.top.idf(fieldname, text)
            avgfl = self.top.avg_field_length(fieldname) or 1
            fl = _LENGTH_OF_BYTE[length_bytes[docnums]]
            # The operations of whoosh.scoring.bm25, in its order, so the floats agree.
            scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        else:
            scores = weights  # Whoosh scores an unscorable field by the term's weight
        if query.boost != 1.0:
            scores = scores * query.boost
        return Matches(docnums, scores)

    def _read_postings(self, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray] | object | None:
        """A term's document numbers (int32) and weights (float32) in the
        segment, deleted documents included; :data:`_ABSENT` for a term the
        segment lacks, ``None`` when its postings are not in the format read here."""
        if (fieldname, text) not in self.reader:
            return _ABSENT
        matcher = _whoosh.block_matcher(self.reader, fieldname, text)
        if matcher is None:
            return None
        id_blocks: list[np.ndarray] = []
        weight_blocks: list[np.ndarray] = []
        for ids, weights in _whoosh.leaf_blocks(matcher):
            id_blocks.append(ids)
            weight_blocks.append(weights)
        if not id_blocks:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        return np.concatenate(id_blocks), np.concatenate(weight_blocks)

    def _read_length_bytes(self, fieldname: str) -> np.ndarray | None:
        return _whoosh.segment_length_bytes(self.reader, fieldname, self.size)

    # --- phrases ---------------------------------------------------------------------

    def phrase(self, query: wq.Phrase) -> Matches:
        """Documents with the words at consecutive positions; scored, as Whoosh's
        phrase matcher scores them, by the sum of the words' term scores."""
        if query.slop != 1 or not query.words:
            return self.walk(query)
        fieldname = query.fieldname
        # A Whoosh Schema has no get().
        field = self.leaf.schema[fieldname] if fieldname in self.leaf.schema else None  # noqa: SIM401
        if field is None or not field.format or not field.format.supports("positions"):
            return self.walk(query)  # Whoosh's own answer (or error) for a field without positions
        words = list(query.words)
        per_word = [self.term(wq.Term(fieldname, word)) for word in words]
        both = self.intersection(per_word)
        if not len(both):
            return Matches.none()
        try:
            texts = {word: field.to_bytes(word) for word in words}
        except ValueError:
            return Matches.none()

        def positions_of(word: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
            return DECODED.get((self._segment_key, "positions", fieldname, texts[word]),
                               partial(self._read_positions, fieldname, texts[word]))

        found = self.phrase_starts_of(query, both, per_word, positions_of)
        return self.walk(query) if found is None else found

    def _read_positions(self, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The term's positions in the segment as flat arrays (see
        :func:`indexer.index._whoosh.flat_positions`); decoded once and cached,
        so the next phrase with the word only does array work."""
        matcher = _whoosh.block_matcher(self.reader, fieldname, text)
        if matcher is None:
            return None
        return _whoosh.flat_positions(matcher)


# A phrase start is kept as one int64: the document number above these bits, the
# position below.
_POSITION_BITS = 32


def phrase_starts(starts: np.ndarray, positions: tuple[np.ndarray, np.ndarray, np.ndarray], offset: int,
                  first: bool = False) -> np.ndarray:
    """Where a phrase can still start, given its word at ``offset``.

    With ``first``, ``starts`` holds document numbers (the word is the first one
    looked at, so any place in those documents may start the phrase); otherwise
    the sorted encoded starts (``docnum << 32 | position``) the words before left.
    ``positions`` is the word's flat positions (document numbers, offsets,
    positions, see :func:`indexer.index._whoosh.flat_positions`). The result is
    the sorted encoded starts where the word stands ``offset`` places after the
    start, computed in array operations.
    """
    ids, offsets, flat = positions
    docnums = starts if first else np.unique(starts >> _POSITION_BITS)
    at = np.searchsorted(ids, docnums)
    present = at < len(ids)
    present[present] = ids[at[present]] == docnums[present]
    docnums, at = docnums[present], at[present]
    begin = offsets[at]
    counts = offsets[at + 1] - begin
    total = int(counts.sum())
    if not total:
        return np.empty(0, dtype=np.int64)
    # The indexes into ``flat`` of every wanted document's positions, in one array.
    index = np.arange(total, dtype=np.int64) + np.repeat(begin - (np.cumsum(counts) - counts), counts)
    found = flat[index].astype(np.int64) - offset
    owner = np.repeat(docnums.astype(np.int64), counts)
    inside = found >= 0  # a word this far in cannot stand before the document's start
    candidates = np.unique((owner[inside] << _POSITION_BITS) | found[inside])
    return candidates if first else np.intersect1d(starts, candidates, assume_unique=True)


_EVALUATORS: dict[type, Callable[[Any, Any], Matches]] = {
    wq.Term: lambda scorer, query: scorer.term(query),
    wq.Or: lambda scorer, query: scorer.or_query(query),
    wq.And: lambda scorer, query: scorer.and_query(query),
    wq.ConstantScoreQuery: lambda scorer, query: scorer.constant(query),
    wq.Phrase: lambda scorer, query: scorer.phrase(query),
    type(wq.NullQuery): lambda scorer, query: scorer.nothing(query),
}


def register(query_type: type, evaluate: Callable[[Any, Any], Matches]) -> None:
    """Teach the array scorer a query type of the project's own."""
    _EVALUATORS[query_type] = evaluate


def score_all(searcher: Searcher, query: wq.Query, leaf_scorers: list[tuple[ArrayScorer, int]] | None = None) -> Matches:
    """Every document of the searcher the query matches, with its score, in
    document-number order. ``leaf_scorers`` may be reused between queries of
    the same searcher (see :func:`make_leaf_scorers`)."""
    parts = [
        (scorer.matches(query), offset)
        for scorer, offset in (leaf_scorers if leaf_scorers is not None else make_leaf_scorers(searcher))
    ]
    parts = [(m, offset) for m, offset in parts if len(m)]
    if not parts:
        return Matches.none()
    if len(parts) == 1 and parts[0][1] == 0:
        return parts[0][0]
    return Matches(
        np.concatenate([m.docnums + offset for m, offset in parts]),
        np.concatenate([m.scores for m, _ in parts]),
    )


def make_leaf_scorers(searcher: Searcher) -> list[tuple[ArrayScorer, int]]:
    """One scorer per segment with the segment's first document number."""
    return [(LeafScorer(leaf, searcher), offset) for leaf, offset in searcher.leaf_searchers()]
