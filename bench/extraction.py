"""Workload 1: pages per second, bare pdfminer against the whole Rapportsøk pipeline.

Each variant runs in a fresh Python process so its peak memory (ru_maxrss of the
process and of its workers) is its own. "Bare" is ``pdfminer.high_level.extract_text``
with its defaults; "pipeline" is extract + clean + segment + tag through the same
bounded worker processes ``rapportsok index`` uses (one fork per file, big files first).
The pipeline run also leaves each file's Document as JSON in bench/generated/documents/,
the real sentences the scaled corpora are made from.
"""
from __future__ import annotations

import json
import multiprocessing
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.paths import GENERATED_DIR, REPO_DIR

DOCUMENTS_DIR = GENERATED_DIR / "documents"
MIN_RUNS, MAX_RUNS = 3, 7
MIN_TOTAL_SECONDS = 20.0


def count_pages(paths: list[Path]) -> int:
    from pdfminer.pdfpage import PDFPage

    total = 0
    for path in paths:
        with path.open("rb") as fh:
            total += sum(1 for _ in PDFPage.get_pages(fh))
    return total


def _bare_extract(path: str) -> int:
    from pdfminer.high_level import extract_text

    return len(extract_text(path))


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, workers) / 1024, 1)  # Linux reports KiB


def _run_bare(paths: list[Path], workers: int) -> dict[str, Any]:
    started = time.perf_counter()
    if workers == 1:
        for path in paths:
            _bare_extract(str(path))
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            list(pool.imap_unordered(_bare_extract, [str(p) for p in paths], chunksize=1))
    return {"seconds": time.perf_counter() - started, "failed": 0}


def _run_pipeline(paths: list[Path], workers: int, keep_documents: bool) -> dict[str, Any]:
    from indexer.extract.pipeline import extract_document
    from indexer.extract.workers import ExtractionJob, ExtractionLimits, extract_in_workers, preload_pipeline

    loading = time.perf_counter()
    preload_pipeline()  # loaded once in the parent and shared by the forks, as the indexer does
    warm_up_seconds = time.perf_counter() - loading
    jobs = [ExtractionJob(p.name, p, "") for p in sorted(paths, key=lambda p: p.stat().st_size, reverse=True)]
    started = time.perf_counter()
    failed = 0
    documents = []
    for result in extract_in_workers(jobs, workers=workers, limits=ExtractionLimits.resolve(), extractor=extract_document):
        if result.document is None:
            failed += 1
        else:
            documents.append(result.document)
    seconds = time.perf_counter() - started
    if keep_documents:
        DOCUMENTS_DIR.mkdir(parents=True, exist_ok=True)
        for document in documents:
            target = DOCUMENTS_DIR / (Path(document.source).stem + ".json")
            target.write_text(json.dumps(document.to_dict(), ensure_ascii=False), encoding="utf-8")
    return {"seconds": seconds, "warm_up_seconds": warm_up_seconds, "failed": failed}


def measure(mode: str, paths: list[Path], workers: int, keep_documents: bool = False) -> dict[str, Any]:
    """Run one variant in a fresh interpreter and return its numbers."""
    command = [sys.executable, "-m", "bench.extraction", mode, str(workers), str(int(keep_documents))]
    command += [str(p) for p in paths]
    done = subprocess.run(command, cwd=REPO_DIR, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{mode} extraction failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(sets: dict[str, list[Path]], workers: int, min_runs: int = MIN_RUNS, max_runs: int = MAX_RUNS) -> list[dict[str, Any]]:
    """Every file set × {bare, pipeline} × {1 process, ``workers`` processes}.

    A run of a few seconds says little on a shared machine, so each variant
    runs at least ``min_runs`` times, and more (up to ``max_runs``) until it has
    run :data:`MIN_TOTAL_SECONDS`; the variants take turns, so a slow minute of
    the machine hits them alike. Seconds are the median run.
    """
    rows = []
    for name, paths in sets.items():
        if not paths:
            continue
        pages = count_pages(paths)
        variants = [(mode, processes) for mode in ("bare", "pipeline") for processes in sorted({1, workers})]
        runs: dict[tuple[str, int], list[dict[str, Any]]] = {variant: [] for variant in variants}

        def enough(runs: dict[tuple[str, int], list[dict[str, Any]]]) -> bool:
            done = min(len(r) for r in runs.values())
            total = min(sum(n["seconds"] for n in r) for r in runs.values())
            return done >= max_runs or (done >= min_runs and total >= MIN_TOTAL_SECONDS)

        while not enough(runs):
            for mode, processes in variants:
                first = not runs[(mode, processes)]
                print(f"  extraction: {name}, {mode}, {processes} prosess(er), kjøring {len(runs[(mode, processes)]) + 1} …", flush=True)
                keep = mode == "pipeline" and processes == 1 and first
                runs[(mode, processes)].append(measure(mode, paths, processes, keep_documents=keep))
        for (mode, processes), measured in runs.items():
            seconds = statistics.median(n["seconds"] for n in measured)
            rows.append(
                {
                    "set": name,
                    "files": len(paths),
                    "pages": pages,
                    "mode": mode,
                    "processes": processes,
                    "seconds": seconds,
                    "runs_seconds": [n["seconds"] for n in measured],
                    "peak_rss_mb": max(n["peak_rss_mb"] for n in measured),
                    "failed": max(n["failed"] for n in measured),
                    "pages_per_s": pages / seconds if seconds else None,
                }
            )
    return rows


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pipeline overhead over bare pdfminer and the multi-process speed-up, per file set."""
    by_key = {(r["set"], r["mode"], r["processes"]): r for r in rows}
    summary = []
    for name in dict.fromkeys(r["set"] for r in rows):
        processes = sorted({r["processes"] for r in rows if r["set"] == name})
        single, most = processes[0], processes[-1]
        bare, pipeline = by_key[(name, "bare", single)], by_key[(name, "pipeline", single)]
        parallel = by_key[(name, "pipeline", most)]
        summary.append(
            {
                "set": name,
                "overhead": pipeline["seconds"] / bare["seconds"] - 1,
                "speedup": pipeline["seconds"] / parallel["seconds"],
                "processes": most,
            }
        )
    return summary


def _main(argv: list[str]) -> None:
    mode, workers, keep = argv[0], int(argv[1]), bool(int(argv[2]))
    paths = [Path(p) for p in argv[3:]]
    if mode == "bare":
        numbers = _run_bare(paths, workers)
    else:
        numbers = _run_pipeline(paths, workers, keep)
    numbers["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(numbers))


if __name__ == "__main__":
    _main(sys.argv[1:])
