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
* Rebuilt when the analysis changes: each manifest entry also keeps the index
  fingerprint (:mod:`indexer.index.fingerprint`). When today's differs, every
  file is read again and the commit drops all older segments, so no term of the
  old analysis is left; the progress log says what changed.
* Extraction runs in forked worker processes, one file each, with a time and
  memory bound. A worker that hangs, explodes or crashes is reported; the rest
  continue. Extraction workers never write to the index.
* Runs of several files are analysed and written by forked writer processes,
  each building its own new segment (:mod:`indexer.index.writers`); only the
  parent commits, all segments at once. A writer that fails stops the run
  before the commit.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import CLEAR

from indexer.errors import OcrUnavailableError
from indexer.exitcodes import ExitCode
from indexer.extract.pipeline import file_sha256
from indexer.extract.workers import (
    ExtractionJob,
    ExtractionLimits,
    ExtractionResult,
    Extractor,
    default_extractor,
    extract_in_workers,
    preload_pipeline,
)
from indexer.index._whoosh import has_index, index_write_lock, open_index, remove_orphan_files
from indexer.index.fingerprint import IndexFingerprint, current_fingerprint, staleness
from indexer.index.progress import IndexProgress
from indexer.index.schema import (
    INDEX_NAME,
    KIND_SOURCE,
    build_schema,
    manifest_entry,
)
from indexer.index.snapshot import SnapshotUnsupported, build_snapshot
from indexer.index.status import FIRST_BUILD_FILE, LAST_RUN_FILE, STATUS_FILE, status_of
from indexer.index.summary import IndexSummary, render_summary
from indexer.index.writers import BulkSegmentWriter, ParallelSegmentWriters, WriterProcessError
from indexer.language.ocr_tools import missing_packages as ocr_missing_packages
from indexer.records import FailedFile, IncompleteFile, UnreadPage

# Failures that depend on the machine and the limits rather than on the file:
# tried again on the next run. Other failures are remembered per file version.
RETRIED_CODES = frozenset({"timeout", "too_large", "worker_crashed"})


def _worth_retrying(code: str | None) -> bool:
    """Whether a file (or page) that failed with ``code`` may read now: a failure of
    the machine and limits, or scanned pages that needed the OCR programs, now installed."""
    return code in RETRIED_CODES or (code == OcrUnavailableError.code and not ocr_missing_packages())


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


# --- the index --------------------------------------------------------------


@contextmanager
def _write_lock(storage: FileStorage, index_dir: Path, wait: bool, progress: IndexProgress):
    lock = index_write_lock(storage)
    if not lock.acquire(blocking=False):
        if not wait:
            raise IndexLockedError(index_dir)
        progress.log(f"Venter på at en annen indeksering av {index_dir} blir ferdig …")
        lock.acquire(blocking=True)
    try:
        yield lock
    finally:
        lock.release()


def _open_or_create(storage: FileStorage, index_dir: Path) -> whoosh_index.FileIndex:
    schema = build_schema()
    if has_index(storage):
        # Today's schema: the writer uses today's analyzers.
        return open_index(storage, schema)
    # Whoosh commits an empty index at once; the marker tells readers that it is empty
    # because the first build has not finished (it is removed when the run ends).
    _write_json(index_dir / FIRST_BUILD_FILE, {"started": _now(), "pid": os.getpid()})
    return storage.create_index(schema, INDEX_NAME)


def _read_manifest(ix: whoosh_index.FileIndex) -> dict[str, dict[str, Any]]:
    with ix.searcher() as searcher:
        return {fields["source"]: fields for fields in searcher.documents(kind=KIND_SOURCE)}


@dataclass
class _Plan:
    jobs: list[ExtractionJob] = field(default_factory=list)
    # Each changed file that was indexed before, with its manifest document: a new
    # version that cannot be read keeps the previous version's records.
    previously_indexed: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Files whose unreadable new version is known: the previous version stays, flagged.
    stale: list[FailedFile] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    known_failures: list[FailedFile] = field(default_factory=list)
    # Unchanged files indexed without some pages, which still cannot be read.
    incomplete: list[IncompleteFile] = field(default_factory=list)
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
        unread = [UnreadPage(**page) for page in info.get("unread_pages") or ()]
        if (same_version and info.get("status") == "ok" and not info.get("stale")
                and not any(_worth_retrying(page.code) for page in unread)):
            plan.unchanged += 1
            plan.sources_by_sha.setdefault(sha256, source)
            if unread:
                plan.incomplete.append(IncompleteFile(source, unread))
            continue
        stale = info.get("stale") or {}
        if (stored is not None and stale.get("sha256") == sha256 and info.get("fingerprint") == fingerprint
                and not force and not _worth_retrying(stale.get("code"))):
            # The unreadable version is the one already tried: its predecessor stays indexed.
            plan.unchanged += 1
            plan.stale.append(FailedFile(source, stale.get("code", "unreadable"), stale.get("reason", "")))
            plan.sources_by_sha.setdefault(str(stored.get("source_sha256")), source)
            continue
        if same_version and info.get("status") != "ok" and not _worth_retrying(info.get("code")):
            plan.known_failures.append(
                FailedFile(source, info.get("code", "unreadable"), info.get("reason", ""), info.get("pages"))
            )
            continue
        if stored is not None and info.get("status") == "ok":
            plan.previously_indexed[source] = stored
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


def _manifest_for(result: ExtractionResult, fingerprint: IndexFingerprint) -> dict[str, Any]:
    info: dict[str, Any] = {**fingerprint.manifest_fields(), "indexed_at": _now(), "seconds": round(result.seconds, 3)}
    if result.failure is not None:
        info.update(status="failed", code=result.failure.code, reason=result.failure.reason)
        return info
    document = result.document
    assert document is not None  # a result without a failure carries its document
    info.update(
        status="ok",
        pages=document.pages,
        reports=len(document.reports),
        findings=sum(len(r.findings) for r in document.reports),
        passages=sum(len(r.passages) for r in document.reports),
    )
    if document.unread_pages:
        info["unread_pages"] = [asdict(page) for page in document.unread_pages]
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
    fingerprint: IndexFingerprint,
    sources_by_sha: dict[str, str],
    parallel: ParallelSegmentWriters | None,
    previously_indexed: dict[str, dict[str, Any]],
) -> None:
    job = result.job
    previous = previously_indexed.get(job.source)
    if result.failure is not None and previous is not None:
        # The new version cannot be read: keep the previous version's records, flagged
        # stale in its manifest, until a readable version arrives or the file is deleted.
        writer.delete_by_term("id", previous["id"])
        info = {**(previous.get("manifest") or {}), "stale": {
            "sha256": job.sha256, "code": result.failure.code, "reason": result.failure.reason, "since": _now()}}
        writer.add_document(**manifest_entry(job.source, previous["source_sha256"], info))
        return
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
        ix = _open_or_create(storage, index_dir)
        summary.cleaned_files = remove_orphan_files(storage, ix.schema)
        if summary.cleaned_files:
            progress.log(f"Ryddet bort {summary.cleaned_files} filer etter en avbrutt kjøring.")
        fingerprint = current_fingerprint()
        files = scan_corpus(corpus_dir)
        manifest = _read_manifest(ix)
        progress.log(f"Sjekker {len(files)} PDF-filer i {corpus_dir} …")
        # An empty folder changes nothing, so it rebuilds nothing either.
        stale = staleness((fields.get("manifest") or {} for fields in manifest.values()), fingerprint) if files else None
        if stale is not None:
            progress.log(stale.rebuild_message())
        rebuild = stale is not None
        plan = _plan(files, manifest, fingerprint.digest, force or rebuild)
        if not files:
            # An empty or unmounted folder must not wipe the index.
            progress.log(f"Fant ingen PDF-filer i {corpus_dir}; indeksen er ikke endret.")
            plan.removed = []
        summary.unchanged = plan.unchanged
        summary.failed.extend(plan.known_failures)
        summary.failed.extend(plan.stale)
        summary.stale.extend(plan.stale)
        summary.incomplete.extend(plan.incomplete)

        if plan.jobs or plan.removed:
            # take_lock=False: we already hold the lock for the whole run. compound=False: a
            # reader of a compound segment copies every part it opens into memory
            # (Whoosh's BufferFile), once per searcher, i.e. per server thread.
            writer = BulkSegmentWriter(ix, limitmb=WRITER_POOL_MB, take_lock=False, compound=False)
            if rebuild:
                # Every file is in this run: the commit keeps only its new segments.
                writer.mergetype = CLEAR
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
                            ix, processes, close_in_writer=(lock.fd,), limitmb=WRITER_POOL_MB, take_lock=False, compound=False
                        )
                progress.begin(len(plan.jobs))
                for result in extract_in_workers(
                    plan.jobs, workers=workers, limits=limits, extractor=extractor, close_in_worker=(lock.fd,),
                    on_ocr=progress.ocr,
                ):
                    _apply(writer, result, fingerprint, plan.sources_by_sha, parallel,
                           {} if rebuild else plan.previously_indexed)
                    summary.extracted += 1
                    pages = result.document.pages if result.document else None
                    summary.pages += pages or 0
                    if result.failure is not None:
                        summary.failed.append(result.failure)
                        if result.job.source in plan.previously_indexed and not rebuild:
                            summary.stale.append(result.failure)
                    elif result.job.source in plan.previously_indexed:
                        summary.changed += 1
                    else:
                        summary.added += 1
                    if result.document is not None and result.document.unread_pages:
                        summary.incomplete.append(IncompleteFile(result.job.source, result.document.unread_pages))
                    progress.file_done(result.job.source, pages, result.failure)
                progress.close()
                progress.log("Lagrer indeksen …")
                writer.commit_with(parallel.finish() if parallel is not None else [])
                summary.committed = True
            except BaseException:
                if parallel is not None:
                    parallel.stop()
                writer.cancel()
                remove_orphan_files(storage, ix.schema)  # cancel() leaves the new segment's files
                raise
            finally:
                progress.close()

        _publish_snapshot(ix, index_dir, summary, progress)
        status = status_of(ix)
        summary.indexed_sources = status["sources"]
        summary.documents = status["documents"]
        summary.failed.sort(key=lambda f: f.file)
        summary.stale.sort(key=lambda f: f.file)
        summary.incomplete.sort(key=lambda f: f.file)
        summary.finished = _now()
        summary.seconds = time.monotonic() - clock
        _write_json(index_dir / LAST_RUN_FILE, summary.to_dict())
        _write_json(index_dir / STATUS_FILE, {"last_indexed": summary.finished, **status})
        (index_dir / FIRST_BUILD_FILE).unlink(missing_ok=True)
    return summary


def _publish_snapshot(ix: Any, index_dir: Path, summary: IndexSummary, progress: IndexProgress) -> None:
    """The committed index's serving snapshot (:mod:`indexer.index.snapshot`), written
    while the lock is held, when it does not exist yet. Searches without one read
    Whoosh directly, so a snapshot that cannot be written costs speed, not answers."""
    with ix.searcher() as searcher:
        if not searcher.doc_count_all():
            return
        try:
            built = build_snapshot(index_dir, searcher)
        except (SnapshotUnsupported, OSError) as exc:
            progress.log(f"Kunne ikke skrive søkekopien av indeksen ({exc}); søk leser indeksen direkte.")
            return
        if built.terms:
            summary.snapshot_seconds = built.seconds
            progress.log(f"Søkekopien av indeksen er skrevet ({built.seconds:.1f} s).")


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
        return ExitCode.LOCKED
    except CorpusNotFoundError as exc:
        print(exc, file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        progress.close()
        print("Avbrutt; indeksen er som før kjøringen.", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except WriterProcessError as exc:
        progress.close()
        print(
            f"Indekseringen stoppet: {exc} Indeksen er som før kjøringen. "
            "(A writer process failed; the previous index is unchanged.)",
            file=sys.stderr,
        )
        return ExitCode.FAILED
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
        return ExitCode.FAILED
    print(render_summary(summary))
    return summary.exit_code
