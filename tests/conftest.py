"""Shared fixtures: the bundled corpus, extracted and indexed once per session, and the app over it.

``corpus_index`` is read-only: a test that adds, changes or removes documents
builds its own index in ``tmp_path``.
"""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.extract.pipeline import extract_document
from indexer.index.build import update_index
from indexer.records import Document
from indexer.search.engine import close_searchers
from search_app.app import create_app

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO / "corpus"
REAL_PDFS = REPO.parent / "shared" / "realpdfs"
BUILD_LAYOUTS = REPO / "corpus" / "build_layouts.py"
FONTS_MISSING_EXIT = 2  # the build script's exit status when DejaVu is not installed


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS_DIR


@pytest.fixture(scope="session")
def real_pdfs() -> Path:
    if not REAL_PDFS.is_dir():
        pytest.skip("../shared/realpdfs is not present on this machine")
    return REAL_PDFS


@pytest.fixture(scope="session")
def corpus_documents(corpus_dir: Path) -> dict[str, Document]:
    """Every PDF of the bundled corpus, extracted once, by file name."""
    pdfs = sorted(corpus_dir.glob("*.pdf"))
    assert len(pdfs) >= 2, f"the bundled corpus PDFs are missing from {corpus_dir}"
    return {pdf.name: extract_document(pdf) for pdf in pdfs}


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path,
                 corpus_documents: dict[str, Document]) -> Iterator[Path]:
    """The bundled corpus indexed once per session (from the documents extracted above)."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    summary = update_index(corpus_dir, index_dir, workers=2, extractor=lambda path: corpus_documents[path.name])
    assert not summary.failed and summary.indexed_sources == len(corpus_documents)
    yield index_dir
    close_searchers()


@pytest.fixture(scope="session")
def segmented_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path,
                    corpus_documents: dict[str, Document]) -> Iterator[Path]:
    """The corpus's documents indexed in three runs, so the index has several segments and
    deleted documents: a.pdf, then b.pdf, then a.pdf removed and its text added as c.pdf.
    Read-only, like ``corpus_index``."""
    folder = tmp_path_factory.mktemp("segmented")
    corpus, index_dir = folder / "corpus", folder / "index"
    corpus.mkdir()
    first, second = sorted(corpus_documents)[:2]
    by_name = {"a.pdf": first, "b.pdf": second, "c.pdf": first}

    def extract(path: Path) -> Document:
        return replace(corpus_documents[by_name[path.name]], source=path.name)

    for step in ("a.pdf", "b.pdf", "c.pdf"):
        if step == "c.pdf":
            (corpus / "a.pdf").unlink()
        (corpus / step).write_bytes(f"%PDF-1.4 stand-in for {step}".encode())
        update_index(corpus, index_dir, workers=1, extractor=extract)
    yield index_dir
    close_searchers()


@pytest.fixture(scope="session")
def layouts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every generated layout of every seed (corpus/build_layouts.py), each PDF with its
    gold beside it, built once per session (about 5 s on two cores)."""
    out = tmp_path_factory.mktemp("layouts")
    run = subprocess.run([sys.executable, str(BUILD_LAYOUTS), "--out", str(out), "--jobs", "2", "--quiet"],
                         capture_output=True, text=True, timeout=300)
    if run.returncode == FONTS_MISSING_EXIT:
        pytest.skip(f"DejaVu-fontene mangler, layoutene kan ikke bygges her: {run.stderr.strip()}")
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="session")
def app(corpus_index: Path, corpus_dir: Path) -> Flask:
    """The web app over the bundled corpus index."""
    return create_app({"INDEX_DIR": corpus_index, "CORPUS_DIR": corpus_dir})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
