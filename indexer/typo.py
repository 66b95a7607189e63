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

from whoosh.support.levenshtein import damerau_levenshtein

from indexer.analysis import analyse_word, fold

MIN_LETTERS_ONE_EDIT = 5
MIN_LETTERS_TWO_EDITS = 9
# Longer "words" are pastes, not typos; comparing them costs time for nothing.
MAX_LETTERS = 40
# Fields whose vocabulary holds real spellings (not folded, not compound parts).
VOCABULARY_FIELDS = ("text_exact", "text_lemma")
FOLDED_FIELD = "text_folded"
KNOWN_FIELDS = ("text_exact", "text_lemma", "title_exact", "title_lemma")


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


def _candidates(reader, typed: str, limit: int):
    """(field, term) pairs near the typed word, as written or once folded."""
    for fieldname in VOCABULARY_FIELDS:
        if fieldname not in reader.schema:
            continue
        for variant in _first_letter_variants(typed):
            for candidate in reader.terms_within(fieldname, variant, limit, prefix=1):
                yield fieldname, candidate
    if FOLDED_FIELD not in reader.schema or max_edits(fold(typed)) < limit:
        return
    # A word that is close only once folded (kjonnsforskjeller ~ kjønnforskjellen):
    # find the real spellings of the folded neighbours.
    near = set(reader.terms_within(FOLDED_FIELD, fold(typed), limit, prefix=1))
    if not near:
        return
    starts = {letter for term in near for letter in _first_letter_variants(term[:2])}
    for fieldname in VOCABULARY_FIELDS:
        if fieldname not in reader.schema:
            continue
        for start in {s[:1] for s in starts}:
            for raw in reader.expand_prefix(fieldname, start):
                term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                if fold(term) in near:
                    yield fieldname, term


def correction(reader, word: str) -> str | None:
    """The index's best spelling for an unknown word, or ``None``."""
    if not word.isalpha() or len(word) > MAX_LETTERS or is_known(reader, word):
        return None
    limit = max_edits(word)
    if limit == 0:
        return None
    typed = word.lower()
    folded = fold(typed)
    best: tuple[tuple[int, int, int, str], str] | None = None
    for fieldname, candidate in set(_candidates(reader, typed, limit)):
        if candidate == typed or len(candidate) < 3 or analyse_word(candidate).stop:
            continue
        folded_distance = damerau_levenshtein(fold(candidate), folded)
        distance = damerau_levenshtein(candidate, typed)
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
