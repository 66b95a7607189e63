"""Writing many documents into the Whoosh index: a leaner segment writer, and
several of them in parallel processes.

Whoosh's ``SegmentWriter`` spends much of a large build on bookkeeping rather
than on the index. Its posting pool spills sorted runs to disk one pickle per
posting (about 200 postings per finding), and when the segment is written it
looks up every posting's field length one document at a time, with a file-system
check per lookup for fields that keep no lengths. :class:`BulkSegmentWriter`
writes the same files with runs pickled in chunks and lengths read once per field
(its hooks into Whoosh's writer are in :mod:`indexer.index._whoosh`).

Analysis and writing still run in one Python process per writer.
:class:`ParallelSegmentWriters` forks several, each building its own segment from
the documents it is given; the parent's commit adds their segments to the index
next to its own, in one table-of-contents write, so readers see all of the run or
none of it.
"""
from __future__ import annotations

import contextlib
import os
import signal
import traceback
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from indexer.index._whoosh import LeanSegmentWriter
from indexer.index.schema import document_entries
from indexer.index.snapshot import spans_folder
from indexer.index.wordspans import SpanRecorder
from indexer.records import Document
from indexer.workerprocess import close_descriptors, die_with_parent


class BulkSegmentWriter(LeanSegmentWriter):
    """A SegmentWriter that writes the same segment with less overhead per
    posting (see :class:`~indexer.index._whoosh.LeanSegmentWriter`), fed the
    project's documents, and keeps the word spans of the texts it analyses
    (:mod:`indexer.index.wordspans`) for the serving snapshot."""

    def __init__(self, ix, *args, **kwargs):
        super().__init__(ix, *args, **kwargs)
        self._spans = SpanRecorder()
        self._spans_folder = spans_folder(ix.storage.folder)

    def add_document(self, **fields) -> None:
        # Before the analyzers run: they reuse this tokenisation of the text.
        self._spans.add(fields)
        super().add_document(**fields)

    def add_document_entries(self, document: Document, source: str, sha256: str, qualify_ids: bool) -> None:
        for entry in document_entries(document, source, sha256, qualify_ids=qualify_ids):
            self.add_document(**entry)

    def finish_segment(self):
        segment = super().finish_segment()
        if segment is not None:
            with contextlib.suppress(OSError):  # the snapshot build writes them then
                self._spans.write(self._spans_folder, segment.segment_id(), segment.doc_count_all())
        return segment


class WriterProcessError(Exception):
    """A parallel writer process failed; nothing of this run was committed."""


@dataclass
class _WriterProcess:
    process: BaseProcess
    conn: Connection
    items: int = 0  # findings, passages and reports sent, to balance the load


def _writer_main(ix, conn: Connection, writer_kwargs: dict, parent_pid: int, close_fds: tuple[int, ...]) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its writers itself
    close_descriptors(close_fds)
    try:
        writer = BulkSegmentWriter(ix, **writer_kwargs)
        while True:
            message = conn.recv()
            if message[0] == "add":
                _, document, source, sha256, qualify_ids = message
                writer.add_document_entries(document, source, sha256, qualify_ids)
            elif message[0] == "finish":
                conn.send(("ok", writer.finish_segment()))
                return
    except EOFError:  # the parent gave up on the run
        return
    except BaseException as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"en skriveprosess feilet: {type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
        with contextlib.suppress(OSError):
            conn.send(("error", reason))
    finally:
        conn.close()
        # Never writer.cancel(): it would remove the temporary folder the other
        # writers share. The parent removes what a failed run leaves.


class ParallelSegmentWriters:
    """``processes`` forked writers, each building one new segment of the index.

    Documents go to the writer with the least work so far. :meth:`finish` returns
    the written segments for the parent writer's :meth:`BulkSegmentWriter.commit_with`;
    a writer that fails or dies raises :class:`WriterProcessError` there (or at
    :meth:`add`), and :meth:`stop` ends them all without committing anything.
    """

    def __init__(self, ix, processes: int, *, close_in_writer: tuple[int, ...] = (), **writer_kwargs):
        context = get_context("fork")
        self._writers: list[_WriterProcess] = []
        try:
            for number in range(processes):
                parent_end, child_end = context.Pipe(duplex=True)
                process = context.Process(
                    target=_writer_main,
                    args=(ix, child_end, writer_kwargs, os.getpid(), close_in_writer),
                    name=f"rapportsok-write:{number}",
                    daemon=True,
                )
                process.start()
                child_end.close()
                self._writers.append(_WriterProcess(process, parent_end))
        except BaseException:
            self.stop()
            raise

    def add(self, document: Document, source: str, sha256: str, qualify_ids: bool) -> None:
        writer = min(self._writers, key=lambda w: w.items)
        writer.items += sum(1 + len(report.findings) + len(report.passages) for report in document.reports)
        self._send(writer, ("add", document, source, sha256, qualify_ids))

    def finish(self) -> list:
        """Each writer's finished segment (writers given nothing write none)."""
        for writer in self._writers:
            self._send(writer, ("finish",))
        segments = []
        for writer in self._writers:
            reply = self._reply(writer)
            if reply[0] != "ok":
                raise WriterProcessError(reply[1])
            if reply[1] is not None:
                segments.append(reply[1])
        for writer in self._writers:
            writer.process.join()  # each exits once it has answered
        self.stop()
        return segments

    def _send(self, writer: _WriterProcess, message: tuple) -> None:
        try:
            writer.conn.send(message)
        except OSError as exc:  # the writer is gone: say why if it told us
            raise WriterProcessError(self._failure(writer) or f"en skriveprosess stoppet ({exc})") from exc

    def _reply(self, writer: _WriterProcess) -> tuple:
        try:
            return writer.conn.recv()
        except (EOFError, OSError):
            writer.process.join()
            return ("error", f"en skriveprosess stoppet uventet (avslutningskode {writer.process.exitcode})")

    def _failure(self, writer: _WriterProcess) -> str | None:
        if writer.conn.poll(1):
            reply = self._reply(writer)
            if reply[0] == "error":
                return reply[1]
        return None

    def stop(self) -> None:
        for writer in self._writers:
            writer.conn.close()
            if writer.process.is_alive():
                writer.process.kill()
            writer.process.join()
        self._writers = []

