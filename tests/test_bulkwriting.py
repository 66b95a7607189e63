"""Indexing many files: the lean segment writer writes what Whoosh's writer
writes, parallel writers give the same search results as one writer, and a
writer process that fails leaves the previous index whole.

The corpus's own extracted reports are indexed from stand-in files (one report
per file), so the tests index many files without parsing PDFs each time.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from indexer.extract.pipeline import extract_document
from indexer.index import writers as bulkwriting
from indexer.index.build import update_index
from indexer.index.schema import INDEX_NAME, build_schema, document_entries
from indexer.index.status import index_status
from indexer.index.writers import BulkSegmentWriter, WriterProcessError
from indexer.records import Document
from indexer.search import engine as searching
from search_app.cli import main as cli_main

from test_arrayscoring import relevance_queries

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _close_searchers():
    yield
    searching.close_searchers()


@pytest.fixture(scope="module")
def one_report_per_file() -> list[Document]:
    documents = []
    for path in sorted((REPO / "corpus").glob("*.pdf")):
        document = extract_document(path)
        for number, report in enumerate(document.reports):
            documents.append(
                Document(
                    source=f"{path.stem}-{number:03d}.pdf",
                    sha256="",
                    pages=document.pages,
                    document_title=document.document_title,
                    reports=[report],
                )
            )
    assert len(documents) >= 10
    return documents


def _read_stand_in(path: Path) -> Document:
    return Document.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _write_corpus(folder: Path, documents: list[Document]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for document in documents:
        (folder / document.source).write_text(json.dumps(document.to_dict(), ensure_ascii=False), encoding="utf-8")
    return folder


def _results(index_dir: Path, query: str) -> tuple[dict[str, float], dict]:
    response = searching.search(index_dir, query, size=500)
    return {hit.id: round(hit.score, 9) for hit in response.results}, response.facets


def test_lean_writer_writes_the_same_postings_as_whoosh(tmp_path, one_report_per_file):
    """A tiny memory limit makes both writers spill many sorted runs to disk."""
    entries = [
        entry
        for document in one_report_per_file
        for entry in document_entries(document, document.source, "0" * 64)
    ]
    files = {}
    for name, writer_class in (("whoosh", SegmentWriter), ("bulk", BulkSegmentWriter)):
        folder = tmp_path / name
        folder.mkdir()
        ix = FileStorage(str(folder)).create_index(build_schema(), INDEX_NAME)
        writer = writer_class(ix, limitmb=0.05, compound=False)
        for entry in entries:
            writer.add_document(**entry)
        runs = len(writer.pool.runs)
        writer.commit()
        assert runs >= 5, "the limit should have made the pool spill"
        files[name] = {
            path.name.split(".", 1)[1]: path.read_bytes() for path in folder.glob(f"{INDEX_NAME}_*.*")
        }
    assert files["bulk"].keys() == files["whoosh"].keys()
    assert {"pst", "trm", "_stored.col"} <= files["bulk"].keys()
    for suffix, data in files["whoosh"].items():
        assert files["bulk"][suffix] == data, suffix


def test_parallel_writers_find_what_one_writer_finds(tmp_path, one_report_per_file):
    corpus = _write_corpus(tmp_path / "corpus", one_report_per_file)
    one, two = tmp_path / "one", tmp_path / "two"
    update_index(corpus, one, workers=2, extractor=_read_stand_in, writer_processes=1)
    summary = update_index(corpus, two, workers=2, extractor=_read_stand_in, writer_processes=2)
    assert summary.added == len(one_report_per_file) and not summary.failed
    # Each writer process wrote its own segment, next to the indexer's manifest segment.
    assert len(searching.get_searcher(two).reader().leaf_readers()) == 3
    assert index_status(two)["documents"] == index_status(one)["documents"] > 300
    matched = 0
    for query in relevance_queries():
        assert _results(two, query) == _results(one, query), query
        matched += len(_results(one, query)[0])
    assert matched > 1000


def test_parallel_writers_update_an_index_as_one_writer_does(tmp_path, one_report_per_file):
    """Two runs (new files, a removed one, a copy under a new name) with two writer
    processes and with one: the same documents, scores and facets. (Scores are not
    compared with a fresh build: Whoosh counts deleted documents in its statistics.)"""
    corpus = _write_corpus(tmp_path / "corpus", one_report_per_file[:6])
    parallel_index, serial_index = tmp_path / "parallel", tmp_path / "serial"

    def index_both():
        summaries = [
            update_index(corpus, folder, workers=2, extractor=_read_stand_in, writer_processes=processes)
            for folder, processes in ((parallel_index, 2), (serial_index, 1))
        ]
        return summaries[0]

    index_both()
    _write_corpus(corpus, one_report_per_file[6:12])
    (corpus / one_report_per_file[0].source).unlink()
    donor = next(d for d in one_report_per_file[1:6] if d.reports[0].findings or d.reports[0].passages)
    (corpus / "kopi.pdf").write_bytes((corpus / donor.source).read_bytes())
    summary = index_both()
    assert (summary.added, summary.removed, summary.unchanged) == (7, 1, 5)
    assert index_status(parallel_index)["documents"] == index_status(serial_index)["documents"]
    for query in relevance_queries()[:15]:
        assert _results(parallel_index, query) == _results(serial_index, query), query
    copied = [*donor.reports[0].findings, *donor.reports[0].passages][0].text
    assert sum(hit.text == copied for hit in searching.search(parallel_index, copied, size=50).results) == 2


@pytest.mark.parametrize("failure", ["exception", "process exits"])
def test_a_failing_writer_process_leaves_the_previous_index_whole(
    tmp_path, one_report_per_file, monkeypatch, capsys, failure
):
    corpus = _write_corpus(tmp_path / "corpus", one_report_per_file[:5])
    index_dir = tmp_path / "index"
    update_index(corpus, index_dir, workers=2, extractor=_read_stand_in, writer_processes=2)
    before = index_status(index_dir)
    files_before = sorted(os.listdir(index_dir))
    answers_before = {query: _results(index_dir, query) for query in relevance_queries()[:10]}

    _write_corpus(corpus, one_report_per_file[5:])
    poisoned = one_report_per_file[7].source
    original = BulkSegmentWriter.add_document_entries

    def fail_on_one_file(self, document, source, sha256, qualify_ids):
        if source == poisoned:
            if failure == "exception":
                raise RuntimeError("analysen feilet")
            os._exit(3)
        original(self, document, source, sha256, qualify_ids)

    # Inherited by the writer processes, which are forked.
    monkeypatch.setattr(bulkwriting.BulkSegmentWriter, "add_document_entries", fail_on_one_file)
    with pytest.raises(WriterProcessError) as raised:
        update_index(corpus, index_dir, workers=2, extractor=_read_stand_in, writer_processes=2)
    assert ("analysen feilet" if failure == "exception" else "stoppet uventet") in str(raised.value)

    assert index_status(index_dir)["documents"] == before["documents"]
    assert sorted(os.listdir(index_dir)) == files_before  # no half-written segments left
    for query, answer in answers_before.items():
        assert _results(index_dir, query) == answer

    args = ["index", str(corpus), "--index-dir", str(index_dir), "--workers", "2"]
    monkeypatch.setattr("indexer.index.build.PARALLEL_WRITING_MIN_FILES", 2)
    monkeypatch.setattr("indexer.index.build.default_extractor", lambda: _read_stand_in)
    assert cli_main(args) == 1
    assert "Indeksen er som før kjøringen" in capsys.readouterr().err

    monkeypatch.setattr(bulkwriting.BulkSegmentWriter, "add_document_entries", original)
    summary = update_index(corpus, index_dir, workers=2, extractor=_read_stand_in, writer_processes=2)
    assert summary.added == len(one_report_per_file) - 5 and not summary.failed
