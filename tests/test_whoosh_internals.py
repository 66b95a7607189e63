"""What ``indexer/index/_whoosh.py`` relies on in Whoosh, pinned against
Whoosh's own public behaviour, and that no other module of ``indexer`` reaches
past Whoosh's public API.

Related pins live next to the code that needs them: the lean writer writes
byte-for-byte the files Whoosh's writer writes
(``test_bulkwriting.test_lean_writer_writes_the_same_postings_as_whoosh``),
the array scorer gives Whoosh's scores over several segments with deletions
(``test_arrayscoring``), the in-memory vocabulary finds what
``IndexReader.terms_within`` finds (``test_search_features``), and a killed
run's leftovers are removed (``test_indexing.test_orphans_of_a_killed_run_are_removed``).
"""
from __future__ import annotations

import ast
import gc
import importlib
import inspect
import os
import random
import subprocess
import sys
import warnings
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
import whoosh
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.matching import FilterMatcher
from whoosh.query import Or, Phrase, Term
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.writing import PostingPool

from indexer.index import _whoosh
from indexer.index.schema import INDEX_NAME
from indexer.search.arrayscoring import score_all
from indexer.search.engine import close_searchers, get_searcher

REPO = Path(__file__).resolve().parent.parent


# --- the release ---------------------------------------------------------------------


def test_the_installed_release_is_a_tested_one():
    installed = _whoosh.installed_whoosh_version()
    assert installed in _whoosh.TESTED_WHOOSH_VERSIONS
    assert metadata.version("whoosh-reloaded") == installed
    _whoosh.check_whoosh_version()


def test_another_release_is_refused_with_what_to_do():
    with pytest.raises(_whoosh.UntestedWhooshError) as refused:
        _whoosh.check_whoosh_version("2.7.6", environ={})
    message = str(refused.value)
    assert "Whoosh 2.7.6 is installed" in message
    assert "tested with Whoosh 2.7.5" in message
    assert "whoosh-reloaded==2.7.5" in message and _whoosh.ALLOW_UNTESTED_WHOOSH in message


def test_another_release_only_warns_when_allowed():
    with pytest.warns(UserWarning, match="Whoosh 3.0.0 is installed"):
        _whoosh.check_whoosh_version("3.0.0", environ={_whoosh.ALLOW_UNTESTED_WHOOSH: "1"})


@pytest.mark.parametrize("allowed", [False, True])
def test_importing_on_another_release_fails_before_any_internal_is_used(allowed):
    code = "import whoosh\nwhoosh.__version__ = (2, 8, 0)\nimport indexer.index._whoosh\nprint('imported')"
    env = {key: value for key, value in os.environ.items() if key != _whoosh.ALLOW_UNTESTED_WHOOSH}
    if allowed:
        env[_whoosh.ALLOW_UNTESTED_WHOOSH] = "1"
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert "Whoosh 2.8.0 is installed" in run.stderr
    if allowed:
        assert run.returncode == 0 and "imported" in run.stdout
    else:
        assert run.returncode != 0 and "UntestedWhooshError" in run.stderr


# --- a small index with known postings ------------------------------------------------

SMALL_SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    body=TEXT(phrase=True),
    tags=KEYWORD(scorable=True),
)
SMALL_DOCS = 700  # several posting blocks per common term (Whoosh writes 128 postings a block)


def _small_body(number: int) -> str:
    rng = random.Random(number)
    words = ["alfa"]  # in every document, weight 1: blocks of weights stored as None
    if number % 3 == 0:
        words += ["beta", "beta"]  # weight 2 in every document that has it: one float a block
    if number % 2 == 0:
        words += ["gamma"] * (1 + number % 4)  # varying weights: an array a block
    words += rng.choices(["delta", "epsilon", "zeta", "eta", "theta"], k=rng.randint(0, 30))
    rng.shuffle(words)
    return " ".join(words)


@pytest.fixture(scope="module")
def small_index(tmp_path_factory) -> Path:
    """Two segments, the first with deleted documents."""
    folder = tmp_path_factory.mktemp("small-index")
    ix = FileStorage(str(folder)).create_index(SMALL_SCHEMA, INDEX_NAME)
    with ix.writer() as writer:
        for number in range(SMALL_DOCS):
            writer.add_document(id=str(number), body=_small_body(number), tags="a b" if number % 5 else "a")
    writer = ix.writer()
    for number in range(0, SMALL_DOCS, 7):
        writer.delete_by_term("id", str(number))
    for number in range(SMALL_DOCS, SMALL_DOCS + 40):
        writer.add_document(id=str(number), body=_small_body(number), tags="b")
    writer.commit(merge=False)
    return folder


@pytest.fixture
def small_searcher(small_index):
    ix = FileStorage(str(small_index)).open_index(INDEX_NAME)
    with ix.searcher() as searcher:
        yield searcher


def _unfiltered(matcher):
    """The matcher under Whoosh's deletion filter, from its first posting."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
        matcher.reset()
    return matcher


def _whoosh_postings(reader, fieldname: str, text: bytes) -> tuple[list[int], list[float]]:
    """The term's postings walked by Whoosh's matcher, deleted documents included."""
    matcher = _unfiltered(reader.postings(fieldname, text))
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def _assert_blocks_as_whoosh_reads_them(reader, fieldname: str, text: bytes) -> int:
    """Checks the term in one segment; returns its number of blocks."""
    matcher = _whoosh.block_matcher(reader, fieldname, text)
    assert matcher is not None, (fieldname, text)
    blocks = list(_whoosh.leaf_blocks(matcher))
    assert not matcher.is_active()
    ids = np.concatenate([block_ids for block_ids, _ in blocks])
    weights = np.concatenate([block_weights for _, block_weights in blocks])
    assert all(block_ids.dtype == np.int32 and block_weights.dtype == np.float32 for block_ids, block_weights in blocks)
    expected_ids, expected_weights = _whoosh_postings(reader, fieldname, text)
    assert ids.tolist() == expected_ids, (fieldname, text)
    assert weights.tolist() == np.array(expected_weights, dtype=np.float32).tolist(), (fieldname, text)
    # With deletions applied, what Whoosh's own (filtering) matcher gives.
    deleted = reader.deleted_docs_set if reader.has_deletions() else set()
    assert [i for i in ids.tolist() if i not in deleted] == list(reader.postings(fieldname, text).all_ids())
    return len(blocks)


@pytest.mark.parametrize("word", ["alfa", "beta", "gamma", "delta", "theta"])
def test_posting_blocks_decode_to_what_whoosh_reads(small_searcher, word):
    text = SMALL_SCHEMA["body"].to_bytes(word)
    blocks = [
        _assert_blocks_as_whoosh_reads_them(leaf, "body", text)
        for leaf, _ in small_searcher.reader().leaf_readers()
        if ("body", text) in leaf
    ]
    assert max(blocks) >= 2


def test_posting_blocks_decode_to_what_whoosh_reads_on_the_corpus(corpus_index):
    reader = get_searcher(corpus_index).reader()
    checked = 0
    try:
        for leaf, _ in reader.leaf_readers():
            for fieldname in ("text_exact", "text_lemma", "title_exact", "theme"):
                common = [text for _, text in leaf.most_frequent_terms(fieldname, 8)]
                rare = [text for text in leaf.lexicon(fieldname)][:8]
                for text in common + rare:
                    _assert_blocks_as_whoosh_reads_them(leaf, fieldname, text)
                    checked += 1
    finally:
        close_searchers()
    assert checked >= 32


def test_every_indexed_field_has_block_postings(small_searcher):
    leaf = small_searcher.reader().leaf_readers()[0][0]
    for fieldname, text in (("id", b"1"), ("tags", b"a"), ("body", b"alfa")):
        assert _whoosh.block_matcher(leaf, fieldname, text) is not None
    with pytest.raises(TermNotFound):  # the caller checks ``(field, text) in reader`` first
        _whoosh.block_matcher(leaf, "body", b"nowhere")


def test_postings_under_deleted_leading_blocks_are_all_read(tmp_path):
    """Whoosh's deletion filter steps its matcher past the deleted documents at
    the start, here two whole blocks; the blocks are read from the first."""
    ix = FileStorage(str(tmp_path)).create_index(SMALL_SCHEMA, INDEX_NAME)
    with ix.writer() as writer:
        for number in range(300):
            writer.add_document(id=str(number), body=_small_body(number))
    writer = ix.writer()
    for number in range(260):
        writer.delete_by_term("id", str(number))
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        (leaf, _), = searcher.reader().leaf_readers()
        assert leaf.has_deletions()
        assert _assert_blocks_as_whoosh_reads_them(leaf, "body", b"alfa") == 3
        query = Or([Term("body", "alfa"), Term("body", "gamma")])
        expected = {docnum: score for score, docnum in searcher.search(query, limit=None).top_n}
        matches = score_all(searcher, query)
        assert dict(zip(matches.docnums.tolist(), matches.scores.tolist(), strict=True)) == pytest.approx(expected)
        assert len(expected) == 40


def test_flat_positions_equal_whoosh_positions(small_searcher):
    text = SMALL_SCHEMA["body"].to_bytes("gamma")
    for leaf, _ in small_searcher.reader().leaf_readers():
        expected = {}
        matcher = _unfiltered(leaf.postings("body", text))
        while matcher.is_active():
            expected[matcher.id()] = list(matcher.value_as("positions"))
            matcher.next()
        ids, offsets, positions = _whoosh.flat_positions(_whoosh.block_matcher(leaf, "body", text))
        found = {docnum: positions[offsets[k]:offsets[k + 1]].tolist() for k, docnum in enumerate(ids.tolist())}
        assert found == expected  # every block, deleted documents included
        assert len(found) > 1


def test_phrases_scored_over_blocks_equal_whoosh(small_searcher):
    for words in (["gamma", "gamma"], ["beta", "gamma"], ["alfa", "delta"]):
        query = Phrase("body", words)
        expected = {docnum: score for score, docnum in small_searcher.search(query, limit=None).top_n}
        matches = score_all(small_searcher, query)
        got = dict(zip(matches.docnums.tolist(), matches.scores.tolist(), strict=True))
        assert got.keys() == expected.keys() and got == pytest.approx(expected, rel=1e-12)


# --- field lengths -----------------------------------------------------------------------


def _assert_length_bytes_as_whoosh_answers(leaf, fieldname: str) -> None:
    doccount = leaf.doc_count_all()
    lengths = _whoosh.segment_length_bytes(leaf, fieldname, doccount)
    assert lengths is not None and lengths.dtype == np.uint8 and len(lengths) == doccount
    decoded = [_whoosh.LENGTH_BY_BYTE[b] for b in lengths.tolist()]
    # Whoosh answers a stored 0 with None.
    assert decoded == [leaf.doc_field_length(docnum, fieldname) or 0 for docnum in range(doccount)], fieldname


def test_length_bytes_equal_whoosh_field_lengths(small_searcher, corpus_index):
    for leaf, _ in small_searcher.reader().leaf_readers():
        for fieldname in ("body", "tags"):
            _assert_length_bytes_as_whoosh_answers(leaf, fieldname)
        assert _whoosh.segment_length_bytes(leaf, "id", leaf.doc_count_all()) is None  # not scorable
    try:
        for leaf, _ in get_searcher(corpus_index).reader().leaf_readers():
            for fieldname in ("text_exact", "text_lemma", "title_exact", "title_parts"):
                _assert_length_bytes_as_whoosh_answers(leaf, fieldname)
    finally:
        close_searchers()


def test_lengths_of_a_reader_without_segment_columns_are_none():
    assert _whoosh.segment_length_bytes(object(), "body", 10) is None


def test_the_writer_lengths_answer_as_whoosh_does(small_searcher):
    for leaf, _ in small_searcher.reader().leaf_readers():
        perdoc = leaf._perdoc
        lengths = _whoosh.SegmentLengths(perdoc, leaf.doc_count_all())
        for fieldname in ("body", "tags", "id"):
            for docnum in range(leaf.doc_count_all()):
                expected = perdoc.doc_field_length(docnum, fieldname, -1)
                assert lengths.doc_field_length(docnum, fieldname, -1) == expected


# --- scoring -------------------------------------------------------------------------


def test_bm25_field_b_is_the_per_field_value_whoosh_scores_with(small_index):
    weighting = BM25F(B=0.7, body_B=0.3)
    assert _whoosh.bm25_field_b(weighting, "body") == 0.3
    assert _whoosh.bm25_field_b(weighting, "tags") == 0.7
    ix = FileStorage(str(small_index)).open_index(INDEX_NAME)
    query = Or([Term("body", "gamma"), Term("body", "beta"), Term("tags", "b")])
    for weighting in (BM25F(body_B=0.3, tags_B=1.0), BM25F(B=0.2)):
        with ix.searcher(weighting=weighting) as searcher:
            expected = {docnum: score for score, docnum in searcher.search(query, limit=None).top_n}
            matches = score_all(searcher, query)
            got = dict(zip(matches.docnums.tolist(), matches.scores.tolist(), strict=True))
            assert got.keys() == expected.keys() and got == pytest.approx(expected, rel=1e-12)


# --- spelling ------------------------------------------------------------------------


def _levenshtein(first: str, second: str) -> int:
    row = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        previous, row[0] = row[0], i
        for j, b in enumerate(second, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (a != b))
    return row[-1]


def test_the_levenshtein_automaton_accepts_the_words_within_reach():
    candidates = ["bolig", "boliger", "bollig", "bolg", "blig", "olig", "volig", "boilg", "bolik", "boligen", "b", "x"]
    for distance in (1, 2):
        for prefix in (0, 1, 2):
            dfa = _whoosh.levenshtein_dfa("bolig", distance, prefix)
            for candidate in candidates:
                within = _levenshtein("bolig", candidate) <= distance and candidate[:prefix] == "bolig"[:prefix]
                assert (dfa.next_valid_string(candidate) == candidate) is within, (distance, prefix, candidate)
            assert dfa.next_valid_string("") is not None


def test_edit_distance_counts_a_swap_of_neighbours_as_one():
    assert _whoosh.edit_distance("bolig", "bolig") == 0
    assert _whoosh.edit_distance("bolig", "boilg") == 1
    assert _whoosh.edit_distance("kitten", "sitting") == 3
    assert _whoosh.edit_distance("", "abc") == 3


# --- writing -------------------------------------------------------------------------


def _postings(count: int, seed: int = 7) -> list[tuple]:
    """(field, term, document, weight, value) in random order, each document once."""
    rng = random.Random(seed)
    terms = [word.encode() + bytes([number]) for word in ("alfa", "beta", "gamma", "æøå") for number in range(40)]
    postings = [
        (rng.choice(["body", "tags"]), rng.choice(terms), docnum, float(rng.randint(1, 3)), rng.choice([None, b"\x01"]))
        for docnum in range(count)
    ]
    rng.shuffle(postings)
    return postings


@pytest.mark.parametrize("pool_class", [PostingPool, _whoosh.ChunkedPostingPool])
def test_the_chunked_pool_sorts_what_whoosh_pool_sorts(tmp_path, pool_class):
    """Runs longer than one chunk, and merged runs (at most two open at once)."""
    postings = _postings(60_000)
    storage = FileStorage(str(tmp_path)).create()
    pool = pool_class(storage.temp_storage("pool.tmp"), None, limitmb=3)
    for posting in postings:
        pool.add(posting)
    assert len(pool.runs) >= 3
    assert list(pool.items(maxfiles=2)) == sorted(postings)
    assert not list((tmp_path / "pool.tmp").iterdir())  # each run removed once read


def _small_entries(first: int, count: int) -> Iterator[dict[str, str]]:
    for number in range(first, first + count):
        yield {"id": str(number), "body": _small_body(number), "tags": "a"}


def test_segments_of_several_writers_commit_together(tmp_path):
    storage = FileStorage(str(tmp_path)).create()
    ix = storage.create_index(SMALL_SCHEMA, INDEX_NAME)
    generation = ix.latest_generation()
    lock = _whoosh.index_write_lock(storage)
    assert lock.acquire(blocking=False)
    try:
        with pytest.raises(LockError):  # the lock Whoosh's own writers take
            ix.writer()
        with pytest.raises(LockError):
            _whoosh.LeanSegmentWriter(ix)
        own = _whoosh.LeanSegmentWriter(ix, take_lock=False, compound=False)
        other = _whoosh.LeanSegmentWriter(ix, take_lock=False, compound=False)
        idle = _whoosh.LeanSegmentWriter(ix, take_lock=False, compound=False)
        for entry in _small_entries(0, 300):
            own.add_document(**entry)
        for entry in _small_entries(300, 200):
            other.add_document(**entry)
        extra = [other.finish_segment()]
        assert idle.finish_segment() is None
        own.commit_with(extra)
    finally:
        lock.release()
    assert ix.latest_generation() == generation + 1
    assert sorted(name for name in os.listdir(tmp_path) if ".toc" in name) == [f"_{INDEX_NAME}_{generation + 1}.toc"]
    assert not (tmp_path / f"{INDEX_NAME}.tmp").exists()
    with ix.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
        assert searcher.doc_count() == 500
        assert {fields["id"] for fields in searcher.all_stored_fields()} == {str(n) for n in range(500)}


# --- opening and cleaning up with today's schema ------------------------------------------


class MovedFilter(Filter):
    """An analyzer part the pickled schema names by module path; the tests
    remove it from this module to play a class that has since moved."""

    def __call__(self, tokens):
        yield from tokens


def test_an_index_whose_pickled_schema_no_longer_loads_opens_and_is_cleaned(tmp_path, monkeypatch):
    def schema() -> Schema:
        return Schema(id=ID(stored=True), body=TEXT(analyzer=RegexTokenizer() | MovedFilter()))

    storage = FileStorage(str(tmp_path)).create()
    ix = storage.create_index(schema(), INDEX_NAME)
    with ix.writer() as writer:
        writer.add_document(id="1", body="bolig og arbeid")
    today = schema()
    leftovers = [tmp_path / f"{INDEX_NAME}_zz9orphan0000000.seg", tmp_path / f"_{INDEX_NAME}_7.toc.1700000000.5"]
    for leftover in leftovers:
        leftover.write_bytes(b"half written")
    (tmp_path / f"{INDEX_NAME}.tmp").mkdir()
    monkeypatch.delattr(sys.modules[__name__], "MovedFilter")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # Whoosh leaves the TOC open when it fails
        with pytest.raises(AttributeError):
            storage.open_index(INDEX_NAME)  # with the pickled schema
        gc.collect()
    assert _whoosh.has_index(storage)
    assert _whoosh.remove_orphan_files(storage, today) == 3
    assert not any(leftover.exists() for leftover in leftovers) and not (tmp_path / f"{INDEX_NAME}.tmp").exists()
    with _whoosh.open_index(storage, today).searcher() as searcher:
        assert [fields["id"] for fields in searcher.documents(body="arbeid")] == ["1"]


def test_an_empty_folder_has_no_index(tmp_path):
    assert not _whoosh.has_index(FileStorage(str(tmp_path)))


# --- nothing else reaches into Whoosh -------------------------------------------------------

WHOOSH_DIR = Path(whoosh.__file__).parent
# Whoosh modules its API documentation does not cover (or, for
# support.levenshtein, covers other functions of).
INTERNAL_WHOOSH_MODULES = (
    "whoosh.automata", "whoosh.codec", "whoosh.support", "whoosh.util", "whoosh.system", "whoosh.externalsort",
    "whoosh.filedb.compound", "whoosh.filedb.gae",
)
# Undocumented names of documented modules.
INTERNAL_WHOOSH_NAMES = {
    "whoosh.index": {"TOC", "clean_files", "toc_loaders"},
    "whoosh.writing": {"PostingPool", "SegmentWriter"},
}
# Underscore names of the standard library that are its public API.
STANDARD_UNDERSCORE_NAMES = {"_exit", "_fields", "_field_defaults", "_replace", "_asdict", "_make", "_getframe"}
INTERNALS_MODULE = REPO / "indexer" / "index" / "_whoosh.py"


def _is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


@cache
def _whoosh_private_names() -> tuple[frozenset[str], frozenset[str]]:
    """Every underscore name Whoosh defines (functions, classes, attributes,
    module names), and the underscore parameters of its functions (``_lk``)."""
    names: set[str] = set()
    parameters: set[str] = set()
    for path in WHOOSH_DIR.rglob("*.py"):
        with warnings.catch_warnings():
            # Old string escapes in the pyparsing Whoosh bundles.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, name in _bindings(tree):
            if isinstance(node, ast.arg):
                parameters.add(name)
            elif not isinstance(node, ast.alias):
                names.add(name)
    private = frozenset(n for n in names if n.startswith("_") and not _is_dunder(n))
    return private, frozenset(p for p in parameters if p.startswith("_"))


@cache
def _private_names_of_whoosh_classes(cls: type) -> frozenset[str]:
    """Underscore names the Whoosh classes among ``cls``'s bases define:
    methods, class attributes and attributes their code sets on ``self``."""
    names: set[str] = set()
    for base in cls.__mro__:
        if not base.__module__.startswith("whoosh"):
            continue
        names.update(vars(base))
        for node in ast.walk(ast.parse(inspect.getsource(base).strip() if inspect.isclass(base) else "")):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
                names.add(node.attr)
    return frozenset(n for n in names if n.startswith("_") and not _is_dunder(n))


def _bindings(tree: ast.AST) -> Iterator[tuple[ast.AST, str]]:
    """Each name a module binds, with the node that binds it: functions, classes,
    assigned names and attributes, parameters, import aliases."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node, node.name
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            yield node, node.attr
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node, node.id
        elif isinstance(node, ast.arg):
            yield node, node.arg
        elif isinstance(node, ast.alias):
            yield node, (node.asname or node.name).split(".")[0]


def _defined_names(tree: ast.AST) -> set[str]:
    """Names a module defines (see :func:`_bindings`)."""
    return {name for _, name in _bindings(tree)}


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Each name a module imports, with the dotted name it stands for."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _dotted(node: ast.expr, bound: dict[str, str]) -> str | None:
    """The dotted name an expression like ``wq.Query`` stands for, if it is an imported one."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _dotted(node.value, bound)
        return f"{owner}.{node.attr}" if owner else None
    return None


def _resolve(dotted: str) -> object | None:
    module, _, name = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        try:
            return importlib.import_module(dotted)
        except ImportError:
            return None


def _is_internal(dotted: str) -> bool:
    module, _, name = dotted.rpartition(".")
    return (
        any(dotted == m or dotted.startswith(m + ".") for m in INTERNAL_WHOOSH_MODULES)
        or name in INTERNAL_WHOOSH_NAMES.get(module, ())
        or (dotted.startswith("whoosh.") and name.startswith("_") and not _is_dunder(name))
    )


@dataclass(frozen=True)
class Reach:
    line: int
    what: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}"


def whoosh_internals_used(source: str, project_names: Collection[str] = ()) -> list[Reach]:
    """Where ``source`` uses Whoosh beyond its public API: internal modules and
    names, underscore attributes of objects that are not its own (``matcher._data``,
    ``getattr(reader, "_perdoc")``), Whoosh's underscore keywords (``_lk=``),
    and, in a subclass of a Whoosh class, the base's underscore names
    (``self._tempstorage``, overriding ``_flush_segment``)."""
    tree = ast.parse(source)
    bound = _imported_names(tree)
    own = _defined_names(tree)
    whoosh_private, whoosh_parameters = _whoosh_private_names()
    found: list[Reach] = []

    def foreign_private(name: str) -> bool:
        """An underscore name this module does not define itself."""
        return (
            name.startswith("_")
            and not _is_dunder(name)
            and name not in STANDARD_UNDERSCORE_NAMES
            and name not in own
            and (name in whoosh_private or name not in project_names)
        )

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("whoosh") and not node.level:
            for alias in node.names:
                if _is_internal(f"{node.module}.{alias.name}"):
                    found.append(Reach(node.lineno, f"imports {node.module}.{alias.name}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_internal(alias.name):
                    found.append(Reach(node.lineno, f"imports {alias.name}"))
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node, bound)
            if dotted is not None and dotted.startswith("whoosh") and _is_internal(dotted):
                found.append(Reach(node.lineno, f"uses {dotted}"))
            elif _is_self(node.value):
                pass  # checked per class below
            elif foreign_private(node.attr):
                found.append(Reach(node.lineno, f"uses .{node.attr} of {ast.unparse(node.value)}"))
        elif isinstance(node, ast.Call):
            if (
                isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr", "setattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
                and foreign_private(node.args[1].value)
            ):
                found.append(Reach(node.lineno, f"{node.func.id}(…, {node.args[1].value!r})"))
            for keyword in node.keywords:
                if keyword.arg in whoosh_parameters:
                    found.append(Reach(node.lineno, f"passes Whoosh's {keyword.arg}="))
        elif isinstance(node, ast.ClassDef):
            found.extend(_subclass_reaches(node, bound))
    return sorted(found, key=lambda reach: reach.line)


def _is_self(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id in ("self", "cls")) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def _subclass_reaches(node: ast.ClassDef, bound: dict[str, str]) -> list[Reach]:
    """A class deriving (directly or through the project's classes) from Whoosh's
    may not use or override its Whoosh bases' underscore names."""
    inherited: set[str] = set()
    for base in node.bases:
        dotted = _dotted(base, bound)
        resolved = _resolve(dotted) if dotted else None
        if inspect.isclass(resolved):
            inherited |= _private_names_of_whoosh_classes(resolved)
    found = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Attribute) and _is_self(inner.value) and inner.attr in inherited:
            found.append(Reach(inner.lineno, f"{node.name} uses its Whoosh base's {inner.attr}"))
        elif isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef) and inner.name in inherited:
            found.append(Reach(inner.lineno, f"{node.name} overrides its Whoosh base's {inner.name}"))
    return found


def _project_modules() -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in sorted((REPO / "indexer").rglob("*.py"))}


def test_only_the_internals_module_reaches_into_whoosh():
    sources = _project_modules()
    assert INTERNALS_MODULE in sources
    project_names = set().union(
        *(_defined_names(ast.parse(source)) for path, source in sources.items() if path != INTERNALS_MODULE)
    )
    reaches = {
        path.relative_to(REPO).as_posix(): [str(reach) for reach in whoosh_internals_used(source, project_names)]
        for path, source in sources.items()
        if path != INTERNALS_MODULE
    }
    assert {path: found for path, found in reaches.items() if found} == {}
    # The check sees what it is meant to see in the module that may do it.
    assert len(whoosh_internals_used(sources[INTERNALS_MODULE], project_names)) > 20


REACHING = '''
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.writing import SegmentWriter
import whoosh.util.numeric

def read(matcher, reader, ix):
    matcher._read_data()
    whoosh_index.TOC.read(ix.storage, "MAIN")
    perdoc = getattr(reader, "_perdoc", None)
    return SegmentWriter(ix, _lk=False)

class Writer(SegmentWriter):
    def _flush_segment(self):
        self._tempstorage.destroy()

    def finish(self):
        return super()._finalize_segment()
'''

OWN_PRIVATE_NAMES = '''
import os
from collections import namedtuple
from whoosh import query as wq
from whoosh.matching import Matcher

Pair = namedtuple("Pair", "a b")

class Counter(Matcher):
    def __init__(self):
        self._entries = []

    def _refresh(self):
        self._active = [e for e in self._entries]

    def __eq__(self, other):
        return self._settings() == other._settings()

    def _settings(self):
        return (1,)

class Coordinated(wq.Query):
    def _rebuilt(self):
        return type(self)()

def evaluate(scorer, query):
    Pair._fields
    os._exit(1)
    return {wq.Or: Counter._refresh}, scorer._shared(query), _whoosh.leaf_blocks(query)
'''


def test_the_check_flags_whoosh_internals():
    found = [reach.what for reach in whoosh_internals_used(REACHING)]
    assert found == [
        "imports whoosh.codec.whoosh3.W3LeafMatcher",
        "imports whoosh.writing.SegmentWriter",
        "imports whoosh.util.numeric",
        "uses ._read_data of matcher",
        "uses whoosh.index.TOC",
        "getattr(…, '_perdoc')",
        "passes Whoosh's _lk=",
        "Writer overrides its Whoosh base's _flush_segment",
        "Writer uses its Whoosh base's _tempstorage",
        "Writer uses its Whoosh base's _finalize_segment",
    ]


def test_the_check_leaves_the_projects_own_private_names_alone():
    assert whoosh_internals_used(OWN_PRIVATE_NAMES, project_names={"_shared"}) == []
