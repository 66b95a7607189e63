"""Every use of Whoosh beyond its public API, in one place.

Rapportsøk relies on a few Whoosh internals for speed and safety: posting
blocks decoded straight into NumPy arrays, field lengths read a column at a
time, a segment writer with cheaper hooks, and clean-up after a killed run.
They are collected here so an upgrade has one module to check; the
architecture notes (``docs/architecture.md``, "Whoosh internals") list what is
used, where and why, and what to check when upgrading, and
``tests/test_whoosh_internals.py`` pins the behaviour relied on (and that no
other module of ``indexer`` touches a private Whoosh name).

Importing this module on a Whoosh release it has not been tested with raises
:class:`UntestedWhooshError`, before any internal is imported.
"""
from __future__ import annotations

import os
import pickle
import shutil
import warnings
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import whoosh

# --- the Whoosh release ------------------------------------------------------------

# Releases whose internals the tests have pinned (whoosh-reloaded; the original
# Whoosh ends at 2.7.4).
TESTED_WHOOSH_VERSIONS = ("2.7.5",)
# Set to 1 to import on another release anyway, to run the tests against it.
ALLOW_UNTESTED_WHOOSH = "RAPPORTSOK_UNTESTED_WHOOSH"


class UntestedWhooshError(ImportError):
    """The installed Whoosh is a release whose internals have not been checked."""


def installed_whoosh_version() -> str:
    """The release of the imported ``whoosh`` package, e.g. ``"2.7.5"``."""
    return str(whoosh.versionstring())


def check_whoosh_version(
    installed: str | None = None, environ: Mapping[str, str] = os.environ
) -> None:
    """Raise :class:`UntestedWhooshError` unless ``installed`` (by default the
    imported release) is one of :data:`TESTED_WHOOSH_VERSIONS`; with
    :data:`ALLOW_UNTESTED_WHOOSH` set, warn instead."""
    installed = installed if installed is not None else installed_whoosh_version()
    if installed in TESTED_WHOOSH_VERSIONS:
        return
    message = (
        f"Whoosh {installed} is installed, but Rapportsøk is tested with Whoosh "
        f"{', '.join(TESTED_WHOOSH_VERSIONS)} only and relies on its internals "
        "(indexer/index/_whoosh.py). Install whoosh-reloaded=="
        f"{TESTED_WHOOSH_VERSIONS[-1]}, or, to try this release, set "
        f"{ALLOW_UNTESTED_WHOOSH}=1 and follow the upgrade checklist under "
        "\"Whoosh internals\" in docs/architecture.md before adding it to "
        "TESTED_WHOOSH_VERSIONS."
    )
    if environ.get(ALLOW_UNTESTED_WHOOSH) == "1":
        warnings.warn(message, stacklevel=2)
        return
    raise UntestedWhooshError(message)


check_whoosh_version()

# After the check: on another release these may not exist or may mean something else.
from whoosh import index as whoosh_index  # noqa: E402
from whoosh.automata import lev  # noqa: E402
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield  # noqa: E402
from whoosh.fields import Schema  # noqa: E402
from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.formats import Positions  # noqa: E402
from whoosh.matching.wrappers import FilterMatcher  # noqa: E402
from whoosh.scoring import BM25F  # noqa: E402
from whoosh.support.levenshtein import damerau_levenshtein  # noqa: E402
from whoosh.util.numeric import byte_to_length  # noqa: E402
from whoosh.writing import PostingPool, SegmentWriter  # noqa: E402

from indexer.index.schema import INDEX_NAME  # noqa: E402

# --- opening, locking, cleaning up ---------------------------------------------------


def has_index(storage: FileStorage) -> bool:
    """Whether the folder holds a committed index (a table of contents).

    Not ``storage.index_exists``: it opens the index with the schema pickled
    in it, which names the analyzer classes by module path and so fails to
    load after the code that defines them has moved. Relies on
    ``TOC._latest_generation`` (the highest ``_MAIN_<gen>.toc`` in the folder).
    """
    return whoosh_index.TOC._latest_generation(storage, INDEX_NAME) >= 0


def open_index(storage: FileStorage, schema: Schema) -> whoosh_index.FileIndex:
    """The committed index, read with today's schema instead of the pickled one."""
    return storage.open_index(INDEX_NAME, schema=schema)


def index_write_lock(storage: FileStorage) -> Any:
    """The lock Whoosh's own writers take (``MAIN_WRITELOCK``, what
    ``FileIndex.lock("WRITELOCK")`` names), so holding it keeps every Whoosh
    writer out, ours and any other."""
    return storage.lock(f"{INDEX_NAME}_WRITELOCK")


def remove_orphan_files(storage: FileStorage, schema: Schema) -> int:
    """Delete what a killed or cancelled write left behind; returns how many
    entries of the folder went. Call only while holding the write lock.

    Whoosh's ``clean_files`` (which a commit runs) removes segment and TOC files
    the newest TOC does not name, but misses the temporary TOC a commit writes
    before renaming it (``_MAIN_<gen>.toc.<time>``) and a writer's temporary
    folder (``MAIN.tmp``, its spilled posting runs). Relies on ``TOC.read``,
    ``clean_files`` and those two file names.
    """
    before = set(storage.list())
    toc = whoosh_index.TOC.read(storage, INDEX_NAME, schema=schema)
    whoosh_index.clean_files(storage, INDEX_NAME, toc.generation, toc.segments)
    toc_prefix = f"_{INDEX_NAME}_"
    for name in storage.list():
        if name.startswith(toc_prefix) and ".toc." in name:
            storage.delete_file(name)
    # SegmentWriter's temp_storage("<indexname>.tmp")
    temp_dir = Path(storage.folder) / f"{INDEX_NAME}.tmp"
    if temp_dir.is_dir():
        shutil.rmtree(temp_dir, ignore_errors=True)
    return len(before - set(storage.list()))


# --- field lengths -------------------------------------------------------------------

# What each stored length byte means: exact up to 10 words, then ever coarser (byte_to_length).
LENGTH_BY_BYTE: tuple[int, ...] = tuple(byte_to_length(b) for b in range(256))


def length_bytes(perdoc: Any, fieldname: str, doccount: int) -> np.ndarray | None:
    """Every document's length byte of ``fieldname`` from a segment's
    per-document reader in one read, ``None`` when the field has no length
    column (not scorable).

    Whoosh's ``doc_field_length`` answers one document at a time. Relies on the
    W3 codec keeping lengths in a fixed-width column of single bytes named by
    ``_lenfield``, opened through the reader's own cache ``_cached_reader``
    (closed with the reader), and on the column reader's ``_count``,
    ``_dbfile``, ``_basepos`` and ``_fixedlen``.
    """
    cached_reader = getattr(perdoc, "_cached_reader", None)
    column = cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if cached_reader else None
    if column is None or getattr(column, "_fixedlen", None) != 1:
        return None
    stored = min(column._count, doccount)
    lengths = np.zeros(doccount, dtype=np.uint8)  # documents past the column's end: length 0
    if stored:
        lengths[:stored] = np.frombuffer(bytes(column._dbfile.get(column._basepos, stored)), dtype=np.uint8)
    return lengths


def segment_length_bytes(reader: Any, fieldname: str, doccount: int) -> np.ndarray | None:
    """:func:`length_bytes` of a segment reader (``SegmentReader._perdoc``);
    ``None`` for a reader without one."""
    return length_bytes(getattr(reader, "_perdoc", None), fieldname, doccount)


class SegmentLengths:
    """``doc_field_length`` for a segment being written, each field's column
    read once (Whoosh's reader answers a stored 0 as ``None``, and so does this)."""

    _ANSWER_BY_BYTE: list[int | None] = [None, *LENGTH_BY_BYTE[1:]]

    def __init__(self, perdoc: Any, doccount: int):
        self._perdoc = perdoc
        self._doccount = doccount
        self._by_field: dict[str, list[int | None] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        try:
            lengths = self._by_field[fieldname]
        except KeyError:
            column = length_bytes(self._perdoc, fieldname, self._doccount)
            answers = self._ANSWER_BY_BYTE
            lengths = None if column is None else [answers[b] for b in column.tolist()]
            self._by_field[fieldname] = lengths
        return default if lengths is None else lengths[docnum]


# --- posting blocks ------------------------------------------------------------------

def block_matcher(reader: Any, fieldname: str, text: bytes) -> W3LeafMatcher | None:
    """The term's on-disk posting reader of a segment, deleted documents not
    filtered out; ``None`` when the postings are not in the W3 block format
    read by :func:`leaf_blocks` (or are a vector's, keyed by term bytes)."""
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):  # the segment's deletions
        matcher = matcher.child
        # The filter has already stepped past leading deleted documents, maybe
        # past whole blocks: back to the first.
        matcher.reset()
    if type(matcher) is not W3LeafMatcher or matcher._byteids:
        return None
    return matcher


def _block_ids(raw_ids: Any) -> np.ndarray:
    """Document numbers of one posting block: stored as gaps, the first from 0."""
    return np.cumsum(np.asarray(raw_ids, dtype=np.int64))


def _block_weights(raw_weights: Any, count: int) -> np.ndarray:
    """One block's weights as float32: stored as ``None`` when all are 1, as one float
    when all are equal, else one per posting."""
    if raw_weights is None:
        return np.ones(count, dtype=np.float32)
    if isinstance(raw_weights, float):
        return np.full(count, raw_weights, dtype=np.float32)
    return np.asarray(raw_weights, dtype=np.float32)


def leaf_blocks(matcher: W3LeafMatcher) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Each posting block's document numbers (int32, ascending) and weights
    (float32, as Whoosh stores them), the matcher moved to the next block after each.

    Relies on ``W3LeafMatcher._read_data`` unpickling a block into ``_data``
    (``(id gaps, weights, values)``), ``_blocklength`` and ``_next_block``.
    """
    while matcher.is_active():
        matcher._read_data()
        ids = _block_ids(matcher._data[0]).astype(np.int32)
        yield ids, _block_weights(matcher._data[1], matcher._blocklength)
        matcher._next_block()


def flat_postings(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every posting of a field with positions, read in one pass: document numbers
    (int32, ascending), weights (float32), offsets (int64, one more than documents:
    document ``k``'s positions are ``positions[offsets[k]:offsets[k + 1]]``) and
    positions (int32, ascending per document). Deleted documents are included.

    Relies on what :func:`leaf_blocks` relies on, and on ``whoosh.formats.Positions``
    encoding a value as a 4-byte count and a pickled list of gaps: the gaps are
    unpickled (C) and summed per document in one array operation instead of Whoosh's
    Python loop. Another format goes through its own ``decode_positions``.
    """
    gaps_only = type(matcher.format) is Positions
    decode = matcher.format.decode_positions
    id_blocks: list[np.ndarray] = []
    weight_blocks: list[np.ndarray] = []
    counts: list[int] = []
    values: list[int] = []
    while matcher.is_active():
        matcher._read_data()
        id_blocks.append(_block_ids(matcher._data[0]).astype(np.int32))
        weight_blocks.append(_block_weights(matcher._data[1], matcher._blocklength))
        for value in matcher._data[2]:
            decoded = pickle.loads(value[_POSITIONS_HEADER:] + b".") if gaps_only else decode(value)
            counts.append(len(decoded))
            values.extend(decoded)
        matcher._next_block()
    ids = np.concatenate(id_blocks) if id_blocks else np.empty(0, dtype=np.int32)
    weights = np.concatenate(weight_blocks) if weight_blocks else np.empty(0, dtype=np.float32)
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    positions = np.array(values, dtype=np.int64)
    if gaps_only and len(positions):
        # Running sums of the gaps, restarted at each document's first position.
        running = np.cumsum(positions)
        before = np.repeat(running[offsets[:-1]] - positions[offsets[:-1]], np.diff(offsets))
        positions = running - before
    return ids, weights, offsets, positions.astype(np.int32)


def flat_positions(matcher: W3LeafMatcher) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Document numbers, offsets and positions of :func:`flat_postings` (the weights left out)."""
    ids, _, offsets, positions = flat_postings(matcher)
    return ids, offsets, positions


# A Positions value: a 4-byte count, then the pickled gaps (without the final STOP).
_POSITIONS_HEADER = 4


# --- scoring -------------------------------------------------------------------------


def bm25_field_b(weighting: BM25F, fieldname: str) -> float:
    """BM25F's length normalisation ``B`` for the field: a per-field value given
    as ``<field>_B=`` (kept in ``BM25F._field_B``), else the general ``B``."""
    return weighting._field_B.get(fieldname, weighting.B)


# --- spelling ------------------------------------------------------------------------


class StringAutomaton(Protocol):
    def next_valid_string(self, string: str) -> str | None:
        """The smallest string >= ``string`` the automaton accepts, or ``None``."""


def levenshtein_dfa(word: str, max_distance: int, prefix: int) -> StringAutomaton:
    """An automaton accepting the strings within ``max_distance`` edits of
    ``word`` that share its first ``prefix`` letters (what
    ``IndexReader.terms_within`` walks the term list with; ``whoosh.automata``)."""
    return lev.levenshtein_automaton(word, max_distance, prefix).to_dfa()


def edit_distance(first: str, second: str) -> int:
    """Edits between two strings, a swap of neighbouring letters counting as one
    (``whoosh.support.levenshtein.damerau_levenshtein``)."""
    return damerau_levenshtein(first, second)


# --- writing -------------------------------------------------------------------------

# Postings per pickle in a spilled run: large enough that pickling is a C loop,
# small enough that a run's reader holds little in memory.
RUN_CHUNK = 8192


class ChunkedPostingPool(PostingPool):
    """Whoosh's posting pool, spilling runs as pickled lists of postings
    instead of one pickle per posting. Overrides ``SortingPool._write_run`` and
    ``_read_run``; uses ``PostingPool._open_run`` and ``_remove_run``."""

    def _write_run(self, f: Any, items: Iterable[tuple]) -> None:
        items = iter(items)  # a sorted list, or a merge of runs (SortingPool.reduce_to)
        while chunk := list(islice(items, RUN_CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[tuple]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


class LeanSegmentWriter(SegmentWriter):
    """Whoosh's ``SegmentWriter`` writing the same segment files with less
    overhead per posting, able to finish its segment without committing and to
    commit segments written by other processes with its own.

    ``take_lock=False`` (Whoosh's ``_lk``) for a caller that already holds
    :func:`index_write_lock`. Relies on ``SegmentWriter``'s ``pool`` (replaced,
    as its ``poolclass`` argument is never used), ``_tempstorage``,
    ``newsegment``, ``perdocwriter``, ``fieldwriter``, ``per_document_reader``,
    ``docnum``, ``_added`` and on the steps of its ``commit``:
    ``_check_state``, ``_merge_segments``, ``_flush_segment`` (overridden),
    ``_finalize_segment``, ``_close_segment``, ``_commit_toc`` (the atomic TOC
    write) and ``_finish``.
    """

    def __init__(self, ix: whoosh_index.FileIndex, limitmb: float = 128, *, take_lock: bool = True, **kwargs: Any):
        super().__init__(ix, limitmb=limitmb, _lk=take_lock, **kwargs)
        self.pool = ChunkedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def _flush_segment(self) -> None:
        # SegmentWriter._flush_segment, with the lengths read once per field.
        self.perdocwriter.close()
        perdoc = self.per_document_reader() if self.codec.length_stats else None
        lengths = SegmentLengths(perdoc, self.docnum) if perdoc is not None else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if perdoc is not None:
            perdoc.close()

    def finish_segment(self) -> Any:
        """Write out the new segment and return it, or ``None`` when nothing was added."""
        if self._added:
            return self._finalize_segment()
        self._close_segment()
        return None

    def commit_with(self, extra_segments: Iterable[Any]) -> None:
        """Commit this writer's segment together with segments written by others.

        Whoosh's own commit, with the extra segments in the same table of contents.
        """
        self._check_state()
        segments = self._merge_segments(None, None, None)
        own = self.finish_segment()
        self._commit_toc(segments + ([own] if own is not None else []) + list(extra_segments))
        self._finish()
