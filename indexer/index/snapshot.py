"""The serving snapshot: a commit's postings as flat arrays, written once, mapped by every server.

Whoosh stays the system of record (documents, deletions, the manifest, atomic
commits). Right after a commit, while the write lock is still held, the commit's
postings are written out as arrays in ``<index>/serving/<commit>/``, named by the
commit (its segments and their deletions, see :func:`commit_name`) and published
with one rename. A searcher of that commit maps them: processes share one copy in
the page cache, nothing is decoded at query time, and a new process answers its
first query without reading Whoosh's posting blocks.

All arrays sit in one file (``arrays.bin``, see :class:`ArrayFile`; ``meta.json``
says where each starts). Per analysed field (``text_*``, ``title_*``):

* ``hashes`` (uint64, ascending) with ``order`` (int64): a term's 64-bit hash and its
  number; ``term_offsets`` into ``terms`` hold the term bytes, to confirm a hash;
* ``offsets`` (int64, terms + 1) into ``docs`` (int32, global document numbers,
  ascending per term, deleted documents left out) and the weights as Whoosh stores
  them (float32): a one-byte code per posting into ``weight_table`` when the field has
  at most 256 distinct weights, as it does (term counts times the document boost),
  else ``weights``;
* ``idf`` (float64) per term, ``lengths`` (Whoosh's length byte per document) and,
  in ``meta.json``, the field's average length, K1 and B: the parts of Whoosh's BM25F
  score, computed at query time in Whoosh's order (:mod:`indexer.search.snapshotscoring`);
* for a field with positions, ``position_counts`` per posting and ``position_starts``
  per term into ``positions`` (each in the narrowest unsigned type that holds it).

Beside the postings, the commit's :class:`~indexer.index.docfacts.DocFacts` (``facts.*``
arrays of codes, their tables of values in ``meta.json``): what filters, facet counts
and sort orders need per document, so no server reads them from Whoosh; in ``meta.json``
the analysed words of the headings and contractor names a query is compared with; and,
in ``serving/spans/``, where the words of each stored text are
(:mod:`indexer.index.wordspans`).

A snapshot holds what one commit's searcher would compute: scores are exact, so
:mod:`indexer.search.arrayscoring` over Whoosh stays the oracle the tests compare with.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from indexer.index import _whoosh
from indexer.index.arrayfile import ArrayFile
from indexer.index.docfacts import DocFacts, build_doc_facts, facts_arrays, facts_from_arrays
from indexer.index.wordspans import (
    SPANS_DIR,
    SegmentSpans,
    Spans,
    ensure_segment_spans,
    open_segment_spans,
    remove_unused_spans,
)
from indexer.language.institutes import institutes
from indexer.language.synonyms import text_keys

SNAPSHOT_DIR = "serving"
# Bump when what a snapshot holds or how it is laid out changes: an older one is then not opened.
SNAPSHOT_FORMAT = 5
META_FILE = "meta.json"
ARRAYS_FILE = "arrays.bin"
# Snapshots kept beside the newest, for searchers still on an older commit.
KEEP_OLDER = 1
ANALYSED_PREFIXES = ("text_", "title_")


def spans_folder(index_dir: Path | str) -> Path:
    """Where the segments' word spans are kept (:mod:`indexer.index.wordspans`)."""
    return Path(index_dir) / SNAPSHOT_DIR / SPANS_DIR


def commit_key(searcher: Searcher) -> tuple:
    """What a searcher sees: its segments and their deletions, the same for every
    searcher of one commit."""
    segments = [reader.segment() for reader, _ in searcher.reader().leaf_readers()]
    return tuple((segment.segment_id(), segment.deleted_count()) for segment in segments if segment is not None)


def commit_name(searcher: Searcher) -> str:
    """The folder name of the commit's snapshot."""
    payload = json.dumps([SNAPSHOT_FORMAT, [list(part) for part in commit_key(searcher)]])
    return hashlib.sha1(payload.encode()).hexdigest()[:20]


def term_hash(text: bytes) -> int:
    """A term's 64-bit hash, the same in every process (unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


def snapshot_fields(searcher: Searcher) -> list[str]:
    return [name for name in searcher.schema.names() if name.startswith(ANALYSED_PREFIXES)]


# --- writing -------------------------------------------------------------------------


class _FieldWriter:
    """Collects one field's postings over the segments and writes them in term order."""

    def __init__(self, searcher: Searcher, fieldname: str, weighting: BM25F):
        self.searcher = searcher
        self.fieldname = fieldname
        field = searcher.schema[fieldname]
        self.scorable = bool(field.scorable)
        self.has_positions = bool(field.format and field.format.supports("positions"))
        self.K1 = float(weighting.K1)
        self.B = float(_whoosh.bm25_field_b(weighting, fieldname))
        self.avgfl = float(searcher.avg_field_length(fieldname) or 1)
        self.lengths = np.zeros(searcher.doc_count_all(), dtype=np.uint8)

    def postings(self) -> dict[bytes, list[tuple[np.ndarray, np.ndarray, tuple | None]]]:
        """term -> per segment: (global docnums, weights, positions), deleted documents left out."""
        by_term: dict[bytes, list[tuple[np.ndarray, np.ndarray, tuple | None]]] = {}
        for reader, offset in self.searcher.reader().leaf_readers():
            if self.fieldname not in reader.schema:
                continue
            deleted = np.array(sorted(reader.deleted_docs_set), dtype=np.int64) if reader.has_deletions() else None
            has_terms = False
            for text in reader.lexicon(self.fieldname):
                has_terms = True
                matcher = _whoosh.block_matcher(reader, self.fieldname, text)
                if matcher is None:
                    raise SnapshotUnsupported(f"{self.fieldname}: postings not in the block format")
                positions = None
                if self.has_positions:  # postings and positions in one pass over the blocks
                    ids, weights, offsets, values = _whoosh.flat_postings(matcher)
                    docs, positions = ids.astype(np.int64), (ids, offsets, values)
                else:
                    blocks = list(_whoosh.leaf_blocks(matcher))
                    docs = np.concatenate([ids for ids, _ in blocks]).astype(np.int64)
                    weights = np.concatenate([w for _, w in blocks])
                if deleted is not None and len(deleted):
                    keep = ~np.isin(docs, deleted, assume_unique=True)
                    docs, weights = docs[keep], weights[keep]
                    if positions is not None:
                        positions = _kept_positions(positions, keep)
                if len(docs):
                    by_term.setdefault(text, []).append((docs + offset, weights, positions))
            if self.scorable:
                lengths = _whoosh.segment_length_bytes(reader, self.fieldname, reader.doc_count_all())
                if lengths is None and has_terms:
                    raise SnapshotUnsupported(f"{self.fieldname}: no length column")
                if lengths is not None:
                    self.lengths[offset: offset + len(lengths)] = lengths
        return by_term

    def write(self, arrays: ArrayFile) -> dict[str, Any]:
        """Add the field's arrays; returns what ``meta.json`` says of the field."""
        by_term = self.postings()
        terms = sorted(by_term)
        hashes = np.array([term_hash(t) for t in terms], dtype=np.uint64)
        order = np.argsort(hashes, kind="stable")
        term_offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum([len(t) for t in terms], out=term_offsets[1:])
        offsets = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum([sum(len(docs) for docs, _, _ in by_term[t]) for t in terms], out=offsets[1:])
        docs = np.empty(int(offsets[-1]), dtype=np.int32)
        weights = np.empty(int(offsets[-1]), dtype=np.float32)
        position_counts: list[np.ndarray] = []
        position_values: list[np.ndarray] = []
        for number, term in enumerate(terms):
            at = int(offsets[number])
            for segment_docs, segment_weights, positions in by_term[term]:
                docs[at: at + len(segment_docs)] = segment_docs
                weights[at: at + len(segment_docs)] = segment_weights
                at += len(segment_docs)
                if positions is not None:
                    position_counts.append(np.diff(positions[1]))
                    position_values.append(positions[2])
        def save(part: str, values: np.ndarray) -> None:
            arrays.add(f"{self.fieldname}.{part}", values)

        save("hashes", hashes[order])
        save("order", order.astype(np.int64))
        save("term_offsets", term_offsets)
        save("terms", np.frombuffer(b"".join(terms), dtype=np.uint8))
        save("offsets", offsets)
        save("docs", docs)
        # Weights are term counts times the document's boost: a field has few distinct ones,
        # so each posting keeps a one-byte code into the field's table of weights.
        table, codes = np.unique(weights, return_inverse=True)
        if len(table) <= 256:
            save("weight_table", table.astype(np.float32))
            save("weight_codes", codes.astype(np.uint8))
        else:
            save("weights", weights)
        save("idf", np.array([self.searcher.idf(self.fieldname, t) for t in terms], dtype=np.float64))
        if self.scorable:
            save("lengths", self.lengths)
        if self.has_positions:
            counts = np.concatenate(position_counts) if position_counts else np.empty(0, dtype=np.int64)
            # Each posting's number of positions, and where each term's positions start.
            starts = np.zeros(len(terms) + 1, dtype=np.int64)
            np.cumsum(np.add.reduceat(counts, offsets[:-1]) if len(counts) and len(terms) else np.zeros(len(terms)),
                      out=starts[1:])
            save("position_counts", counts.astype(_smallest_unsigned(int(counts.max()) if len(counts) else 0)))
            save("position_starts", starts)
            values = np.concatenate(position_values) if position_values else np.empty(0, dtype=np.int32)
            save("positions", values.astype(_smallest_unsigned(int(values.max()) if len(values) else 0)))
        return {"terms": len(terms), "scorable": self.scorable, "positions": self.has_positions,
                "avgfl": self.avgfl, "K1": self.K1, "B": self.B}


def _smallest_unsigned(largest: int) -> type:
    """The narrowest unsigned type that holds 0 … ``largest``."""
    for kind in (np.uint8, np.uint16, np.uint32):
        if largest <= np.iinfo(kind).max:
            return kind
    return np.uint64


def _kept_positions(positions: tuple[np.ndarray, np.ndarray, np.ndarray], keep: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ids, offsets, values = positions
    counts = np.diff(offsets)
    kept_values = values[np.repeat(keep, counts)]
    kept_offsets = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
    np.cumsum(counts[keep], out=kept_offsets[1:])
    return ids[keep], kept_offsets, kept_values


class SnapshotUnsupported(Exception):
    """The index holds something a snapshot cannot represent exactly (another weighting,
    another posting format): searches then read Whoosh directly."""


@dataclass
class SnapshotBuild:
    name: str
    folder: Path
    terms: int
    seconds: float


def build_snapshot(index_dir: Path | str, searcher: Searcher) -> SnapshotBuild:
    """Write the snapshot of ``searcher``'s commit (call while holding the write lock).

    Written into a temporary folder and published with one rename; a snapshot that
    exists already is kept. Older snapshots beyond :data:`KEEP_OLDER` are removed.
    Raises :class:`SnapshotUnsupported`."""
    started = time.monotonic()
    weighting = searcher.weighting
    if type(weighting) is not BM25F:
        raise SnapshotUnsupported(f"weighting {type(weighting).__name__}, not BM25F")
    root = Path(index_dir) / SNAPSHOT_DIR
    name = commit_name(searcher)
    target = root / name
    if (target / META_FILE).is_file():
        return SnapshotBuild(name, target, 0, time.monotonic() - started)
    root.mkdir(exist_ok=True)
    temporary = root / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    try:
        facts = build_doc_facts(searcher)
        segments = _segments(searcher)
        for reader, segment_id, _, _ in segments:
            ensure_segment_spans(spans_folder(index_dir), reader, segment_id)
        with ArrayFile.create(temporary / ARRAYS_FILE) as arrays:
            fields = {field: _FieldWriter(searcher, field, weighting).write(arrays) for field in snapshot_fields(searcher)}
            for array_name, values in facts_arrays(facts.codes).items():
                arrays.add(array_name, values)
        terms = sum(field["terms"] for field in fields.values())
        meta = {
            "format": SNAPSHOT_FORMAT,
            "commit": [list(part) for part in commit_key(searcher)],
            "doc_count": searcher.doc_count_all(),
            "fields": fields,
            "fact_tables": facts.codes.tables,
            "name_keys": _name_keys(facts),
            "segments": [[segment_id, offset, documents] for _, segment_id, offset, documents in segments],
            "arrays": arrays.directory,
        }
        # The meta file last: a folder without it is not a snapshot.
        (temporary / META_FILE).write_text(json.dumps(meta))
        os.replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    remove_old_snapshots(root, keep=name)
    remove_unused_spans(spans_folder(index_dir), _used_segments(root))
    return SnapshotBuild(name, target, terms, time.monotonic() - started)


def _name_keys(facts: DocFacts) -> dict[str, list[str]]:
    """The analysed words (:func:`~indexer.language.synonyms.text_keys`) of every name a
    search compares query words with: section headings, contractors and their aliases in
    the institute gazetteer. Analysed here once, not in every new server process."""
    aliases = {institute.name: institute.aliases for institute in institutes()}
    names = set(facts.codes.tables["section"]) | set(facts.codes.tables["contractors"])
    for contractor in facts.codes.tables["contractors"]:
        names.update(aliases.get(contractor, ()))
    return {name: list(text_keys(name)) for name in sorted(names)}


def _segments(searcher: Searcher) -> list[tuple[Any, str, int, int]]:
    """Each segment's reader, id, first document number and number of documents."""
    found = []
    for reader, offset in searcher.reader().leaf_readers():
        segment = reader.segment()
        if segment is not None:
            found.append((reader, segment.segment_id(), offset, reader.doc_count_all()))
    return found


def _used_segments(root: Path) -> set[str]:
    used: set[str] = set()
    for name in snapshot_names(root.parent):
        with contextlib.suppress(OSError, ValueError, KeyError):
            used.update(part[0] for part in json.loads((root / name / META_FILE).read_text())["segments"])
    return used


def remove_old_snapshots(root: Path, keep: str) -> None:
    """Remove leftovers of interrupted builds and all but the newest older snapshots.
    A server still mapping a removed one keeps its open files (POSIX)."""
    if not root.is_dir():
        return
    others = []
    for entry in root.iterdir():
        if entry.name.endswith(".tmp"):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_dir() and entry.name not in (keep, SPANS_DIR):
            others.append(entry)
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP_OLDER:]:
        shutil.rmtree(old, ignore_errors=True)


# --- reading -------------------------------------------------------------------------


class FieldPostings:
    """One field of a snapshot, mapped."""

    def __init__(self, arrays: ArrayFile, fieldname: str, meta: dict[str, Any]):
        def load(part: str) -> np.ndarray:
            return arrays.array(f"{fieldname}.{part}")

        self.scorable = bool(meta["scorable"])
        self.avgfl = float(meta["avgfl"])
        self.K1 = float(meta["K1"])
        self.B = float(meta["B"])
        self.hashes = load("hashes")
        self.order = load("order")
        self.term_offsets = load("term_offsets")
        self.terms = load("terms")
        self.offsets = load("offsets")
        self.docs = load("docs")
        self.weight_table: np.ndarray | None = None
        self.weight_codes: np.ndarray | None = None
        self.weights: np.ndarray | None = None
        if arrays.has(f"{fieldname}.weight_codes"):
            self.weight_table = load("weight_table")
            self.weight_codes = load("weight_codes")
        else:
            self.weights = load("weights")
        self.idf = load("idf")
        self.lengths = load("lengths") if self.scorable else None
        self.position_counts = load("position_counts") if meta["positions"] else None
        self.position_starts = load("position_starts") if meta["positions"] else None
        self.positions = load("positions") if meta["positions"] else None

    def term_number(self, text: bytes) -> int | None:
        """The term's number, ``None`` when the commit does not have it."""
        wanted = term_hash(text)
        at = int(np.searchsorted(self.hashes, np.uint64(wanted)))
        while at < len(self.hashes) and int(self.hashes[at]) == wanted:
            number = int(self.order[at])
            start, end = int(self.term_offsets[number]), int(self.term_offsets[number + 1])
            if self.terms[start:end].tobytes() == text:
                return number
            at += 1
        return None

    def term_texts(self) -> list[str]:
        """Every term of the field with a live document, in order (UTF-8 byte order is code point order)."""
        blob, offsets = self.terms.tobytes(), self.term_offsets.tolist()
        return [blob[start:end].decode("utf-8") for start, end in zip(offsets[:-1], offsets[1:], strict=True)]

    def postings(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers (ascending) and weights (float32, as Whoosh keeps them) of a term."""
        start, end = int(self.offsets[number]), int(self.offsets[number + 1])
        if self.weight_codes is not None and self.weight_table is not None:
            return self.docs[start:end], self.weight_table[self.weight_codes[start:end]]
        assert self.weights is not None
        return self.docs[start:end], self.weights[start:end]

    def term_positions(self, number: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The term's positions as :func:`indexer.index._whoosh.flat_positions` gives them."""
        if self.position_counts is None or self.position_starts is None or self.positions is None:
            return None
        start, end = int(self.offsets[number]), int(self.offsets[number + 1])
        offsets = np.zeros(end - start + 1, dtype=np.int64)
        np.cumsum(self.position_counts[start:end], out=offsets[1:])
        base = int(self.position_starts[number])
        return self.docs[start:end], offsets, self.positions[base: base + int(offsets[-1])].astype(np.int32)


class Snapshot:
    """A commit's snapshot, each field mapped when first asked for."""

    def __init__(self, folder: Path, meta: dict[str, Any]):
        self.folder = folder
        self.doc_count = int(meta["doc_count"])
        self._meta: dict[str, dict[str, Any]] = meta["fields"]
        self._fact_tables: dict[str, list[str]] = meta["fact_tables"]
        self.name_keys: dict[str, tuple[str, ...]] = {name: tuple(keys) for name, keys in meta["name_keys"].items()}
        self._arrays = ArrayFile.open(folder / ARRAYS_FILE, meta["arrays"])
        self._fields: dict[str, FieldPostings] = {}
        self._segments: list[list[Any]] = meta["segments"]  # [segment id, first document, documents]
        self._segment_starts = [int(offset) for _, offset, _ in self._segments]
        self._spans: dict[str, SegmentSpans | None] = {}

    def word_spans(self, docnum: int) -> Spans | None:
        """Where each word of the document's stored text starts and ends; ``None`` when
        its segment's spans are missing (the caller tokenises the text then)."""
        at = bisect_right(self._segment_starts, docnum) - 1
        if at < 0:
            return None
        segment_id, offset, documents = self._segments[at]
        if segment_id not in self._spans:
            self._spans[segment_id] = open_segment_spans(self.folder.parent / SPANS_DIR, segment_id, documents)
        spans = self._spans[segment_id]
        return spans.spans(docnum - offset) if spans is not None else None

    def facts(self) -> DocFacts:
        """What every document of the commit is (:mod:`indexer.index.docfacts`)."""
        return facts_from_arrays(self._fact_tables, self._arrays.array)

    def has_field(self, fieldname: str) -> bool:
        return fieldname in self._meta

    def field(self, fieldname: str) -> FieldPostings:
        found = self._fields.get(fieldname)
        if found is None:
            found = FieldPostings(self._arrays, fieldname, self._meta[fieldname])
            self._fields[fieldname] = found
        return found


def open_snapshot(index_dir: Path | str, searcher: Searcher) -> Snapshot | None:
    """The snapshot of ``searcher``'s commit, or ``None`` when there is none (an index
    written before snapshots, or one whose snapshot could not be built)."""
    folder = Path(index_dir) / SNAPSHOT_DIR / commit_name(searcher)
    try:
        meta = json.loads((folder / META_FILE).read_text())
        if meta.get("format") != SNAPSHOT_FORMAT or meta.get("doc_count") != searcher.doc_count_all():
            return None
        return Snapshot(folder, meta)
    except (OSError, ValueError, KeyError):
        return None


def snapshot_names(index_dir: Path | str) -> Iterable[str]:
    root = Path(index_dir) / SNAPSHOT_DIR
    return sorted(p.name for p in root.iterdir() if (p / META_FILE).is_file()) if root.is_dir() else []
