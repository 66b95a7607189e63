"""Scoring every match over arrays gives the documents and scores Whoosh's own
matchers give, so ranking and facet counts do not change with the speed-up.

The reference is ``searcher.search(query, limit=None)``, which walks Whoosh's
matchers one document at a time.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.evaluation.relevance import load_judgments
from indexer.search import engine as searching
from indexer.search.arrayscoring import phrase_starts, score_all
from indexer.search.querylang import parse_query

from test_search_basic import _close_searchers  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
# Phrases, exclusions, prefixes, institutes and typos on top of the relevance set.
EXTRA_QUERIES = [
    '"norsk opplæring"',
    '"i arbeid eller utdanning"',
    '"NAV-kontor"',
    "integrering -kommune",
    "bosettingskommuner",
    "empowerment*",
    "Fafo",
    "NOVA 2019",
    "ikke-vestlige innvandrere",
    "flyktnnger",
    "oppvekst og deltakelse",
    "tolk OR tolkeloven",
]


def relevance_queries() -> list[str]:
    return [entry.query for entry in load_judgments()]


def assert_same_as_whoosh(index_dir: Path, queries: list[str]) -> int:
    """Checks every query; returns how many (query, document) scores were compared."""
    searcher = searching.get_searcher(index_dir)
    facts = searching._facts(searcher)
    compared = 0
    for query in queries:
        built = searching._query_builder(searcher, facts).build(parse_query(query))
        if built.positive is None:
            continue
        expected = {docnum: score for score, docnum in searcher.search(built.positive, limit=None).top_n}
        matches = score_all(searcher, built.positive)
        got = dict(zip(matches.docnums.tolist(), matches.scores.tolist(), strict=True))
        assert set(got) == set(expected), f"{query!r}: other documents than Whoosh's"
        for docnum, score in expected.items():
            assert got[docnum] == pytest.approx(score, rel=1e-9, abs=1e-12), f"{query!r}, document {docnum}"
        compared += len(expected)
    return compared


def test_scores_equal_whoosh_on_the_bundled_corpus(corpus_index):
    compared = assert_same_as_whoosh(corpus_index, relevance_queries() + EXTRA_QUERIES)
    assert compared > 1000  # the queries really match something


def test_scores_equal_whoosh_across_segments_with_deleted_documents(segmented_index: Path):
    searcher = searching.get_searcher(segmented_index)
    leaves = searcher.reader().leaf_readers()
    assert len(leaves) >= 2 and any(leaf.has_deletions() for leaf, _ in leaves)
    assert assert_same_as_whoosh(segmented_index, relevance_queries()[:20] + EXTRA_QUERIES) > 300


def _flat(postings: dict[int, list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids = sorted(postings)
    offsets = np.cumsum([0, *(len(postings[d]) for d in ids)])
    return np.array(ids, dtype=np.int32), offsets.astype(np.int64), np.array([p for d in ids for p in postings[d]], dtype=np.int32)


def test_a_phrase_starts_only_where_every_word_stands_in_turn():
    # "flyktninger i arbeid": doc 1 has it at 4, doc 2 has the words apart, doc 3 twice (0 and 10)
    words = [
        _flat({1: [4], 2: [0], 3: [0, 10]}),
        _flat({1: [5], 2: [7], 3: [1, 11]}),
        _flat({1: [6], 2: [2], 3: [2, 12]}),
    ]
    candidates = np.array([1, 2, 3], dtype=np.int64)
    starts = phrase_starts(candidates, words[2], 2, first=True)  # any word may go first
    for offset in (0, 1):
        starts = phrase_starts(starts, words[offset], offset)
    assert [(int(s) >> 32, int(s) & 0xFFFFFFFF) for s in starts] == [(1, 4), (3, 0), (3, 10)]


def test_a_word_cannot_stand_before_the_start_of_its_document():
    # The second word at position 0 would put the phrase's start at -1.
    starts = phrase_starts(np.array([5], dtype=np.int64), _flat({5: [0, 3]}), 1, first=True)
    assert [int(s) & 0xFFFFFFFF for s in starts] == [2]
