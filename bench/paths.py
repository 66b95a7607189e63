"""Where the benchmark reads its inputs and keeps what it generates (never committed)."""
from __future__ import annotations

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
CORPUS_DIR = REPO_DIR / "corpus"
# Real third-party PDFs live outside the repository; workloads that need them say so when absent.
REAL_PDF_DIR = Path(os.environ.get("RAPPORTSOK_REALPDFS", REPO_DIR.parent / "shared" / "realpdfs")) / "no"
GENERATED_DIR = BENCH_DIR / "generated"
RESULTS_MD = BENCH_DIR / "RESULTS.md"
RESULTS_JSON = BENCH_DIR / "results.json"


def corpus_pdfs() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.pdf"))


def real_pdfs() -> list[Path]:
    return sorted(REAL_PDF_DIR.glob("*.pdf")) if REAL_PDF_DIR.is_dir() else []


def dir_size(path: Path) -> int:
    """Bytes of every file under ``path`` (or of the file itself)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
