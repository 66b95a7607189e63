"""Extraction quality: findings, metadata, chapters and words lost against gold files.

Two sets: the generated layouts (corpus/build_layouts.py, gold from the seed texts) and the
real PDFs of realpdfs/no with the gold written for them in tests/gold/realpdfs/; the words of
the PDFs of realpdfs/tricky are accounted for too (no gold). The numbers are those of
``rapportsok eval-extraction`` (indexer/evaluation/extraction.py). Beside them, the time of the
whole pipeline over realpdfs/no against bare pdfminer, one process each.
"""
from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from typing import Any

from bench.paths import GENERATED_DIR, REAL_PDF_DIR, REPO_DIR

GOLD_DIR = REPO_DIR / "tests" / "gold" / "realpdfs"
LAYOUT_DIR = GENERATED_DIR / "layouts"


def _build_layouts() -> None:
    subprocess.run([sys.executable, str(REPO_DIR / "corpus" / "build_layouts.py"), "--out", str(LAYOUT_DIR)],
                   check=True, stdout=subprocess.DEVNULL)


def _summary(report: Any) -> dict[str, Any]:
    data: dict[str, Any] = report.to_dict()
    documents = [{
        "source": d["source"], "pages": d["pages"], "judged": d["judged"],
        "precision": d["precision"], "recall": d["recall"], "f1": d["f1"],
        "findings_gold": d["findings_gold"], "findings_extracted": d["findings_extracted"],
        "metadata": [d["metadata_correct"], d["metadata_judged"]],
        "chapters": [d["chapters_found"], d["chapters_gold"]],
        "words_lost": d["words"]["lost"], "words_duplicated": d["words"]["duplicated"],
        "pages_per_second": d["pages_per_second"],
    } for d in data["documents"]]
    return {"totals": data["totals"], "documents": documents}


def _pipeline_against_bare() -> dict[str, float]:
    """Seconds for realpdfs/no, one file after another in this process: pdfminer's
    ``extract_text`` against ``extract_document`` (the same PDFs read twice each)."""
    from pdfminer.high_level import extract_text

    from indexer.errors import ExtractionError
    from indexer.extract.pipeline import extract_document, warm_up

    paths = sorted(REAL_PDF_DIR.glob("*.pdf"))
    warm_up()
    started = time.perf_counter()
    for path in paths:
        extract_text(str(path))
    bare = time.perf_counter() - started
    started = time.perf_counter()
    for path in paths:
        with contextlib.suppress(ExtractionError):  # an unreadable file takes its time all the same
            extract_document(path)
    pipeline = time.perf_counter() - started
    return {"files": len(paths), "bare_seconds": bare, "pipeline_seconds": pipeline, "ratio": pipeline / bare}


def run() -> dict[str, Any]:
    from indexer.evaluation.extraction import evaluate_folders

    _build_layouts()
    results: dict[str, Any] = {"layouts": _summary(evaluate_folders([LAYOUT_DIR], []))}
    if REAL_PDF_DIR.is_dir():
        results["realpdfs"] = _summary(evaluate_folders([GOLD_DIR], [REAL_PDF_DIR.parent]))
        results["speed"] = _pipeline_against_bare()
    tricky = REAL_PDF_DIR.parent / "tricky"
    if tricky.is_dir():
        results["tricky"] = _summary(evaluate_folders([], [tricky]))
    return results
