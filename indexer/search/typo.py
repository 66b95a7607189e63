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

from indexer.index._whoosh import StringAutomaton, edit_distance, levenshtein_dfa
from indexer.index.snapshot import Snapshot
from indexer.language.analysis import analyse_word, fold, is_norwegian

MIN_LETTERS_ONE_EDIT = 5
MIN_LETTERS_TWO_EDITS = 9
# Longer "words" are pastes, not typos; comparing them costs time for nothing.
MAX_LETTERS = 40
# Fields whose vocabulary holds real spellings (not folded, not compound parts).
VOCABULARY_FIELDS = ("text_exact", "text_lemma")
FOLDED_FIELD = "text_folded"
# Sorts after every character a term can hold: ``word + _LAST_CHARACTER`` bounds the terms beginning with ``word``.
_LAST_CHARACTER = "\U0010ffff"
KNOWN_FIELDS = ("text_exact", "text_lemma", "text_parts", "title_exact", "title_lemma", "title_parts")


def max_edits(word: str) -> int:
    letters = sum(ch.isalpha() for ch in word)
    if letters >= MIN_LETTERS_TWO_EDITS:
        return 2
    return 1 if letters >= MIN_LETTERS_ONE_EDIT else 0


def _forms(word: str) -> set[str]:
    analysed = analyse_word(word)
    return {*analysed.query["exact"], *analysed.query["lemma"]}


def is_known(reader, word: str, vocabulary: Vocabulary | None = None) -> bool:
    """Whether the word, as written or as a lemma, is in some text or title."""
    forms = _forms(word)
    if vocabulary is not None:
        return any(vocabulary.has(reader, field, form) for field in KNOWN_FIELDS if field in reader.schema
                   for form in forms)
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
        # Per field: its terms as a set and every letter they use (for :meth:`within` at one edit).
        self._sets: dict[str, tuple[frozenset[str], str]] = {}
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
        start = bisect_left(terms, prefix)
        for term in terms[start:start + limit]:  # a slice: islice would step over the terms before
            if not term.startswith(prefix):
                break
            found.append(term)
        return found

    def _term_set(self, reader, fieldname: str) -> tuple[frozenset[str], str]:
        """The field's terms as a set, and the letters they are written with."""
        if fieldname not in self._sets:
            terms = self.terms(reader, fieldname)
            found = (frozenset(terms), "".join(sorted(set().union(*terms))))
            with self._lock:
                self._sets.setdefault(fieldname, found)
        return self._sets[fieldname]

    def has(self, reader, fieldname: str, term: str) -> bool:
        """``(fieldname, term) in reader``, from memory for a spelling field. The
        snapshot's terms are those of live documents: a term it lacks may still be in a
        segment with deleted documents, so then the reader answers."""
        if fieldname not in VOCABULARY_FIELDS or fieldname not in reader.schema:
            return (fieldname, term) in reader
        if term in self._term_set(reader, fieldname)[0]:
            return True
        return self._snapshot is not None and reader.has_deletions() and (fieldname, term) in reader

    def doc_frequency(self, reader, fieldname: str, term: str) -> int:
        """``reader.doc_frequency(fieldname, term)``, counted in the snapshot when the
        commit has no deleted documents (Whoosh counts those until a merge drops them,
        the snapshot does not): no seeks in Whoosh's term files."""
        snapshot = self._snapshot
        if snapshot is None or not snapshot.has_field(fieldname) or reader.has_deletions():
            return reader.doc_frequency(fieldname, term)
        postings = snapshot.field(fieldname)
        number = postings.term_number(reader.schema[fieldname].to_bytes(term))
        return 0 if number is None else int(postings.offsets[number + 1] - postings.offsets[number])

    def _within_one(self, reader, fieldname: str, word: str, prefix: int) -> list[str]:
        """:meth:`within` at one edit, without the automaton: each spelling one deletion,
        substitution or insertion after the first ``prefix`` letters away. Those that
        change the letter at one place begin with the letters before it: the terms that
        do are read from the sorted list when they are few, else each letter the field
        uses is tried there in the term set."""
        terms = self.terms(reader, fieldname)
        members, letters = self._term_set(reader, fieldname)
        found = {word} if word in members else set()
        length = len(word)
        for at in range(prefix, length + 1):
            head, tail = word[:at], word[at:]
            rest = tail[1:]
            if tail and head + rest in members:  # a letter left out
                found.add(head + rest)
            start = bisect_left(terms, head)
            end = bisect_left(terms, head + _LAST_CHARACTER, start)
            if end - start <= 2 * len(letters):
                for term in terms[start:end]:
                    if len(term) == length + 1 and term.endswith(tail):  # a letter put in
                        found.add(term)
                    elif tail and len(term) == length and term.endswith(rest):  # a letter changed
                        found.add(term)
                continue
            for letter in letters:
                if head + letter + tail in members:
                    found.add(head + letter + tail)
                if tail and head + letter + rest in members:
                    found.add(head + letter + rest)
        return sorted(found)

    def within(self, reader, fieldname: str, word: str, max_distance: int, prefix: int = 1) -> Iterator[str]:
        """Terms within ``max_distance`` edits of the word sharing its first
        ``prefix`` letters (what ``IndexReader.terms_within`` finds), in order."""
        terms = self.terms(reader, fieldname)
        if not terms:
            return
        if len(word) >= prefix:
            if max_distance == 1:
                yield from self._within_one(reader, fieldname, word, prefix)
            else:
                yield from _within_walk(terms, word, max_distance, prefix)
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


def _within_walk(terms: list[str], word: str, max_distance: int, prefix: int) -> list[str]:
    """The sorted terms within ``max_distance`` edits (Levenshtein: a letter left out,
    put in or changed) of the word that share its first ``prefix`` letters, as the
    automaton finds them: the terms are walked as a trie, each letter one row of the
    edit distance table (only the cells that can stay within the distance), and every
    term under a beginning already too far off is stepped over with one bisect."""
    start_text = word[:prefix]
    target = word[prefix:]
    length = len(target)
    too_far = max_distance + 1
    start = bisect_left(terms, start_text)
    end = bisect_left(terms, start_text + _LAST_CHARACTER, start)
    # rows[j]: the distances after the first j letters of `previous`, capped at too_far.
    rows = [[x if x <= max_distance else too_far for x in range(length + 1)]]
    previous = ""
    found: list[str] = []
    at = start
    while at < end:
        rest = terms[at][prefix:]
        common, limit = 0, min(len(rest), len(previous))
        while common < limit and rest[common] == previous[common]:
            common += 1
        del rows[common + 1:]
        dead = False
        for j in range(common, len(rest)):
            letter, last = rest[j], rows[-1]
            row = [too_far] * (length + 1)
            if j + 1 <= max_distance:
                row[0] = j + 1
            for x in range(max(1, j + 1 - max_distance), min(length, j + 1 + max_distance) + 1):
                value = last[x - 1] + (target[x - 1] != letter)
                if last[x] + 1 < value:
                    value = last[x] + 1
                if row[x - 1] + 1 < value:
                    value = row[x - 1] + 1
                if value < too_far:
                    row[x] = value
            rows.append(row)
            if min(row) >= too_far:  # no term beginning so is near: step over them all
                previous = rest[: j + 1]
                at = bisect_left(terms, start_text + previous + _LAST_CHARACTER, at + 1, end)
                dead = True
                break
        if dead:
            continue
        if rows[-1][length] <= max_distance:
            found.append(terms[at])
        previous = rest
        at += 1
    return found


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
    """The index's best spelling for an unknown word, or ``None``. A word the index
    has (inside compounds too) or the Bokmål or Nynorsk word lists have is no typo:
    «forlenget» is not turned into «forventet» because no report happens to use it.
    Pass the commit's :class:`Vocabulary` to reuse it between queries."""
    if (not word.isalpha() or len(word) > MAX_LETTERS or is_norwegian(word)
            or is_known(reader, word, vocabulary)):
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
