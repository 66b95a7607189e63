"""The serving snapshot answers as Whoosh does: the same documents and the same scores
for every query, on the corpus and on an index of several segments with deleted
documents; a search with it equals a search without it; an index run writes it for
each commit and keeps the folder tidy."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from indexer.index import snapshot as snapshots
from indexer.index.build import update_index
from indexer.index.docfacts import build_doc_facts
from indexer.language.analysis import words
from indexer.search import engine as searching, highlight as highlighting
from indexer.search.arrayscoring import make_leaf_scorers, score_all
from indexer.search.querylang import parse_query
from indexer.search.snapshotscoring import SnapshotScorer

from test_arrayscoring import EXTRA_QUERIES, relevance_queries
from test_search_basic import _close_searchers  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
PHRASES = ['"bosetting av flyktninger"', '"i arbeid eller utdanning"', '"norsk opplæring"', '"det er"']


def assert_snapshot_equals_segments(index_dir: Path, queries: list[str]) -> int:
    """Every query scored over the snapshot and over Whoosh's segments: the same
    documents, the same floats. Returns how many scores were compared."""
    searcher = searching.get_searcher(index_dir)
    snapshot = snapshots.open_snapshot(index_dir, searcher)
    assert snapshot is not None, "no snapshot for the committed index"
    over_snapshot = [(SnapshotScorer(snapshot, searcher), 0)]
    over_segments = make_leaf_scorers(searcher)
    facts = searching._facts(searcher)
    compared = 0
    for query in queries:
        built = searching._query_builder(searcher, facts).build(parse_query(query))
        for part in (built.positive, built.excluded):
            if part is None:
                continue
            expected = score_all(searcher, part, over_segments)
            got = score_all(searcher, part, over_snapshot)
            assert got.docnums.tolist() == expected.docnums.tolist(), query
            assert np.array_equal(got.scores, expected.scores), query
            compared += len(expected)
    return compared


def test_the_snapshot_scores_every_query_as_the_segments_do(corpus_index: Path):
    assert assert_snapshot_equals_segments(corpus_index, relevance_queries() + EXTRA_QUERIES + PHRASES) > 1000


def test_the_snapshot_holds_across_segments_with_deleted_documents(segmented_index: Path):
    searcher = searching.get_searcher(segmented_index)
    leaves = searcher.reader().leaf_readers()
    assert len(leaves) >= 2 and any(leaf.has_deletions() for leaf, _ in leaves)
    assert assert_snapshot_equals_segments(segmented_index, relevance_queries()[:20] + EXTRA_QUERIES + PHRASES) > 300
    # Three commits: the newest snapshot and one older are kept.
    assert len(list(snapshots.snapshot_names(segmented_index))) == 1 + snapshots.KEEP_OLDER


def _page(index_dir: Path, query: str) -> dict:
    response = searching.search(index_dir, query, size=50).to_dict()
    response.pop("took_ms")
    return response


def test_a_search_answers_the_same_with_and_without_the_snapshot(corpus_index: Path, tmp_path: Path):
    copy = tmp_path / "index"
    shutil.copytree(corpus_index, copy)
    queries = ["bosetting av flyktninger", '"i arbeid eller utdanning"', "tolk -kommune", "Fafo", "integrer*"]
    with_snapshot = {query: _page(copy, query) for query in queries}
    assert searching._snapshot(copy, searching.get_searcher(copy)) is not None
    searching.close_searchers(copy)
    searching._derived.clear()  # what the engine derived per commit, the snapshot included
    shutil.rmtree(copy / snapshots.SNAPSHOT_DIR)
    assert {query: _page(copy, query) for query in queries} == with_snapshot
    assert searching._snapshot(copy, searching.get_searcher(copy)) is None


def test_an_index_run_writes_a_missing_snapshot_and_clears_leftovers(corpus_index: Path, corpus_dir: Path,
                                                                     tmp_path: Path):
    copy = tmp_path / "index"
    shutil.copytree(corpus_index, copy)
    root = copy / snapshots.SNAPSHOT_DIR
    shutil.rmtree(root)
    root.mkdir()
    (root / ".0123.99.tmp").mkdir()  # a build killed half-way
    (root / "halfway").mkdir()  # a folder without meta.json is no snapshot
    summary = update_index(corpus_dir, copy, workers=1)
    assert not summary.committed and summary.snapshot_seconds > 0
    names = list(snapshots.snapshot_names(copy))
    assert len(names) == 1 and not (root / ".0123.99.tmp").exists()
    assert snapshots.open_snapshot(copy, searching.get_searcher(copy)) is not None


def test_terms_are_found_by_their_bytes_even_when_hashes_collide(corpus_index: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    copy = tmp_path / "index"
    shutil.copytree(corpus_index, copy, ignore=shutil.ignore_patterns(snapshots.SNAPSHOT_DIR))
    monkeypatch.setattr(snapshots, "term_hash", lambda text: len(text) % 3)  # many terms share a hash
    searcher = searching.get_searcher(copy)
    snapshots.build_snapshot(copy, searcher)
    snapshot = snapshots.open_snapshot(copy, searcher)
    assert snapshot is not None
    postings = snapshot.field("text_lemma")
    for word in ("flyktning", "kommune", "bosetting"):
        number = postings.term_number(word.encode())
        assert number is not None
        start, end = int(postings.term_offsets[number]), int(postings.term_offsets[number + 1])
        assert postings.terms[start:end].tobytes() == word.encode()
    assert postings.term_number(b"finnesikkeiindeksen") is None


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
def test_a_mapped_snapshot_holds_one_open_file(corpus_index: Path):
    searcher = searching.get_searcher(corpus_index)
    before = len(list(Path("/proc/self/fd").iterdir()))
    opened = [snapshots.open_snapshot(corpus_index, searcher) for _ in range(5)]
    for snapshot in opened:
        assert snapshot is not None
        for fieldname in snapshots.snapshot_fields(searcher):
            snapshot.field(fieldname).postings(0)
    # A server keeps a few commits' snapshots; each mapping keeps a descriptor.
    assert len(list(Path("/proc/self/fd").iterdir())) - before <= len(opened)


def test_the_snapshot_holds_the_facts_whoosh_gives_and_no_search_reads_whoosh_for_them(
        corpus_index: Path, monkeypatch: pytest.MonkeyPatch):
    searching._derived.clear()
    searcher = searching.get_searcher(corpus_index)
    from_whoosh = build_doc_facts(searcher)
    monkeypatch.setattr(searching, "build_doc_facts", lambda searcher: pytest.fail("read Whoosh again"))
    mapped = searching._facts(searcher, corpus_index)  # a new process: the facts come from the snapshot
    for name in ("kind", "report_id", "section", "theme", "contractors", "year", "published", "position",
                 "theme_names", "contractor_names", "section_names"):
        assert getattr(mapped, name) == getattr(from_whoosh, name), name
    assert len(mapped.theme_names) > 1 and len(mapped.contractor_names) > 1
    searching._derived.clear()


@pytest.mark.parametrize("index_name", ["corpus_index", "segmented_index"])
def test_the_kept_word_spans_are_the_words_of_every_stored_text(index_name: str, request: pytest.FixtureRequest):
    index_dir = request.getfixturevalue(index_name)
    searcher = searching.get_searcher(index_dir)
    snapshot = snapshots.open_snapshot(index_dir, searcher)
    assert snapshot is not None
    with_words = 0
    for docnum in range(searcher.doc_count_all()):
        text = searcher.stored_fields(docnum).get("text")
        expected = [(start, end) for _, start, end in words(text)] if isinstance(text, str) else []
        assert snapshot.word_spans(docnum) == expected, docnum
        with_words += bool(expected)
    assert with_words > 100


def test_search_highlights_from_the_kept_spans_without_the_tokenizer(corpus_index: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    queries = ["bosetting av flyktninger", '"i arbeid eller utdanning"', "kommunene", "tolk*"]
    expected = {query: _page(corpus_index, query) for query in queries}
    searching._derived.clear()
    monkeypatch.setattr(highlighting, "words", lambda text: pytest.fail("tokenised a stored text"))
    assert {query: _page(corpus_index, query) for query in queries} == expected
    assert any("<mark>" in hit["highlight"] for page in expected.values() for hit in page["results"])
    searching._derived.clear()


def test_spans_of_segments_no_snapshot_uses_are_removed(corpus_index: Path, corpus_dir: Path, tmp_path: Path):
    copy = tmp_path / "index"
    shutil.copytree(corpus_index, copy)
    folder = snapshots.spans_folder(copy)
    (folder / "MAIN_gone.bin").write_bytes(b"x")
    (folder / "MAIN_gone.json").write_text("{}")
    (folder / ".MAIN_half.99.tmp").write_bytes(b"x")
    shutil.rmtree(copy / snapshots.SNAPSHOT_DIR / next(iter(snapshots.snapshot_names(copy))))
    update_index(corpus_dir, copy, workers=1)  # writes the missing snapshot
    left = sorted(p.name for p in folder.iterdir())
    assert left and not any("gone" in name or "half" in name for name in left)
    searcher = searching.get_searcher(copy)
    assert {name.split(".")[0] for name in left} == {reader.segment().segment_id()
                                                     for reader, _ in searcher.reader().leaf_readers()}


def test_a_new_process_answers_a_plain_query_without_loading_spacy(corpus_index: Path):
    # Importing spaCy costs over half a second of a new server process's first answer.
    script = (
        "import sys\n"
        "from indexer.search.engine import search\n"
        f"response = search({str(corpus_index)!r}, 'bosetting av flyktninger i kommunene')\n"
        "assert response.results and any('<mark>' in hit.highlight for hit in response.results)\n"
        "print('spacy' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1])
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"


@pytest.mark.parametrize("index_name", ["corpus_index", "segmented_index"])
def test_the_vocabulary_answers_term_questions_as_whoosh_does(index_name: str, request: pytest.FixtureRequest):
    """Query building asks «is this term in the index?», «in how many documents?» and
    «which terms are one or two edits away?» from the commit's terms in memory; the
    answers must be Whoosh's, with deleted documents too."""
    import random

    from indexer.search.typo import Vocabulary

    index_dir = request.getfixturevalue(index_name)
    searcher = searching.get_searcher(index_dir)
    reader = searcher.reader()
    vocabulary = Vocabulary(snapshots.open_snapshot(index_dir, searcher))
    rng = random.Random(16)
    for fieldname in ("text_exact", "text_lemma"):
        terms = [term for term in reader.lexicon(fieldname)]
        # The in-memory terms are those of live documents; Whoosh keeps a deleted
        # document's terms until a merge.
        live = set(vocabulary.terms(reader, fieldname))
        words = [term.decode("utf-8") if isinstance(term, bytes) else term for term in rng.sample(terms, 60)]
        # Spellings one letter off and words no report has, beside real terms.
        words += [w[:i] + rng.choice("aeøx") + w[i + 1:] for w in words[:40] for i in [rng.randrange(len(w))]]
        words += ["", "zzzzzz", "flyktnnger"]
        for word in words:
            assert vocabulary.has(reader, fieldname, word) == ((fieldname, word) in reader), word
            assert vocabulary.doc_frequency(reader, fieldname, word) == reader.doc_frequency(fieldname, word), word
            if len(word) < 2:
                continue
            for edits, prefix in ((1, 1), (1, 2), (2, 1)):
                near = sorted(t for t in live if t[:prefix] == word[:prefix] and _levenshtein(t, word) <= edits)
                assert list(vocabulary.within(reader, fieldname, word, edits, prefix)) == near, (word, edits)
                if not reader.has_deletions():  # one segment: Whoosh walks its Levenshtein automaton
                    assert sorted(reader.terms_within(fieldname, word, edits, prefix=prefix)) == near


def _levenshtein(first: str, second: str) -> int:
    """Letters left out, put in or changed (what Whoosh's automaton counts; no swaps)."""
    row = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        previous, row[0] = row[0], i
        for j, b in enumerate(second, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (a != b))
    return row[-1]
