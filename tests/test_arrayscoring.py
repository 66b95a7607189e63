"""Scoring every match over arrays gives the documents and scores Whoosh's own
matchers give, so ranking and facet counts do not change with the speed-up.

The reference is ``searcher.search(query, limit=None)``, which walks Whoosh's
matchers one document at a time.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.evaluation.relevance import load_judgments
from indexer.extract.pipeline import extract_document
from indexer.index.build import update_index
from indexer.records import Document
from indexer.search import engine as searching
from indexer.search.arrayscoring import score_all
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


def _read_json_document(path: Path) -> Document:
    return Document.from_dict(json.loads(path.read_text(encoding="utf-8")))


def test_scores_equal_whoosh_across_segments_with_deleted_documents(tmp_path):
    """An index updated three times has several segments and deleted documents.
    The corpus's own extracted documents are indexed from stand-in files."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sources = sorted((REPO / "corpus").glob("*.pdf"))
    extracted = {path.name: extract_document(path).to_dict() for path in sources}
    index_dir = tmp_path / "index"

    def write(name: str, source: str) -> None:
        data = dict(extracted[source], source=name)
        (corpus / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    write("a.pdf", sources[0].name)
    update_index(corpus, index_dir, workers=1, extractor=_read_json_document)
    write("b.pdf", sources[1].name)
    update_index(corpus, index_dir, workers=1, extractor=_read_json_document)
    (corpus / "a.pdf").unlink()  # a's documents deleted, the same text added as c
    write("c.pdf", sources[0].name)
    update_index(corpus, index_dir, workers=1, extractor=_read_json_document)

    searcher = searching.get_searcher(index_dir)
    leaves = searcher.reader().leaf_readers()
    assert len(leaves) >= 2 and any(leaf.has_deletions() for leaf, _ in leaves)
    assert assert_same_as_whoosh(index_dir, relevance_queries()[:20] + EXTRA_QUERIES) > 300
