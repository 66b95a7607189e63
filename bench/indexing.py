"""Workload 2: documents per second and index size, and re-indexing an unchanged corpus.

Everything goes through :func:`indexer.index.build.update_index`, the code behind
``rapportsok index``; scaled corpora use the stand-in extractor from
:mod:`bench.scaled`, so their numbers are indexing (analysis, Whoosh writing,
commit) without PDF parsing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.paths import GENERATED_DIR, REPO_DIR, dir_size
from indexer.index.build import update_index


def build_index(corpus_dir: Path, index_dir: Path, extractor=None) -> dict[str, Any]:
    """A fresh index of ``corpus_dir`` in ``index_dir``, timed."""
    shutil.rmtree(index_dir, ignore_errors=True)
    started = time.perf_counter()
    summary = update_index(corpus_dir, index_dir, extractor=extractor, workers=os.cpu_count())
    seconds = time.perf_counter() - started
    searchable = summary.documents
    return {
        "files": summary.indexed_sources,
        "failed_files": len(summary.failed),
        "documents": searchable,
        "seconds": seconds,
        "documents_per_s": searchable / seconds if seconds else None,
        "index_bytes": dir_size(index_dir),
    }


def copies_corpus(sources: list[Path], count: int) -> Path:
    """``count`` distinct PDFs: the given ones in turn, each copy made unique by a trailing comment.

    A PDF reader ignores bytes after %%EOF's comment line; the content hash differs,
    so the indexer treats every copy as its own file.
    """
    target = GENERATED_DIR / f"copies-{count}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for number in range(count):
        source = sources[number % len(sources)]
        data = source.read_bytes() + f"\n% bench copy {number}\n".encode("ascii")
        (target / f"{number:03d}-{source.name}").write_bytes(data)
    return target


def unchanged_reindex(corpus_dir: Path, index_dir: Path, repeats: int = 3) -> dict[str, Any]:
    """Re-index a corpus that is already indexed: in-process and as the `rapportsok index` command."""
    in_process = []
    for _ in range(repeats):
        started = time.perf_counter()
        summary = update_index(corpus_dir, index_dir)
        in_process.append(time.perf_counter() - started)
    command = [sys.executable, "-m", "search_app", "index", str(corpus_dir), "--index-dir", str(index_dir)]
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO_DIR, check=True, capture_output=True)
    cli_seconds = time.perf_counter() - started
    return {
        "files": summary.unchanged,
        "re_extracted": summary.extracted,  # 0 when the manifest did its job
        "seconds": min(in_process),
        "command_seconds": cli_seconds,
    }
