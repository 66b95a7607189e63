"""Extraction in bounded worker processes.

Each PDF is read in its own forked process with a time and memory limit, so a
file that hangs, explodes or crashes the interpreter is reported as a
:class:`~indexer.records.FailedFile` and the rest go on. Workers never write
to the index.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait as wait_for_connections
from pathlib import Path

from indexer.errors import ExtractionError, WorkerCrashedError
from indexer.records import Document, FailedFile
from indexer.workerprocess import close_descriptors, die_with_parent

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_MEMORY_MB = 3072
TIMEOUT_ENV = "RAPPORTSOK_FILE_TIMEOUT"
MEMORY_ENV = "RAPPORTSOK_MAX_MEMORY_MB"

Extractor = Callable[[Path], Document]
# Told (file, pages read with OCR so far, pages to read) while a worker reads scanned pages.
OcrProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ExtractionLimits:
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB

    @classmethod
    def resolve(cls, timeout_s: float | None = None, max_memory_mb: int | None = None) -> ExtractionLimits:
        """Explicit values win, then the environment, then the defaults."""
        if timeout_s is None:
            timeout_s = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S))
        if max_memory_mb is None:
            max_memory_mb = int(os.environ.get(MEMORY_ENV, DEFAULT_MAX_MEMORY_MB))
        return cls(timeout_s=timeout_s, max_memory_mb=max_memory_mb)


@dataclass
class ExtractionJob:
    source: str  # path relative to the corpus folder, with forward slashes
    path: Path
    sha256: str


@dataclass
class ExtractionResult:
    job: ExtractionJob
    document: Document | None
    failure: FailedFile | None
    seconds: float


def default_extractor() -> Extractor:
    from indexer.extract.pipeline import extract_document

    return extract_document


def preload_pipeline() -> None:
    """Load the pipeline's word list, tagger and analyzer in the parent.

    Forked workers then share them instead of each paying seconds to load them.
    """
    from indexer.extract.pipeline import warm_up
    from indexer.language.analysis import preload_language

    warm_up()
    preload_language()


def _limit_memory(max_memory_mb: int) -> None:
    wanted = max_memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def _worker_main(
    extractor: Extractor,
    path: Path,
    conn: Connection,
    limits: ExtractionLimits,
    parent_pid: int,
    close_fds: tuple[int, ...],
) -> None:
    die_with_parent(parent_pid)
    # Ctrl-C reaches the whole process group; the parent stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    close_descriptors(close_fds)  # the parent's write lock: a worker must never hold it
    _limit_memory(limits.max_memory_mb)
    from indexer.extract import ocr

    # Scanned pages take seconds each: the parent hears of them, shows them and allows for them.
    ocr.set_progress_hook(lambda done, total: conn.send(("ocr", done, total)))
    # A fork copies the parent's locks but not its threads: a lock some parent thread
    # held at the fork (a server's, a background loader's) is never released here, and a
    # new thread can hang on it. Other workers use the other cores.
    ocr.read_pages_one_at_a_time()
    try:
        payload: tuple = ("ok", extractor(path))
    except ExtractionError as exc:
        payload = ("error", exc.code, exc.reason)
    except MemoryError:
        payload = ("error", "too_large", _too_large_reason(limits))
    except Exception as exc:  # a bug or an unforeseen PDF: report it, keep going
        payload = ("error", ExtractionError.code, f"uventet feil: {type(exc).__name__}: {exc}"[:500])
    try:
        conn.send(payload)
    except MemoryError:
        conn.send(("error", "too_large", _too_large_reason(limits)))
    conn.close()


def _too_large_reason(limits: ExtractionLimits) -> str:
    return f"brukte mer enn {limits.max_memory_mb} MB minne (minnegrense per fil)"


def _describe_exit(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"signal {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"signal {-exitcode}"
    return f"avslutningskode {exitcode}"


@dataclass
class _RunningWorker:
    job: ExtractionJob
    process: multiprocessing.process.BaseProcess
    started: float
    ocr_pages: int = 0  # pages the worker reads with OCR: each adds its own time limit

    def deadline(self, limits: ExtractionLimits) -> float:
        from indexer.extract.ocr import page_timeout

        return self.started + limits.timeout_s + self.ocr_pages * page_timeout()


def _receive(conn: Connection) -> tuple | None:
    try:
        return conn.recv()
    except (EOFError, OSError):
        return None


def _collect(worker: _RunningWorker, conn: Connection, payload: tuple | None) -> ExtractionResult:
    job = worker.job
    conn.close()
    worker.process.join(timeout=5)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join()
    seconds = time.monotonic() - worker.started
    if payload is None:
        reason = f"uttrekket stoppet uventet ({_describe_exit(worker.process.exitcode)})"
        failure = FailedFile(job.source, WorkerCrashedError.code, reason, seconds=round(seconds, 3))
        return ExtractionResult(job, None, failure, seconds)
    if payload[0] == "ok":
        return ExtractionResult(job, payload[1], None, seconds)
    _status, code, reason = payload
    return ExtractionResult(job, None, FailedFile(job.source, code, reason, seconds=round(seconds, 3)), seconds)


def _kill(worker: _RunningWorker, conn: Connection) -> None:
    worker.process.kill()
    worker.process.join()
    conn.close()


def extract_in_workers(
    jobs: list[ExtractionJob],
    *,
    workers: int,
    limits: ExtractionLimits,
    extractor: Extractor,
    close_in_worker: tuple[int, ...] = (),
    on_ocr: OcrProgress | None = None,
) -> Iterator[ExtractionResult]:
    """Extract each file in its own forked process, ``workers`` at a time.

    Results are yielded as they finish, so the caller can index while other
    files are still being read. A file over its time budget is killed; pages it
    reads with OCR each add the OCR page limit to that budget (``on_ocr`` hears of them).
    """
    context = multiprocessing.get_context("fork")
    queue = deque(jobs)
    running: dict[Connection, _RunningWorker] = {}
    # The parent's objects (word list, tagger) are shared with the forks; frozen,
    # a fork's garbage collector never walks them, so it neither spends time on
    # them nor copies their pages.
    gc.freeze()
    try:
        while queue or running:
            while queue and len(running) < workers:
                job = queue.popleft()
                reader, writer = context.Pipe(duplex=False)
                process = context.Process(
                    target=_worker_main,
                    args=(extractor, job.path, writer, limits, os.getpid(), close_in_worker),
                    name=f"rapportsok-extract:{job.source}",
                    daemon=True,
                )
                process.start()
                writer.close()  # so a dead worker shows up as end-of-file
                running[reader] = _RunningWorker(job, process, time.monotonic())
            first_deadline = min(w.deadline(limits) for w in running.values())
            wait_for_connections(list(running), timeout=max(0.0, first_deadline - time.monotonic()))
            now = time.monotonic()
            for conn, worker in list(running.items()):
                if conn.poll():
                    payload = _receive(conn)
                    if payload is not None and payload[0] == "ocr":
                        worker.ocr_pages = payload[2]
                        if on_ocr is not None:
                            on_ocr(worker.job.source, payload[1], payload[2])
                        continue
                    del running[conn]
                    yield _collect(worker, conn, payload)
                elif now >= worker.deadline(limits):
                    del running[conn]
                    _kill(worker, conn)
                    reason = f"brukte mer enn {worker.deadline(limits) - worker.started:g} s (tidsgrense per fil)"
                    failure = FailedFile(worker.job.source, "timeout", reason, seconds=round(now - worker.started, 3))
                    yield ExtractionResult(worker.job, None, failure, now - worker.started)
    finally:
        for conn, worker in running.items():
            _kill(worker, conn)
        gc.unfreeze()


def extract_file(path: Path, timeout_s: float | None = None) -> ExtractionResult:
    """One PDF read in a bounded worker process, as the index reads it: a file
    that hangs or explodes is stopped and reported as a failure, never left running."""
    from indexer.extract.pipeline import file_sha256

    job = ExtractionJob(source=str(path), path=path, sha256=file_sha256(path))
    limits = ExtractionLimits.resolve(timeout_s=timeout_s)
    return next(extract_in_workers([job], workers=1, limits=limits, extractor=default_extractor()))
