"""``rapportsok index``: build or update the Whoosh index from a folder of PDFs.

How a run stays safe:

* One writer at a time: Whoosh's own write lock (``MAIN_WRITELOCK``, an fcntl
  lock the kernel drops when the holder dies, so a killed run leaves no stale
  lock). A second run exits with status 3, or waits with ``--wait``.
* One commit at the end. Whoosh writes the new table of contents to a temporary
  file and renames it into place, so readers see either the old index or the
  new one. A run killed before that rename leaves the previous index whole; its
  half-written segment files are removed by the next run.
* Incremental: each PDF's sha256 is kept in a per-file manifest document inside
  the index, so the manifest always matches what is committed.
* Extraction runs in forked worker processes, one file each, with a time and
  memory bound. A worker that hangs, explodes or crashes is reported; the rest
  continue. Extraction workers never write to the index.
* Runs of several files are analysed and written by forked writer processes,
  each building its own new segment (:mod:`indexer.bulkwriting`); only the
  parent commits, all segments at once. A writer that fails stops the run
  before the commit.
"""
from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import resource
import shutil
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection, wait as wait_for_connections
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.query import Term

from indexer.bulkwriting import BulkSegmentWriter, ParallelSegmentWriters, WriterProcessError
from indexer.errors import ExtractionError, WorkerCrashedError
from indexer.pipeline import file_sha256
from indexer.progress import IndexProgress, render_summary
from indexer.records import Document
from indexer.workerprocess import close_descriptors, die_with_parent
from indexer.schema import (
    INDEX_NAME,
    KIND_FINDING,
    KIND_PASSAGE,
    KIND_REPORT,
    KIND_SOURCE,
    build_schema,
    manifest_entry,
    schema_fingerprint,
)

LAST_RUN_FILE = "last_run.json"
STATUS_FILE = "status.json"

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_INTERRUPTED = 130

DEFAULT_TIMEOUT_S = 120.0
DEFAULT_MAX_MEMORY_MB = 3072
TIMEOUT_ENV = "RAPPORTSOK_FILE_TIMEOUT"
MEMORY_ENV = "RAPPORTSOK_MAX_MEMORY_MB"

# Failures that depend on the machine and the limits rather than on the file:
# tried again on the next run. Other failures are remembered per file version.
RETRIED_CODES = frozenset({"timeout", "too_large", "worker_crashed"})

Extractor = Callable[[Path], Document]


class IndexLockedError(Exception):
    """Another process holds the index's write lock."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        super().__init__(
            f"Indeksen i {index_dir} oppdateres allerede av en annen prosess. "
            "Vent til den er ferdig, eller kjør med --wait. "
            f"(The index in {index_dir} is being updated by another process; "
            "retry later or use --wait.)"
        )


class CorpusNotFoundError(Exception):
    def __init__(self, corpus_dir: Path):
        self.corpus_dir = corpus_dir
        super().__init__(f"Fant ikke mappen {corpus_dir} (corpus folder not found).")


@dataclass
class FailedFile:
    file: str
    code: str
    reason: str
    pages: int | None = None
    seconds: float | None = None


@dataclass
class IndexSummary:
    """What one run did. Counts are PDF files; ``documents`` is index documents."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    extracted: int = 0
    pages: int = 0
    failed: list[FailedFile] = field(default_factory=list)
    indexed_sources: int = 0
    documents: int = 0
    started: str = ""
    finished: str = ""
    seconds: float = 0.0
    strict: bool = False
    committed: bool = False
    cleaned_files: int = 0

    @property
    def exit_code(self) -> int:
        if self.indexed_sources == 0:
            return EXIT_FAILED
        if self.strict and self.failed:
            return EXIT_FAILED
        return EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "finished": self.finished,
            "seconds": round(self.seconds, 3),
            "counts": {
                "added": self.added,
                "changed": self.changed,
                "removed": self.removed,
                "unchanged": self.unchanged,
                "failed": len(self.failed),
                "extracted": self.extracted,
                "pages": self.pages,
                "indexed_sources": self.indexed_sources,
                "documents": self.documents,
            },
            "committed": self.committed,
            "failed": [asdict(f) for f in self.failed],
        }


@dataclass(frozen=True)
class ExtractionLimits:
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB

    @classmethod
    def resolve(cls, timeout_s: float | None = None, max_memory_mb: int | None = None) -> "ExtractionLimits":
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


# --- corpus -----------------------------------------------------------------


def scan_corpus(corpus_dir: Path) -> dict[str, Path]:
    """Every ``*.pdf`` (any case) under the folder, keyed by relative path."""
    found: dict[str, Path] = {}
    for root, dirs, files in os.walk(corpus_dir):
        dirs.sort()
        for name in sorted(files):
            if name.lower().endswith(".pdf"):
                path = Path(root) / name
                found[path.relative_to(corpus_dir).as_posix()] = path
    return found


# --- bounded extraction in worker processes ---------------------------------


def default_extractor() -> Extractor:
    from indexer.pipeline import extract_document

    return extract_document


def preload_pipeline() -> None:
    """Load the pipeline's word list, tagger and analyzer in the parent.

    Forked workers then share them instead of each paying seconds to load them.
    """
    from indexer.analysis import analyze
    from indexer.pipeline import warm_up

    warm_up()
    analyze("arbeidsinnvandrere", "lemma")


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


def _collect(worker: _RunningWorker, conn: Connection) -> ExtractionResult:
    job = worker.job
    try:
        payload = conn.recv()
    except (EOFError, OSError):
        payload = None
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
) -> Iterator[ExtractionResult]:
    """Extract each file in its own forked process, ``workers`` at a time.

    Results are yielded as they finish, so the caller can index while other
    files are still being read. A file over its time budget is killed.
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
            first_deadline = min(w.started for w in running.values()) + limits.timeout_s
            wait_for_connections(list(running), timeout=max(0.0, first_deadline - time.monotonic()))
            now = time.monotonic()
            for conn, worker in list(running.items()):
                if conn.poll():
                    del running[conn]
                    yield _collect(worker, conn)
                elif now - worker.started >= limits.timeout_s:
                    del running[conn]
                    _kill(worker, conn)
                    reason = f"brukte mer enn {limits.timeout_s:g} s (tidsgrense per fil)"
                    failure = FailedFile(worker.job.source, "timeout", reason, seconds=round(now - worker.started, 3))
                    yield ExtractionResult(worker.job, None, failure, now - worker.started)
    finally:
        for conn, worker in running.items():
            _kill(worker, conn)
        gc.unfreeze()


# --- the index --------------------------------------------------------------


@contextmanager
def _write_lock(storage: FileStorage, index_dir: Path, wait: bool, progress: IndexProgress):
    lock = storage.lock(f"{INDEX_NAME}_WRITELOCK")
    if not lock.acquire(blocking=False):
        if not wait:
            raise IndexLockedError(index_dir)
        progress.log(f"Venter på at en annen indeksering av {index_dir} blir ferdig …")
        lock.acquire(blocking=True)
    try:
        yield lock
    finally:
        lock.release()


def _remove_orphans(storage: FileStorage, ix: whoosh_index.FileIndex) -> int:
    """Delete what a killed run left behind; call only while holding the write lock.

    Whoosh's own clean-up (after each commit) misses the temporary TOC files
    (``_MAIN_<gen>.toc.<time>``) and the writer's temporary folder.
    """
    before = set(storage.list())
    toc = whoosh_index.TOC.read(storage, INDEX_NAME)
    whoosh_index.clean_files(storage, INDEX_NAME, toc.generation, toc.segments)
    toc_prefix = f"_{INDEX_NAME}_"
    for name in storage.list():
        if name.startswith(toc_prefix) and ".toc." in name:
            storage.delete_file(name)
    temp_dir = Path(storage.folder) / f"{INDEX_NAME}.tmp"
    if temp_dir.is_dir():
        shutil.rmtree(temp_dir, ignore_errors=True)
    return len(before - set(storage.list()))


def _open_or_create(storage: FileStorage) -> whoosh_index.FileIndex:
    schema = build_schema()
    if storage.index_exists(INDEX_NAME):
        # Passing the schema makes the writer use today's analyzers.
        return storage.open_index(INDEX_NAME, schema=schema)
    return storage.create_index(schema, INDEX_NAME)


def _read_manifest(ix: whoosh_index.FileIndex) -> dict[str, dict[str, Any]]:
    with ix.searcher() as searcher:
        return {fields["source"]: fields for fields in searcher.documents(kind=KIND_SOURCE)}


def _fingerprint() -> str:
    from indexer import analysis, pipeline

    return schema_fingerprint(
        getattr(analysis, "ANALYSIS_VERSION", None), getattr(pipeline, "PIPELINE_VERSION", None)
    )


@dataclass
class _Plan:
    jobs: list[ExtractionJob] = field(default_factory=list)
    previously_indexed: set[str] = field(default_factory=set)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    known_failures: list[FailedFile] = field(default_factory=list)
    # Content already indexed under a name that stays: the first copy of each PDF.
    sources_by_sha: dict[str, str] = field(default_factory=dict)


def _plan(files: dict[str, Path], manifest: dict[str, dict[str, Any]], fingerprint: str, force: bool) -> _Plan:
    plan = _Plan()
    sizes: dict[str, int] = {}
    for source, path in files.items():
        try:
            sizes[source] = path.stat().st_size
            sha256 = file_sha256(path)
        except OSError as exc:  # vanished or unreadable since the folder was listed
            plan.known_failures.append(FailedFile(source, "unreadable", f"kunne ikke lese filen: {exc.strerror}"))
            continue
        stored = manifest.get(source)
        info = (stored or {}).get("manifest") or {}
        same_version = (
            stored is not None
            and stored.get("source_sha256") == sha256
            and info.get("fingerprint") == fingerprint
            and not force
        )
        if same_version and info.get("status") == "ok":
            plan.unchanged += 1
            plan.sources_by_sha.setdefault(sha256, source)
            continue
        if same_version and info.get("code") not in RETRIED_CODES:
            plan.known_failures.append(
                FailedFile(source, info.get("code", "unreadable"), info.get("reason", ""), info.get("pages"))
            )
            continue
        if stored is not None and info.get("status") == "ok":
            plan.previously_indexed.add(source)
        plan.jobs.append(ExtractionJob(source, path, sha256))
    plan.removed = sorted(set(manifest) - set(files))
    # Big files first keeps all workers busy until the end.
    plan.jobs.sort(key=lambda job: sizes[job.source], reverse=True)
    return plan


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def _count_kind(searcher, kind: str) -> int:
    return len(searcher.search(Term("kind", kind), limit=1, scored=False))


def _status_of(ix: whoosh_index.FileIndex) -> dict[str, Any]:
    with ix.searcher() as searcher:
        failed = []
        sources = 0
        for fields in searcher.documents(kind=KIND_SOURCE):
            info = fields.get("manifest") or {}
            if info.get("status") == "ok":
                sources += 1
            else:
                failed.append({"file": fields["source"], "code": info.get("code"), "reason": info.get("reason")})
        counts = {kind: _count_kind(searcher, kind) for kind in (KIND_REPORT, KIND_FINDING, KIND_PASSAGE)}
        return {
            "documents": sum(counts.values()),
            "sources": sources,
            "reports": counts[KIND_REPORT],
            "findings": counts[KIND_FINDING],
            "passages": counts[KIND_PASSAGE],
            "failed": sorted(failed, key=lambda f: f["file"]),
            "generation": ix.latest_generation(),
            "last_modified": datetime.fromtimestamp(ix.last_modified()).astimezone().isoformat(timespec="seconds"),
        }


def index_status(index_dir: Path | str) -> dict[str, Any]:
    """The committed index as a health check sees it, plus the last run's report.

    ``{"exists": False}`` when there is no index yet.
    """
    storage = FileStorage(str(index_dir))
    if not Path(index_dir).is_dir() or not storage.index_exists(INDEX_NAME):
        return {"exists": False}
    status = {"exists": True, **_status_of(storage.open_index(INDEX_NAME))}
    last_run = Path(index_dir) / LAST_RUN_FILE
    status["last_run"] = json.loads(last_run.read_text(encoding="utf-8")) if last_run.is_file() else None
    return status


def _manifest_for(result: ExtractionResult, fingerprint: str) -> dict[str, Any]:
    info: dict[str, Any] = {"fingerprint": fingerprint, "indexed_at": _now(), "seconds": round(result.seconds, 3)}
    if result.failure is not None:
        info.update(status="failed", code=result.failure.code, reason=result.failure.reason)
        return info
    document = result.document
    info.update(
        status="ok",
        pages=document.pages,
        reports=len(document.reports),
        findings=sum(len(r.findings) for r in document.reports),
        passages=sum(len(r.passages) for r in document.reports),
    )
    return info


# Files in one run from which indexing is shared by several writer processes:
# below it the forks cost more than they save, and each writer adds a segment.
PARALLEL_WRITING_MIN_FILES = 8
# Whoosh's estimate of the postings each writer sorts in memory before spilling a
# run to disk (real use is somewhat higher). Fewer, larger runs merge faster.
WRITER_POOL_MB = 256


def _apply(
    writer: BulkSegmentWriter,
    result: ExtractionResult,
    fingerprint: str,
    sources_by_sha: dict[str, str],
    parallel: ParallelSegmentWriters | None,
) -> None:
    job = result.job
    writer.delete_by_term("source", job.source)
    if result.document is not None:
        first_copy = sources_by_sha.setdefault(job.sha256, job.source)
        qualify_ids = first_copy != job.source
        if parallel is not None:
            parallel.add(result.document, job.source, job.sha256, qualify_ids)
        else:
            writer.add_document_entries(result.document, job.source, job.sha256, qualify_ids)
    writer.add_document(**manifest_entry(job.source, job.sha256, _manifest_for(result, fingerprint)))


def _writer_processes(requested: int | None, workers: int, jobs: int) -> int:
    """How many processes analyse and write: 1 (the indexer itself) for small runs."""
    if requested is not None:
        return max(1, requested)
    return workers if workers > 1 and jobs >= PARALLEL_WRITING_MIN_FILES else 1


def update_index(
    corpus_dir: Path | str,
    index_dir: Path | str,
    *,
    workers: int | None = None,
    strict: bool = False,
    wait: bool = False,
    timeout_s: float | None = None,
    max_memory_mb: int | None = None,
    extractor: Extractor | None = None,
    progress: IndexProgress | None = None,
    force: bool = False,
    writer_processes: int | None = None,
) -> IndexSummary:
    """Bring the index in ``index_dir`` in line with the PDFs under ``corpus_dir``.

    Raises :class:`IndexLockedError` if another run holds the lock (unless
    ``wait``) and :class:`CorpusNotFoundError` for a missing folder. ``force``
    re-extracts every file. ``writer_processes`` overrides how many processes
    analyse and write (by default the workers, for runs of several files).
    """
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    progress = progress or IndexProgress(stream=None)
    if not corpus_dir.is_dir():
        raise CorpusNotFoundError(corpus_dir)
    limits = ExtractionLimits.resolve(timeout_s, max_memory_mb)
    workers = max(1, workers or os.cpu_count() or 1)
    extractor = extractor or default_extractor()
    summary = IndexSummary(started=_now(), strict=strict)
    clock = time.monotonic()

    index_dir.mkdir(parents=True, exist_ok=True)
    storage = FileStorage(str(index_dir))
    with _write_lock(storage, index_dir, wait, progress) as lock:
        ix = _open_or_create(storage)
        summary.cleaned_files = _remove_orphans(storage, ix)
        if summary.cleaned_files:
            progress.log(f"Ryddet bort {summary.cleaned_files} filer etter en avbrutt kjøring.")
        fingerprint = _fingerprint()
        files = scan_corpus(corpus_dir)
        manifest = _read_manifest(ix)
        progress.log(f"Sjekker {len(files)} PDF-filer i {corpus_dir} …")
        plan = _plan(files, manifest, fingerprint, force)
        if not files:
            # An empty or unmounted folder must not wipe the index.
            progress.log(f"Fant ingen PDF-filer i {corpus_dir}; indeksen er ikke endret.")
            plan.removed = []
        summary.unchanged = plan.unchanged
        summary.failed.extend(plan.known_failures)

        if plan.jobs or plan.removed:
            # _lk=False: we already hold the lock for the whole run. compound=False: a
            # reader of a compound segment copies every part it opens into memory
            # (Whoosh's BufferFile), once per searcher, i.e. per server thread.
            writer = BulkSegmentWriter(ix, limitmb=WRITER_POOL_MB, _lk=False, compound=False)
            parallel = None
            try:
                for source in plan.removed:
                    writer.delete_by_term("source", source)
                summary.removed = len(plan.removed)
                if plan.jobs:
                    preload_pipeline()
                    processes = _writer_processes(writer_processes, workers, len(plan.jobs))
                    if processes > 1:
                        parallel = ParallelSegmentWriters(
                            ix, processes, close_in_writer=(lock.fd,), limitmb=WRITER_POOL_MB, _lk=False, compound=False
                        )
                progress.begin(len(plan.jobs))
                for result in extract_in_workers(
                    plan.jobs, workers=workers, limits=limits, extractor=extractor, close_in_worker=(lock.fd,)
                ):
                    _apply(writer, result, fingerprint, plan.sources_by_sha, parallel)
                    summary.extracted += 1
                    pages = result.document.pages if result.document else None
                    summary.pages += pages or 0
                    if result.failure is not None:
                        summary.failed.append(result.failure)
                    elif result.job.source in plan.previously_indexed:
                        summary.changed += 1
                    else:
                        summary.added += 1
                    progress.file_done(result.job.source, pages, result.failure)
                progress.close()
                progress.log("Lagrer indeksen …")
                writer.commit_with(parallel.finish() if parallel is not None else [])
                summary.committed = True
            except BaseException:
                if parallel is not None:
                    parallel.stop()
                writer.cancel()
                _remove_orphans(storage, ix)  # cancel() leaves the new segment's files
                raise
            finally:
                progress.close()

        status = _status_of(ix)
        summary.indexed_sources = status["sources"]
        summary.documents = status["documents"]
        summary.failed.sort(key=lambda f: f.file)
        summary.finished = _now()
        summary.seconds = time.monotonic() - clock
        _write_json(index_dir / LAST_RUN_FILE, summary.to_dict())
        _write_json(index_dir / STATUS_FILE, {"last_indexed": summary.finished, **status})
    return summary


def run_index_command(args: argparse.Namespace) -> int:
    progress = IndexProgress(stream=sys.stderr)
    try:
        summary = update_index(
            args.corpus,
            args.index_dir,
            workers=args.workers,
            strict=args.strict,
            wait=args.wait,
            progress=progress,
        )
    except IndexLockedError as exc:
        print(exc, file=sys.stderr)
        return EXIT_LOCKED
    except CorpusNotFoundError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        progress.close()
        print("Avbrutt; indeksen er som før kjøringen.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except WriterProcessError as exc:
        progress.close()
        print(
            f"Indekseringen stoppet: {exc} Indeksen er som før kjøringen. "
            "(A writer process failed; the previous index is unchanged.)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except OSError as exc:
        # A full disk or a read-only index folder: the commit never happened, so the
        # previous index is untouched. Say so plainly instead of a traceback.
        progress.close()
        print(
            f"Kunne ikke skrive indeksen i {args.index_dir}: {exc.strerror or exc}. "
            "Indeksen er som før kjøringen. "
            f"(Could not write the index in {args.index_dir}; the previous index is unchanged.)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(render_summary(summary))
    return summary.exit_code
