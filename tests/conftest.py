"""Shared fixtures: paths to the bundled corpus and the optional third-party PDFs."""
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO / "corpus"
REAL_PDFS = REPO.parent / "shared" / "realpdfs"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS_DIR


@pytest.fixture(scope="session")
def real_pdfs() -> Path:
    if not REAL_PDFS.is_dir():
        pytest.skip("../shared/realpdfs is not present on this machine")
    return REAL_PDFS
