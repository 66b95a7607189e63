"""Marks follow the index: a phrase is marked where its words stand in a row as the
phrase field's analyzer sees them, a term where a word carries it."""
from __future__ import annotations

import pytest

from indexer.language.analysis import PHRASE_SUFFIX, analyzer_for
from indexer.records import Document
from indexer.search.highlight import highlight, match_spans

PHRASE_FIELD = f"text_{PHRASE_SUFFIX}"


def _analyzer_phrase_spans(text: str, phrase: tuple[str, ...]) -> set[tuple[int, int]]:
    """The phrase's places by the index's own analyzer (positions with alternatives)."""
    at: dict[int, tuple[set[str], tuple[int, int]]] = {}
    for token in analyzer_for(PHRASE_SUFFIX)(text, positions=True, chars=True, mode="index", removestops=False):
        at.setdefault(token.pos, (set(), (token.startchar, token.endchar)))[0].add(token.text)
    found = set()
    for start in range(min(at, default=0), max(at, default=-1) - len(phrase) + 2):
        if all(start + i in at and word in at[start + i][0] for i, word in enumerate(phrase)):
            found.add((at[start][1][0], at[start + len(phrase) - 1][1][1]))
    return found


def test_a_phrase_is_marked_where_its_words_follow_each_other():
    text = "Mange flyktninger kom i arbeid. Arbeid i kommunene, flyktninger i arbeid igjen."
    spans = match_spans(text, set(), [(PHRASE_FIELD, ("flyktninger", "i", "arbeid"))])
    assert [text[a:b] for a, b in spans] == ["flyktninger i arbeid"]


def test_a_hyphenated_word_matches_a_phrase_through_its_pieces():
    text = "Tiltaket ga bedre norsk-opplæring for alle."
    marked = highlight(text, set(), width=None, phrases=[(PHRASE_FIELD, ("bedre", "norsk"))])
    assert "<mark>" in marked and "bedre" in marked.split("<mark>")[1]


def test_phrase_marks_agree_with_the_index_analyzer_on_the_corpus(corpus_documents: dict[str, Document]):
    texts = [item.text for document in corpus_documents.values() for report in document.reports
             for item in [*report.findings, *report.passages]]
    checked = 0
    for text in texts:
        tokens = text.split()
        if len(tokens) < 4:
            continue
        # A phrase taken from the text itself: two words from its middle, as the analyzer gives them.
        stream = [t.text for t in analyzer_for(PHRASE_SUFFIX)(text, mode="index", removestops=False)]
        if len(stream) < 4:
            continue
        phrase = tuple(stream[len(stream) // 2: len(stream) // 2 + 2])
        expected = _analyzer_phrase_spans(text, phrase)
        assert set(match_spans(text, set(), [(PHRASE_FIELD, phrase)])) == expected, text
        checked += 1
    assert checked > 200


@pytest.mark.parametrize("text", ["", "   ", "– – –"])
def test_text_without_words_is_escaped_and_unmarked(text: str):
    assert "<mark>" not in highlight(text, {("text_exact", "x")}, phrases=[(PHRASE_FIELD, ("x", "y"))])
