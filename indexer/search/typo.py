"""Typo tolerance: a query word the index does not know is replaced by a close one.

A word is *known* when its own spelling or one of its lemmas occurs in the
text or title of some document. An unknown word of five letters or more is
compared with the index vocabulary (surface forms and lemmas): one edit away
for words of 5–8 letters, two for longer ones, as instant-search engines do.
A candidate spelled the same once æ, ø, å and doubled letters are folded
(``maloppnaelse`` → ``måloppnåelse``) wins over any other; then the fewest
edits; then the most documents.
"""
from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

from indexer.index._whoosh import StringAutomaton, edit_distance, levenshtein_dfa
from indexer.index.snapshot import Snapshot
from indexer.language.analysis import analyse_word, fold

MIN_LETTERS_ONE_EDIT = 5
MIN_LETTERS_TWO_EDITS = 9
# Longer "words" are pastes, not typos; comparing them costs time for nothing.
MAX_LETTERS = 40
# Fields whose vocabulary holds real spellings (not folded, not compound parts).
VOCABULARY_FIELDS = ("text_exact", "text_lemma")
FOLDED_FIELD = "text_folded"
KNOWN_FIELDS = ("text_exact", "text_lemma", "text_parts", "title_exact", "title_lemma", "title_parts")


def max_edits(word: str) -> int:
    letters = sum(ch.isalpha() for ch in word)
    if letters >= MIN_LETTERS_TWO_EDITS:
        return 2
    return 1 if letters >= MIN_LETTERS_ONE_EDIT else 0


def _forms(word: str) -> set[str]:
    analysed = analyse_word(word)
    return {*analysed.query["exact"], *analysed.query["lemma"]}


def is_known(reader, word: str) -> bool:
    """Whether the word, as written or as a lemma, is in some text or title."""
    forms = _forms(word)
    return any((field, form) in reader for field in KNOWN_FIELDS if field in reader.schema for form in forms)


def _first_letter_variants(word: str) -> set[str]:
    """The word and its spellings with æ, ø or å restored at the start, which
    the vocabulary scan needs because it trusts the first letter."""
    variants = {word}
    for typed, real in (("aa", "å"), ("ae", "æ"), ("oe", "ø"), ("a", "å"), ("a", "æ"), ("o", "ø"), ("e", "æ")):
        if word.startswith(typed):
            variants.add(real + word[len(typed):])
    return variants


@lru_cache(maxsize=1024)
def _automaton(word: str, max_distance: int, prefix: int) -> StringAutomaton:
    return levenshtein_dfa(word, max_distance, prefix)


class Vocabulary:
    """The index's terms of a field, sorted, in memory (the spelling fields
    loaded up front, others when first asked for), from the commit's serving
    snapshot when it has one.

    Finding the words near a typo walks a Levenshtein automaton through the
    vocabulary; over Whoosh's on-disk term files that costs thousands of seeks
    per word (tens of milliseconds at 100,000 items), in memory a bisect each.
    Prefix expansions (``integrer*``, compounds that begin with a word) are a
    bisect too, where Whoosh's searches each segment's term file on disk.
    Holds no reader: one is passed in to load a field the first time it is
    needed, so one vocabulary serves every thread's searcher of a commit.
    """

    def __init__(self, snapshot: Snapshot | None = None) -> None:
        self._snapshot = snapshot  # the commit's terms, mapped: no reading of Whoosh's term files
        self._terms: dict[str, list[str]] = {}
        self._by_fold: dict[str, dict[str, list[str]]] = {}
        self._lock = threading.Lock()

    def load(self, reader) -> None:
        """Read every spelling field now rather than at the first typo."""
        for fieldname in (*VOCABULARY_FIELDS, FOLDED_FIELD):
            if fieldname in reader.schema:
                self.terms(reader, fieldname)
                if fieldname in VOCABULARY_FIELDS:
                    self.by_fold(reader, fieldname)

    def terms(self, reader, fieldname: str) -> list[str]:
        if fieldname not in self._terms:
            if self._snapshot is not None and self._snapshot.has_field(fieldname):
                loaded = self._snapshot.field(fieldname).term_texts()
            else:
                loaded = sorted(
                    raw.decode("utf-8") if isinstance(raw, bytes) else raw for raw in reader.lexicon(fieldname)
                )
            with self._lock:
                self._terms.setdefault(fieldname, loaded)
        return self._terms[fieldname]

    def by_fold(self, reader, fieldname: str) -> dict[str, list[str]]:
        """The field's terms by their folded spelling."""
        if fieldname not in self._by_fold:
            grouped: dict[str, list[str]] = {}
            for term in self.terms(reader, fieldname):
                grouped.setdefault(fold(term), []).append(term)
            with self._lock:
                self._by_fold.setdefault(fieldname, grouped)
        return self._by_fold[fieldname]

    def with_prefix(self, reader, fieldname: str, prefix: str, limit: int) -> list[str]:
        """The first ``limit`` terms that begin with ``prefix``, in Whoosh's
        order (what ``IndexReader.expand_prefix`` gives)."""
        terms = self.terms(reader, fieldname)
        found: list[str] = []
        for term in islice(terms, bisect_left(terms, prefix), None):
            if not term.startswith(prefix) or len(found) >= limit:
                break
            found.append(term)
        return found

    def within(self, reader, fieldname: str, word: str, max_distance: int, prefix: int = 1) -> Iterator[str]:
        """Terms within ``max_distance`` edits of the word sharing its first
        ``prefix`` letters (what ``IndexReader.terms_within`` finds)."""
        terms = self.terms(reader, fieldname)
        if not terms:
            return
        dfa = _automaton(word, max_distance, prefix)
        at = 0
        match = dfa.next_valid_string(terms[0])
        while match:
            at = bisect_left(terms, match, at)
            if at == len(terms):
                return
            term = terms[at]
            if match == term:
                yield match
                term += "\0"
            match = dfa.next_valid_string(term)


def _candidates(reader, vocabulary: Vocabulary, typed: str, limit: int):
    """(field, term) pairs near the typed word, as written or once folded."""
    for fieldname in VOCABULARY_FIELDS:
        if fieldname not in reader.schema:
            continue
        for variant in _first_letter_variants(typed):
            for candidate in vocabulary.within(reader, fieldname, variant, limit):
                yield fieldname, candidate
    if FOLDED_FIELD not in reader.schema or max_edits(fold(typed)) < limit:
        return
    # A word that is close only once folded (kjonnsforskjeller ~ kjønnforskjellen):
    # find the real spellings of the folded neighbours.
    near = set(vocabulary.within(reader, FOLDED_FIELD, fold(typed), limit))
    if not near:
        return
    starts = {letter[:1] for term in near for letter in _first_letter_variants(term[:2])}
    for fieldname in VOCABULARY_FIELDS:
        if fieldname not in reader.schema:
            continue
        spellings = vocabulary.by_fold(reader, fieldname)
        for folded in near:
            for term in spellings.get(folded, ()):
                if term[:1] in starts:
                    yield fieldname, term


def correction(reader, word: str, vocabulary: Vocabulary | None = None) -> str | None:
    """The index's best spelling for an unknown word, or ``None``. Pass the
    commit's :class:`Vocabulary` to reuse it between queries."""
    if not word.isalpha() or len(word) > MAX_LETTERS or is_known(reader, word):
        return None
    limit = max_edits(word)
    if limit == 0:
        return None
    typed = word.lower()
    folded = fold(typed)
    best: tuple[tuple[int, int, int, str], str] | None = None
    vocabulary = vocabulary if vocabulary is not None else Vocabulary()
    for fieldname, candidate in set(_candidates(reader, vocabulary, typed, limit)):
        if candidate == typed or len(candidate) < 3 or analyse_word(candidate).stop:
            continue
        folded_distance = edit_distance(fold(candidate), folded)
        distance = edit_distance(candidate, typed)
        if folded_distance > limit or distance > 2 * limit:
            continue
        rank = (
            folded_distance,
            distance,
            -reader.doc_frequency(fieldname, candidate),
            candidate,
        )
        if best is None or rank < best[0]:
            best = (rank, candidate)
    return best[1] if best else None
