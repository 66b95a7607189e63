"""Scanned reports are read with OCR (indexer/extract/ocr.py).

Scanned copies of corpus pages are made in the test run (bench/ocr.py: rasterised,
greyscale, turned a little, speckled, packed as image-only PDFs) and compared with the
text versions of the same pages. The full scanned corpus is measured by ``python -m bench.ocr``.
"""
from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from bench.ocr import compare, garbled_copy, scan_copy
from indexer.errors import ExtractionError, OcrUnavailableError
from indexer.extract import ocr
from indexer.extract.pdftext import Line
from indexer.extract.pipeline import extract_document
from indexer.index.build import update_index
from indexer.index.summary import IndexSummary, render_summary
from indexer.language.ocr_tools import TESSERACT_ENV, missing_packages
from indexer.language.optional_data import missing_language_data
from indexer.records import Document
from indexer.search.engine import Engine, close_searchers
from indexer.search.options import SearchRequest

pytestmark = pytest.mark.skipif(bool(missing_packages()), reason="tesseract-ocr, tesseract-ocr-nor or poppler-utils missing")

COMPILATION = "fou-prosjekter-2019.pdf"
PAGES = (3, 5)  # three summaries of the compilation, each with its own findings


def _cut(source: Path, target: Path, first: int, last: int) -> Path:
    """Pages ``first``–``last`` of ``source`` as a PDF of their own (text layer kept)."""
    folder = target.parent / f"{target.stem}-pages"
    folder.mkdir()
    subprocess.run(["pdfseparate", "-f", str(first), "-l", str(last), str(source), str(folder / "%d.pdf")], check=True)
    subprocess.run(["pdfunite", *(str(folder / f"{n}.pdf") for n in range(first, last + 1)), str(target)], check=True)
    return target


@pytest.fixture(scope="session")
def ocr_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder of this module's own, so every page is read here at least once
    (set for each test, and while the session's documents are read: never for other modules)."""
    return tmp_path_factory.mktemp("ocr-cache")


@pytest.fixture(autouse=True)
def private_cache(ocr_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAPPORTSOK_CACHE_DIR", str(ocr_cache))


@pytest.fixture(scope="session")
def scanned(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> dict[str, Path]:
    """Three pages of the compilation as text, scanned at 200 dpi, and half scanned."""
    folder = tmp_path_factory.mktemp("scanned")
    text = _cut(corpus_dir / COMPILATION, folder / "tekst.pdf", *PAGES)
    scan = scan_copy(text, folder / "skannet.pdf", dpi=200)
    mixed_folder = folder / "blandet"
    mixed_folder.mkdir()
    subprocess.run(["pdfseparate", str(text), str(mixed_folder / "%d.pdf")], check=True)
    scan_copy(text, mixed_folder / "2s.pdf", dpi=200, pages=(2, 2), seed=2)
    subprocess.run(["pdfunite", str(mixed_folder / "1.pdf"), str(mixed_folder / "2s.pdf"), str(mixed_folder / "3.pdf"),
                    str(folder / "blandet.pdf")], check=True)
    return {"text": text, "scan": scan, "mixed": folder / "blandet.pdf"}


@pytest.fixture(scope="session")
def documents(scanned: dict[str, Path], ocr_cache: Path) -> dict[str, Document]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORTSOK_CACHE_DIR", str(ocr_cache))
        return {name: extract_document(path) for name, path in scanned.items()}


def _items(document: Document) -> list:
    return [item for report in document.reports for item in (*report.findings, *report.passages)]


def test_a_scanned_compilation_gives_the_reports_and_findings_of_its_text_version(documents):
    comparison = compare(documents["text"], documents["scan"])
    assert comparison.reports_found == comparison.reports_gold >= 3
    assert comparison.f1 >= 0.85, comparison
    assert comparison.chapters_found == comparison.chapters_gold


def test_ocr_text_is_marked_with_its_confidence(documents):
    items = _items(documents["scan"])
    assert items and all(item.ocr for item in items)
    assert all(item.ocr_confidence is not None and 50 <= item.ocr_confidence <= 100 for item in items)
    assert not any(item.ocr or item.ocr_confidence is not None for item in _items(documents["text"]))


def test_a_mixed_pdf_reads_only_its_scanned_page_with_ocr(documents):
    mixed = documents["mixed"]
    assert {item.page for item in _items(mixed) if item.ocr} == {2}
    assert {item.page for item in _items(mixed) if not item.ocr} >= {1, 3}
    assert [r.title for r in mixed.reports] == [r.title for r in documents["text"].reports]


def test_a_broken_text_layer_is_read_with_ocr(scanned, tmp_path):
    garbled = garbled_copy(scanned["text"], tmp_path / "feilkodet.pdf", dpi=200, pages=(1, 1))
    document = extract_document(garbled)
    text = " ".join(item.text for item in _items(document))
    assert all(item.ocr for item in _items(document))
    assert "Boligmangel" in text and "Cpmjhnbohfm" not in text


def _line(text: str) -> Line:
    return Line(text=text, page=1, x0=72, x1=500, top=100, bottom=110, size=10, bold=False, italic=False,
                link=False, link_chars=0, page_height=842, page_width=595)


def test_glyph_numbers_and_wrongly_mapped_letters_make_a_text_layer_unusable():
    sentence = "Kommunene har arbeidet med bosetting av flyktninger og tidlig innsats i mange år nå"
    glyphs = " ".join(f"(cid:{n})" for n in range(40))
    shifted = "Lpnnvofof ibs bscfjefu nfe cptfuujoh bw gmzluojohfs ph ujemjh jootbut j nbohf bs " * 2
    known = {w.lower() for w in sentence.split()}.__contains__
    assert not ocr.unusable_text_layer([_line(sentence)], known)
    assert ocr.unusable_text_layer([_line(glyphs)])
    assert ocr.unusable_text_layer([_line(shifted)], known)
    assert not ocr.unusable_text_layer([_line("Tabell 3 (cid:12) 45 %")])  # too few words to judge


def test_a_text_page_with_a_full_page_photo_is_no_scan():
    text_page, photo_page = [_line("Innledning og bakgrunn for rapporten")], []
    assert ocr.pages_needing_ocr([text_page, photo_page, []], [0.0, 0.95, 0.0]) == [2]
    assert ocr.pages_needing_ocr([[], []], [0.0, 0.0]) == []  # blank pages: nothing scanned to read


def test_ocr_sizes_make_headings_stand_out_from_the_body():
    body = [_line(f"linje {n}") for n in range(6)]
    for line, size in zip(body, (9.8, 10.2, 10.4, 10.0, 9.9, 10.3), strict=True):
        line.size = size
    heading = _line("Hovedfunn")
    heading.size = 13.1
    ocr.snap_sizes([*body, heading])
    assert len({line.size for line in body}) == 1
    assert heading.size > body[0].size * 1.2


def test_ocr_marks_are_cleaned():
    assert ocr.clean_text("* Boligmangel er ofte") == "• Boligmangel er ofte"
    assert ocr.clean_text("Jobbsjansen 2018 - Analyse") == "Jobbsjansen 2018 – Analyse"
    assert ocr.clean_text("Innledning ......vvvarr rv 12").endswith(".......... 12")


def _counting_tesseract(folder: Path) -> tuple[Path, Path]:
    calls = folder / "calls"
    program = folder / "tesseract"
    program.write_text(f'#!/bin/sh\ncase "$*" in *tsv*) echo x >> "{calls}";; esac\nexec "{shutil.which("tesseract")}" "$@"\n')
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program, calls


def test_a_file_read_once_is_never_read_with_ocr_again(scanned, tmp_path, monkeypatch):
    program, calls = _counting_tesseract(tmp_path)
    monkeypatch.setenv(TESSERACT_ENV, str(program))
    monkeypatch.setenv("RAPPORTSOK_CACHE_DIR", str(tmp_path / "cache"))
    copy = shutil.copy(scanned["scan"], tmp_path / "annet-navn.pdf")  # same content, another name
    first = extract_document(scanned["scan"])
    read = len(calls.read_text().splitlines())
    second = extract_document(copy)
    assert read == 3 and len(calls.read_text().splitlines()) == read
    assert [f.text for r in first.reports for f in r.findings] == [f.text for r in second.reports for f in r.findings]


def test_without_tesseract_a_scan_fails_saying_what_to_install(scanned, corpus_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(TESSERACT_ENV, str(tmp_path / "finnes-ikke"))
    monkeypatch.setenv("RAPPORTSOK_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(OcrUnavailableError) as raised:
        extract_document(scanned["scan"])
    assert raised.value.code == "needs_ocr" and "apt-get install -y tesseract-ocr tesseract-ocr-nor" in raised.value.reason
    assert extract_document(scanned["text"]).reports  # a text PDF is read as before
    mixed = extract_document(scanned["mixed"])  # and a mixed one from its text pages, saying which it left out
    assert mixed.reports and [(page.page, page.code) for page in mixed.unread_pages] == [(2, "needs_ocr")]
    assert "apt-get install -y tesseract-ocr tesseract-ocr-nor" in mixed.unread_pages[0].reason
    missing = {data.data: data for data in missing_language_data()}
    assert "tesseract-ocr" in missing["ocr"].install
    summary = IndexSummary(failed=[])
    assert "tesseract-ocr" in render_summary(summary)


def test_the_index_and_the_api_mark_scanned_hits(scanned, tmp_path):
    from search_app.app import create_app

    corpus = tmp_path / "rapporter"
    corpus.mkdir()
    shutil.copy(scanned["mixed"], corpus / "blandet.pdf")
    index_dir = tmp_path / "indeks"
    summary = update_index(corpus, index_dir, workers=1)
    assert summary.indexed_sources == 1 and not summary.failed
    try:
        hits = Engine(index_dir).search(SearchRequest(query="flyktninger", size=50)).results
        assert {hit.ocr for hit in hits} == {True, False}
        assert all(hit.ocr_confidence is not None for hit in hits if hit.ocr)
        client = create_app({"INDEX_DIR": index_dir, "CORPUS_DIR": corpus}).test_client()
        data = client.get("/api/search?q=flyktninger&size=50").get_json()
        assert {hit["ocr"] for hit in data["results"]} == {True, False}
        scanned_hit = next(hit for hit in data["results"] if hit["ocr"])
        assert 0 < scanned_hit["ocr_confidence"] <= 100
        report = client.get(f"/api/reports/{scanned_hit['report']['id']}").get_json()
        listed = [*report["findings"], *(p for chapter in report["chapters"] for p in chapter["passages"])]
        assert any(item["ocr"] for item in listed) and not all(item["ocr"] for item in listed)
        page = client.get("/?q=flyktninger").get_data(as_text=True)
        assert 'class="scanned"' in page
    finally:
        close_searchers()


def _tesseract_that(folder: Path, does: str) -> Path:
    """A tesseract program that ``does`` (a shell command) instead of reading a page.
    ``exec`` so that a time limit stops the command itself, not only a shell around it."""
    program = folder / "tesseract"
    real = shutil.which("tesseract")
    program.write_text(f'#!/bin/sh\ncase "$*" in *tsv*) exec {does};; esac\nexec "{real}" "$@"\n')
    program.chmod(program.stat().st_mode | stat.S_IEXEC)
    return program


def _pages_found(index_dir: Path, query: str) -> set[int]:
    try:
        return {hit.page for hit in Engine(index_dir).search(SearchRequest(query=query, size=100)).results}
    finally:
        close_searchers()


def test_a_page_over_its_time_limit_is_left_out_and_the_rest_of_the_file_indexed(scanned, tmp_path, monkeypatch):
    from search_app.app import create_app

    corpus, index_dir = tmp_path / "rapporter", tmp_path / "indeks"
    corpus.mkdir()
    shutil.copy(scanned["mixed"], corpus / "blandet.pdf")
    monkeypatch.setenv(TESSERACT_ENV, str(_tesseract_that(tmp_path, "sleep 60")))
    monkeypatch.setenv(ocr.PAGE_TIMEOUT_ENV, "2")
    monkeypatch.setenv("RAPPORTSOK_CACHE_DIR", str(tmp_path / "cache"))  # page 2 not read before
    summary = update_index(corpus, index_dir, workers=1)
    assert summary.indexed_sources == 1 and not summary.failed
    assert [(f.file, [(p.page, p.code) for p in f.unread_pages]) for f in summary.incomplete] == [
        ("blandet.pdf", [(2, "timeout")])]
    assert "blandet.pdf, side 2 [timeout]" in render_summary(summary)
    assert {1, 3} <= _pages_found(index_dir, "flyktninger") and 2 not in _pages_found(index_dir, "flyktninger")
    health = create_app({"INDEX_DIR": index_dir, "CORPUS_DIR": corpus}).test_client().get("/api/health").get_json()
    assert [(f["file"], [p["page"] for p in f["unread_pages"]]) for f in health["incomplete_files"]] == [
        ("blandet.pdf", [2])]
    close_searchers()
    # A time limit depends on the machine: the next run tries the page again.
    monkeypatch.delenv(TESSERACT_ENV)
    monkeypatch.delenv(ocr.PAGE_TIMEOUT_ENV)
    again = update_index(corpus, index_dir, workers=1)
    assert not again.incomplete and not again.failed and again.changed == 1
    assert 2 in _pages_found(index_dir, "flyktninger")


def test_a_page_tesseract_fails_on_is_left_out_and_a_file_of_such_pages_fails(scanned, tmp_path, monkeypatch):
    monkeypatch.setenv(TESSERACT_ENV, str(_tesseract_that(tmp_path, "sh -c 'echo ødelagt bilde >&2; exit 1'")))
    monkeypatch.setenv("RAPPORTSOK_CACHE_DIR", str(tmp_path / "cache"))
    mixed = extract_document(scanned["mixed"])
    assert mixed.reports and [(page.page, page.code) for page in mixed.unread_pages] == [(2, "unreadable")]
    assert "ødelagt bilde" in mixed.unread_pages[0].reason
    with pytest.raises(ExtractionError) as raised:
        extract_document(scanned["scan"])
    assert raised.value.code == "unreadable" and "OCR av side 1 feilet: ødelagt bilde" in raised.value.reason


def test_scans_that_needed_ocr_are_read_once_it_is_installed(scanned, tmp_path, monkeypatch):
    corpus, index_dir = tmp_path / "rapporter", tmp_path / "indeks"
    corpus.mkdir()
    shutil.copy(scanned["mixed"], corpus / "blandet.pdf")
    shutil.copy(scanned["scan"], corpus / "skannet.pdf")
    monkeypatch.setenv(TESSERACT_ENV, str(tmp_path / "finnes-ikke"))
    before = update_index(corpus, index_dir, workers=1)
    assert [(f.file, f.code) for f in before.failed] == [("skannet.pdf", "needs_ocr")]
    assert [(f.file, [(p.page, p.code) for p in f.unread_pages]) for f in before.incomplete] == [
        ("blandet.pdf", [(2, "needs_ocr")])]
    # Nothing changed, nothing installed: both are reported again, neither is read again.
    same = update_index(corpus, index_dir, workers=1)
    assert same.extracted == 0 and len(same.failed) == 1 and len(same.incomplete) == 1
    monkeypatch.delenv(TESSERACT_ENV)
    after = update_index(corpus, index_dir, workers=1)
    assert after.extracted == 2 and not after.failed and not after.incomplete
    assert after.indexed_sources == 2 and 2 in _pages_found(index_dir, "flyktninger")


@pytest.mark.parametrize("name", ["pdfminer_contrib_pdf-with-jbig2.pdf", "pdfminer_encryption_encrypted_doc_no_id.pdf"])
def test_image_only_sample_pdfs_are_read_with_ocr(real_pdfs, name):
    path = real_pdfs / "tricky" / name
    if not path.exists():
        pytest.skip("realpdfs/tricky is not present")
    try:
        document = extract_document(path)
    except ExtractionError as exc:  # a scan OCR cannot read must say why
        assert exc.reason
        return
    assert _items(document) and all(item.ocr for item in _items(document))


def _page_with_mark(mark_size: int, mark_top: int) -> tuple[object, list]:
    """A white page with one 30-pixel-high word at x 200 and a square mark left of it."""
    import numpy as np

    pixels = np.full((200, 600), 255, dtype=np.uint8)
    pixels[50:80, 200:260] = 0  # the word
    if mark_size:
        pixels[mark_top:mark_top + mark_size, 160:160 + mark_size] = 0
    word = ocr.OcrWord(text="Tekst", x0=200, top=50, x1=260, bottom=80, confidence=90, line=7, stroke=0.0)
    return pixels, [(word, (200, 50, 60, 30))]


@pytest.mark.parametrize(("size", "top", "bullet"), [
    (10, 60, True),    # a dot level with the letters: the bullet Tesseract left out
    (2, 64, False),    # a speck of dirt
    (28, 51, False),   # as tall as the line: a letter or a box, not a bullet
    (10, 50, False),   # up at the top of the line: an accent or a mark of another kind
])
def test_a_dropped_bullet_is_found_left_of_the_line(size, top, bullet):
    pixels, read = _page_with_mark(size, top)
    found = ocr._dropped_bullets(pixels, read, scale=1.0)
    assert [(w.text, w.line) for w in found] == ([("•", 7)] if bullet else [])
