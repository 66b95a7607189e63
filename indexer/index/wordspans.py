"""Where each word of a document's text starts and ends, kept per segment for highlighting.

Marking the matched words of a hit needs the words of its text as the index cut
them. Tokenising the text again at query time cost a fifth of a search and loaded
spaCy in every server process; instead the spans are kept once per Whoosh segment
(segments never change), in ``<index>/serving/spans/<segment id>.bin`` beside the
serving snapshots that use them:

* ``offsets`` (int64, documents + 1) into the per-word arrays;
* ``gaps`` (characters from the previous word's end, or from the text's start) and
  ``lengths``, each in the narrowest unsigned type that holds it (one byte, nearly always).

A writer records the spans of the texts it analyses (:class:`SpanRecorder`: the
tokenisation is the analyzer's own, already done); a segment written otherwise
(a merge) gets them from its stored texts when its snapshot is built.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from indexer.index.arrayfile import ArrayFile
from indexer.language.analysis import words

SPANS_DIR = "spans"
SPANS_FORMAT = 1

Spans = list[tuple[int, int]]


def text_spans(text: Any) -> Spans:
    """The word spans of a stored text (none for a document without one)."""
    return [(start, end) for _, start, end in words(text)] if isinstance(text, str) and text else []


def _narrowest(values: np.ndarray) -> np.ndarray:
    largest = int(values.max()) if len(values) else 0
    for kind in (np.uint8, np.uint16, np.uint32):
        if largest <= np.iinfo(kind).max:
            return values.astype(kind)
    return values.astype(np.uint64)


def _paths(folder: Path, segment_id: str) -> tuple[Path, Path]:
    return folder / f"{segment_id}.bin", folder / f"{segment_id}.json"


def write_segment_spans(folder: Path, segment_id: str, per_document: Iterable[Spans]) -> None:
    """Write a segment's spans, one list per document number, replacing nothing that exists."""
    per_document = list(per_document)
    counts = np.array([len(spans) for spans in per_document], dtype=np.int64)
    offsets = np.zeros(len(per_document) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    flat = np.array([pair for spans in per_document for pair in spans], dtype=np.int64).reshape(-1, 2)
    starts, ends = flat[:, 0], flat[:, 1]
    previous_end = np.zeros(len(flat), dtype=np.int64)
    if len(flat):
        previous_end[1:] = ends[:-1]
        previous_end[offsets[:-1][counts > 0]] = 0  # each document's first word counts from its start
    folder.mkdir(parents=True, exist_ok=True)
    data_path, meta_path = _paths(folder, segment_id)
    temporary = folder / f".{segment_id}.{os.getpid()}.tmp"
    with ArrayFile.create(temporary) as arrays:
        arrays.add("offsets", offsets)
        arrays.add("gaps", _narrowest(starts - previous_end))
        arrays.add("lengths", _narrowest(ends - starts))
    os.replace(temporary, data_path)
    # The directory last: spans without it are not there.
    meta_path.write_text(json.dumps({"format": SPANS_FORMAT, "documents": len(per_document),
                                     "arrays": arrays.directory}))


class SegmentSpans:
    """One segment's spans, mapped."""

    def __init__(self, arrays: ArrayFile, documents: int):
        self.documents = documents
        self._offsets = arrays.array("offsets")
        self._gaps = arrays.array("gaps")
        self._lengths = arrays.array("lengths")

    def spans(self, docnum: int) -> Spans:
        start, end = int(self._offsets[docnum]), int(self._offsets[docnum + 1])
        lengths = self._lengths[start:end].astype(np.int64)
        ends = np.cumsum(self._gaps[start:end].astype(np.int64) + lengths)
        return list(zip((ends - lengths).tolist(), ends.tolist(), strict=True))


def open_segment_spans(folder: Path, segment_id: str, documents: int) -> SegmentSpans | None:
    """The segment's spans, ``None`` when they are missing or not for ``documents`` documents."""
    data_path, meta_path = _paths(folder, segment_id)
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("format") != SPANS_FORMAT or meta.get("documents") != documents:
            return None
        return SegmentSpans(ArrayFile.open(data_path, meta["arrays"]), documents)
    except (OSError, ValueError, KeyError):
        return None


def ensure_segment_spans(folder: Path, reader: Any, segment_id: str) -> None:
    """Write a segment's spans from its stored texts unless a writer already did."""
    documents = reader.doc_count_all()
    if open_segment_spans(folder, segment_id, documents) is not None:
        return
    write_segment_spans(folder, segment_id,
                        (text_spans(reader.stored_fields(docnum).get("text")) for docnum in range(documents)))


def remove_unused_spans(folder: Path, used: set[str]) -> None:
    """Remove the spans of segments no kept snapshot uses, and leftovers of interrupted writes."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        segment_id = entry.name.split(".")[0]
        if entry.name.endswith(".tmp") or segment_id not in used:
            entry.unlink(missing_ok=True)


class SpanRecorder:
    """The spans of every document a writer adds, in document-number order."""

    def __init__(self) -> None:
        self.per_document: list[Spans] = []

    def add(self, fields: dict[str, Any]) -> None:
        self.per_document.append(text_spans(fields.get("text")))

    def write(self, folder: Path, segment_id: str, documents: int) -> None:
        """Write them for the finished segment when they cover it (a writer that also
        merged other segments' documents into its own leaves that to the snapshot)."""
        if len(self.per_document) == documents:
            write_segment_spans(folder, segment_id, self.per_document)
