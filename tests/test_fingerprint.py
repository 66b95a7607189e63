"""The index fingerprint: a change to the analysis or its data rebuilds the index and says why."""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from io import StringIO
from pathlib import Path

import pytest
import whoosh.writing
from whoosh.filedb.filestore import FileStorage

from indexer import config
from indexer.extract import pipeline
from indexer.index import fingerprint, schema
from indexer.index._whoosh import open_index
from indexer.index.build import update_index
from indexer.index.fingerprint import IndexFingerprint, Staleness, current_fingerprint, staleness
from indexer.index.progress import IndexProgress
from indexer.index.status import index_status
from indexer.language import analysis

from test_indexing import build_corpus


@pytest.fixture
def language_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the package's language data and stop lists that the fingerprint reads instead."""
    package = resources.files("indexer.language")
    copy = tmp_path / "language"
    for folder in ("data", "stopwords"):
        with resources.as_file(package / folder) as source:
            shutil.copytree(source, copy / folder)
    monkeypatch.setattr(config, "language_data", lambda name: copy / "data" / name)
    monkeypatch.setattr(config, "stopword_list", lambda name: copy / "stopwords" / name)
    fingerprint.forget_file_hashes()
    yield copy
    fingerprint.forget_file_hashes()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return build_corpus(tmp_path / "corpus")


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


def edit(path: Path, extra_line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + extra_line + "\n", encoding="utf-8")
    fingerprint.forget_file_hashes()  # edited in place: same path, new content


def run_logged(corpus: Path, index_dir: Path, **options):
    log = StringIO()
    summary = update_index(corpus, index_dir, progress=IndexProgress(log, interactive=False), **options)
    return summary, log.getvalue()


def has_deleted_documents(index_dir: Path) -> bool:
    ix = open_index(FileStorage(str(index_dir)), schema.build_schema())
    return ix.doc_count_all() != ix.doc_count()


# --- what the fingerprint covers ------------------------------------------------------------


def test_every_language_data_file_is_covered():
    shipped = {entry.name for entry in (resources.files("indexer.language") / "data").iterdir()}
    assert shipped == set(fingerprint.LANGUAGE_DATA_FILES) | set(fingerprint.QUERY_ONLY_DATA_FILES)
    components = current_fingerprint().components
    assert set(components) == set(fingerprint.COMPONENT_LABELS)
    assert components["analysis"] == str(analysis.ANALYSIS_VERSION)
    assert components["pipeline"] == str(pipeline.PIPELINE_VERSION)
    assert "spacy-lookups-data==" in components["lexicon"]


def test_each_component_changes_the_digest(language_data, monkeypatch):
    before = current_fingerprint()
    edit(language_data / "data" / "compound_exceptions.txt", "barnehage")
    edit(language_data / "stopwords" / "nn.txt", "ikkje")
    monkeypatch.setattr(analysis, "ANALYSIS_VERSION", analysis.ANALYSIS_VERSION + 1)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    after = current_fingerprint()

    assert after.digest != before.digest
    assert after.changed_since(before.components) == ["analysis", "compound_exceptions.txt", "stopwords", "schema"]


def test_computing_it_loads_neither_spacy_nor_the_lexicon():
    script = (
        "import sys\n"
        "from indexer.index.fingerprint import current_fingerprint\n"
        "current_fingerprint()\n"
        "from indexer.language import lexicon\n"
        "assert 'spacy' not in sys.modules, 'spaCy was imported'\n"
        "assert lexicon._LEXICON is None, 'the lexicon was loaded'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_data_files_are_hashed_once_per_process(language_data):
    first = current_fingerprint()
    (language_data / "data" / "synonyms.txt").write_text("endret, forandret\n", encoding="utf-8")
    assert current_fingerprint() == first  # not read again
    fingerprint.forget_file_hashes()
    assert current_fingerprint().changed_since(first.components) == ["synonyms.txt"]


# --- how a difference is told -------------------------------------------------------------------


def test_staleness_names_what_changed_across_files():
    now = IndexFingerprint({"analysis": "2", "synonyms.txt": "b", "stopwords": "y", "pipeline": "1"})
    same = now.manifest_fields()
    synonyms = IndexFingerprint({**now.components, "synonyms.txt": "a"}).manifest_fields()
    stops = IndexFingerprint({**now.components, "stopwords": "x"}).manifest_fields()

    assert staleness([same, same], now) is None
    assert staleness([], now) is None
    found = staleness([stops, same, synonyms], now)
    assert found == Staleness(("synonyms.txt", "stopwords"))
    assert found.rebuild_message() == (
        "Analysen er endret siden indeksen ble bygget (synonyms.txt, stoppord); bygger hele indeksen på nytt."
    )
    assert found.status_message() == (
        "Analysen er endret siden indeksen ble bygget (synonyms.txt, stoppord). "
        "Kjør «rapportsok index» for å bygge indeksen på nytt."
    )
    pipeline_changed = IndexFingerprint({**now.components, "pipeline": "0"}).manifest_fields()
    assert staleness([pipeline_changed], now).describe() == (
        "Indekseringen er endret siden indeksen ble bygget (uttrekket)"
    )


def test_an_entry_without_components_is_stale_for_unknown_reasons():
    now = IndexFingerprint({"analysis": "1"})
    old = {"fingerprint": "65f1e0a8c0d2b7aa", "status": "ok"}
    found = staleness([old, {}], now)
    assert found == Staleness((), unrecorded=True)
    assert found.describe() == "Indeksen ble bygget av en eldre versjon av Rapportsøk"


# --- the index: stale, rebuilt, fresh again ------------------------------------------------------


@pytest.mark.parametrize("writer_processes", [1, 2])
def test_edited_data_file_makes_the_index_stale_until_it_is_rebuilt(
    language_data, corpus, index_dir, writer_processes, monkeypatch
):
    # As with segments too large for Whoosh to merge on its own: only the rebuild may drop them.
    monkeypatch.setattr(whoosh.writing, "MERGE_SMALL", whoosh.writing.NO_MERGE)
    first, _ = run_logged(corpus, index_dir, workers=2, writer_processes=writer_processes)
    assert first.added == 2
    fresh = index_status(index_dir)
    assert (fresh["stale"], fresh["stale_reason"]) == (False, None)

    edit(language_data / "data" / "synonyms.txt", "tolk, tolketjeneste")
    edit(language_data / "stopwords" / "nb.txt", "rapporten")

    stale = index_status(index_dir)
    assert stale["stale"] is True
    assert stale["stale_reason"] == (
        "Analysen er endret siden indeksen ble bygget (synonyms.txt, stoppord). "
        "Kjør «rapportsok index» for å bygge indeksen på nytt."
    )
    assert stale["documents"] == fresh["documents"]  # still searchable meanwhile

    rebuilt, log = run_logged(corpus, index_dir, workers=2, writer_processes=writer_processes)

    assert "Analysen er endret siden indeksen ble bygget (synonyms.txt, stoppord); bygger hele indeksen på nytt." in log
    assert (rebuilt.extracted, rebuilt.changed, rebuilt.unchanged, rebuilt.added) == (2, 2, 0, 0)
    after = index_status(index_dir)
    assert (after["stale"], after["stale_reason"]) == (False, None)
    assert after["documents"] == fresh["documents"] and after["sources"] == 2
    # The old segments were dropped in the same commit, not kept with deletions.
    assert not has_deleted_documents(index_dir)

    again, log = run_logged(corpus, index_dir)
    assert again.extracted == 0 and again.unchanged == 2
    assert "på nytt" not in log


def test_a_new_analysis_version_rebuilds(corpus, index_dir, monkeypatch):
    update_index(corpus, index_dir)
    monkeypatch.setattr(analysis, "ANALYSIS_VERSION", analysis.ANALYSIS_VERSION + 1)

    assert "(analysekoden)" in index_status(index_dir)["stale_reason"]
    summary, log = run_logged(corpus, index_dir)
    assert summary.extracted == 2
    assert "Analysen er endret siden indeksen ble bygget (analysekoden); bygger hele indeksen på nytt." in log


def test_failed_files_are_retried_on_a_rebuild(corpus, index_dir, monkeypatch):
    (corpus / "notat.pdf").write_text("ikke en PDF", encoding="utf-8")
    update_index(corpus, index_dir)
    assert update_index(corpus, index_dir).extracted == 0  # a known failure is not retried …
    monkeypatch.setattr(pipeline, "PIPELINE_VERSION", pipeline.PIPELINE_VERSION + 1)

    summary = update_index(corpus, index_dir)  # … unless the extraction changed

    assert summary.extracted == 3 and [f.file for f in summary.failed] == ["notat.pdf"]


def test_an_index_from_before_fingerprint_components_is_rebuilt(corpus, index_dir, monkeypatch):
    # What earlier versions stored: one opaque hash per file, no components.
    with monkeypatch.context() as old_version:
        old_version.setattr(IndexFingerprint, "manifest_fields", lambda self: {"fingerprint": "65f1e0a8c0d2b7aa"})
        update_index(corpus, index_dir)

    status = index_status(index_dir)
    assert status["stale"] is True
    assert status["stale_reason"] == (
        "Indeksen ble bygget av en eldre versjon av Rapportsøk. Kjør «rapportsok index» for å bygge indeksen på nytt."
    )
    summary, log = run_logged(corpus, index_dir)
    assert summary.extracted == 2 and summary.exit_code == 0
    assert "Indeksen ble bygget av en eldre versjon av Rapportsøk; bygger hele indeksen på nytt." in log
    assert index_status(index_dir)["stale"] is False


def test_an_empty_folder_does_not_rebuild_a_stale_index(corpus, index_dir, monkeypatch):
    update_index(corpus, index_dir)
    monkeypatch.setattr(analysis, "ANALYSIS_VERSION", analysis.ANALYSIS_VERSION + 1)
    empty = corpus.parent / "tom"
    empty.mkdir()

    summary, log = run_logged(empty, index_dir)

    assert summary.removed == 0 and "på nytt" not in log
    status = index_status(index_dir)
    assert status["stale"] is True and status["sources"] == 2


def test_no_index_has_no_staleness(tmp_path):
    assert index_status(tmp_path / "ingen") == {"exists": False}
