"""Snippets with the matched words marked, safe to put into HTML.

The stored text's words (where the index's tokenizer cut them, kept at indexing:
:mod:`indexer.index.wordspans`) go through the index's own per-word analysis;
every word whose tokens include one of the query's terms for that field is
marked, and a phrase where its words follow each other. So the marks follow the search itself: ``bolig`` marks
``Boligmangel`` (a compound part), ``flyktningenes`` marks ``flyktninger``
(the lemma), ``maloppnaelse`` marks ``måloppnåelse`` (the folded spelling).

Everything except the ``<mark>`` tags is HTML-escaped. A finding is shown
whole; a passage as a window of about :data:`SNIPPET_CHARS` characters around
the densest cluster of marks.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from functools import lru_cache

from indexer.language.analysis import ANALYZED_FIELDS, PHRASE_SUFFIX, analyse_word, exact_terms, words, words_at

SNIPPET_CHARS = 240
ELLIPSIS = "…"

Span = tuple[int, int]


Phrase = tuple[str, tuple[str, ...]]  # (field, words)


def _phrase_terms(word: str) -> tuple[str, ...]:
    """A word's terms in the phrase field; the exact field's need no lexicon."""
    return exact_terms(word) if PHRASE_SUFFIX == "exact" else analyse_word(word).index[PHRASE_SUFFIX]


@lru_cache(maxsize=65536)
def _index_terms(word: str) -> frozenset[tuple[str, str]]:
    """(field suffix, term) of every term the word is indexed as (FieldFilter keeps a
    stop word in the ``exact`` field only)."""
    analysed = analyse_word(word)
    return frozenset((suffix, term) for suffix, found in analysed.index.items()
                     if suffix == "exact" or not analysed.stop for term in found)


def _phrase_spans(text_words: Sequence[tuple[str, int, int]], phrases: Sequence[Phrase], prefix: str) -> set[Span]:
    """Spans of the places where a phrase's words follow each other.

    The phrase field's tokens, as its analyzer makes them with stop words kept
    (one position per word; a word's terms, such as a hyphenated word and its
    pieces, are alternatives there), taken from the per-word analysis directly
    rather than through the analyzer's token stream."""
    phrase_field = f"{prefix}_{PHRASE_SUFFIX}"
    wanted = [phrase_words for fieldname, phrase_words in phrases if fieldname == phrase_field and phrase_words]
    if not wanted:
        return set()
    ordered = [(_phrase_terms(word), (start, end)) for word, start, end in text_words]
    spans = set()
    for phrase_words in wanted:
        for start in range(len(ordered) - len(phrase_words) + 1):
            if all(word in ordered[start + i][0] for i, word in enumerate(phrase_words)):
                spans.add((ordered[start][1][0], ordered[start + len(phrase_words) - 1][1][1]))
    return spans


def match_spans(
    text: str, terms: set[tuple[str, str]], phrases: Sequence[Phrase] = (), prefix: str = "text",
    word_spans: Sequence[Span] | None = None,
) -> list[Span]:
    """Character spans of the words in ``text`` that carry one of ``terms``,
    and of the places where one of ``phrases`` occurs, merged. ``word_spans``,
    where the text's words are (kept at indexing), spare tokenising it."""
    text_words = words_at(text, word_spans) if word_spans is not None else words(text)
    spans: set[Span] = _phrase_spans(text_words, phrases, prefix)
    wanted = {(fieldname[len(prefix) + 1:], term) for fieldname, term in terms
              if fieldname.startswith(f"{prefix}_") and fieldname[len(prefix) + 1:] in ANALYZED_FIELDS}
    if wanted:
        # One pass over the words with the analyzers' per-word results, not one
        # analyzer run per field: the same terms, a fraction of the time.
        for word, start, end in text_words:
            if not wanted.isdisjoint(_index_terms(word)):
                spans.add((start, end))
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, spans: list[Span], width: int) -> tuple[int, int]:
    """Start and end of the ``width`` characters holding the most distinct marked words."""
    if len(text) <= width:
        return 0, len(text)
    start = 0
    if spans:

        def richness(first: Span) -> tuple[int, int]:
            inside = [s for s in spans if first[0] <= s[0] and s[1] <= first[0] + width]
            return len({text[a:b].lower() for a, b in inside}), len(inside)

        best = max(spans, key=richness)
        start = max(0, best[0] - width // 5)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace():
        end += 1
    return start, end


def highlight(
    text: str, terms: set[tuple[str, str]], width: int | None = SNIPPET_CHARS, phrases: Sequence[Phrase] = (),
    word_spans: Sequence[Span] | None = None,
) -> str:
    """HTML of ``text`` (whole, or a window of ``width``) with matched words in ``<mark>``."""
    spans = match_spans(text, terms, phrases, word_spans=word_spans)
    start, end = (0, len(text)) if width is None else _window(text, spans, width)
    parts = [ELLIPSIS if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        parts.append(html.escape(text[cursor:span_start]))
        parts.append(f"<mark>{html.escape(text[span_start:span_end])}</mark>")
        cursor = span_end
    parts.append(html.escape(text[cursor:end]))
    parts.append(ELLIPSIS if end < len(text) else "")
    return "".join(parts).strip()
