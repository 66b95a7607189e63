"""Extraction quality: findings, metadata, chapters and words lost against gold files.

Two sets: the generated layouts (corpus/build_layouts.py, gold from the seed texts) and the
real PDFs of realpdfs/no with the gold written for them in tests/gold/realpdfs/. The numbers
are those of ``rapportsok eval-extraction`` (indexer/evaluation/extraction.py).
"""
from __future__ import annotations

import subprocess
import sys
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
        "metadata": [d["metadata_correct"], d["metadata_judged"]],
        "chapters": [d["chapters_found"], d["chapters_gold"]],
        "words_lost": d["words"]["lost"], "words_duplicated": d["words"]["duplicated"],
        "pages_per_second": d["pages_per_second"],
    } for d in data["documents"]]
    return {"totals": data["totals"], "documents": documents}


def run() -> dict[str, Any]:
    from indexer.evaluation.extraction import evaluate_folders

    _build_layouts()
    results: dict[str, Any] = {"layouts": _summary(evaluate_folders([LAYOUT_DIR], []))}
    if REAL_PDF_DIR.is_dir():
        results["realpdfs"] = _summary(evaluate_folders([GOLD_DIR], [REAL_PDF_DIR.parent]))
    return results
